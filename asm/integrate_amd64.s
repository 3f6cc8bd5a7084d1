//go:build amd64 && gc && !purego && !noasm

#include "textflag.h"
#include "vec_amd64.h"

// Integrator kernels; see integrate.go for the reference loops. Each sums
// in the reference's order and fuses the final multiply-add (x + h·s) into
// one rounding. R11 indexes elements, CX counts those left; DI is dst and SI
// is x throughout.

// ---- AVX-512

#define EULER512(LOAD, STORE)      \
	LOAD((SI)(R11*4), Z0);      \
	LOAD((DX)(R11*4), Z1);      \
	VFMADD231PS Z1, Z31, Z0;    \
	STORE(Z0, (DI)(R11*4))

// func eulerStepAVX512(dst, x, v []float32, h float32)
TEXT ·eulerStepAVX512(SB), NOSPLIT, $0-76
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         v_base+48(FP), DX
	VBROADCASTSS h+72(FP), Z31
	XORQ         R11, R11

euler512loop:
	CMPQ CX, $16
	JLT  euler512tail
	EULER512(LD, ST)
	ADDQ $16, R11
	SUBQ $16, CX
	JMP  euler512loop

euler512tail:
	TESTQ CX, CX
	JZ    euler512done
	TAILMASK512
	EULER512(LDM, STM)

euler512done:
	VZEROUPPER
	RET

#define HEUN512(LOAD, STORE)       \
	LOAD((DX)(R11*4), Z1);      \
	LOAD((R8)(R11*4), Z2);      \
	VADDPS Z2, Z1, Z1;          \
	LOAD((SI)(R11*4), Z0);      \
	VFMADD231PS Z1, Z31, Z0;    \
	STORE(Z0, (DI)(R11*4))

// func heunStepAVX512(dst, x, k1, k2 []float32, hh float32)
TEXT ·heunStepAVX512(SB), NOSPLIT, $0-100
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         k1_base+48(FP), DX
	MOVQ         k2_base+72(FP), R8
	VBROADCASTSS hh+96(FP), Z31
	XORQ         R11, R11

heun512loop:
	CMPQ CX, $16
	JLT  heun512tail
	HEUN512(LD, ST)
	ADDQ $16, R11
	SUBQ $16, CX
	JMP  heun512loop

heun512tail:
	TESTQ CX, CX
	JZ    heun512done
	TAILMASK512
	HEUN512(LDM, STM)

heun512done:
	VZEROUPPER
	RET

// k1 + 2·k2 + 2·k3 + k4 in the reference's order; 2·k is k + k, exact.
#define RK4512(LOAD, STORE)        \
	LOAD((DX)(R11*4), Z1);      \
	LOAD((R8)(R11*4), Z2);      \
	VADDPS Z2, Z2, Z2;          \
	VADDPS Z2, Z1, Z1;          \
	LOAD((R9)(R11*4), Z3);      \
	VADDPS Z3, Z3, Z3;          \
	VADDPS Z3, Z1, Z1;          \
	LOAD((R10)(R11*4), Z4);     \
	VADDPS Z4, Z1, Z1;          \
	LOAD((SI)(R11*4), Z0);      \
	VFMADD231PS Z1, Z31, Z0;    \
	STORE(Z0, (DI)(R11*4))

// func rk4StepAVX512(dst, x, k1, k2, k3, k4 []float32, h6 float32)
TEXT ·rk4StepAVX512(SB), NOSPLIT, $0-148
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         k1_base+48(FP), DX
	MOVQ         k2_base+72(FP), R8
	MOVQ         k3_base+96(FP), R9
	MOVQ         k4_base+120(FP), R10
	VBROADCASTSS h6+144(FP), Z31
	XORQ         R11, R11

rk4512loop:
	CMPQ CX, $16
	JLT  rk4512tail
	RK4512(LD, ST)
	ADDQ $16, R11
	SUBQ $16, CX
	JMP  rk4512loop

rk4512tail:
	TESTQ CX, CX
	JZ    rk4512done
	TAILMASK512
	RK4512(LDM, STM)

rk4512done:
	VZEROUPPER
	RET

// Stages j < R10: c[j] at (R8)(j*4), the slice header of k[j] at
// (R9)(j*24); R12 indexes the k[j] (R11 + off).
#define COMBINE512(LOAD, STORE, lstage, ldone) \
	VPXORD Z0, Z0, Z0;                   \
	XORQ   BX, BX;                       \
lstage:                                  \
	CMPQ         BX, R10;                \
	JGE          ldone;                  \
	LEAQ         (BX)(BX*2), AX;         \
	MOVQ         (R9)(AX*8), R13;        \
	VBROADCASTSS (R8)(BX*4), Z1;         \
	LOAD((R13)(R12*4), Z2);              \
	VFMADD231PS  Z2, Z1, Z0;             \
	INCQ         BX;                     \
	JMP          lstage;                 \
ldone:                                   \
	LOAD((SI)(R11*4), Z3);               \
	VFMADD231PS Z0, Z31, Z3;             \
	STORE(Z3, (DI)(R11*4))

// func combineAVX512(dst, x []float32, h float32, c []float32, k [][]float32, off int)
TEXT ·combineAVX512(SB), NOSPLIT, $0-112
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	VBROADCASTSS h+48(FP), Z31
	MOVQ         c_base+56(FP), R8
	MOVQ         k_base+80(FP), R9
	MOVQ         k_len+88(FP), R10
	MOVQ         off+104(FP), R12
	XORQ         R11, R11

combine512loop:
	CMPQ CX, $16
	JLT  combine512tail
	COMBINE512(LD, ST, combine512stage, combine512sum)
	ADDQ $16, R11
	ADDQ $16, R12
	SUBQ $16, CX
	JMP  combine512loop

combine512tail:
	TESTQ CX, CX
	JZ    combine512done
	TAILMASK512
	COMBINE512(LDM, STM, combine512tailstage, combine512tailsum)

combine512done:
	VZEROUPPER
	RET

// One Dormand–Prince stage j: s += b[j]·k[j], e += (b[j] − b̂[j])·k[j], with
// the weights in wb and we and the header of k[j] at (R9)(j*24).
#define DP5STAGE512(LOAD, j, wb, we) \
	MOVQ (j*24)(R9), R13;       \
	LOAD((R13)(R12*4), Z1);     \
	VFMADD231PS Z1, wb, Z0;     \
	VFMADD231PS Z1, we, Z4

#define DP5512(LOAD, STORE)                  \
	VPXORD Z0, Z0, Z0;                    \
	VPXORD Z4, Z4, Z4;                    \
	DP5STAGE512(LOAD, 0, Z16, Z23);       \
	DP5STAGE512(LOAD, 1, Z17, Z24);       \
	DP5STAGE512(LOAD, 2, Z18, Z25);       \
	DP5STAGE512(LOAD, 3, Z19, Z26);       \
	DP5STAGE512(LOAD, 4, Z20, Z27);       \
	DP5STAGE512(LOAD, 5, Z21, Z28);       \
	DP5STAGE512(LOAD, 6, Z22, Z29);       \
	LOAD((SI)(R11*4), Z3);                \
	VFMADD231PS Z0, Z31, Z3;              \
	STORE(Z3, (DI)(R11*4));               \
	VMULPS Z4, Z31, Z4;                   \
	STORE(Z4, (DX)(R11*4))

// func dormandPrince5AVX512(dst, errEst, x []float32, k *[7][]float32, h float32, off int)
TEXT ·dormandPrince5AVX512(SB), NOSPLIT, $0-96
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         errEst_base+24(FP), DX
	MOVQ         x_base+48(FP), SI
	MOVQ         k+72(FP), R9
	VBROADCASTSS h+80(FP), Z31
	MOVQ         off+88(FP), R12
	VBROADCASTSS ·dp5B+0(SB), Z16
	VBROADCASTSS ·dp5B+4(SB), Z17
	VBROADCASTSS ·dp5B+8(SB), Z18
	VBROADCASTSS ·dp5B+12(SB), Z19
	VBROADCASTSS ·dp5B+16(SB), Z20
	VBROADCASTSS ·dp5B+20(SB), Z21
	VBROADCASTSS ·dp5B+24(SB), Z22
	VBROADCASTSS ·dp5E+0(SB), Z23
	VBROADCASTSS ·dp5E+4(SB), Z24
	VBROADCASTSS ·dp5E+8(SB), Z25
	VBROADCASTSS ·dp5E+12(SB), Z26
	VBROADCASTSS ·dp5E+16(SB), Z27
	VBROADCASTSS ·dp5E+20(SB), Z28
	VBROADCASTSS ·dp5E+24(SB), Z29
	XORQ         R11, R11

dp5512loop:
	CMPQ CX, $16
	JLT  dp5512tail
	DP5512(LD, ST)
	ADDQ $16, R11
	ADDQ $16, R12
	SUBQ $16, CX
	JMP  dp5512loop

dp5512tail:
	TESTQ CX, CX
	JZ    dp5512done
	TAILMASK512
	DP5512(LDM, STM)

dp5512done:
	VZEROUPPER
	RET

#define EM512(LOAD, STORE)         \
	LOAD((SI)(R11*4), Z0);      \
	LOAD((DX)(R11*4), Z1);      \
	VFMADD231PS Z1, Z31, Z0;    \
	LOAD((R8)(R11*4), Z2);      \
	VFMADD231PS Z2, Z30, Z0;    \
	STORE(Z0, (DI)(R11*4))

// func eulerMaruyamaAVX512(dst, x, drift, noise []float32, h, s float32)
TEXT ·eulerMaruyamaAVX512(SB), NOSPLIT, $0-104
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         drift_base+48(FP), DX
	MOVQ         noise_base+72(FP), R8
	VBROADCASTSS h+96(FP), Z31
	VBROADCASTSS s+100(FP), Z30
	XORQ         R11, R11

em512loop:
	CMPQ CX, $16
	JLT  em512tail
	EM512(LD, ST)
	ADDQ $16, R11
	SUBQ $16, CX
	JMP  em512loop

em512tail:
	TESTQ CX, CX
	JZ    em512done
	TAILMASK512
	EM512(LDM, STM)

em512done:
	VZEROUPPER
	RET

// ---- AVX2+FMA: the same kernels on 8 lanes; the tail mask is in Y14.

#define EULER2(LOAD, STORE)        \
	LOAD((SI)(R11*4), Y0);      \
	LOAD((DX)(R11*4), Y1);      \
	VFMADD231PS Y1, Y15, Y0;    \
	STORE(Y0, (DI)(R11*4))

// func eulerStepAVX2(dst, x, v []float32, h float32)
TEXT ·eulerStepAVX2(SB), NOSPLIT, $0-76
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         v_base+48(FP), DX
	VBROADCASTSS h+72(FP), Y15
	XORQ         R11, R11

euler2loop:
	CMPQ CX, $8
	JLT  euler2tail
	EULER2(LDY, STY)
	ADDQ $8, R11
	SUBQ $8, CX
	JMP  euler2loop

euler2tail:
	TESTQ CX, CX
	JZ    euler2done
	TAILMASK2
	EULER2(LDYM, STYM)

euler2done:
	VZEROUPPER
	RET

#define HEUN2(LOAD, STORE)         \
	LOAD((DX)(R11*4), Y1);      \
	LOAD((R8)(R11*4), Y2);      \
	VADDPS Y2, Y1, Y1;          \
	LOAD((SI)(R11*4), Y0);      \
	VFMADD231PS Y1, Y15, Y0;    \
	STORE(Y0, (DI)(R11*4))

// func heunStepAVX2(dst, x, k1, k2 []float32, hh float32)
TEXT ·heunStepAVX2(SB), NOSPLIT, $0-100
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         k1_base+48(FP), DX
	MOVQ         k2_base+72(FP), R8
	VBROADCASTSS hh+96(FP), Y15
	XORQ         R11, R11

heun2loop:
	CMPQ CX, $8
	JLT  heun2tail
	HEUN2(LDY, STY)
	ADDQ $8, R11
	SUBQ $8, CX
	JMP  heun2loop

heun2tail:
	TESTQ CX, CX
	JZ    heun2done
	TAILMASK2
	HEUN2(LDYM, STYM)

heun2done:
	VZEROUPPER
	RET

#define RK42(LOAD, STORE)          \
	LOAD((DX)(R11*4), Y1);      \
	LOAD((R8)(R11*4), Y2);      \
	VADDPS Y2, Y2, Y2;          \
	VADDPS Y2, Y1, Y1;          \
	LOAD((R9)(R11*4), Y3);      \
	VADDPS Y3, Y3, Y3;          \
	VADDPS Y3, Y1, Y1;          \
	LOAD((R10)(R11*4), Y4);     \
	VADDPS Y4, Y1, Y1;          \
	LOAD((SI)(R11*4), Y0);      \
	VFMADD231PS Y1, Y15, Y0;    \
	STORE(Y0, (DI)(R11*4))

// func rk4StepAVX2(dst, x, k1, k2, k3, k4 []float32, h6 float32)
TEXT ·rk4StepAVX2(SB), NOSPLIT, $0-148
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         k1_base+48(FP), DX
	MOVQ         k2_base+72(FP), R8
	MOVQ         k3_base+96(FP), R9
	MOVQ         k4_base+120(FP), R10
	VBROADCASTSS h6+144(FP), Y15
	XORQ         R11, R11

rk42loop:
	CMPQ CX, $8
	JLT  rk42tail
	RK42(LDY, STY)
	ADDQ $8, R11
	SUBQ $8, CX
	JMP  rk42loop

rk42tail:
	TESTQ CX, CX
	JZ    rk42done
	TAILMASK2
	RK42(LDYM, STYM)

rk42done:
	VZEROUPPER
	RET

#define COMBINE2(LOAD, STORE, lstage, ldone) \
	VXORPS Y0, Y0, Y0;                   \
	XORQ   BX, BX;                       \
lstage:                                  \
	CMPQ         BX, R10;                \
	JGE          ldone;                  \
	LEAQ         (BX)(BX*2), AX;         \
	MOVQ         (R9)(AX*8), R13;        \
	VBROADCASTSS (R8)(BX*4), Y1;         \
	LOAD((R13)(R12*4), Y2);              \
	VFMADD231PS  Y2, Y1, Y0;             \
	INCQ         BX;                     \
	JMP          lstage;                 \
ldone:                                   \
	LOAD((SI)(R11*4), Y3);               \
	VFMADD231PS Y0, Y15, Y3;             \
	STORE(Y3, (DI)(R11*4))

// func combineAVX2(dst, x []float32, h float32, c []float32, k [][]float32, off int)
TEXT ·combineAVX2(SB), NOSPLIT, $0-112
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	VBROADCASTSS h+48(FP), Y15
	MOVQ         c_base+56(FP), R8
	MOVQ         k_base+80(FP), R9
	MOVQ         k_len+88(FP), R10
	MOVQ         off+104(FP), R12
	XORQ         R11, R11

combine2loop:
	CMPQ CX, $8
	JLT  combine2tail
	COMBINE2(LDY, STY, combine2stage, combine2sum)
	ADDQ $8, R11
	ADDQ $8, R12
	SUBQ $8, CX
	JMP  combine2loop

combine2tail:
	TESTQ CX, CX
	JZ    combine2done
	TAILMASK2
	COMBINE2(LDYM, STYM, combine2tailstage, combine2tailsum)

combine2done:
	VZEROUPPER
	RET

// The weights are broadcast from dp5B and dp5E at every stage: sixteen
// registers hold the accumulators, temporaries and mask but not 14 weights.
#define DP5STAGE2(LOAD, j)                 \
	MOVQ         (j*24)(R9), R13;       \
	LOAD((R13)(R12*4), Y1);             \
	VBROADCASTSS ·dp5B+(j*4)(SB), Y2;   \
	VFMADD231PS  Y1, Y2, Y0;            \
	VBROADCASTSS ·dp5E+(j*4)(SB), Y2;   \
	VFMADD231PS  Y1, Y2, Y4

#define DP52(LOAD, STORE)          \
	VXORPS Y0, Y0, Y0;          \
	VXORPS Y4, Y4, Y4;          \
	DP5STAGE2(LOAD, 0);         \
	DP5STAGE2(LOAD, 1);         \
	DP5STAGE2(LOAD, 2);         \
	DP5STAGE2(LOAD, 3);         \
	DP5STAGE2(LOAD, 4);         \
	DP5STAGE2(LOAD, 5);         \
	DP5STAGE2(LOAD, 6);         \
	LOAD((SI)(R11*4), Y3);      \
	VFMADD231PS Y0, Y15, Y3;    \
	STORE(Y3, (DI)(R11*4));     \
	VMULPS Y4, Y15, Y4;         \
	STORE(Y4, (DX)(R11*4))

// func dormandPrince5AVX2(dst, errEst, x []float32, k *[7][]float32, h float32, off int)
TEXT ·dormandPrince5AVX2(SB), NOSPLIT, $0-96
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         errEst_base+24(FP), DX
	MOVQ         x_base+48(FP), SI
	MOVQ         k+72(FP), R9
	VBROADCASTSS h+80(FP), Y15
	MOVQ         off+88(FP), R12
	XORQ         R11, R11

dp52loop:
	CMPQ CX, $8
	JLT  dp52tail
	DP52(LDY, STY)
	ADDQ $8, R11
	ADDQ $8, R12
	SUBQ $8, CX
	JMP  dp52loop

dp52tail:
	TESTQ CX, CX
	JZ    dp52done
	TAILMASK2
	DP52(LDYM, STYM)

dp52done:
	VZEROUPPER
	RET

#define EM2(LOAD, STORE)           \
	LOAD((SI)(R11*4), Y0);      \
	LOAD((DX)(R11*4), Y1);      \
	VFMADD231PS Y1, Y15, Y0;    \
	LOAD((R8)(R11*4), Y2);      \
	VFMADD231PS Y2, Y13, Y0;    \
	STORE(Y0, (DI)(R11*4))

// func eulerMaruyamaAVX2(dst, x, drift, noise []float32, h, s float32)
TEXT ·eulerMaruyamaAVX2(SB), NOSPLIT, $0-104
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         drift_base+48(FP), DX
	MOVQ         noise_base+72(FP), R8
	VBROADCASTSS h+96(FP), Y15
	VBROADCASTSS s+100(FP), Y13
	XORQ         R11, R11

em2loop:
	CMPQ CX, $8
	JLT  em2tail
	EM2(LDY, STY)
	ADDQ $8, R11
	SUBQ $8, CX
	JMP  em2loop

em2tail:
	TESTQ CX, CX
	JZ    em2done
	TAILMASK2
	EM2(LDYM, STYM)

em2done:
	VZEROUPPER
	RET
