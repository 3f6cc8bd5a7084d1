//go:build amd64 && gc && !purego && !noasm

#include "textflag.h"
#include "vec_amd64.h"

// Element-wise kernels; see elementwise.go for the reference loops and
// elementwise_generic.go for expNeg and sigmoid, whose steps the EXPNEG and
// SIGMOID macros follow.
// R11 indexes elements, CX counts those left.

// Rows of expConsts (see elementwise_generic.go), as byte offsets.
#define EC_MIN 0
#define EC_MAX 64
#define EC_NLOG2E 128
#define EC_LN2HI 192
#define EC_LN2LO 256
#define EC_C2 320
#define EC_C3 384
#define EC_C4 448
#define EC_C5 512
#define EC_C6 576
#define EC_ONE 640
#define EC_SHIFT 704

#define EXPC(row) ·expConsts+row(SB)

// ---- AVX-512. Constants of expNeg live in Z16–Z27 (LOADEXP512). K1 is the
// tail mask.

#define LOADEXP512 \
	VMOVUPS EXPC(EC_MIN), Z16;    \
	VMOVUPS EXPC(EC_MAX), Z17;    \
	VMOVUPS EXPC(EC_NLOG2E), Z18; \
	VMOVUPS EXPC(EC_LN2HI), Z19;  \
	VMOVUPS EXPC(EC_LN2LO), Z20;  \
	VMOVUPS EXPC(EC_C2), Z21;     \
	VMOVUPS EXPC(EC_C3), Z22;     \
	VMOVUPS EXPC(EC_C4), Z23;     \
	VMOVUPS EXPC(EC_C5), Z24;     \
	VMOVUPS EXPC(EC_C6), Z25;     \
	VMOVUPS EXPC(EC_ONE), Z26;    \
	VMOVUPS EXPC(EC_SHIFT), Z27

// EXPNEG512 sets e = exp(−x), zero where x > expMax or x is NaN; lanes
// where x < expMin hold garbage for SIGMOID512 to mask. The scaling by 2ⁿ
// is VSCALEFPS. Clobbers Z1, Z2, K2.
#define EXPNEG512(x, e) \
	VCMPPS       $0x12, Z17, x, K2; /* K2: x ≤ expMax */ \
	VMOVAPS      Z27, Z2;           \
	VFMADD231PS  Z18, x, Z2;        /* k = −x·log2 e + expShift */ \
	VSUBPS       Z27, Z2, Z2;       /* n = round(−x·log2 e) */ \
	VMOVAPS      x, Z1;             \
	VFNMSUB231PS Z19, Z2, Z1;       /* r = −x − n·ln2hi */ \
	VFNMADD231PS Z20, Z2, Z1;       /* r −= n·ln2lo */ \
	VMOVAPS      Z25, e;            \
	VFMADD213PS  Z24, Z1, e;        \
	VFMADD213PS  Z23, Z1, e;        \
	VFMADD213PS  Z22, Z1, e;        \
	VFMADD213PS  Z21, Z1, e;        \
	VFMADD213PS  Z26, Z1, e;        \
	VFMADD213PS  Z26, Z1, e;        /* eʳ */ \
	VSCALEFPS.Z  Z2, e, K2, e       /* eʳ·2ⁿ where K2, else 0 */

// SIGMOID512 sets e = exp(−x) and q = σ(x) = 1/(1+e), with q = 0 where
// x < expMin or x is NaN (those lanes are clear in K3). The reciprocal is
// VRCP14PS's (relative error below 2⁻¹⁴) refined by one Newton step,
// q = q₀ + q₀·(1 − q₀·d), which squares the error to below 2⁻²⁸ before
// rounding. Zero-masking both steps with K3 makes q exactly 0 where e
// overflowed, even where d is Inf or NaN. Clobbers Z1, Z2, Z6, K2, K3.
#define SIGMOID512(x, e, q) \
	EXPNEG512(x, e);                \
	VCMPPS         $0x1d, Z16, x, K3; /* K3: x ≥ expMin */ \
	VADDPS         Z26, e, q;         /* d = 1 + e */ \
	VRCP14PS.Z     q, K3, Z6;         \
	VFNMADD213PS.Z Z26, Z6, K3, q;    /* 1 − q₀·d */ \
	VFMADD213PS    Z6, Z6, q

// SILUCORE512 replaces Z0 by its SiLU. Clobbers Z1, Z2, Z4–Z6, K2, K3.
#define SILUCORE512 \
	SIGMOID512(Z0, Z4, Z5); \
	VMULPS Z5, Z0, Z0

#define SILU512(LOAD, STORE)  \
	LOAD((SI)(R11*4), Z0); \
	SILUCORE512;           \
	STORE(Z0, (DI)(R11*4))

// func siluAVX512(dst, x []float32)
TEXT ·siluAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	LOADEXP512
	XORQ R11, R11

silu512loop:
	CMPQ CX, $16
	JLT  silu512tail
	SILU512(LD, ST)
	ADDQ $16, R11
	SUBQ $16, CX
	JMP  silu512loop

silu512tail:
	TESTQ CX, CX
	JZ    silu512done
	TAILMASK512
	SILU512(LDM, STM)

silu512done:
	VZEROUPPER
	RET

// SILUGRAD512 evaluates dy·(σ + x·(e·σ·σ)); e·σ·σ = σ·(1−σ).
#define SILUGRAD512(LOAD, STORE) \
	LOAD((SI)(R11*4), Z0);      \
	SIGMOID512(Z0, Z4, Z5);     \
	VMULPS.Z    Z4, Z5, K3, Z7; /* 1 − σ = e·σ (0 outside K3) */ \
	VMULPS      Z5, Z7, Z7;     /* σ·(1−σ) */ \
	VFMADD213PS Z5, Z0, Z7;     /* σ + x·σ·(1−σ) */ \
	LOAD((DX)(R11*4), Z9);      \
	VMULPS      Z9, Z7, Z7;     \
	STORE(Z7, (DI)(R11*4))

// func siluGradAVX512(dst, x, dy []float32)
TEXT ·siluGradAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ dy_base+48(FP), DX
	LOADEXP512
	XORQ R11, R11

silugrad512loop:
	CMPQ CX, $16
	JLT  silugrad512tail
	SILUGRAD512(LD, ST)
	ADDQ $16, R11
	SUBQ $16, CX
	JMP  silugrad512loop

silugrad512tail:
	TESTQ CX, CX
	JZ    silugrad512done
	TAILMASK512
	SILUGRAD512(LDM, STM)

silugrad512done:
	VZEROUPPER
	RET

// ADDBIASSILU512 adds the bias to a vector of pre, stores the sum back into
// pre (SI) and its SiLU into h (DI); the stores are in that order, so h may
// be pre.
#define ADDBIASSILU512(LOAD, STORE) \
	LOAD((SI)(R11*4), Z0);       \
	LOAD((DX)(R11*4), Z7);       \
	VADDPS Z7, Z0, Z0;           \
	STORE(Z0, (SI)(R11*4));      \
	SILUCORE512;                 \
	STORE(Z0, (DI)(R11*4))

// func addBiasSiLUAVX512(h, pre []float32, stride int, bias []float32, rows int)
TEXT ·addBiasSiLUAVX512(SB), NOSPLIT, $0-88
	MOVQ h_base+0(FP), DI
	MOVQ pre_base+24(FP), SI
	MOVQ stride+48(FP), R8
	SHLQ $2, R8
	MOVQ bias_base+56(FP), DX
	MOVQ bias_len+64(FP), R10
	MOVQ rows+80(FP), R12
	LOADEXP512
	MOVQ R10, CX
	ANDQ $15, CX
	TAILMASK512
	ANDQ $-16, R10  // elements in full vectors

	PCALIGN $64 // the row loop in one 64-byte window, the padding run once per call

abs512row:
	XORQ R11, R11

abs512col:
	CMPQ R11, R10
	JGE  abs512tail
	ADDBIASSILU512(LD, ST)
	ADDQ $16, R11
	JMP  abs512col

abs512tail:
	TESTQ CX, CX
	JNZ   abs512partial

abs512next:
	ADDQ R8, DI
	ADDQ R8, SI
	DECQ R12
	JNZ  abs512row
	VZEROUPPER
	RET

// The partial vector of each row, out of the row loop's way.
abs512partial:
	LDM((SI)(R11*4), Z0)
	LDM((DX)(R11*4), Z7)
	VADDPS Z7, Z0, Z0
	STZTAIL(Z0, (SI)(R11*4), abs512pre4, abs512pre2, abs512pre1, abs512pre)
	SILUCORE512
	STZTAIL(Z0, (DI)(R11*4), abs512h4, abs512h2, abs512h1, abs512h)
	JMP abs512next

// func linearSiLUAVX512(h, x []float32, in int, w []float32, stride int, bias []float32, rows int)
//
// Row r of h (stride apart) gets SiLU(x_r·w + bias) for the len(bias)
// columns, x_r being in ≥ 1 values and w in rows stride apart; each sum
// starts from zero and takes one VFMADD231PS per input, as the SGEMM
// micro-kernel's do. BX holds w; the partial vector's STZTAIL clobbers it.
TEXT ·linearSiLUAVX512(SB), NOSPLIT, $0-120
	MOVQ x_base+24(FP), SI
	MOVQ in+48(FP), R9
	MOVQ stride+80(FP), R8
	SHLQ $2, R8
	MOVQ bias_base+88(FP), DX
	MOVQ bias_len+96(FP), R10
	MOVQ rows+112(FP), R12
	MOVQ h_base+0(FP), DI
	LOADEXP512
	MOVQ R10, CX
	ANDQ $15, CX
	TAILMASK512
	ANDQ $-16, R10  // elements in full vectors
	MOVQ w_base+56(FP), BX

ls512row:
	XORQ R11, R11

ls512col:
	CMPQ   R11, R10
	JGE    ls512tail
	VPXORD Z0, Z0, Z0
	LEAQ   (BX)(R11*4), AX
	XORQ   R13, R13

ls512dot:
	VBROADCASTSS (SI)(R13*4), Z8
	VFMADD231PS  (AX), Z8, Z0
	ADDQ         R8, AX
	INCQ         R13
	CMPQ         R13, R9
	JLT          ls512dot
	VADDPS       (DX)(R11*4), Z0, Z0
	SILUCORE512
	VMOVUPS      Z0, (DI)(R11*4)
	ADDQ         $16, R11
	JMP          ls512col

ls512tail:
	TESTQ CX, CX
	JNZ   ls512partial

ls512next:
	ADDQ R8, DI
	LEAQ (SI)(R9*4), SI
	DECQ R12
	JNZ  ls512row
	VZEROUPPER
	RET

// The partial vector of each row, out of the row loop's way.
ls512partial:
	VPXORD Z0, Z0, Z0
	LEAQ   (BX)(R11*4), AX
	XORQ   R13, R13

ls512pdot:
	VBROADCASTSS (SI)(R13*4), Z8
	VMOVUPS.Z    (AX), K1, Z9
	VFMADD231PS  Z9, Z8, Z0
	ADDQ         R8, AX
	INCQ         R13
	CMPQ         R13, R9
	JLT          ls512pdot
	LDM((DX)(R11*4), Z7)
	VADDPS       Z7, Z0, Z0
	SILUCORE512
	STZTAIL(Z0, (DI)(R11*4), ls512h4, ls512h2, ls512h1, ls512h)
	MOVQ         w_base+56(FP), BX
	JMP          ls512next

// func addRowsAVX512(y []float32, ys int, z []float32, zs int, rows, n int)
TEXT ·addRowsAVX512(SB), NOSPLIT, $0-80
	MOVQ y_base+0(FP), DI
	MOVQ ys+24(FP), R8
	SHLQ $2, R8
	MOVQ z_base+32(FP), SI
	MOVQ zs+56(FP), R9
	SHLQ $2, R9
	MOVQ rows+64(FP), DX
	MOVQ n+72(FP), R10
	MOVQ R10, CX
	ANDQ $15, CX
	TAILMASK512
	ANDQ $-16, R10  // elements in full vectors

	PCALIGN $64 // the row loop in one 64-byte window, the padding run once per call

addrows512row:
	XORQ R11, R11

addrows512col:
	CMPQ    R11, R10
	JGE     addrows512tail
	VMOVUPS (DI)(R11*4), Z0
	VADDPS  (SI)(R11*4), Z0, Z0
	VMOVUPS Z0, (DI)(R11*4)
	ADDQ    $16, R11
	JMP     addrows512col

addrows512tail:
	TESTQ CX, CX
	JNZ   addrows512partial

addrows512next:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ DX
	JNZ  addrows512row
	VZEROUPPER
	RET

// The partial vector of each row, out of the row loop's way.
addrows512partial:
	VMOVUPS.Z (DI)(R11*4), K1, Z0
	VMOVUPS.Z (SI)(R11*4), K1, Z1
	VADDPS   Z1, Z0, Z0
	STZTAIL(Z0, (DI)(R11*4), addrows512t4, addrows512t2, addrows512t1, addrows512t)
	JMP addrows512next

// ---- AVX2+FMA. Y15 holds 1, Y14 the tail mask; the other constants are
// memory operands.

// EXPNEG2 sets e = exp(−x), zero where x > expMax or x is NaN; lanes where
// x < expMin hold garbage for SIGMOID2 to mask. 2ⁿ is the bits of
// k = −x·log2 e + expShift shifted into the exponent field. Clobbers Y1–Y3,
// Y8.
#define EXPNEG2(x, e) \
	VCMPPS       $0x12, EXPC(EC_MAX), x, Y8; /* Y8: x ≤ expMax */ \
	VMOVUPS      EXPC(EC_SHIFT), Y2;         \
	VFMADD231PS  EXPC(EC_NLOG2E), x, Y2;     /* k = −x·log2 e + expShift */ \
	VSUBPS       EXPC(EC_SHIFT), Y2, Y3;     /* n = round(−x·log2 e) */ \
	VMOVAPS      x, Y1;                      \
	VFNMSUB231PS EXPC(EC_LN2HI), Y3, Y1;     /* r = −x − n·ln2hi */ \
	VFNMADD231PS EXPC(EC_LN2LO), Y3, Y1;     /* r −= n·ln2lo */ \
	VMOVUPS      EXPC(EC_C6), e;             \
	VFMADD213PS  EXPC(EC_C5), Y1, e;         \
	VFMADD213PS  EXPC(EC_C4), Y1, e;         \
	VFMADD213PS  EXPC(EC_C3), Y1, e;         \
	VFMADD213PS  EXPC(EC_C2), Y1, e;         \
	VFMADD213PS  Y15, Y1, e;                 \
	VFMADD213PS  Y15, Y1, e;                 /* eʳ */ \
	VPSLLD       $23, Y2, Y2;                /* 2ⁿ */ \
	VMULPS       Y2, e, e;                   \
	VANDPS       Y8, e, e

// SIGMOID2 sets e = exp(−x) and q = σ(x) = 1/(1+e), with q = 0 where
// x < expMin or x is NaN (those lanes are clear in Y9). VDIVPS stays: on
// 256-bit vectors it is not the bottleneck, and VRCPPS with one Newton
// step would add up to 2.3·2⁻²⁴ of error. Clobbers Y1–Y3, Y8, Y9.
#define SIGMOID2(x, e, q) \
	EXPNEG2(x, e);                          \
	VCMPPS $0x1d, EXPC(EC_MIN), x, Y9;      /* Y9: x ≥ expMin */ \
	VADDPS Y15, e, q;                       \
	VDIVPS q, Y15, q;                       \
	VANDPS Y9, q, q

// SILUCORE2 replaces Y0 by its SiLU. Clobbers Y1–Y5, Y8, Y9.
#define SILUCORE2 \
	SIGMOID2(Y0, Y4, Y5); \
	VMULPS Y5, Y0, Y0

#define SILU2(LOAD, STORE)    \
	LOAD((SI)(R11*4), Y0); \
	SILUCORE2;             \
	STORE(Y0, (DI)(R11*4))

// func siluAVX2(dst, x []float32)
TEXT ·siluAVX2(SB), NOSPLIT, $0-48
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	MOVQ    x_base+24(FP), SI
	VMOVUPS EXPC(EC_ONE), Y15
	XORQ    R11, R11

silu2loop:
	CMPQ CX, $8
	JLT  silu2tail
	SILU2(LDY, STY)
	ADDQ $8, R11
	SUBQ $8, CX
	JMP  silu2loop

silu2tail:
	TESTQ CX, CX
	JZ    silu2done
	TAILMASK2
	SILU2(LDYM, STYM)

silu2done:
	VZEROUPPER
	RET

// SILUGRAD2 evaluates dy·(σ + x·(e·σ·σ)) as SILUGRAD512 does.
#define SILUGRAD2(LOAD, STORE)  \
	LOAD((SI)(R11*4), Y0);   \
	SIGMOID2(Y0, Y4, Y5);    \
	VMULPS      Y4, Y5, Y6;  \
	VANDPS      Y9, Y6, Y6;  /* 1 − σ = e·σ (0 outside Y9) */ \
	VMULPS      Y5, Y6, Y6;  /* σ·(1−σ) */ \
	VFMADD213PS Y5, Y0, Y6;  /* σ + x·σ·(1−σ) */ \
	LOAD((DX)(R11*4), Y10);  \
	VMULPS      Y10, Y6, Y6; \
	STORE(Y6, (DI)(R11*4))

// func siluGradAVX2(dst, x, dy []float32)
TEXT ·siluGradAVX2(SB), NOSPLIT, $0-72
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	MOVQ    x_base+24(FP), SI
	MOVQ    dy_base+48(FP), DX
	VMOVUPS EXPC(EC_ONE), Y15
	XORQ    R11, R11

silugrad2loop:
	CMPQ CX, $8
	JLT  silugrad2tail
	SILUGRAD2(LDY, STY)
	ADDQ $8, R11
	SUBQ $8, CX
	JMP  silugrad2loop

silugrad2tail:
	TESTQ CX, CX
	JZ    silugrad2done
	TAILMASK2
	SILUGRAD2(LDYM, STYM)

silugrad2done:
	VZEROUPPER
	RET

// ADDBIASSILU2 is ADDBIASSILU512 on 8 lanes.
#define ADDBIASSILU2(LOAD, STORE) \
	LOAD((SI)(R11*4), Y0);     \
	LOAD((DX)(R11*4), Y7);     \
	VADDPS Y7, Y0, Y0;         \
	STORE(Y0, (SI)(R11*4));    \
	SILUCORE2;                 \
	STORE(Y0, (DI)(R11*4))

// func addBiasSiLUAVX2(h, pre []float32, stride int, bias []float32, rows int)
TEXT ·addBiasSiLUAVX2(SB), NOSPLIT, $0-88
	MOVQ    h_base+0(FP), DI
	MOVQ    pre_base+24(FP), SI
	MOVQ    stride+48(FP), R8
	SHLQ    $2, R8
	MOVQ    bias_base+56(FP), DX
	MOVQ    bias_len+64(FP), R10
	MOVQ    rows+80(FP), R12
	VMOVUPS EXPC(EC_ONE), Y15
	MOVQ    R10, CX
	ANDQ    $7, CX
	TAILMASK2
	ANDQ    $-8, R10  // elements in full vectors

	PCALIGN $64 // the row loop in one 64-byte window, the padding run once per call

abs2row:
	XORQ R11, R11

abs2col:
	CMPQ R11, R10
	JGE  abs2tail
	ADDBIASSILU2(LDY, STY)
	ADDQ $8, R11
	JMP  abs2col

abs2tail:
	TESTQ CX, CX
	JNZ   abs2partial

abs2next:
	ADDQ R8, DI
	ADDQ R8, SI
	DECQ R12
	JNZ  abs2row
	VZEROUPPER
	RET

// The partial vector of each row, out of the row loop's way.
abs2partial:
	LDYM((SI)(R11*4), Y0)
	LDYM((DX)(R11*4), Y7)
	VADDPS Y7, Y0, Y0
	STYTAIL(Y0, (SI)(R11*4), abs2pre2, abs2pre1, abs2pre)
	SILUCORE2
	STYTAIL(Y0, (DI)(R11*4), abs2h2, abs2h1, abs2h)
	JMP abs2next

// func linearSiLUAVX2(h, x []float32, in int, w []float32, stride int, bias []float32, rows int)
//
// linearSiLUAVX512 on 8 lanes.
TEXT ·linearSiLUAVX2(SB), NOSPLIT, $0-120
	MOVQ    x_base+24(FP), SI
	MOVQ    in+48(FP), R9
	MOVQ    stride+80(FP), R8
	SHLQ    $2, R8
	MOVQ    bias_base+88(FP), DX
	MOVQ    bias_len+96(FP), R10
	MOVQ    rows+112(FP), R12
	MOVQ    h_base+0(FP), DI
	VMOVUPS EXPC(EC_ONE), Y15
	MOVQ    R10, CX
	ANDQ    $7, CX
	TAILMASK2
	ANDQ    $-8, R10  // elements in full vectors
	MOVQ    w_base+56(FP), BX

ls2row:
	XORQ R11, R11

ls2col:
	CMPQ   R11, R10
	JGE    ls2tail
	VXORPS Y0, Y0, Y0
	LEAQ   (BX)(R11*4), AX
	XORQ   R13, R13

ls2dot:
	VBROADCASTSS (SI)(R13*4), Y10
	VFMADD231PS  (AX), Y10, Y0
	ADDQ         R8, AX
	INCQ         R13
	CMPQ         R13, R9
	JLT          ls2dot
	VADDPS       (DX)(R11*4), Y0, Y0
	SILUCORE2
	VMOVUPS      Y0, (DI)(R11*4)
	ADDQ         $8, R11
	JMP          ls2col

ls2tail:
	TESTQ CX, CX
	JNZ   ls2partial

ls2next:
	ADDQ R8, DI
	LEAQ (SI)(R9*4), SI
	DECQ R12
	JNZ  ls2row
	VZEROUPPER
	RET

// The partial vector of each row, out of the row loop's way.
ls2partial:
	VXORPS Y0, Y0, Y0
	LEAQ   (BX)(R11*4), AX
	XORQ   R13, R13

ls2pdot:
	VBROADCASTSS (SI)(R13*4), Y10
	VMASKMOVPS   (AX), Y14, Y11
	VFMADD231PS  Y11, Y10, Y0
	ADDQ         R8, AX
	INCQ         R13
	CMPQ         R13, R9
	JLT          ls2pdot
	LDYM((DX)(R11*4), Y7)
	VADDPS       Y7, Y0, Y0
	SILUCORE2
	STYTAIL(Y0, (DI)(R11*4), ls2h2, ls2h1, ls2h)
	MOVQ         w_base+56(FP), BX
	JMP          ls2next

// func addRowsAVX2(y []float32, ys int, z []float32, zs int, rows, n int)
TEXT ·addRowsAVX2(SB), NOSPLIT, $0-80
	MOVQ y_base+0(FP), DI
	MOVQ ys+24(FP), R8
	SHLQ $2, R8
	MOVQ z_base+32(FP), SI
	MOVQ zs+56(FP), R9
	SHLQ $2, R9
	MOVQ rows+64(FP), DX
	MOVQ n+72(FP), R10
	MOVQ R10, CX
	ANDQ $7, CX
	TAILMASK2
	ANDQ $-8, R10  // elements in full vectors

	PCALIGN $64 // the row loop in one 64-byte window, the padding run once per call

addrows2row:
	XORQ R11, R11

addrows2col:
	CMPQ    R11, R10
	JGE     addrows2tail
	VMOVUPS (DI)(R11*4), Y0
	VADDPS  (SI)(R11*4), Y0, Y0
	VMOVUPS Y0, (DI)(R11*4)
	ADDQ    $8, R11
	JMP     addrows2col

addrows2tail:
	TESTQ CX, CX
	JNZ   addrows2partial

addrows2next:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ DX
	JNZ  addrows2row
	VZEROUPPER
	RET

// The partial vector of each row, out of the row loop's way.
addrows2partial:
	VMASKMOVPS (DI)(R11*4), Y14, Y0
	VMASKMOVPS (SI)(R11*4), Y14, Y1
	VADDPS     Y1, Y0, Y0
	STYTAIL(Y0, (DI)(R11*4), addrows2t2, addrows2t1, addrows2t)
	JMP addrows2next
