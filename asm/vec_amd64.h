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
