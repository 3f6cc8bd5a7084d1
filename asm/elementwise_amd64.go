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

// addBiasSiLU splits the rows between calls like addRows. Rows narrower
// than 16 values (as in addBias) get AddBias and then SiLU over the whole
// matrix, which gives the same bits.
func addBiasSiLU(h, pre, bias []float32) {
	n := len(bias)
	if active == implGeneric {
		addBiasSiLUGeneric(h, pre, bias)
		return
	}
	if n < 16 {
		addBiasGeneric(pre, bias)
		silu(h, pre)
		return
	}
	f := addBiasSiLUAVX2
	if active == implAVX512 {
		f = addBiasSiLUAVX512
	}
	rows := len(pre) / n
	for j := 0; j < n; j += chunk {
		w := min(chunk, n-j)
		step := max(1, chunk/w)
		for r := 0; r < rows; r += step {
			f(h[r*n+j:], pre[r*n+j:], n, bias[j:j+w], min(step, rows-r))
		}
	}
}

// linearSiLU splits the matrix between calls of at most about chunk
// multiply-adds, like addBiasSiLU. Without inputs (in = 0) the sums are
// zero, as Sgemm leaves them, and AddBiasSiLU gives the result.
func linearSiLU(h, x, w, bias []float32, in int) {
	if active == implGeneric {
		linearSiLUGeneric(h, x, w, bias, in)
		return
	}
	if in == 0 {
		clear(h)
		addBiasSiLU(h, h, bias)
		return
	}
	f := linearSiLUAVX2
	if active == implAVX512 {
		f = linearSiLUAVX512
	}
	out := len(bias)
	rows := len(h) / out
	for j := 0; j < out; j += chunk {
		cols := min(chunk, out-j)
		step := max(1, chunk/(cols*in))
		for r := 0; r < rows; r += step {
			f(h[r*out+j:], x[r*in:], in, w[j:], out, bias[j:j+cols], min(step, rows-r))
		}
	}
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
func addBiasSiLUAVX512(h, pre []float32, stride int, bias []float32, rows int)

//go:noescape
func linearSiLUAVX512(h, x []float32, in int, w []float32, stride int, bias []float32, rows int)

//go:noescape
func addRowsAVX512(y []float32, ys int, z []float32, zs int, rows, n int)

//go:noescape
func siluAVX2(dst, x []float32)

//go:noescape
func siluGradAVX2(dst, x, dy []float32)

//go:noescape
func addBiasSiLUAVX2(h, pre []float32, stride int, bias []float32, rows int)

//go:noescape
func linearSiLUAVX2(h, x []float32, in int, w []float32, stride int, bias []float32, rows int)

//go:noescape
func addRowsAVX2(y []float32, ys int, z []float32, zs int, rows, n int)
