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
