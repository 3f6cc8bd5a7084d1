//go:build amd64 && gc && !purego && !noasm

#include "textflag.h"

// The AMX and AVX512-BF16 instructions are not known to the Go assembler;
// they are written as bytes, each line with its Intel-syntax mnemonic.

// bf16PairPerm interleaves the two halves of a zmm of 32 words: word 2j
// takes word j and word 2j+1 takes word 16+j.
DATA ·bf16PairPerm+0(SB)/8, $0x0011000100100000
DATA ·bf16PairPerm+8(SB)/8, $0x0013000300120002
DATA ·bf16PairPerm+16(SB)/8, $0x0015000500140004
DATA ·bf16PairPerm+24(SB)/8, $0x0017000700160006
DATA ·bf16PairPerm+32(SB)/8, $0x0019000900180008
DATA ·bf16PairPerm+40(SB)/8, $0x001b000b001a000a
DATA ·bf16PairPerm+48(SB)/8, $0x001d000d001c000c
DATA ·bf16PairPerm+56(SB)/8, $0x001f000f001e000e
GLOBL ·bf16PairPerm(SB), RODATA|NOPTR, $64

// func amxTileDot(cfg *[64]byte, kt, pairs int, a, b *uint16, c *float32, ldc, acc int)
TEXT ·amxTileDot(SB), NOSPLIT, $0-64
	MOVQ cfg+0(FP), DI
	MOVQ kt+8(FP), BX
	MOVQ pairs+16(FP), R13
	MOVQ b+32(FP), DX
	MOVQ c+40(FP), CX
	MOVQ ldc+48(FP), R11
	SHLQ $2, R11 // row stride of c in bytes
	MOVQ $64, R8 // row stride of every packed tile
	BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x07 // ldtilecfg [rdi]
	SHLQ $10, BX // bytes of one 16-column block of b: kt tiles of 1 KB

pair:
	// The four accumulator tiles of this 32×32 block of c start at CX,
	// SI = CX+64, R12 = CX+16 rows and R10 = R12+64.
	MOVQ R11, R12
	SHLQ $4, R12
	ADDQ CX, R12
	LEAQ 64(CX), SI
	LEAQ 64(R12), R10
	MOVQ acc+56(FP), AX
	TESTQ AX, AX
	JNZ  load
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc0 // tilezero tmm0
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc8 // tilezero tmm1
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd0 // tilezero tmm2
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd8 // tilezero tmm3
	JMP  ready

load:
	BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x04; BYTE $0x19 // tileloadd tmm0, [rcx+r11*1]
	BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x0c; BYTE $0x1e // tileloadd tmm1, [rsi+r11*1]
	BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x14; BYTE $0x1c // tileloadd tmm2, [r12+r11*1]
	BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x1c; BYTE $0x1a // tileloadd tmm3, [r10+r11*1]

ready:
	MOVQ a+24(FP), SI
	LEAQ 1024(SI), R10
	LEAQ (DX)(BX*1), R9
	MOVQ kt+8(FP), AX

step:
	BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x06 // tileloadd tmm4, [rsi+r8*1]
	BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x2c; BYTE $0x02 // tileloadd tmm5, [r10+r8*1]
	BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x34; BYTE $0x02 // tileloadd tmm6, [rdx+r8*1]
	BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x3c; BYTE $0x01 // tileloadd tmm7, [r9+r8*1]
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xc4 // tdpbf16ps tmm0, tmm4, tmm6
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xcc // tdpbf16ps tmm1, tmm4, tmm7
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xd5 // tdpbf16ps tmm2, tmm5, tmm6
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xdd // tdpbf16ps tmm3, tmm5, tmm7
	ADDQ $2048, SI
	ADDQ $2048, R10
	ADDQ $1024, DX
	ADDQ $1024, R9
	DECQ AX
	JNZ  step

	// DX has passed this pair's first block; skip its second.
	ADDQ BX, DX
	LEAQ 64(CX), SI
	LEAQ 64(R12), R10
	BYTE $0xc4; BYTE $0xa2; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x19 // tilestored [rcx+r11*1], tmm0
	BYTE $0xc4; BYTE $0xa2; BYTE $0x7a; BYTE $0x4b; BYTE $0x0c; BYTE $0x1e // tilestored [rsi+r11*1], tmm1
	BYTE $0xc4; BYTE $0x82; BYTE $0x7a; BYTE $0x4b; BYTE $0x14; BYTE $0x1c // tilestored [r12+r11*1], tmm2
	BYTE $0xc4; BYTE $0x82; BYTE $0x7a; BYTE $0x4b; BYTE $0x1c; BYTE $0x1a // tilestored [r10+r11*1], tmm3
	ADDQ $128, CX
	DECQ R13
	JNZ  pair

	BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0 // tilerelease
	RET

// func bf16TileRowsAVX512(dst *[512]uint16, src *float32, ld, rows, lo, hi int)
TEXT ·bf16TileRowsAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), BX
	SHLQ $2, BX
	MOVQ rows+24(FP), CX
	MOVQ lo+32(FP), AX
	KMOVW AX, K1
	MOVQ hi+40(FP), AX
	KMOVW AX, K2
	MOVQ $16, DX
	SUBQ CX, DX
	TESTQ CX, CX
	JLE  zero

row:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	BYTE $0x62; BYTE $0xf2; BYTE $0x77; BYTE $0x48; BYTE $0x72; BYTE $0xd0 // vcvtne2ps2bf16 zmm2, zmm1, zmm0
	VMOVDQU32 Z2, (DI)
	ADDQ BX, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  row

zero:
	TESTQ DX, DX
	JLE  done
	VPXORD Z2, Z2, Z2

zrow:
	VMOVDQU32 Z2, (DI)
	ADDQ $64, DI
	DECQ DX
	JNZ  zrow

done:
	VZEROUPPER
	RET

// func bf16TilePairsAVX512(dst *[512]uint16, src *float32, ld, rows, mask int)
TEXT ·bf16TilePairsAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), BX
	SHLQ $2, BX
	MOVQ rows+24(FP), CX
	MOVQ mask+32(FP), R8
	VMOVDQU16 ·bf16PairPerm(SB), Z3
	XORQ AX, AX
	MOVQ $16, DX

pair:
	// Rows AX and AX+1 of the source; rows at or past CX read as zero.
	XORQ R9, R9
	CMPQ AX, CX
	CMOVQLT R8, R9
	KMOVW R9, K1
	LEAQ 1(AX), R10
	XORQ R9, R9
	CMPQ R10, CX
	CMOVQLT R8, R9
	KMOVW R9, K2
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (SI)(BX*1), K2, Z1
	PREFETCHT0 64(SI) // the same rows of the next tile, 16 columns on
	PREFETCHT0 64(SI)(BX*1)
	BYTE $0x62; BYTE $0xf2; BYTE $0x77; BYTE $0x48; BYTE $0x72; BYTE $0xd0 // vcvtne2ps2bf16 zmm2, zmm1, zmm0
	VPERMW Z2, Z3, Z2
	VMOVDQU32 Z2, (DI)
	LEAQ (SI)(BX*2), SI
	ADDQ $2, AX
	ADDQ $64, DI
	DECQ DX
	JNZ  pair
	VZEROUPPER
	RET

// func transposeTileAVX512(t *[512]uint16)
TEXT ·transposeTileAVX512(SB), NOSPLIT, $0-8
	MOVQ t+0(FP), DI
	VMOVDQU32 0(DI), Z0
	VMOVDQU32 64(DI), Z1
	VMOVDQU32 128(DI), Z2
	VMOVDQU32 192(DI), Z3
	VMOVDQU32 256(DI), Z4
	VMOVDQU32 320(DI), Z5
	VMOVDQU32 384(DI), Z6
	VMOVDQU32 448(DI), Z7
	VMOVDQU32 512(DI), Z8
	VMOVDQU32 576(DI), Z9
	VMOVDQU32 640(DI), Z10
	VMOVDQU32 704(DI), Z11
	VMOVDQU32 768(DI), Z12
	VMOVDQU32 832(DI), Z13
	VMOVDQU32 896(DI), Z14
	VMOVDQU32 960(DI), Z15
	VPUNPCKLDQ Z1, Z0, Z16
	VPUNPCKHDQ Z1, Z0, Z17
	VPUNPCKLDQ Z3, Z2, Z18
	VPUNPCKHDQ Z3, Z2, Z19
	VPUNPCKLDQ Z5, Z4, Z20
	VPUNPCKHDQ Z5, Z4, Z21
	VPUNPCKLDQ Z7, Z6, Z22
	VPUNPCKHDQ Z7, Z6, Z23
	VPUNPCKLDQ Z9, Z8, Z24
	VPUNPCKHDQ Z9, Z8, Z25
	VPUNPCKLDQ Z11, Z10, Z26
	VPUNPCKHDQ Z11, Z10, Z27
	VPUNPCKLDQ Z13, Z12, Z28
	VPUNPCKHDQ Z13, Z12, Z29
	VPUNPCKLDQ Z15, Z14, Z30
	VPUNPCKHDQ Z15, Z14, Z31
	VPUNPCKLQDQ Z18, Z16, Z0
	VPUNPCKHQDQ Z18, Z16, Z1
	VPUNPCKLQDQ Z19, Z17, Z2
	VPUNPCKHQDQ Z19, Z17, Z3
	VPUNPCKLQDQ Z22, Z20, Z4
	VPUNPCKHQDQ Z22, Z20, Z5
	VPUNPCKLQDQ Z23, Z21, Z6
	VPUNPCKHQDQ Z23, Z21, Z7
	VPUNPCKLQDQ Z26, Z24, Z8
	VPUNPCKHQDQ Z26, Z24, Z9
	VPUNPCKLQDQ Z27, Z25, Z10
	VPUNPCKHQDQ Z27, Z25, Z11
	VPUNPCKLQDQ Z30, Z28, Z12
	VPUNPCKHQDQ Z30, Z28, Z13
	VPUNPCKLQDQ Z31, Z29, Z14
	VPUNPCKHQDQ Z31, Z29, Z15
	VSHUFI32X4 $0x88, Z4, Z0, Z16
	VSHUFI32X4 $0xDD, Z4, Z0, Z17
	VSHUFI32X4 $0x88, Z12, Z8, Z18
	VSHUFI32X4 $0xDD, Z12, Z8, Z19
	VSHUFI32X4 $0x88, Z5, Z1, Z20
	VSHUFI32X4 $0xDD, Z5, Z1, Z21
	VSHUFI32X4 $0x88, Z13, Z9, Z22
	VSHUFI32X4 $0xDD, Z13, Z9, Z23
	VSHUFI32X4 $0x88, Z6, Z2, Z24
	VSHUFI32X4 $0xDD, Z6, Z2, Z25
	VSHUFI32X4 $0x88, Z14, Z10, Z26
	VSHUFI32X4 $0xDD, Z14, Z10, Z27
	VSHUFI32X4 $0x88, Z7, Z3, Z28
	VSHUFI32X4 $0xDD, Z7, Z3, Z29
	VSHUFI32X4 $0x88, Z15, Z11, Z30
	VSHUFI32X4 $0xDD, Z15, Z11, Z31
	VSHUFI32X4 $0x88, Z18, Z16, Z0
	VMOVDQU32 Z0, 0(DI)
	VSHUFI32X4 $0xDD, Z18, Z16, Z0
	VMOVDQU32 Z0, 512(DI)
	VSHUFI32X4 $0x88, Z19, Z17, Z0
	VMOVDQU32 Z0, 256(DI)
	VSHUFI32X4 $0xDD, Z19, Z17, Z0
	VMOVDQU32 Z0, 768(DI)
	VSHUFI32X4 $0x88, Z22, Z20, Z0
	VMOVDQU32 Z0, 64(DI)
	VSHUFI32X4 $0xDD, Z22, Z20, Z0
	VMOVDQU32 Z0, 576(DI)
	VSHUFI32X4 $0x88, Z23, Z21, Z0
	VMOVDQU32 Z0, 320(DI)
	VSHUFI32X4 $0xDD, Z23, Z21, Z0
	VMOVDQU32 Z0, 832(DI)
	VSHUFI32X4 $0x88, Z26, Z24, Z0
	VMOVDQU32 Z0, 128(DI)
	VSHUFI32X4 $0xDD, Z26, Z24, Z0
	VMOVDQU32 Z0, 640(DI)
	VSHUFI32X4 $0x88, Z27, Z25, Z0
	VMOVDQU32 Z0, 384(DI)
	VSHUFI32X4 $0xDD, Z27, Z25, Z0
	VMOVDQU32 Z0, 896(DI)
	VSHUFI32X4 $0x88, Z30, Z28, Z0
	VMOVDQU32 Z0, 192(DI)
	VSHUFI32X4 $0xDD, Z30, Z28, Z0
	VMOVDQU32 Z0, 704(DI)
	VSHUFI32X4 $0x88, Z31, Z29, Z0
	VMOVDQU32 Z0, 448(DI)
	VSHUFI32X4 $0xDD, Z31, Z29, Z0
	VMOVDQU32 Z0, 960(DI)
	VZEROUPPER
	RET

// func storeTileAVX512(c *float32, ldc int, buf *float32, ldbuf, rows, full, tail int, alpha, beta float32)
TEXT ·storeTileAVX512(SB), NOSPLIT, $0-64
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ buf+16(FP), SI
	MOVQ ldbuf+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), CX
	MOVQ full+40(FP), DX
	MOVQ tail+48(FP), AX
	KMOVW AX, K1
	VBROADCASTSS alpha+56(FP), Z30
	VBROADCASTSS beta+60(FP), Z31
	MOVL beta+60(FP), AX
	TESTL $0x7fffffff, AX
	JZ   overwrite

	// C = alpha·buf + beta·C
update:
	MOVQ DI, R11
	MOVQ SI, R12
	MOVQ DX, R13
	TESTQ R13, R13
	JZ   utail

ufull:
	VMULPS (R12), Z30, Z0
	VMULPS (R11), Z31, Z1
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, (R11)
	ADDQ $64, R11
	ADDQ $64, R12
	DECQ R13
	JNZ  ufull

utail:
	KORTESTW K1, K1
	JZ   unext
	VMOVUPS.Z (R12), K1, Z0
	VMOVUPS.Z (R11), K1, Z1
	VMULPS Z0, Z30, Z0
	VMULPS Z1, Z31, Z1
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, K1, (R11)

unext:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ CX
	JNZ  update
	VZEROUPPER
	RET

	// C = alpha·buf; C is not read.
overwrite:
	MOVQ DI, R11
	MOVQ SI, R12
	MOVQ DX, R13
	TESTQ R13, R13
	JZ   otail

ofull:
	VMULPS (R12), Z30, Z0
	VMOVUPS Z0, (R11)
	ADDQ $64, R11
	ADDQ $64, R12
	DECQ R13
	JNZ  ofull

otail:
	KORTESTW K1, K1
	JZ   onext
	VMOVUPS.Z (R12), K1, Z0
	VMULPS Z0, Z30, Z0
	VMOVUPS Z0, K1, (R11)

onext:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ CX
	JNZ  overwrite
	VZEROUPPER
	RET

// func dpbf16Dot(kt, pairs int, a, b *uint16, c *float32, ldc, acc int)
//
// For each 32-column pair of blocks of b and each group of 8 rows of the
// panel a, Z0–Z15 hold the 8×32 block of c (row r in Z(2r), Z(2r+1)) over
// all kt steps: per depth pair, Z16 and Z17 take that pair's row of the two
// blocks and row i's pair of a is broadcast into Z(18+i) for its two dot
// products (broadcasting from memory inside both, twice the loads, ran at
// 354–376 GFLOP/s in BenchmarkBF16Dot on one Zen 5 core; this at 430–444).
// VDPBF16PS zmm, zmm, zmm is encoded by hand (EVEX.512.F3.0F38.W0 52 /r),
// as the Go assembler lacks it. Row i of the panel at step s is 64 bytes
// at a + 2048·s + 64·i, so the rows of group g start at a + 512·g.
TEXT ·dpbf16Dot(SB), NOSPLIT, $0-56
	MOVQ kt+0(FP), BX
	MOVQ pairs+8(FP), R13
	MOVQ b+24(FP), DX
	MOVQ c+32(FP), CX
	MOVQ ldc+40(FP), R11
	SHLQ $2, R11 // row stride of c in bytes
	SHLQ $10, BX // bytes of one 16-column block of b: kt tiles of 1 KB

dpPair:
	XORQ DI, DI // group

dpGroup:
	MOVQ DI, SI
	SHLQ $9, SI
	ADDQ a+16(FP), SI
	MOVQ DI, R12
	SHLQ $3, R12
	IMULQ R11, R12
	ADDQ CX, R12 // row 8·g of this block of c
	MOVQ acc+48(FP), AX
	TESTQ AX, AX
	JNZ  dpLoad
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
	JMP  dpReady

dpLoad:
	MOVQ R12, AX
	VMOVUPS (AX), Z0
	VMOVUPS 64(AX), Z1
	ADDQ R11, AX
	VMOVUPS (AX), Z2
	VMOVUPS 64(AX), Z3
	ADDQ R11, AX
	VMOVUPS (AX), Z4
	VMOVUPS 64(AX), Z5
	ADDQ R11, AX
	VMOVUPS (AX), Z6
	VMOVUPS 64(AX), Z7
	ADDQ R11, AX
	VMOVUPS (AX), Z8
	VMOVUPS 64(AX), Z9
	ADDQ R11, AX
	VMOVUPS (AX), Z10
	VMOVUPS 64(AX), Z11
	ADDQ R11, AX
	VMOVUPS (AX), Z12
	VMOVUPS 64(AX), Z13
	ADDQ R11, AX
	VMOVUPS (AX), Z14
	VMOVUPS 64(AX), Z15

dpReady:
	MOVQ DX, R8
	LEAQ (DX)(BX*1), R10
	MOVQ kt+0(FP), AX

dpStep:
	MOVQ $4, R9

dpInner:
	VMOVUPS 0(R8), Z16
	VMOVUPS 0(R10), Z17
	VPBROADCASTD 0(SI), Z18
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc2 // vdpbf16ps zmm0, zmm16, zmm18
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xca // vdpbf16ps zmm1, zmm17, zmm18
	VPBROADCASTD 64(SI), Z19
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd3 // vdpbf16ps zmm2, zmm16, zmm19
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xdb // vdpbf16ps zmm3, zmm17, zmm19
	VPBROADCASTD 128(SI), Z20
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe4 // vdpbf16ps zmm4, zmm16, zmm20
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xec // vdpbf16ps zmm5, zmm17, zmm20
	VPBROADCASTD 192(SI), Z21
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xf5 // vdpbf16ps zmm6, zmm16, zmm21
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xfd // vdpbf16ps zmm7, zmm17, zmm21
	VPBROADCASTD 256(SI), Z22
	BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc6 // vdpbf16ps zmm8, zmm16, zmm22
	BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xce // vdpbf16ps zmm9, zmm17, zmm22
	VPBROADCASTD 320(SI), Z23
	BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd7 // vdpbf16ps zmm10, zmm16, zmm23
	BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xdf // vdpbf16ps zmm11, zmm17, zmm23
	VPBROADCASTD 384(SI), Z24
	BYTE $0x62; BYTE $0x12; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe0 // vdpbf16ps zmm12, zmm16, zmm24
	BYTE $0x62; BYTE $0x12; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xe8 // vdpbf16ps zmm13, zmm17, zmm24
	VPBROADCASTD 448(SI), Z25
	BYTE $0x62; BYTE $0x12; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xf1 // vdpbf16ps zmm14, zmm16, zmm25
	BYTE $0x62; BYTE $0x12; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xf9 // vdpbf16ps zmm15, zmm17, zmm25
	VMOVUPS 64(R8), Z16
	VMOVUPS 64(R10), Z17
	VPBROADCASTD 4(SI), Z18
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc2 // vdpbf16ps zmm0, zmm16, zmm18
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xca // vdpbf16ps zmm1, zmm17, zmm18
	VPBROADCASTD 68(SI), Z19
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd3 // vdpbf16ps zmm2, zmm16, zmm19
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xdb // vdpbf16ps zmm3, zmm17, zmm19
	VPBROADCASTD 132(SI), Z20
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe4 // vdpbf16ps zmm4, zmm16, zmm20
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xec // vdpbf16ps zmm5, zmm17, zmm20
	VPBROADCASTD 196(SI), Z21
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xf5 // vdpbf16ps zmm6, zmm16, zmm21
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xfd // vdpbf16ps zmm7, zmm17, zmm21
	VPBROADCASTD 260(SI), Z22
	BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc6 // vdpbf16ps zmm8, zmm16, zmm22
	BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xce // vdpbf16ps zmm9, zmm17, zmm22
	VPBROADCASTD 324(SI), Z23
	BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd7 // vdpbf16ps zmm10, zmm16, zmm23
	BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xdf // vdpbf16ps zmm11, zmm17, zmm23
	VPBROADCASTD 388(SI), Z24
	BYTE $0x62; BYTE $0x12; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe0 // vdpbf16ps zmm12, zmm16, zmm24
	BYTE $0x62; BYTE $0x12; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xe8 // vdpbf16ps zmm13, zmm17, zmm24
	VPBROADCASTD 452(SI), Z25
	BYTE $0x62; BYTE $0x12; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xf1 // vdpbf16ps zmm14, zmm16, zmm25
	BYTE $0x62; BYTE $0x12; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xf9 // vdpbf16ps zmm15, zmm17, zmm25
	VMOVUPS 128(R8), Z16
	VMOVUPS 128(R10), Z17
	VPBROADCASTD 8(SI), Z18
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc2 // vdpbf16ps zmm0, zmm16, zmm18
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xca // vdpbf16ps zmm1, zmm17, zmm18
	VPBROADCASTD 72(SI), Z19
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd3 // vdpbf16ps zmm2, zmm16, zmm19
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xdb // vdpbf16ps zmm3, zmm17, zmm19
	VPBROADCASTD 136(SI), Z20
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe4 // vdpbf16ps zmm4, zmm16, zmm20
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xec // vdpbf16ps zmm5, zmm17, zmm20
	VPBROADCASTD 200(SI), Z21
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xf5 // vdpbf16ps zmm6, zmm16, zmm21
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xfd // vdpbf16ps zmm7, zmm17, zmm21
	VPBROADCASTD 264(SI), Z22
	BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc6 // vdpbf16ps zmm8, zmm16, zmm22
	BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xce // vdpbf16ps zmm9, zmm17, zmm22
	VPBROADCASTD 328(SI), Z23
	BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd7 // vdpbf16ps zmm10, zmm16, zmm23
	BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xdf // vdpbf16ps zmm11, zmm17, zmm23
	VPBROADCASTD 392(SI), Z24
	BYTE $0x62; BYTE $0x12; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe0 // vdpbf16ps zmm12, zmm16, zmm24
	BYTE $0x62; BYTE $0x12; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xe8 // vdpbf16ps zmm13, zmm17, zmm24
	VPBROADCASTD 456(SI), Z25
	BYTE $0x62; BYTE $0x12; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xf1 // vdpbf16ps zmm14, zmm16, zmm25
	BYTE $0x62; BYTE $0x12; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xf9 // vdpbf16ps zmm15, zmm17, zmm25
	VMOVUPS 192(R8), Z16
	VMOVUPS 192(R10), Z17
	VPBROADCASTD 12(SI), Z18
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc2 // vdpbf16ps zmm0, zmm16, zmm18
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xca // vdpbf16ps zmm1, zmm17, zmm18
	VPBROADCASTD 76(SI), Z19
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd3 // vdpbf16ps zmm2, zmm16, zmm19
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xdb // vdpbf16ps zmm3, zmm17, zmm19
	VPBROADCASTD 140(SI), Z20
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe4 // vdpbf16ps zmm4, zmm16, zmm20
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xec // vdpbf16ps zmm5, zmm17, zmm20
	VPBROADCASTD 204(SI), Z21
	BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xf5 // vdpbf16ps zmm6, zmm16, zmm21
	BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xfd // vdpbf16ps zmm7, zmm17, zmm21
	VPBROADCASTD 268(SI), Z22
	BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc6 // vdpbf16ps zmm8, zmm16, zmm22
	BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xce // vdpbf16ps zmm9, zmm17, zmm22
	VPBROADCASTD 332(SI), Z23
	BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd7 // vdpbf16ps zmm10, zmm16, zmm23
	BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xdf // vdpbf16ps zmm11, zmm17, zmm23
	VPBROADCASTD 396(SI), Z24
	BYTE $0x62; BYTE $0x12; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe0 // vdpbf16ps zmm12, zmm16, zmm24
	BYTE $0x62; BYTE $0x12; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xe8 // vdpbf16ps zmm13, zmm17, zmm24
	VPBROADCASTD 460(SI), Z25
	BYTE $0x62; BYTE $0x12; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xf1 // vdpbf16ps zmm14, zmm16, zmm25
	BYTE $0x62; BYTE $0x12; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xf9 // vdpbf16ps zmm15, zmm17, zmm25
	ADDQ $16, SI
	ADDQ $256, R8
	ADDQ $256, R10
	DECQ R9
	JNZ  dpInner
	ADDQ $1984, SI // to the next step's rows: 2048 less the 64 bytes walked
	DECQ AX
	JNZ  dpStep

	MOVQ R12, AX
	VMOVUPS Z0, (AX)
	VMOVUPS Z1, 64(AX)
	ADDQ R11, AX
	VMOVUPS Z2, (AX)
	VMOVUPS Z3, 64(AX)
	ADDQ R11, AX
	VMOVUPS Z4, (AX)
	VMOVUPS Z5, 64(AX)
	ADDQ R11, AX
	VMOVUPS Z6, (AX)
	VMOVUPS Z7, 64(AX)
	ADDQ R11, AX
	VMOVUPS Z8, (AX)
	VMOVUPS Z9, 64(AX)
	ADDQ R11, AX
	VMOVUPS Z10, (AX)
	VMOVUPS Z11, 64(AX)
	ADDQ R11, AX
	VMOVUPS Z12, (AX)
	VMOVUPS Z13, 64(AX)
	ADDQ R11, AX
	VMOVUPS Z14, (AX)
	VMOVUPS Z15, 64(AX)
	INCQ DI
	CMPQ DI, $4
	JLT  dpGroup

	LEAQ (DX)(BX*2), DX // the next pair of blocks of b
	ADDQ $128, CX
	DECQ R13
	JNZ  dpPair
	VZEROUPPER
	RET
