//go:build amd64 && gc && !purego && !noasm

#include "textflag.h"
#include "vec_amd64.h"

// AdamW step; see AdamW.Step for the reference loop and adamConsts for the
// layout of k. DI walks p, SI m, DX v, R8 g; R11 indexes elements, CX counts
// those left.

// The AVX-512 implementation runs the AVX2 kernel too: VSQRTPS and VDIVPS
// on zmm registers bound the step, and they are no faster per value than on
// ymm (AMD Zen 4: the zmm kernel took 18–20 % longer; Sapphire Rapids:
// within 3 %). Both roundings are exact, so the results are the same bits.

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
