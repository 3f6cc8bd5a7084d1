//go:build amd64 && gc && !purego && !noasm

package asm

// fmaPeakAVX512 and fmaPeakAVX2 run n iterations of 24 fused multiply-adds
// into 24 (zmm) or 12 (ymm) independent accumulators of 16 or 8 lanes; the
// loop's speed is the FP32 FMA ceiling of a core (BenchmarkFMAPeak).
//
//go:noescape
func fmaPeakAVX512(n int)

//go:noescape
func fmaPeakAVX2(n int)
