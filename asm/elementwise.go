package asm

// SiLU computes the sigmoid-weighted linear unit (Elfwing et al. 2018;
// Hendrycks & Gimpel's GELU paper calls it SiLU; PyTorch nn.SiLU):
//
//	for i, v := range x {
//		dst[i] = v * σ(v) // σ(v) = 1/(1+e^(−v))
//	}
//
// σ(v) is evaluated as 1/(1+e) from e = exp(−v), which neither overflows
// nor cancels for v ≥ −87.33 (ln 2⁻¹²⁶), with a polynomial exp (expNeg:
// Cody–Waite reduction, a degree-6 minimax polynomial, scaling by 2ⁿ;
// relative error below 2·2⁻²⁴, measured 1.63·2⁻²⁴). The AVX-512 kernels take
// the reciprocal as VRCP14PS refined by one Newton step, the others divide.
//
// Accuracy, for every implementation (TestSiLUAccuracy, against float64 on
// a dense grid of [−100, 100], random points and every float32 binade): for
// v ≥ −87.33 the relative error is below 5·2⁻²⁴ (measured 2.9·2⁻²⁴) where the
// result is normal, and the absolute error below 2⁻¹⁴⁹ where it is
// subnormal (|v| < 2⁻¹²⁵). Below −87.33 the exact value is smaller than
// 2⁻¹²⁶·|v| in magnitude and the result is −0. SiLU(+Inf) = +Inf, and like
// the loop above, SiLU(−Inf) and SiLU(NaN) are NaN. dst may alias x.
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
// evaluated as dy·(σ + v·(e·σ·σ)) with e = exp(−v) and σ as in SiLU, using
// σ·(1−σ) = e·σ², so that nothing cancels but the final sum (which
// vanishes near v ≈ −1.28). For v ≥ −87.33 the error is below 6·2⁻²⁴ times
// the size of the terms, |dy|·σ(v)·(1 + |v|·(1−σ(v))) (measured 4.8·2⁻²⁴);
// below, σ is taken as 0 and the result is ±0. Infinite or NaN v gives NaN.
// dst may alias x or dy.
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

// AddBiasSiLU is AddBias followed by SiLU in one pass over the matrix: it
// adds bias to every row of the row-major matrix pre, whose row length is
// len(bias), and writes the SiLU of the sums into h,
//
//	for r := 0; r < len(pre); r += len(bias) {
//		for j, b := range bias {
//			pre[r+j] += b
//			h[r+j] = SiLU(pre[r+j])
//		}
//	}
//
// with the same bits as AddBias(pre, bias) and then SiLU(h, pre) under the
// same implementation. A linear layer followed by SiLU keeps pre, its
// pre-activation, for the backward pass (SiLUGrad); without gradients, h
// may be pre itself. len(h) must equal len(pre), a multiple of len(bias);
// otherwise h must not overlap pre.
func AddBiasSiLU(h, pre, bias []float32) {
	checkLen(len(h), len(pre))
	checkRows("AddBiasSiLU", len(pre), len(bias))
	if len(bias) == 0 {
		return
	}
	addBiasSiLU(h, pre, bias)
}

// LinearSiLU is a linear layer with few inputs followed by SiLU, in one
// pass: with out = len(bias) and in = len(w)/out, it sets every row r of h
// (len(x)/in rows) to
//
//	for j, b := range bias {
//		var s float32
//		for c := 0; c < in; c++ {
//			s += x[r*in+c] * w[c*out+j]
//		}
//		h[r*out+j] = SiLU(s + b)
//	}
//
// where w is the layer's weight matrix transposed, in rows of out. Each sum
// is formed as Sgemm's kernels form it, from zero in order of c with a
// fused multiply-add per step in the assembly, so h has the bits of
// Sgemm(false, false, rows, out, in, 1, x, in, w, out, 0, pre, out)
// followed by AddBiasSiLU(h, pre, bias) under the same implementation
// wherever that product takes Sgemm's blocked path (more than four rows
// and more than four columns). It serves the first layer of a network on
// points of a few dimensions, as in 2-D flow matching, where a product's
// cost per call outweighs its arithmetic; the work grows with in, so
// larger layers belong to Sgemm. len(w) must be a multiple of len(bias),
// len(x) of in, and len(h) must be rows·out; h must not overlap x, w or
// bias.
func LinearSiLU(h, x, w, bias []float32) {
	out := len(bias)
	checkRows("LinearSiLU", len(w), out)
	checkRows("LinearSiLU", len(h), out)
	if out == 0 {
		return
	}
	in, rows := len(w)/out, len(h)/out
	checkLen(len(x), rows*in)
	linearSiLU(h, x, w, bias, in)
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
