package asm

// SinCos computes the sine and cosine of every element of a in float64:
//
//	for i, v := range a {
//		s[i], c[i] = sinCos1(v) // sin v, cos v
//	}
//
// sinCos1 (sincos_generic.go) reduces v to r = v − n·π/2 ∈ [−π/4, π/4] by
// Cody–Waite in two parts (fdlibm's __ieee754_rem_pio2 constants pio2_1 and
// pio2_1t), with n = v·2/π rounded half away from zero, sums the Taylor
// series of sin r (to r¹¹) and cos r (to r¹²) in Estrin's scheme, and picks
// ±sin r or ±cos r by the quadrant n mod 4. Arguments with |v| ≥ 2¹⁹, NaN
// and ±Inf are passed to math.Sincos. For |v| < 2¹⁹ the absolute error
// against math.Sincos is below 1e-11: the series' truncation error is at
// most (π/4)¹³/13! = 7.0e-12, and TestSinCosAccuracy measures 6.9e-12, at
// v = π/4. That is ample for the float32 sinusoids this is for.
//
// Every implementation performs the same IEEE operations in the same order,
// without fused multiply-adds, so results are bit-identical on every CPU and
// build. s, c and a must have the same length; s and c must not overlap a or
// each other.
func SinCos(s, c, a []float64) {
	checkLen(len(s), len(a))
	checkLen(len(c), len(a))
	sinCos(s, c, a)
}

// Sinusoids writes the cosines and sines of the products t[i]·freq[j],
// rounded to float32, into the rows of the row-major matrix dst with row
// stride ld: row i holds the cosines in its first len(freq) values and the
// sines in the next len(freq), as the sinusoidal time and position
// embeddings of DiT and FLUX (cosine first) lay them out:
//
//	nf := len(freq)
//	for i, ti := range t {
//		row := dst[i*ld : (i+1)*ld]
//		for j, f := range freq {
//			s, c := sinCos1(float64(ti) * f)
//			row[j], row[nf+j] = float32(c), float32(s)
//		}
//	}
//
// with SinCos's sinCos1, so the values are bit-identical on every CPU and
// within 1e-11 of math.Sincos before the rounding. Values past 2·len(freq)
// in each row are left as they are. len(dst) must be len(t)·ld and ld at
// least 2·len(freq).
func Sinusoids(dst []float32, ld int, t []float32, freq []float64) {
	if ld < 2*len(freq) || len(dst) != len(t)*ld {
		panic("asm: Sinusoids: need ld ≥ 2·len(freq) and len(dst) = len(t)·ld")
	}
	if len(t) == 0 || len(freq) == 0 {
		return
	}
	sinusoids(dst, ld, t, freq)
}
