//go:build amd64 && gc && !purego && !noasm

package asm

// gemmAVX512 is the AVX-512 micro-kernel: a 12×32 tile of C in 24 zmm
// registers, 24 FMAs per step against 2 loads of B and 12 broadcasts of A.
// On Zen 5 these explicit broadcasts beat broadcasting from memory inside
// each FMA by 10–13 %; on Sapphire Rapids they measured level or slightly
// slower. 14×32, 8×48 and 6×64 tiles and kc ∈ {192, 384}, mc ∈ {120, 480}
// measured alike or slower (see BENCHMARKS.md).
var gemmAVX512 = gemmKernel{mr: 12, nr: 32, kc: 256, mc: 240, nc: 4096, micro: sgemmMicroAVX512}

// gemmAVX2 is the AVX2+FMA micro-kernel: a 6×16 tile of C in 12 ymm
// registers, 12 FMAs per step against 2 loads of B and 6 broadcasts of A
// (a 4×24 tile measured alike).
var gemmAVX2 = gemmKernel{mr: 6, nr: 16, kc: 256, mc: 240, nc: 4096, micro: sgemmMicroAVX2}

// gemmKernelFor returns the SGEMM micro-kernel of implementation im.
func gemmKernelFor(im impl) *gemmKernel {
	switch im {
	case implAVX512:
		return &gemmAVX512
	case implAVX2:
		return &gemmAVX2
	}
	return &gemmGeneric
}

// sgemmMicroAVX512 is gemmKernel.micro for a 12×32 tile.
//
//go:noescape
func sgemmMicroAVX512(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

// sgemmMicroAVX2 is gemmKernel.micro for a 6×16 tile.
//
//go:noescape
func sgemmMicroAVX2(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

// dot4 sets s[j] = Σ_l a[l]·b[j][l] with the active implementation, in
// calls of at most chunk elements.
func dot4(a []float32, b *[dotMaxN][]float32, s *[dotMaxN]float32) {
	f := dot4Generic
	switch active {
	case implAVX512:
		f = dot4AVX512
	case implAVX2:
		f = dot4AVX2
	}
	if len(a) <= chunk {
		f(a, b, s)
		return
	}
	var sum, part [dotMaxN]float32
	for off := 0; off < len(a); off += chunk {
		end := min(off+chunk, len(a))
		rows := [dotMaxN][]float32{b[0][off:end], b[1][off:end], b[2][off:end], b[3][off:end]}
		f(a[off:end], &rows, &part)
		for j := range sum {
			sum[j] += part[j]
		}
	}
	*s = sum
}

// dot4AVX512 and dot4AVX2 are dot4Generic; every b[j] holds len(a) values.
//
//go:noescape
func dot4AVX512(a []float32, b *[dotMaxN][]float32, s *[dotMaxN]float32)

//go:noescape
func dot4AVX2(a []float32, b *[dotMaxN][]float32, s *[dotMaxN]float32)
