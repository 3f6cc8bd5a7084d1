//go:build amd64 && gc && !purego && !noasm

#include "textflag.h"

// ---- Column packs: d[q*w+c] = src[c*ld+q] for q < kb, c < n. Each kernel
// walks the columns c in groups of 8, 4 (or 2) source rows and, within a
// group, the depths q in blocks of one vector (16 or 8 values): it loads the
// block of every row of the group, transposes it in registers and stores
// one row of the group's width per depth. When kb is not a multiple of the
// block, the last block is the one ending at kb: it overlaps the previous
// one and rewrites the same values.
//
// Registers of the column packs: SI is row 0 of the group in src, DX
// column c of d's row 0, R8 and R9 are ld and 3·ld in bytes, R10 and R11 w
// and 3·w in bytes, R12 is kb, R13 the start of the last block
// (kb − block), CX the columns left, BX the depth of the current block; AX
// and DI address its rows.

// TRANSPOSE4 transposes four rows r0..r3 within each 128-bit lane: on
// return lane L of rj holds (r0, r1, r2, r3) at depth 4L+j. Clobbers
// t0..t3.
#define TRANSPOSE4(r0, r1, r2, r3, t0, t1, t2, t3) \
	VUNPCKLPS r1, r0, t0; \
	VUNPCKHPS r1, r0, t1; \
	VUNPCKLPS r3, r2, t2; \
	VUNPCKHPS r3, r2, t3; \
	VUNPCKLPD t2, t0, r0; \
	VUNPCKHPD t2, t0, r1; \
	VUNPCKLPD t3, t1, r2; \
	VUNPCKHPD t3, t1, r3

// NEXTBLOCK(body, done) jumps to body with BX at the next block of
// depths, the last one ending at kb, or to done when all are packed.
#define NEXTBLOCK(body, done) \
	CMPQ BX, R13; \
	JLE  body;    \
	CMPQ BX, R12; \
	JGE  done;    \
	MOVQ R13, BX; \
	JMP  body

// SRCROWS sets AX to row 0 of the group at depth BX.
#define SRCROWS LEAQ (SI)(BX*4), AX

// DSTROWS sets DI to d's row BX at the group's column.
#define DSTROWS \
	MOVQ  BX, DI;  \
	IMULQ R10, DI; \
	ADDQ  DX, DI

// STORE4 stores x0..x3 to the rows at DI and the three below it, then moves
// DI four rows down; EXTRACT4 does the same with an extracting store of
// lane imm.
#define STORE4(x0, x1, x2, x3) \
	VMOVUPS x0, (DI);         \
	VMOVUPS x1, (DI)(R10*1);  \
	VMOVUPS x2, (DI)(R10*2);  \
	VMOVUPS x3, (DI)(R11*1);  \
	LEAQ    (DI)(R10*4), DI

#define EXTRACT4(op, imm, x0, x1, x2, x3) \
	op   $imm, x0, (DI);        \
	op   $imm, x1, (DI)(R10*1); \
	op   $imm, x2, (DI)(R10*2); \
	op   $imm, x3, (DI)(R11*1); \
	LEAQ (DI)(R10*4), DI

// PROLOGUE(block) loads the arguments into the registers above for blocks
// of block depths.
#define PROLOGUE(block) \
	MOVQ d_base+0(FP), DX;   \
	MOVQ w+24(FP), R10;      \
	SHLQ $2, R10;            \
	LEAQ (R10)(R10*2), R11;  \
	MOVQ src_base+32(FP), SI; \
	MOVQ ld+56(FP), R8;      \
	SHLQ $2, R8;             \
	LEAQ (R8)(R8*2), R9;     \
	MOVQ n+64(FP), CX;       \
	MOVQ kb+72(FP), R12;     \
	LEAQ -block(R12), R13

// ---- AVX-512: blocks of 16 depths in zmm registers.

// packPerm holds two VPERMT2PS index vectors that interleave the 128-bit
// lanes of two registers a (indices 0–15) and b (16–31): (a0, b0, a1, b1)
// at +0 and (a2, b2, a3, b3) at +64.
DATA packPerm<>+0(SB)/8, $0x0000000100000000
DATA packPerm<>+8(SB)/8, $0x0000000300000002
DATA packPerm<>+16(SB)/8, $0x0000001100000010
DATA packPerm<>+24(SB)/8, $0x0000001300000012
DATA packPerm<>+32(SB)/8, $0x0000000500000004
DATA packPerm<>+40(SB)/8, $0x0000000700000006
DATA packPerm<>+48(SB)/8, $0x0000001500000014
DATA packPerm<>+56(SB)/8, $0x0000001700000016
DATA packPerm<>+64(SB)/8, $0x0000000900000008
DATA packPerm<>+72(SB)/8, $0x0000000b0000000a
DATA packPerm<>+80(SB)/8, $0x0000001900000018
DATA packPerm<>+88(SB)/8, $0x0000001b0000001a
DATA packPerm<>+96(SB)/8, $0x0000000d0000000c
DATA packPerm<>+104(SB)/8, $0x0000000f0000000e
DATA packPerm<>+112(SB)/8, $0x0000001d0000001c
DATA packPerm<>+120(SB)/8, $0x0000001f0000001e
GLOBL packPerm<>(SB), RODATA|NOPTR, $128

// JOIN512(zj, zj4, out), with zj holding rows 0–3 and zj4 rows 4–7 at
// depths j, 4+j, 8+j, 12+j as TRANSPOSE4 left them, sets out to depth j
// (low half) and 4+j (high half) of all eight rows, and zj to depths 8+j
// and 12+j. Z16 and Z17 hold the two halves of packPerm.
#define JOIN512(zj, zj4, out) \
	VMOVAPS   Z16, out;      \
	VPERMI2PS zj4, zj, out;  \
	VPERMT2PS zj4, Z17, zj

// func packColumnsAVX512(d []float32, w int, src []float32, ld, n, kb int)
TEXT ·packColumnsAVX512(SB), NOSPLIT, $0-80
	PROLOGUE(16)
	VMOVUPS packPerm<>+0(SB), Z16
	VMOVUPS packPerm<>+64(SB), Z17

group8x16:
	CMPQ CX, $8
	JLT  group4x16
	XORQ BX, BX

block8x16:
	SRCROWS
	VMOVUPS (AX), Z0
	VMOVUPS (AX)(R8*1), Z1
	VMOVUPS (AX)(R8*2), Z2
	VMOVUPS (AX)(R9*1), Z3
	LEAQ    (AX)(R8*4), AX
	VMOVUPS (AX), Z4
	VMOVUPS (AX)(R8*1), Z5
	VMOVUPS (AX)(R8*2), Z6
	VMOVUPS (AX)(R9*1), Z7
	TRANSPOSE4(Z0, Z1, Z2, Z3, Z8, Z9, Z10, Z11)
	TRANSPOSE4(Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)
	JOIN512(Z0, Z4, Z8)
	JOIN512(Z1, Z5, Z9)
	JOIN512(Z2, Z6, Z10)
	JOIN512(Z3, Z7, Z11)
	DSTROWS
	STORE4(Y8, Y9, Y10, Y11)
	EXTRACT4(VEXTRACTF64X4, 1, Z8, Z9, Z10, Z11)
	STORE4(Y0, Y1, Y2, Y3)
	EXTRACT4(VEXTRACTF64X4, 1, Z0, Z1, Z2, Z3)
	ADDQ $16, BX
	NEXTBLOCK(block8x16, next8x16)

next8x16:
	ADDQ $32, DX
	LEAQ (SI)(R8*8), SI
	SUBQ $8, CX
	JMP  group8x16

group4x16:
	CMPQ CX, $4
	JLT  done512
	XORQ BX, BX

block4x16:
	SRCROWS
	VMOVUPS (AX), Z0
	VMOVUPS (AX)(R8*1), Z1
	VMOVUPS (AX)(R8*2), Z2
	VMOVUPS (AX)(R9*1), Z3
	TRANSPOSE4(Z0, Z1, Z2, Z3, Z8, Z9, Z10, Z11)
	DSTROWS
	STORE4(X0, X1, X2, X3)
	EXTRACT4(VEXTRACTF32X4, 1, Z0, Z1, Z2, Z3)
	EXTRACT4(VEXTRACTF32X4, 2, Z0, Z1, Z2, Z3)
	EXTRACT4(VEXTRACTF32X4, 3, Z0, Z1, Z2, Z3)
	ADDQ $16, BX
	NEXTBLOCK(block4x16, done512)

done512:
	VZEROUPPER
	RET

// ---- AVX2: blocks of 8 depths in ymm registers.

// JOIN2(yj, yj4, lo, hi), with yj holding rows 0–3 and yj4 rows 4–7 at
// depths j and 4+j as TRANSPOSE4 left them, sets lo to depth j of all
// eight rows and hi to depth 4+j.
#define JOIN2(yj, yj4, lo, hi) \
	VPERM2F128 $0x20, yj4, yj, lo; \
	VPERM2F128 $0x31, yj4, yj, hi

// PAIRS4 stores the low and high 64 bits of x0 and x1, two rows' values at
// four successive depths, to the rows at DI and the three below it, then moves DI four
// rows down.
#define PAIRS4(x0, x1) \
	VMOVLPS x0, (DI);         \
	VMOVHPS x0, (DI)(R10*1);  \
	VMOVLPS x1, (DI)(R10*2);  \
	VMOVHPS x1, (DI)(R11*1);  \
	LEAQ    (DI)(R10*4), DI

// func packColumnsAVX2(d []float32, w int, src []float32, ld, n, kb int)
TEXT ·packColumnsAVX2(SB), NOSPLIT, $0-80
	PROLOGUE(8)

group8x8:
	CMPQ CX, $8
	JLT  group4x8
	XORQ BX, BX

block8x8:
	SRCROWS
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(R8*1), Y1
	VMOVUPS (AX)(R8*2), Y2
	VMOVUPS (AX)(R9*1), Y3
	LEAQ    (AX)(R8*4), AX
	VMOVUPS (AX), Y4
	VMOVUPS (AX)(R8*1), Y5
	VMOVUPS (AX)(R8*2), Y6
	VMOVUPS (AX)(R9*1), Y7
	TRANSPOSE4(Y0, Y1, Y2, Y3, Y8, Y9, Y10, Y11)
	TRANSPOSE4(Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11)
	JOIN2(Y0, Y4, Y8, Y12)
	JOIN2(Y1, Y5, Y9, Y13)
	JOIN2(Y2, Y6, Y10, Y14)
	JOIN2(Y3, Y7, Y11, Y15)
	DSTROWS
	STORE4(Y8, Y9, Y10, Y11)
	STORE4(Y12, Y13, Y14, Y15)
	ADDQ $8, BX
	NEXTBLOCK(block8x8, next8x8)

next8x8:
	ADDQ $32, DX
	LEAQ (SI)(R8*8), SI
	SUBQ $8, CX
	JMP  group8x8

group4x8:
	CMPQ CX, $4
	JLT  group2x8
	XORQ BX, BX

block4x8:
	SRCROWS
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(R8*1), Y1
	VMOVUPS (AX)(R8*2), Y2
	VMOVUPS (AX)(R9*1), Y3
	TRANSPOSE4(Y0, Y1, Y2, Y3, Y8, Y9, Y10, Y11)
	DSTROWS
	STORE4(X0, X1, X2, X3)
	EXTRACT4(VEXTRACTF128, 1, Y0, Y1, Y2, Y3)
	ADDQ $8, BX
	NEXTBLOCK(block4x8, next4x8)

next4x8:
	ADDQ $16, DX
	LEAQ (SI)(R8*4), SI
	SUBQ $4, CX

group2x8:
	CMPQ CX, $2
	JLT  done2
	XORQ BX, BX

block2x8:
	SRCROWS
	VMOVUPS   (AX), Y0
	VMOVUPS   (AX)(R8*1), Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	DSTROWS
	PAIRS4(X2, X3)
	VEXTRACTF128 $1, Y2, X2
	VEXTRACTF128 $1, Y3, X3
	PAIRS4(X2, X3)
	ADDQ $8, BX
	NEXTBLOCK(block2x8, done2)

done2:
	VZEROUPPER
	RET

// ---- Row packs: d[s*w*kb+q*w+c] = src[q*ld+s*w+c] for s*w+c < n and zero
// for n ≤ s*w+c < (s+1)*w, for q < kb ≥ 1 and n ≥ 1. The kernels take the
// rows of src in blocks of ROWBLOCK and, within a block, each vector of
// lanes columns of each sliver in turn down the block's rows: a masked load
// reads the columns before n (and faults on none of the others), a masked
// store writes the sliver's columns (the AVX2 kernel stores in pieces
// instead; see packRowsAVX2). A block's rows stay in L1 while its slivers
// are packed, even when they are 4 KB apart and so all fall into one set:
// blocks of 8 rows fit the 8 ways of Zen 4's L1, where blocks of 32 rows
// 4 KB apart packed 1.6–3.9 times slower and 256-wide rows no faster (on
// Sapphire Rapids' 12-way L1, 16 to 64 rows had measured alike). Whole
// slivers (down all kb rows) were up to 3 times slower on rows 4 KB apart,
// and a row at a time 2 times slower. Each load prefetches the same vector
// of the next block. Prefetching the next block's rows had measured no
// faster inside Sgemm on the machines above; on Zen 5 W1's float32
// training step gained 3–7 % and two-thread SGEMM 1024³ 2–5 %
// (BenchmarkTrainerStep, BenchmarkSgemm; BENCHMARKS.md).
//
// Registers: SI is row q0 (the block's first) of src, DI row q0 of sliver 0
// in d, R8 ld in bytes, R9 a sliver (w·kb values) in bytes, R10 w, R11 n,
// R12 the rows left, BX row q0 of sliver s, DX its first column s·w, CX
// the column o within the sliver; AX, R13 and R14 walk a vector's rows.

#define ROWBLOCK 8
#define LOG2ROWBLOCK 3

// CHUNKLEN(lanes) sets AX to the vector's columns in the sliver,
// min(lanes, w − o).
#define CHUNKLEN(lanes) \
	MOVQ    R10, AX;     \
	SUBQ    CX, AX;      \
	MOVQ    $lanes, R13; \
	CMPQ    AX, R13;     \
	CMOVQGT R13, AX

// VALIDLEN sets AX to the columns before n, max(0, min(AX, n − s·w − o)).
#define VALIDLEN \
	LEAQ    (DX)(CX*1), R13; \
	NEGQ    R13;             \
	ADDQ    R11, R13;        \
	CMPQ    R13, AX;         \
	CMOVQLT R13, AX;         \
	XORL    R13, R13;        \
	TESTQ   AX, AX;          \
	CMOVQLT R13, AX

// DOWNROWS sets AX to the vector's first value in src, R13 to its place in
// d and R14 to the block's rows, min(ROWBLOCK, rows left).
#define DOWNROWS \
	LEAQ    (DX)(CX*1), AX;  \
	LEAQ    (SI)(AX*4), AX;  \
	LEAQ    (BX)(CX*4), R13; \
	MOVQ    $ROWBLOCK, R14;  \
	CMPQ    R12, R14;        \
	CMOVQLT R12, R14

// NEXTVECTOR(lanes, vector) goes on to the next vector of the sliver, the
// next sliver, or the next block of rows, and falls through when all are
// packed.
#define NEXTVECTOR(lanes, vector) \
	ADDQ $lanes, CX;            \
	CMPQ CX, R10;               \
	JLT  vector;                \
	XORQ CX, CX;                \
	ADDQ R10, DX;               \
	ADDQ R9, BX;                \
	CMPQ DX, R11;               \
	JLT  vector;                \
	XORQ DX, DX;                \
	MOVQ R8, AX;                \
	SHLQ $LOG2ROWBLOCK, AX;     \
	ADDQ AX, SI;                \
	MOVQ R10, AX;               \
	SHLQ $(LOG2ROWBLOCK+2), AX; \
	ADDQ AX, DI;                \
	MOVQ DI, BX;                \
	SUBQ $ROWBLOCK, R12;        \
	JGT  vector

#define ROWSPROLOGUE \
	MOVQ  d_base+0(FP), DI;    \
	MOVQ  w+24(FP), R10;       \
	MOVQ  src_base+32(FP), SI; \
	MOVQ  ld+56(FP), R8;       \
	SHLQ  $2, R8;              \
	MOVQ  n+64(FP), R11;       \
	MOVQ  kb+72(FP), R12;      \
	MOVQ  R10, R9;             \
	IMULQ R12, R9;             \
	SHLQ  $2, R9;              \
	MOVQ  DI, BX;              \
	XORQ  DX, DX;              \
	XORQ  CX, CX

// func packRowsAVX512(d []float32, w int, src []float32, ld, n, kb int)
TEXT ·packRowsAVX512(SB), NOSPLIT, $0-80
	ROWSPROLOGUE

vector512:
	CHUNKLEN(16)
	MOVL  $0xffff, R13
	BZHIL AX, R13, R13
	KMOVW R13, K2
	VALIDLEN
	MOVL  $0xffff, R13
	BZHIL AX, R13, R13
	KMOVW R13, K1
	DOWNROWS

row512:
	VMOVUPS.Z  (AX), K1, Z0
	PREFETCHT0 (AX)(R8*8) // this vector of the next block of rows
	VMOVUPS    Z0, K2, (R13)
	ADDQ       R8, AX
	LEAQ       (R13)(R10*4), R13
	DECQ       R14
	JNZ        row512
	NEXTVECTOR(16, vector512)
	VZEROUPPER
	RET

// packMask holds 8 all-ones lanes then 8 zero lanes: the 8 lanes at
// packMask+4·(8−l) are a VMASKMOVPS mask of the low l.
DATA packMask<>+0(SB)/8, $-1
DATA packMask<>+8(SB)/8, $-1
DATA packMask<>+16(SB)/8, $-1
DATA packMask<>+24(SB)/8, $-1
DATA packMask<>+32(SB)/8, $0
DATA packMask<>+40(SB)/8, $0
DATA packMask<>+48(SB)/8, $0
DATA packMask<>+56(SB)/8, $0
GLOBL packMask<>(SB), RODATA|NOPTR, $64

// MASK2(y) loads into y the VMASKMOVPS mask of the low AX lanes.
// Clobbers R13.
#define MASK2(y) \
	LEAQ    packMask<>+32(SB), R13; \
	NEGQ    AX;                     \
	LEAQ    (R13)(AX*4), R13;       \
	NEGQ    AX;                     \
	VMOVDQU (R13), y

// func packRowsAVX2(d []float32, w int, src []float32, ld, n, kb int)
//
// VMASKMOVPS stores are microcoded on AMD processors (measured on Zen 4): a masked
// store per row made the kernel 4 times slower there. Vectors of 8 columns
// before n move with plain loads and stores; the others load with
// VMASKMOVPS and store the sliver's columns in pieces of 8, 4, 2 and 1
// (chunk, the vector's columns in the sliver, kept in the frame with DX and
// R9, which the piece loop borrows).
TEXT ·packRowsAVX2(SB), NOSPLIT, $24-80
	ROWSPROLOGUE

vector2:
	CHUNKLEN(8)
	MOVQ AX, chunk-8(SP)
	VALIDLEN
	CMPQ AX, $8
	JEQ  full2
	MASK2(Y1)
	DOWNROWS
	MOVQ DX, dx-16(SP)
	MOVQ R9, r9-24(SP)
	MOVQ chunk-8(SP), DX

piece2:
	VMASKMOVPS (AX), Y1, Y0
	MOVQ       R13, R9
	TESTQ      $8, DX
	JZ         four2
	VMOVUPS    Y0, (R9)
	JMP        stored2

four2:
	TESTQ        $4, DX
	JZ           two2
	VMOVUPS      X0, (R9)
	VEXTRACTF128 $1, Y0, X0
	ADDQ         $16, R9

two2:
	TESTQ    $2, DX
	JZ       one2
	VMOVLPS  X0, (R9)
	VMOVHLPS X0, X0, X0
	ADDQ     $8, R9

one2:
	TESTQ  $1, DX
	JZ     stored2
	VMOVSS X0, (R9)

stored2:
	ADDQ R8, AX
	LEAQ (R13)(R10*4), R13
	DECQ R14
	JNZ  piece2
	MOVQ dx-16(SP), DX
	MOVQ r9-24(SP), R9
	JMP  next2

full2:
	DOWNROWS

row2:
	VMOVUPS    (AX), Y0
	PREFETCHT0 (AX)(R8*8) // as in packRowsAVX512
	VMOVUPS    Y0, (R13)
	ADDQ       R8, AX
	LEAQ       (R13)(R10*4), R13
	DECQ       R14
	JNZ        row2

next2:
	NEXTVECTOR(8, vector2)
	VZEROUPPER
	RET
