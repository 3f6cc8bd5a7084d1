//go:build amd64 && gc && !purego && !noasm

package asm

// tailMask holds eight all-ones lanes then eight zero lanes; the AVX2 kernels
// load the mask of their last n < 8 elements from &tailMask[8−n].
var tailMask = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

func silu(dst, x []float32) {
	f := siluGeneric
	switch active {
	case implAVX512:
		f = siluAVX512
	case implAVX2:
		f = siluAVX2
	}
	for len(dst) > chunk {
		f(dst[:chunk], x[:chunk])
		dst, x = dst[chunk:], x[chunk:]
	}
	f(dst, x)
}

func siluGrad(dst, x, dy []float32) {
	f := siluGradGeneric
	switch active {
	case implAVX512:
		f = siluGradAVX512
	case implAVX2:
		f = siluGradAVX2
	}
	for len(dst) > chunk {
		f(dst[:chunk], x[:chunk], dy[:chunk])
		dst, x, dy = dst[chunk:], x[chunk:], dy[chunk:]
	}
	f(dst, x, dy)
}

// Rows narrower than a vector stay in Go: the assembly would spend a masked
// load and store per row, and a masked store forwards to the next row's load
// slowly (BenchmarkAddBias, BenchmarkSumRows cols=2: 11–14 µs against 4–5 µs).

func addBias(dst, bias []float32) {
	if active == implGeneric || len(bias) < 16 {
		addBiasGeneric(dst, bias)
		return
	}
	n := len(bias)
	addRows(dst, n, bias, 0, len(dst)/n, n)
}

func sumRows(dst, x []float32) {
	if active == implGeneric || len(dst) < 16 {
		sumRowsGeneric(dst, x)
		return
	}
	n := len(dst)
	addRows(dst, 0, x, n, len(x)/n, n)
}

// addRows sets y[r*ys+j] += z[r*zs+j] for r < rows, j < n with the active
// assembly, in calls of at most about chunk elements. The caller has checked
// that y and z hold those elements.
func addRows(y []float32, ys int, z []float32, zs int, rows, n int) {
	f := addRowsAVX2
	if active == implAVX512 {
		f = addRowsAVX512
	}
	for j := 0; j < n; j += chunk {
		w := min(chunk, n-j)
		step := max(1, chunk/w)
		for r := 0; r < rows; r += step {
			f(y[r*ys+j:], ys, z[r*zs+j:], zs, min(step, rows-r), w)
		}
	}
}

//go:noescape
func siluAVX512(dst, x []float32)

//go:noescape
func siluGradAVX512(dst, x, dy []float32)

//go:noescape
func addRowsAVX512(y []float32, ys int, z []float32, zs int, rows, n int)

//go:noescape
func siluAVX2(dst, x []float32)

//go:noescape
func siluGradAVX2(dst, x, dy []float32)

//go:noescape
func addRowsAVX2(y []float32, ys int, z []float32, zs int, rows, n int)
