//go:build amd64 && gc && !purego && !noasm

package asm

import (
	"errors"
	"sync"

	"github.com/klauspost/cpuid/v2"
)

// hasAMX is whether the CPU has the instructions of the bfloat16 product:
// the AMX tiles with their bfloat16 dot product, and AVX512-BF16's
// conversion. The operating system must still grant the tile state
// (enableAMX).
var hasAMX = hasAVX512 && cpuid.CPU.Supports(cpuid.AMXTILE, cpuid.AMXBF16, cpuid.AVX512BF16)

var (
	amxOnce sync.Once
	amxErr  error
)

// enableAMX asks the operating system, once, for the AMX tile state.
func enableAMX() error {
	if !hasAMX {
		return errors.New("this CPU lacks AMX-BF16 or AVX512-BF16")
	}
	amxOnce.Do(func() { amxErr = requestAMX() })
	return amxErr
}

// bf16Native is the AMX/AVX-512 implementation of the bfloat16 kernels.
var bf16Native = bf16Kernels{
	rows:      bf16RowsAVX512,
	pairs:     bf16PairsAVX512,
	transpose: transposeTileAVX512,
	dot:       bf16DotAMX,
	store:     storeTileAVX512Checked,
}

// amxTileConfig is the tile configuration of amxTileDot (palette 1): tiles
// 0–7 of 16 rows of 64 bytes.
var amxTileConfig = func() (c [64]byte) {
	c[0] = 1
	for t := range 8 {
		c[16+2*t] = 64
		c[48+t] = 16
	}
	return c
}()

// checkSource panics unless src holds rows rows of cols values ld apart.
func checkSource(src []float32, ld, rows, cols int) {
	if rows < 0 || cols < 0 || cols > ld || rows > 0 && cols > 0 && len(src) < (rows-1)*ld+cols {
		panic("asm: bfloat16 pack: source too short for its shape")
	}
}

// lowBits returns a mask of the lowest n of 16 bits, n clamped to [0, 16].
func lowBits(n int) int { return 1<<min(max(n, 0), 16) - 1 }

func bf16RowsAVX512(t *[tileWords]uint16, src []float32, ld, rows, cols int) {
	if rows > 16 || cols > 32 {
		panic("asm: bfloat16 pack: tile larger than 16×32")
	}
	checkSource(src, ld, rows, cols)
	if rows == 0 || cols == 0 {
		clear(t[:])
		return
	}
	bf16TileRowsAVX512(t, &src[0], ld, rows, lowBits(cols), lowBits(cols-16))
}

func bf16PairsAVX512(t *[tileWords]uint16, src []float32, ld, rows, cols int) {
	if rows > 32 || cols > 16 {
		panic("asm: bfloat16 pack: tile larger than 32×16")
	}
	checkSource(src, ld, rows, cols)
	if rows == 0 || cols == 0 {
		clear(t[:])
		return
	}
	bf16TilePairsAVX512(t, &src[0], ld, rows, lowBits(cols))
}

func bf16DotAMX(kt, pairs int, a, b []uint16, c []float32, ldc int, acc bool) {
	if kt <= 0 || pairs <= 0 {
		panic("asm: bfloat16 dot: empty product")
	}
	if len(a) < 2*kt*tileWords || len(b) < 2*pairs*kt*tileWords || ldc < 32*pairs || len(c) < 31*ldc+32*pairs {
		panic("asm: bfloat16 dot: slice too short for its shape")
	}
	flag := 0
	if acc {
		flag = 1
	}
	amxTileDot(&amxTileConfig, kt, pairs, &a[0], &b[0], &c[0], ldc, flag)
}

func storeTileAVX512Checked(c []float32, ldc int, buf []float32, ldbuf, rows, cols int, alpha, beta float32) {
	if rows <= 0 || cols <= 0 {
		return
	}
	if cols > ldc || cols > ldbuf || len(c) < (rows-1)*ldc+cols || len(buf) < (rows-1)*ldbuf+cols {
		panic("asm: bfloat16 store: slice too short for its shape")
	}
	storeTileAVX512(&c[0], ldc, &buf[0], ldbuf, rows, cols/16, lowBits(cols%16), alpha, beta)
}

// amxTileDot is bf16Kernels.dot on the AMX tiles (configured by cfg),
// adding to c when acc is 1.
//
//go:noescape
func amxTileDot(cfg *[64]byte, kt, pairs int, a, b *uint16, c *float32, ldc, acc int)

// bf16TileRowsAVX512 is bf16Kernels.rows with the column count given as
// the load masks of columns 0–15 (lo) and 16–31 (hi).
//
//go:noescape
func bf16TileRowsAVX512(dst *[tileWords]uint16, src *float32, ld, rows, lo, hi int)

// bf16TilePairsAVX512 is bf16Kernels.pairs with the column count given as
// a load mask.
//
//go:noescape
func bf16TilePairsAVX512(dst *[tileWords]uint16, src *float32, ld, rows, mask int)

// transposeTileAVX512 is bf16Kernels.transpose.
//
//go:noescape
func transposeTileAVX512(t *[tileWords]uint16)

// storeTileAVX512 is bf16Kernels.store for rows ≥ 1 with the column count
// given as full 16-wide chunks and a mask for the rest.
//
//go:noescape
func storeTileAVX512(c *float32, ldc int, buf *float32, ldbuf, rows, full, tail int, alpha, beta float32)
