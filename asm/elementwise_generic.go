package asm

import "math"

// Constants of expNegAbs, shared with the assembly (which reads them from
// expConsts, each repeated across a 16-lane vector).
const (
	expMin   = -87.33654475 // ln 2⁻¹²⁶: below it exp underflows past normals
	expLog2e = 1.44269504088896341
	expLn2Hi = 0.693359375 // ln 2 = expLn2Hi + expLn2Lo, expLn2Hi exact in 9 bits
	expLn2Lo = -2.12194440e-4
	// Minimax coefficients of (eʳ − 1 − r)/r² on |r| ≤ ln2/2 (Cephes expf).
	expP0 = 5.0000001201e-1
	expP1 = 1.6666665459e-1
	expP2 = 4.1665795894e-2
	expP3 = 8.3334519073e-3
	expP4 = 1.3981999507e-3
	expP5 = 1.9875691500e-4
)

// expConsts lays the constants out for the assembly: row i is constant i
// repeated 16 times, so a kernel can use a row as a full vector operand.
// Rows 11 and 12 are bit patterns: the exponent bias 127 as an int32, and
// the sign bit.
var expConsts = func() (t [13][16]float32) {
	for i, c := range []float32{expMin, expLog2e, expLn2Hi, expLn2Lo, expP0, expP1, expP2, expP3, expP4, expP5, 1} {
		for j := range t[i] {
			t[i][j] = c
		}
	}
	for j := range 16 {
		t[11][j] = math.Float32frombits(127)
		t[12][j] = math.Float32frombits(1 << 31)
	}
	return t
}()

// expNegAbs returns e^(−|x|) in float32 with the algorithm of the assembly:
// Cody–Waite reduction −|x| = n·ln2 + r with n = round(−|x|·log2 e) and
// |r| ≤ ln2/2, a degree-7 polynomial for eʳ, and scaling by 2ⁿ through the
// exponent bits. Results that would be subnormal (|x| > 87.34) are flushed to
// 0, and so is NaN (callers multiply by x, which carries the NaN).
func expNegAbs(x float32) float32 {
	t := math.Float32frombits(math.Float32bits(x) | 1<<31) // −|x|
	if !(t >= expMin) {
		return 0
	}
	// Round to nearest even by adding and subtracting 1.5·2²³: exact for
	// |t·log2 e| < 2²², as VROUNDPS/VRNDSCALEPS round in the assembly.
	n := (float32(t*expLog2e) + 0x1.8p23) - 0x1.8p23
	r := t - n*expLn2Hi
	r = r - n*expLn2Lo
	p := float32(expP5)
	p = p*r + expP4
	p = p*r + expP3
	p = p*r + expP2
	p = p*r + expP1
	p = p*r + expP0
	p = p*(r*r) + r
	p = p + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// sigmoids returns σ(x) and 1 − σ(x) = σ(−x) computed from e = e^(−|x|)
// without cancellation.
func sigmoids(x float32) (s, sm float32) {
	e := expNegAbs(x)
	q := 1 / (1 + e)
	if math.Float32bits(x)>>31 != 0 {
		return e * q, q
	}
	return q, e * q
}

func siluGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		s, _ := sigmoids(v)
		dst[i] = v * s
	}
}

func siluGradGeneric(dst, x, dy []float32) {
	x, dy = x[:len(dst)], dy[:len(dst)]
	for i, v := range x {
		s, sm := sigmoids(v)
		dst[i] = dy[i] * s * (1 + v*sm)
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

// sumRowsGeneric adds the rows of x to dst in order.
func sumRowsGeneric(dst, x []float32) {
	for r := 0; r < len(x); r += len(dst) {
		row := x[r : r+len(dst)]
		for j, v := range row {
			dst[j] += v
		}
	}
}
