//go:build amd64 && gc && !purego && !noasm

#include "textflag.h"
#include "vec_amd64.h"

// AdamW step; see AdamW.Step for the reference loop and adamConsts for the
// layout of k. DI walks p, SI m, DX v, R8 g; R11 indexes elements, CX counts
// those left.

// ---- AVX-512: β1, 1−β1, β2, 1−β2, ε, decay, step, rc2 in Z16–Z23.

#define ADAM512(LOAD, STORE)       \
	LOAD((R8)(R11*4), Z3);      \
	LOAD((SI)(R11*4), Z1);      \
	VMULPS      Z3, Z17, Z4;    \
	VFMADD231PS Z1, Z16, Z4;    \
	STORE(Z4, (SI)(R11*4));     \
	LOAD((DX)(R11*4), Z2);      \
	VMULPS      Z3, Z19, Z5;    \
	VMULPS      Z3, Z5, Z5;     \
	VFMADD231PS Z2, Z18, Z5;    \
	STORE(Z5, (DX)(R11*4));     \
	VSQRTPS     Z5, Z6;         \
	VFMADD213PS Z20, Z23, Z6;   \
	VMULPS      Z4, Z22, Z7;    \
	VDIVPS      Z6, Z7, Z7;     \
	LOAD((DI)(R11*4), Z0);      \
	VFMSUB213PS Z7, Z21, Z0;    \
	STORE(Z0, (DI)(R11*4))

// func adamStepAVX512(p, m, v, g []float32, k *adamConsts)
TEXT ·adamStepAVX512(SB), NOSPLIT, $0-104
	MOVQ         p_base+0(FP), DI
	MOVQ         p_len+8(FP), CX
	MOVQ         m_base+24(FP), SI
	MOVQ         v_base+48(FP), DX
	MOVQ         g_base+72(FP), R8
	MOVQ         k+96(FP), AX
	VBROADCASTSS 0(AX), Z16
	VBROADCASTSS 4(AX), Z17
	VBROADCASTSS 8(AX), Z18
	VBROADCASTSS 12(AX), Z19
	VBROADCASTSS 16(AX), Z20
	VBROADCASTSS 20(AX), Z21
	VBROADCASTSS 24(AX), Z22
	VBROADCASTSS 28(AX), Z23
	XORQ         R11, R11

adam512loop:
	CMPQ CX, $16
	JLT  adam512tail
	ADAM512(LD, ST)
	ADDQ $16, R11
	SUBQ $16, CX
	JMP  adam512loop

adam512tail:
	TESTQ CX, CX
	JZ    adam512done
	TAILMASK512
	ADAM512(LDM, STM)

adam512done:
	VZEROUPPER
	RET

// ---- AVX2+FMA: the constants in Y6–Y13, the tail mask in Y14.

#define ADAM2(LOAD, STORE)         \
	LOAD((R8)(R11*4), Y3);      \
	LOAD((SI)(R11*4), Y1);      \
	VMULPS      Y3, Y7, Y4;     \
	VFMADD231PS Y1, Y6, Y4;     \
	STORE(Y4, (SI)(R11*4));     \
	LOAD((DX)(R11*4), Y2);      \
	VMULPS      Y3, Y9, Y5;     \
	VMULPS      Y3, Y5, Y5;     \
	VFMADD231PS Y2, Y8, Y5;     \
	STORE(Y5, (DX)(R11*4));     \
	VSQRTPS     Y5, Y15;        \
	VFMADD213PS Y10, Y13, Y15;  \
	VMULPS      Y4, Y12, Y1;    \
	VDIVPS      Y15, Y1, Y1;    \
	LOAD((DI)(R11*4), Y0);      \
	VFMSUB213PS Y1, Y11, Y0;    \
	STORE(Y0, (DI)(R11*4))

// func adamStepAVX2(p, m, v, g []float32, k *adamConsts)
TEXT ·adamStepAVX2(SB), NOSPLIT, $0-104
	MOVQ         p_base+0(FP), DI
	MOVQ         p_len+8(FP), CX
	MOVQ         m_base+24(FP), SI
	MOVQ         v_base+48(FP), DX
	MOVQ         g_base+72(FP), R8
	MOVQ         k+96(FP), AX
	VBROADCASTSS 0(AX), Y6
	VBROADCASTSS 4(AX), Y7
	VBROADCASTSS 8(AX), Y8
	VBROADCASTSS 12(AX), Y9
	VBROADCASTSS 16(AX), Y10
	VBROADCASTSS 20(AX), Y11
	VBROADCASTSS 24(AX), Y12
	VBROADCASTSS 28(AX), Y13
	XORQ         R11, R11

adam2loop:
	CMPQ CX, $8
	JLT  adam2tail
	ADAM2(LDY, STY)
	ADDQ $8, R11
	SUBQ $8, CX
	JMP  adam2loop

adam2tail:
	TESTQ CX, CX
	JZ    adam2done
	TAILMASK2
	ADAM2(LDYM, STYM)

adam2done:
	VZEROUPPER
	RET
