//go:build amd64 && gc && !purego && !noasm

#include "textflag.h"
#include "vec_amd64.h"

// SGEMM micro-kernels. Each computes one mr×nr tile of C from a packed
// sliver of A (kc steps of mr values) and kc rows of nr values of B, ldb
// apart (a packed sliver has ldb = nr), keeping the whole tile in vector
// registers:
//
//	c[i*ldc+j] = alpha·Σ_p a[p*mr+i]·b[p*ldb+j] + beta·c[i*ldc+j]
//
// and not reading c when beta is ±0. Registers: SI walks a, DI walks b, R10
// is ldb in bytes, CX counts steps, DX walks the rows of c, R8 is ldc in
// bytes.

// ---- AVX-512: 12×32 tile in Z0–Z23 (row r in Z(2r), Z(2r+1)); the B row
// of the current step in Z24, Z25; each A value is broadcast once into one
// of Z26–Z31 for its two FMAs. (Broadcasting from memory inside both FMAs
// instead, twice the loads, ran 10–13 % slower on Zen 5: BenchmarkSgemm
// 1024³, 172–179 against 198–201 GFLOP/s on one core.)

#define ROW512(off, t, lo, hi) \
	VBROADCASTSS off(SI), t; \
	VFMADD231PS  t, Z24, lo; \
	VFMADD231PS  t, Z25, hi

#define STEP512(p)                      \
	VMOVUPS (DI), Z24;              \
	VMOVUPS 64(DI), Z25;            \
	ADDQ    R10, DI;                \
	ROW512(p*48+0, Z26, Z0, Z1);    \
	ROW512(p*48+4, Z27, Z2, Z3);    \
	ROW512(p*48+8, Z28, Z4, Z5);    \
	ROW512(p*48+12, Z29, Z6, Z7);   \
	ROW512(p*48+16, Z30, Z8, Z9);   \
	ROW512(p*48+20, Z31, Z10, Z11); \
	ROW512(p*48+24, Z26, Z12, Z13); \
	ROW512(p*48+28, Z27, Z14, Z15); \
	ROW512(p*48+32, Z28, Z16, Z17); \
	ROW512(p*48+36, Z29, Z18, Z19); \
	ROW512(p*48+40, Z30, Z20, Z21); \
	ROW512(p*48+44, Z31, Z22, Z23)

#define SCALE512(lo, hi) \
	VMULPS Z24, lo, lo; \
	VMULPS Z24, hi, hi

#define STORE512(lo, hi) \
	VMOVUPS lo, (DX);   \
	VMOVUPS hi, 64(DX); \
	ADDQ    R8, DX

#define UPDATE512(lo, hi)           \
	VFMADD231PS (DX), Z25, lo;   \
	VFMADD231PS 64(DX), Z25, hi; \
	STORE512(lo, hi)

#define PREFETCHROW(off) \
	PREFETCHT0 off(R9); \
	PREFETCHT0 (off+64)(R9)

// func sgemmMicroAVX512(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)
TEXT ·sgemmMicroAVX512(SB), NOSPLIT, $0-104
	MOVQ kc+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ b_base+32(FP), DI
	MOVQ ldb+56(FP), R10
	SHLQ $2, R10
	MOVQ c_base+64(FP), DX
	MOVQ ldc+88(FP), R8
	SHLQ $2, R8

	// Fetch the tile of C while the products are computed.
	MOVQ DX, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)
	ADDQ R8, R9
	PREFETCHROW(0)

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23

	// Four steps per iteration, then the remaining kc mod 4.
	MOVQ CX, BX
	SHRQ $2, BX
	ANDQ $3, CX
	TESTQ BX, BX
	JZ   tail512

loop512:
	STEP512(0)
	STEP512(1)
	STEP512(2)
	STEP512(3)
	ADDQ $(4*48), SI
	DECQ BX
	JNZ  loop512

tail512:
	TESTQ CX, CX
	JZ    done512

step512:
	STEP512(0)
	ADDQ $48, SI
	DECQ CX
	JNZ  step512

done512:
	VBROADCASTSS alpha+96(FP), Z24
	SCALE512(Z0, Z1)
	SCALE512(Z2, Z3)
	SCALE512(Z4, Z5)
	SCALE512(Z6, Z7)
	SCALE512(Z8, Z9)
	SCALE512(Z10, Z11)
	SCALE512(Z12, Z13)
	SCALE512(Z14, Z15)
	SCALE512(Z16, Z17)
	SCALE512(Z18, Z19)
	SCALE512(Z20, Z21)
	SCALE512(Z22, Z23)

	MOVL  beta+100(FP), AX
	TESTL $0x7fffffff, AX
	JZ    store512

	VBROADCASTSS beta+100(FP), Z25
	UPDATE512(Z0, Z1)
	UPDATE512(Z2, Z3)
	UPDATE512(Z4, Z5)
	UPDATE512(Z6, Z7)
	UPDATE512(Z8, Z9)
	UPDATE512(Z10, Z11)
	UPDATE512(Z12, Z13)
	UPDATE512(Z14, Z15)
	UPDATE512(Z16, Z17)
	UPDATE512(Z18, Z19)
	UPDATE512(Z20, Z21)
	UPDATE512(Z22, Z23)
	VZEROUPPER
	RET

store512:
	STORE512(Z0, Z1)
	STORE512(Z2, Z3)
	STORE512(Z4, Z5)
	STORE512(Z6, Z7)
	STORE512(Z8, Z9)
	STORE512(Z10, Z11)
	STORE512(Z12, Z13)
	STORE512(Z14, Z15)
	STORE512(Z16, Z17)
	STORE512(Z18, Z19)
	STORE512(Z20, Z21)
	STORE512(Z22, Z23)
	VZEROUPPER
	RET

// ---- AVX2+FMA: 6×16 tile in Y0–Y11 (row r in Y(2r), Y(2r+1)); the B row of
// the current step in Y12, Y13; A values broadcast into Y14, Y15 in turn.

#define ROW2(off, t, lo, hi)      \
	VBROADCASTSS off(SI), t;     \
	VFMADD231PS  t, Y12, lo;     \
	VFMADD231PS  t, Y13, hi

#define STEP2(p) \
	VMOVUPS (DI), Y12;               \
	VMOVUPS 32(DI), Y13;             \
	ADDQ    R10, DI;                 \
	ROW2(p*24+0, Y14, Y0, Y1);       \
	ROW2(p*24+4, Y15, Y2, Y3);       \
	ROW2(p*24+8, Y14, Y4, Y5);       \
	ROW2(p*24+12, Y15, Y6, Y7);      \
	ROW2(p*24+16, Y14, Y8, Y9);      \
	ROW2(p*24+20, Y15, Y10, Y11)

#define SCALE2(lo, hi) \
	VMULPS Y12, lo, lo; \
	VMULPS Y12, hi, hi

#define STORE2(lo, hi) \
	VMOVUPS lo, (DX);   \
	VMOVUPS hi, 32(DX); \
	ADDQ    R8, DX

#define UPDATE2(lo, hi)             \
	VFMADD231PS (DX), Y13, lo;   \
	VFMADD231PS 32(DX), Y13, hi; \
	STORE2(lo, hi)

// func sgemmMicroAVX2(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)
TEXT ·sgemmMicroAVX2(SB), NOSPLIT, $0-104
	MOVQ kc+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ b_base+32(FP), DI
	MOVQ ldb+56(FP), R10
	SHLQ $2, R10
	MOVQ c_base+64(FP), DX
	MOVQ ldc+88(FP), R8
	SHLQ $2, R8

	MOVQ DX, R9
	PREFETCHT0 (R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	MOVQ CX, BX
	SHRQ $2, BX
	ANDQ $3, CX
	TESTQ BX, BX
	JZ   tail2

loop2:
	STEP2(0)
	STEP2(1)
	STEP2(2)
	STEP2(3)
	ADDQ $(4*24), SI
	DECQ BX
	JNZ  loop2

tail2:
	TESTQ CX, CX
	JZ    done2

step2:
	STEP2(0)
	ADDQ $24, SI
	DECQ CX
	JNZ  step2

done2:
	VBROADCASTSS alpha+96(FP), Y12
	SCALE2(Y0, Y1)
	SCALE2(Y2, Y3)
	SCALE2(Y4, Y5)
	SCALE2(Y6, Y7)
	SCALE2(Y8, Y9)
	SCALE2(Y10, Y11)

	MOVL  beta+100(FP), AX
	TESTL $0x7fffffff, AX
	JZ    store2

	VBROADCASTSS beta+100(FP), Y13
	UPDATE2(Y0, Y1)
	UPDATE2(Y2, Y3)
	UPDATE2(Y4, Y5)
	UPDATE2(Y6, Y7)
	UPDATE2(Y8, Y9)
	UPDATE2(Y10, Y11)
	VZEROUPPER
	RET

store2:
	STORE2(Y0, Y1)
	STORE2(Y2, Y3)
	STORE2(Y4, Y5)
	STORE2(Y6, Y7)
	STORE2(Y8, Y9)
	STORE2(Y10, Y11)
	VZEROUPPER
	RET

// ---- Dot products for products with at most four columns: s[j] =
// Σ_l a[l]·b[j][l] for the rows b[0..3] (slice headers at b, 24 bytes
// apart). SI walks a; R8, R9, R10, R12 hold the rows; R11 indexes elements,
// CX counts those left.

#define DOTROWS512(LOAD, off, acc0, acc1, acc2, acc3) \
	LOAD(off(SI)(R11*4), Z8);   \
	LOAD(off(R8)(R11*4), Z10);  \
	VFMADD231PS Z10, Z8, acc0;  \
	LOAD(off(R9)(R11*4), Z10);  \
	VFMADD231PS Z10, Z8, acc1;  \
	LOAD(off(R10)(R11*4), Z10); \
	VFMADD231PS Z10, Z8, acc2;  \
	LOAD(off(R12)(R11*4), Z10); \
	VFMADD231PS Z10, Z8, acc3

// HSUM512 adds the lanes of z (clobbering its upper half) and stores the
// sum to dst. Clobbers Z8.
#define HSUM512(z, y, x, dst) \
	VEXTRACTF64X4 $1, z, Y8;   \
	VADDPS        Y8, y, y;    \
	VEXTRACTF128  $1, y, X8;   \
	VADDPS        X8, x, x;    \
	VPERMILPS     $0x4e, x, X8; \
	VADDPS        X8, x, x;    \
	VPERMILPS     $0xb1, x, X8; \
	VADDPS        X8, x, x;    \
	VMOVSS        x, dst

// func dot4AVX512(a []float32, b *[4][]float32, s *[4]float32)
TEXT ·dot4AVX512(SB), NOSPLIT, $0-40
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b+24(FP), AX
	MOVQ   0(AX), R8
	MOVQ   24(AX), R9
	MOVQ   48(AX), R10
	MOVQ   72(AX), R12
	MOVQ   s+32(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	XORQ   R11, R11

dot512loop:
	CMPQ CX, $32
	JLT  dot512one
	DOTROWS512(LD, 0, Z0, Z1, Z2, Z3)
	DOTROWS512(LD, 64, Z4, Z5, Z6, Z7)
	ADDQ $32, R11
	SUBQ $32, CX
	JMP  dot512loop

dot512one:
	CMPQ CX, $16
	JLT  dot512tail
	DOTROWS512(LD, 0, Z0, Z1, Z2, Z3)
	ADDQ $16, R11
	SUBQ $16, CX

dot512tail:
	TESTQ CX, CX
	JZ    dot512sum
	TAILMASK512
	DOTROWS512(LDM, 0, Z4, Z5, Z6, Z7)

dot512sum:
	VADDPS Z4, Z0, Z0
	VADDPS Z5, Z1, Z1
	VADDPS Z6, Z2, Z2
	VADDPS Z7, Z3, Z3
	HSUM512(Z0, Y0, X0, 0(DI))
	HSUM512(Z1, Y1, X1, 4(DI))
	HSUM512(Z2, Y2, X2, 8(DI))
	HSUM512(Z3, Y3, X3, 12(DI))
	VZEROUPPER
	RET

#define DOTROWS2(LOAD, off, acc0, acc1, acc2, acc3) \
	LOAD(off(SI)(R11*4), Y8);   \
	LOAD(off(R8)(R11*4), Y10);  \
	VFMADD231PS Y10, Y8, acc0;  \
	LOAD(off(R9)(R11*4), Y10);  \
	VFMADD231PS Y10, Y8, acc1;  \
	LOAD(off(R10)(R11*4), Y10); \
	VFMADD231PS Y10, Y8, acc2;  \
	LOAD(off(R12)(R11*4), Y10); \
	VFMADD231PS Y10, Y8, acc3

#define HSUM2(y, x, dst) \
	VEXTRACTF128 $1, y, X8;    \
	VADDPS       X8, x, x;     \
	VPERMILPS    $0x4e, x, X8; \
	VADDPS       X8, x, x;     \
	VPERMILPS    $0xb1, x, X8; \
	VADDPS       X8, x, x;     \
	VMOVSS       x, dst

// func dot4AVX2(a []float32, b *[4][]float32, s *[4]float32)
TEXT ·dot4AVX2(SB), NOSPLIT, $0-40
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b+24(FP), AX
	MOVQ   0(AX), R8
	MOVQ   24(AX), R9
	MOVQ   48(AX), R10
	MOVQ   72(AX), R12
	MOVQ   s+32(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   R11, R11

dot2loop:
	CMPQ CX, $16
	JLT  dot2one
	DOTROWS2(LDY, 0, Y0, Y1, Y2, Y3)
	DOTROWS2(LDY, 32, Y4, Y5, Y6, Y7)
	ADDQ $16, R11
	SUBQ $16, CX
	JMP  dot2loop

dot2one:
	CMPQ CX, $8
	JLT  dot2tail
	DOTROWS2(LDY, 0, Y0, Y1, Y2, Y3)
	ADDQ $8, R11
	SUBQ $8, CX

dot2tail:
	TESTQ CX, CX
	JZ    dot2sum
	TAILMASK2
	DOTROWS2(LDYM, 0, Y4, Y5, Y6, Y7)

dot2sum:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	HSUM2(Y0, X0, 0(DI))
	HSUM2(Y1, X1, 4(DI))
	HSUM2(Y2, X2, 8(DI))
	HSUM2(Y3, X3, 12(DI))
	VZEROUPPER
	RET
