//go:build amd64 && gc && !purego && !noasm

package asm

import (
	"errors"
	"sync"

	"github.com/klauspost/cpuid/v2"
)

// The CPU's bfloat16 instructions: AVX512-BF16's conversion and dot
// product, which every bfloat16 product needs, and the AMX tiles with
// their own dot product, for which the operating system must still grant
// the tile state (enableAMX).
var (
	hasAVX512BF16 = hasAVX512 && cpuid.CPU.Supports(cpuid.AVX512BF16)
	hasAMX        = hasAVX512BF16 && cpuid.CPU.Supports(cpuid.AMXTILE, cpuid.AMXBF16)
)

var (
	amxOnce sync.Once
	amxErr  error
)

// enableAMX asks the operating system, once, for the AMX tile state.
func enableAMX() error {
	if !hasAMX {
		return errors.New("this CPU lacks AMX-BF16")
	}
	amxOnce.Do(func() { amxErr = requestAMX() })
	return amxErr
}

// nativeBF16 returns the fastest bfloat16 kernels this machine runs: the
// AMX tiles where the CPU has them and the operating system grants their
// state, VDPBF16PS in zmm registers elsewhere.
func nativeBF16() (*bf16Kernels, error) {
	switch {
	case !hasAVX512BF16:
		return nil, errors.New("this CPU lacks AVX512-BF16")
	case enableAMX() == nil:
		return &bf16AMX, nil
	}
	return &bf16DP, nil
}

// bf16AMX multiplies on the AMX tiles. They finish W1's and W5's products
// (2²⁶ multiply-adds at most) in about 0.1–0.3 ms, where a second goroutine
// saved nothing measurable (BenchmarkSgemmBF16, threads=1 against 2) and,
// when the cores are busy, its barriers cost whole scheduler time slices;
// 1024³ gains from it (294 against 425 GFLOP/s). Measured on Sapphire
// Rapids before products split over polling workers (parallel), which
// made smaller splits pay on other CPUs.
var bf16AMX = bf16Kernels{
	unit:        "amx",
	parallelMin: 1 << 27,
	rows:        bf16RowsAVX512,
	pairs:       bf16PairsAVX512,
	transpose:   transposeTileAVX512,
	dot:         bf16DotAMX,
	store:       storeTileAVX512Checked,
}

// bf16DP multiplies with AVX512-BF16's VDPBF16PS, on the same packed
// tiles. On a Zen 4 core the dot kernel runs at 2× the float32 FMA loop
// (BenchmarkBF16Dot); a second goroutine made 256³ 1.4–1.7× and
// 1024×256×256 1.6–1.9× faster, and 64³ (2¹⁸) no faster
// (BenchmarkSgemmBF16), as in float32.
var bf16DP = bf16Kernels{
	unit:        "avx512-bf16",
	parallelMin: gemmParallelMin,
	rows:        bf16RowsAVX512,
	pairs:       bf16PairsAVX512,
	transpose:   transposeTileAVX512,
	dot:         bf16DotDP,
	store:       storeTileAVX512Checked,
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

// checkDot panics unless the operands of bf16Kernels.dot fit their shape,
// and returns acc as the 0 or 1 of the assembly.
func checkDot(kt, pairs int, a, b []uint16, c []float32, ldc int, acc bool) int {
	if kt <= 0 || pairs <= 0 {
		panic("asm: bfloat16 dot: empty product")
	}
	if len(a) < 2*kt*tileWords || len(b) < 2*pairs*kt*tileWords || ldc < 32*pairs || len(c) < 31*ldc+32*pairs {
		panic("asm: bfloat16 dot: slice too short for its shape")
	}
	if acc {
		return 1
	}
	return 0
}

func bf16DotAMX(kt, pairs int, a, b []uint16, c []float32, ldc int, acc bool) {
	flag := checkDot(kt, pairs, a, b, c, ldc, acc)
	amxTileDot(&amxTileConfig, kt, pairs, &a[0], &b[0], &c[0], ldc, flag)
}

func bf16DotDP(kt, pairs int, a, b []uint16, c []float32, ldc int, acc bool) {
	flag := checkDot(kt, pairs, a, b, c, ldc, acc)
	dpbf16Dot(kt, pairs, &a[0], &b[0], &c[0], ldc, flag)
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

// dpbf16Dot is bf16Kernels.dot with VDPBF16PS, adding to c when acc is 1.
//
//go:noescape
func dpbf16Dot(kt, pairs int, a, b *uint16, c *float32, ldc, acc int)

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
