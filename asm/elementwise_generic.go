package asm

import "math"

// Constants of expNeg, shared with the assembly (which reads them from
// expConsts, each repeated across a 16-lane vector).
const (
	expMin      = -87.33654475 // ln 2⁻¹²⁶: e^x is normal for x ≥ expMin
	expMax      = -expMin
	expNegLog2e = -1.44269504088896341
	expLn2Hi    = 0.693359375 // ln 2 = expLn2Hi + expLn2Lo, expLn2Hi exact in 9 bits
	expLn2Lo    = -2.12194440e-4
	// expShift = 1.5·2²³ + 127: v + expShift rounds v (|v| < 2²²) to the
	// nearest integer n, ties to even, and leaves n + 127, the biased
	// exponent of 2ⁿ, in the low mantissa bits.
	expShift = 0x1.8p23 + 127
	// Coefficients of eʳ ≈ 1 + r·(1 + r·(C2 + r·(C3 + r·(C4 + r·(C5 +
	// r·C6))))) on |r| ≤ ln2/2: the minimax fit of the relative error with
	// the first two Taylor coefficients fixed (Remez exchange in 40-digit
	// arithmetic), rounded to float32. The rounded polynomial, evaluated
	// exactly, is within 0.093·2⁻²⁴ of eʳ relative.
	expC2 = 0x1.fffffep-2
	expC3 = 0x1.55547ep-3
	expC4 = 0x1.555638p-5
	expC5 = 0x1.1246dap-7
	expC6 = 0x1.6c350cp-10
)

// expConsts lays the constants out for the assembly: row i is constant i
// repeated 16 times, so a kernel can use a row as a full vector operand.
// The byte offsets of the rows are the EC_* macros of elementwise_amd64.s.
var expConsts = func() (t [12][16]float32) {
	for i, c := range []float32{expMin, expMax, expNegLog2e, expLn2Hi, expLn2Lo, expC2, expC3, expC4, expC5, expC6, 1, expShift} {
		for j := range t[i] {
			t[i][j] = c
		}
	}
	return t
}()

// expNeg returns e^(−x) in float32 with the algorithm of the assembly:
// Cody–Waite reduction −x = n·ln2 + r with n = round(−x·log2 e) and
// |r| ≤ ln2/2, the degree-6 polynomial of eʳ above, and scaling by 2ⁿ
// through the exponent bits. x must be at least expMin (callers handle
// smaller x, where e^(−x) overflows, separately). Results that would be
// subnormal (x > expMax) are flushed to 0, and so is NaN. The relative
// error is below 2·2⁻²⁴ (TestExpNegAccuracy).
func expNeg(x float32) float32 {
	if !(x <= expMax) {
		return 0
	}
	// The assembly fuses the product into the addition; rounding it first
	// can move n by one where x·log2 e is within 2⁻¹⁸ of a half-integer,
	// which leaves |r| within 2⁻¹⁸ of ln2/2, still inside the range the
	// polynomial was fitted and tested on.
	k := float32(x*expNegLog2e) + expShift
	n := k - expShift
	r := -x - n*expLn2Hi // exact: n·expLn2Hi has at most 16 bits
	r = r - n*expLn2Lo
	p := float32(expC6)
	p = p*r + expC5
	p = p*r + expC4
	p = p*r + expC3
	p = p*r + expC2
	p = p*r + 1
	p = p*r + 1
	return p * math.Float32frombits(math.Float32bits(k)<<23) // 2ⁿ
}

// sigmoid returns σ(x) = 1/(1+e) and e = e^(−x) as the assembly computes
// them (up to the rounding of the reciprocal, which AVX-512 takes from
// VRCP14PS and a Newton step). Neither 1+e nor 1 − σ(x) = e·σ(x) cancels,
// whatever x's sign.
// Where x < expMin (σ(x) < 2⁻¹²⁶) or x is NaN, both are returned as 0.
func sigmoid(x float32) (s, e float32) {
	if !(x >= expMin) {
		return 0, 0
	}
	e = expNeg(x)
	return 1 / (1 + e), e
}

func siluGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		s, _ := sigmoid(v)
		dst[i] = v * s
	}
}

// siluGradGeneric evaluates dy·σ·(1 + x·(1−σ)) as dy·(σ + x·(e·σ·σ)), the
// order of the assembly, with σ·(1−σ) = e·σ² (e = e^(−x)).
func siluGradGeneric(dst, x, dy []float32) {
	x, dy = x[:len(dst)], dy[:len(dst)]
	for i, v := range x {
		s, e := sigmoid(v)
		dst[i] = dy[i] * (s + v*(e*s*s))
	}
}

func addBiasGeneric(dst, bias []float32) {
	for r := 0; r < len(dst); r += len(bias) {
		row := dst[r : r+len(bias)]
		for j, b := range bias {
			row[j] += b
		}
	}
}

// addBiasSiLUGeneric adds bias to every row of pre and writes the SiLU of
// the sums into h, in one pass.
func addBiasSiLUGeneric(h, pre, bias []float32) {
	for r := 0; r < len(pre); r += len(bias) {
		row, out := pre[r:r+len(bias)], h[r:r+len(bias)]
		for j, b := range bias {
			v := row[j] + b
			row[j] = v
			s, _ := sigmoid(v)
			out[j] = v * s
		}
	}
}

// linearSiLUGeneric forms each sum as sgemmMicroGeneric does, from zero in
// order of c, and adds the bias and takes the SiLU as addBiasSiLUGeneric
// does; the sums of a row accumulate in h.
func linearSiLUGeneric(h, x, w, bias []float32, in int) {
	out := len(bias)
	for r := 0; r < len(h)/out; r++ {
		hr := h[r*out : (r+1)*out]
		clear(hr)
		for c, v := range x[r*in : (r+1)*in] {
			for j, wv := range w[c*out : (c+1)*out] {
				hr[j] += v * wv
			}
		}
		for j, b := range bias {
			v := hr[j] + b
			sg, _ := sigmoid(v)
			hr[j] = v * sg
		}
	}
}

// sumRowsGeneric adds the rows of x to dst in order.
func sumRowsGeneric(dst, x []float32) {
	for r := 0; r < len(x); r += len(dst) {
		row := x[r : r+len(dst)]
		for j, v := range row {
			dst[j] += v
		}
	}
}
