//go:build amd64 && gc && !purego && !noasm

#include "textflag.h"
#include "vec_amd64.h"

// Element-wise kernels; see elementwise.go for the reference loops and
// elementwise_generic.go for expNegAbs, whose steps the EXPNEG macros follow.
// R11 indexes elements, CX counts those left.

// ---- AVX-512. Constants of expNegAbs live in Z16–Z28 (LOADEXP512).

#define LOADEXP512 \
	VMOVUPS ·expConsts+EXP_MIN(SB), Z16;   \
	VMOVUPS ·expConsts+EXP_LOG2E(SB), Z17; \
	VMOVUPS ·expConsts+EXP_LN2HI(SB), Z18; \
	VMOVUPS ·expConsts+EXP_LN2LO(SB), Z19; \
	VMOVUPS ·expConsts+EXP_P0(SB), Z20;    \
	VMOVUPS ·expConsts+EXP_P1(SB), Z21;    \
	VMOVUPS ·expConsts+EXP_P2(SB), Z22;    \
	VMOVUPS ·expConsts+EXP_P3(SB), Z23;    \
	VMOVUPS ·expConsts+EXP_P4(SB), Z24;    \
	VMOVUPS ·expConsts+EXP_P5(SB), Z25;    \
	VMOVUPS ·expConsts+EXP_ONE(SB), Z26;   \
	VMOVUPS ·expConsts+EXP_BIAS(SB), Z27;  \
	VMOVUPS ·expConsts+EXP_SIGN(SB), Z28

// EXPNEG512 sets e = exp(−|x|), zero where −|x| < expMin or x is NaN.
// Clobbers Z1–Z3, K2.
#define EXPNEG512(x, e) \
	VPORD        Z28, x, Z1;         /* t = −|x| */ \
	VCMPPS       $0x1d, Z16, Z1, K2; /* K2: t ≥ expMin */ \
	VMAXPS       Z16, Z1, Z1;        \
	VMULPS       Z17, Z1, Z2;        \
	VRNDSCALEPS  $0, Z2, Z2;         /* n = round(t·log2 e) */ \
	VFNMADD231PS Z18, Z2, Z1;        /* r = t − n·ln2hi */ \
	VFNMADD231PS Z19, Z2, Z1;        /* r −= n·ln2lo */ \
	VMULPS       Z1, Z1, Z3;         \
	VMOVAPS      Z25, e;             \
	VFMADD213PS  Z24, Z1, e;         \
	VFMADD213PS  Z23, Z1, e;         \
	VFMADD213PS  Z22, Z1, e;         \
	VFMADD213PS  Z21, Z1, e;         \
	VFMADD213PS  Z20, Z1, e;         \
	VFMADD213PS  Z1, Z3, e;          /* p·r² + r */ \
	VADDPS       Z26, e, e;          /* + 1 */ \
	VCVTTPS2DQ   Z2, Z2;             \
	VPADDD       Z27, Z2, Z2;        \
	VPSLLD       $23, Z2, Z2;        /* 2ⁿ */ \
	VMULPS.Z     Z2, e, K2, e

// SIGMOID512 sets e = exp(−|x|), q = 1/(1+e) and K3 to the lanes where x is
// negative, where σ(x) = e·q; elsewhere σ(x) = q.
#define SIGMOID512(x, e, q) \
	EXPNEG512(x, e);    \
	VADDPS   Z26, e, q; \
	VDIVPS   q, Z26, q; \
	VPMOVD2M x, K3

#define SILU512(LOAD, STORE)      \
	LOAD((SI)(R11*4), Z0);     \
	SIGMOID512(Z0, Z4, Z5);    \
	VMULPS Z4, Z5, K3, Z5;     /* σ */ \
	VMULPS Z5, Z0, Z0;         \
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

#define SILUGRAD512(LOAD, STORE)  \
	LOAD((SI)(R11*4), Z0);     \
	SIGMOID512(Z0, Z4, Z5);    \
	VMULPS  Z4, Z5, Z6;        /* e·q */ \
	VMOVAPS Z5, Z7;            \
	VMOVAPS Z6, K3, Z7;        /* s = σ(x) */ \
	VMOVAPS Z6, Z8;            \
	VMOVAPS Z5, K3, Z8;        /* sm = 1 − σ(x) */ \
	VFMADD213PS Z26, Z0, Z8;   /* 1 + x·sm */ \
	LOAD((DX)(R11*4), Z9);     \
	VMULPS Z7, Z9, Z9;         \
	VMULPS Z8, Z9, Z9;         \
	STORE(Z9, (DI)(R11*4))

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
	TESTQ    CX, CX
	JZ       addrows512next
	VMOVUPS.Z (DI)(R11*4), K1, Z0
	VMOVUPS.Z (SI)(R11*4), K1, Z1
	VADDPS   Z1, Z0, Z0
	VMOVUPS  Z0, K1, (DI)(R11*4)

addrows512next:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ DX
	JNZ  addrows512row
	VZEROUPPER
	RET

// ---- AVX2+FMA. Y15 holds 1, Y14 the tail mask; the other constants are
// memory operands.

#define EXPC(row) ·expConsts+row(SB)

// EXPNEG2 sets e = exp(−|x|), zero where −|x| < expMin or x is NaN.
// Clobbers Y1–Y3, Y8.
#define EXPNEG2(x, e) \
	VORPS        EXPC(EXP_SIGN), x, Y1;        /* t = −|x| */ \
	VCMPPS       $0x1d, EXPC(EXP_MIN), Y1, Y8; /* Y8: t ≥ expMin */ \
	VMAXPS       EXPC(EXP_MIN), Y1, Y1;        \
	VMULPS       EXPC(EXP_LOG2E), Y1, Y2;      \
	VROUNDPS     $0, Y2, Y2;                   /* n = round(t·log2 e) */ \
	VFNMADD231PS EXPC(EXP_LN2HI), Y2, Y1;      /* r = t − n·ln2hi */ \
	VFNMADD231PS EXPC(EXP_LN2LO), Y2, Y1;      /* r −= n·ln2lo */ \
	VMULPS       Y1, Y1, Y3;                   \
	VMOVUPS      EXPC(EXP_P5), e;              \
	VFMADD213PS  EXPC(EXP_P4), Y1, e;          \
	VFMADD213PS  EXPC(EXP_P3), Y1, e;          \
	VFMADD213PS  EXPC(EXP_P2), Y1, e;          \
	VFMADD213PS  EXPC(EXP_P1), Y1, e;          \
	VFMADD213PS  EXPC(EXP_P0), Y1, e;          \
	VFMADD213PS  Y1, Y3, e;                    /* p·r² + r */ \
	VADDPS       Y15, e, e;                    /* + 1 */ \
	VCVTTPS2DQ   Y2, Y2;                       \
	VPADDD       EXPC(EXP_BIAS), Y2, Y2;       \
	VPSLLD       $23, Y2, Y2;                  /* 2ⁿ */ \
	VMULPS       Y2, e, e;                     \
	VANDPS       Y8, e, e

// SIGMOID2 sets e = exp(−|x|), q = 1/(1+e) and eq = e·q; σ(x) is q where x
// is non-negative and eq where it is negative, and 1 − σ(x) the other one.
#define SIGMOID2(x, e, q, eq) \
	EXPNEG2(x, e);      \
	VADDPS Y15, e, q;   \
	VDIVPS q, Y15, q;   \
	VMULPS e, q, eq

#define SILU2(LOAD, STORE)         \
	LOAD((SI)(R11*4), Y0);      \
	SIGMOID2(Y0, Y4, Y5, Y6);   \
	VBLENDVPS Y0, Y6, Y5, Y5;   /* σ */ \
	VMULPS    Y5, Y0, Y0;       \
	STORE(Y0, (DI)(R11*4))

// func siluAVX2(dst, x []float32)
TEXT ·siluAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	VMOVUPS EXPC(EXP_ONE), Y15
	XORQ R11, R11

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

#define SILUGRAD2(LOAD, STORE)     \
	LOAD((SI)(R11*4), Y0);      \
	SIGMOID2(Y0, Y4, Y5, Y6);   \
	VBLENDVPS Y0, Y6, Y5, Y7;   /* s = σ(x) */ \
	VBLENDVPS Y0, Y5, Y6, Y9;   /* sm = 1 − σ(x) */ \
	VFMADD213PS Y15, Y0, Y9;    /* 1 + x·sm */ \
	LOAD((DX)(R11*4), Y10);     \
	VMULPS Y7, Y10, Y10;        \
	VMULPS Y9, Y10, Y10;        \
	STORE(Y10, (DI)(R11*4))

// func siluGradAVX2(dst, x, dy []float32)
TEXT ·siluGradAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ dy_base+48(FP), DX
	VMOVUPS EXPC(EXP_ONE), Y15
	XORQ R11, R11

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
	TESTQ      CX, CX
	JZ         addrows2next
	VMASKMOVPS (DI)(R11*4), Y14, Y0
	VMASKMOVPS (SI)(R11*4), Y14, Y1
	VADDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, Y14, (DI)(R11*4)

addrows2next:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ DX
	JNZ  addrows2row
	VZEROUPPER
	RET
