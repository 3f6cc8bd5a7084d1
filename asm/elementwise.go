package asm

// SiLU computes the sigmoid-weighted linear unit (Elfwing et al. 2018;
// Hendrycks & Gimpel's GELU paper calls it SiLU; PyTorch nn.SiLU):
//
//	for i, v := range x {
//		dst[i] = v * σ(v) // σ(v) = 1/(1 + e^(−v))
//	}
//
// σ is evaluated without overflow from e = exp(−|v|) as 1/(1+e) for v ≥ 0
// and e/(1+e) for v < 0, with a polynomial exp (expNegAbs, relative error
// below 2·2⁻²⁴, measured 1.3·2⁻²⁴). For v ≥ −87.33 the relative error of the
// result is below 5·2⁻²⁴ (measured 3.4·2⁻²⁴ by TestSiLUAccuracy); below, the
// exact value is under 2⁻¹¹⁹·|v| in magnitude and the result is −0. Like the
// loop above, SiLU(−Inf) is NaN. dst may alias x.
func SiLU(dst, x []float32) {
	checkLen(len(dst), len(x))
	silu(dst, x)
}

// SiLUGrad computes the SiLU backward pass, the derivative of v·σ(v) times
// the upstream gradient:
//
//	for i, v := range x {
//		dst[i] = dy[i] * σ(v) * (1 + v*(1−σ(v)))
//	}
//
// with σ and 1−σ(v) = σ(−v) both evaluated from e = exp(−|v|) as in SiLU, so
// neither cancels. The error is below 6·2⁻²⁴ times the size of the terms,
// |dy|·σ(v)·(1 + |v|·(1−σ(v))) (measured 4.2·2⁻²⁴). dst may alias x or dy.
func SiLUGrad(dst, x, dy []float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(dy))
	siluGrad(dst, x, dy)
}

// AddBias adds bias to every row of the row-major matrix dst, whose row
// length is len(bias):
//
//	for r := 0; r < len(dst); r += len(bias) {
//		for j, b := range bias {
//			dst[r+j] += b
//		}
//	}
//
// len(dst) must be a multiple of len(bias).
func AddBias(dst, bias []float32) {
	checkRows("AddBias", len(dst), len(bias))
	if len(bias) == 0 {
		return
	}
	addBias(dst, bias)
}

// SumRows sums the rows of the row-major matrix x, whose row length is
// len(dst), into dst (the bias gradient of a linear layer):
//
//	clear(dst)
//	for r := 0; r < len(x); r += len(dst) {
//		for j := range dst {
//			dst[j] += x[r+j]
//		}
//	}
//
// The rows are added in order, in float32. len(x) must be a multiple of
// len(dst); dst must not overlap x.
func SumRows(dst, x []float32) {
	checkRows("SumRows", len(x), len(dst))
	clear(dst)
	if len(dst) == 0 {
		return
	}
	sumRows(dst, x)
}

// checkLen panics when two slices that must have the same length do not.
func checkLen(a, b int) {
	if a != b {
		panic("asm: slice length mismatch")
	}
}

// checkRows panics unless a matrix of total length n splits into rows of
// length row.
func checkRows(name string, n, row int) {
	if row == 0 && n != 0 || row != 0 && n%row != 0 {
		panic("asm: " + name + ": matrix length is not a multiple of the row length")
	}
}

// chunk is the most elements one assembly call processes; longer slices are
// processed in a Go loop over chunks so that the goroutine can be preempted
// between calls (assembly is not preemptible; golang/go#64417).
const chunk = 1 << 15
