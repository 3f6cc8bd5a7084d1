// Shared macros of the streaming kernels.
//
// Every loop runs a kernel body over full vectors and then once more over the
// remaining 0 < CX < width elements with the same body, its loads and stores
// replaced by masked ones: the body macros take the load and store macros as
// arguments, so each kernel's arithmetic is written once per instruction set.

// AVX-512: full moves, and moves of the lanes selected by K1 (masked-off
// lanes are neither read nor written, and read as zero).
#define LD(src, dst) VMOVUPS src, dst
#define ST(src, dst) VMOVUPS src, dst
#define LDM(src, dst) VMOVUPS.Z src, K1, dst
#define STM(src, dst) VMOVUPS src, K1, dst

// TAILMASK512 sets K1 to the low CX lanes. Clobbers AX.
#define TAILMASK512 \
	MOVL  $1, AX;  \
	SHLL  CX, AX;  \
	DECL  AX;      \
	KMOVW AX, K1

// AVX2: full moves, and moves of the lanes selected by the mask in Y14.
#define LDY(src, dst) VMOVUPS src, dst
#define STY(src, dst) VMOVUPS src, dst
#define LDYM(src, dst) VMASKMOVPS src, Y14, dst
#define STYM(src, dst) VMASKMOVPS src, Y14, dst

// TAILMASK2 loads into Y14 the mask of the low CX lanes (0 ≤ CX ≤ 8) from
// tailMask. Clobbers AX, BX.
#define TAILMASK2                    \
	LEAQ    ·tailMask+32(SB), AX; \
	MOVQ    CX, BX;               \
	SHLQ    $2, BX;               \
	SUBQ    BX, AX;               \
	VMOVDQU (AX), Y14

// STYTAIL stores the low CX lanes (0 < CX < 8) of y at addr in pieces of 4,
// 2 and 1 lanes, for kernels that store a partial vector on every row:
// VMASKMOVPS stores are microcoded on AMD processors (see packRowsAVX2).
// l2, l1 and done are labels unique to each use. Clobbers BX and Y13.
#define STYTAIL(y, addr, l2, l1, done) \
	LEAQ         addr, BX;     \
	VMOVAPS      y, Y13;       \
	TESTQ        $4, CX;       \
	JZ           l2;           \
	VMOVUPS      X13, (BX);    \
	VEXTRACTF128 $1, Y13, X13; \
	ADDQ         $16, BX;      \
l2:                                \
	TESTQ        $2, CX;       \
	JZ           l1;           \
	VMOVLPS      X13, (BX);    \
	VMOVHLPS     X13, X13, X13; \
	ADDQ         $8, BX;       \
l1:                                \
	TESTQ        $1, CX;       \
	JZ           done;         \
	VMOVSS       X13, (BX);    \
done:

// STZTAIL stores the low CX lanes (0 < CX < 16) of z at addr in pieces of
// 8, 4, 2 and 1 lanes, for kernels that store a partial vector on every
// row: on Zen 4 a load of the next row that overlaps a masked store's
// 64 bytes waits for the store to commit (AddBias on 100-wide rows ran at
// half the speed of STYTAIL's AVX2 kernel). l4, l2, l1 and done are labels
// unique to each use. Clobbers BX and Z13.
#define STZTAIL(z, addr, l4, l2, l1, done) \
	LEAQ          addr, BX;     \
	VMOVAPS       z, Z13;       \
	TESTQ         $8, CX;       \
	JZ            l4;           \
	VMOVUPS       Y13, (BX);    \
	VEXTRACTF32X8 $1, Z13, Y13; \
	ADDQ          $32, BX;      \
l4:                                 \
	TESTQ         $4, CX;       \
	JZ            l2;           \
	VMOVUPS       X13, (BX);    \
	VEXTRACTF128  $1, Y13, X13; \
	ADDQ          $16, BX;      \
l2:                                 \
	TESTQ         $2, CX;       \
	JZ            l1;           \
	VMOVLPS       X13, (BX);    \
	VMOVHLPS      X13, X13, X13; \
	ADDQ          $8, BX;       \
l1:                                 \
	TESTQ         $1, CX;       \
	JZ            done;         \
	VMOVSS        X13, (BX);    \
done:
