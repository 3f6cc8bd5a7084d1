package asm

import "math"

// Constants of sinCos1: π/2 = sinCosPio2Hi + sinCosPio2Lo, with sinCosPio2Hi
// holding the leading 33 bits so that n·sinCosPio2Hi is exact for |n| < 2²⁰
// (fdlibm's pio2_1 and pio2_1t), and the Taylor coefficients of sin and cos.
const (
	sinCosPio2Hi    = 1.57079632673412561417e+00
	sinCosPio2Lo    = 6.07710050650619224932e-11
	sinCosTwoOverPi = 2 / math.Pi
	// sinCosMax bounds the arguments sinCos1 reduces itself; beyond it
	// n·sinCosPio2Hi would not be exact.
	sinCosMax = 1 << 19

	sinC3  = -1.0 / 6
	sinC5  = 1.0 / 120
	sinC7  = -1.0 / 5040
	sinC9  = 1.0 / 362880
	sinC11 = -1.0 / 39916800
	cosC2  = -0.5
	cosC4  = 1.0 / 24
	cosC6  = -1.0 / 720
	cosC8  = 1.0 / 40320
	cosC10 = -1.0 / 3628800
	cosC12 = 1.0 / 479001600
)

// sinCosConsts lays the constants out for the assembly: row i is constant i
// repeated 8 times (one AVX-512 vector; AVX2 reads the first 4). The rows
// from 17 on are bit patterns: |x| and sign masks, and the integer 1.
var sinCosConsts = func() (t [20][8]float64) {
	for i, c := range []float64{
		sinCosTwoOverPi, 0.5, sinCosPio2Hi, sinCosPio2Lo,
		sinC3, sinC5, sinC7, sinC9, sinC11,
		cosC2, 1, cosC4, cosC6, cosC8, cosC10, cosC12,
		sinCosMax,
	} {
		for j := range t[i] {
			t[i][j] = c
		}
	}
	for j := range 8 {
		t[17][j] = math.Float64frombits(1<<63 - 1)
		t[18][j] = math.Float64frombits(1 << 63)
		t[19][j] = math.Float64frombits(1)
	}
	return t
}()

// sinCos1 returns sin a and cos a by the algorithm SinCos documents, step
// for step as the assembly computes them.
//
// Every product that feeds a sum is converted explicitly, float64(x*y): the
// Go spec lets a compiler fuse x*y + z into one FMA (gc does on arm64 and
// with GOAMD64=v3), which would change the last bits, and the assembly
// rounds every product.
func sinCos1(a float64) (s, c float64) {
	if !(math.Abs(a) < sinCosMax) {
		return math.Sincos(a)
	}
	q := float64(a * sinCosTwoOverPi)
	// Adding ±0.5 with the sign of q and truncating rounds half away from
	// zero (q = −0 gives −0.5, which truncates to 0 like +0.5).
	n := int64(q + math.Copysign(0.5, q))
	j := float64(n)
	r := (a - float64(j*sinCosPio2Hi)) - float64(j*sinCosPio2Lo)
	// The series in z = r², in Estrin's scheme (shorter dependency chains
	// than Horner's).
	z := r * r
	z2 := z * z
	z4 := z2 * z2
	ps := (sinC3 + float64(z*sinC5)) + float64(z2*(sinC7+float64(z*sinC9))) + float64(z4*sinC11)
	sr := r + float64(r*z*ps)
	pc := (cosC4 + float64(z*cosC6)) + float64(z2*(cosC8+float64(z*cosC10))) + float64(z4*cosC12)
	cr := (1 + float64(z*cosC2)) + float64(z2*pc)
	switch n & 3 {
	case 0:
		return sr, cr
	case 1:
		return cr, -sr
	case 2:
		return -sr, -cr
	}
	return -cr, sr
}

// sinCosGeneric is the reference loop of SinCos.
func sinCosGeneric(s, c, a []float64) {
	s, c = s[:len(a)], c[:len(a)]
	for i, v := range a {
		s[i], c[i] = sinCos1(v)
	}
}

// sinCosFallback recomputes the elements the assembly leaves to
// math.Sincos: |a[i]| ≥ sinCosMax, NaN and ±Inf.
func sinCosFallback(s, c, a []float64) {
	s, c = s[:len(a)], c[:len(a)]
	for i, v := range a {
		if !(math.Abs(v) < sinCosMax) {
			s[i], c[i] = math.Sincos(v)
		}
	}
}

// sinusoidsGeneric is the reference loop of Sinusoids, writing the sines
// sinOff values after the cosines (Sinusoids passes len(freq); the chunked
// assembly driver passes parts of freq).
func sinusoidsGeneric(dst []float32, ld, sinOff int, t []float32, freq []float64) {
	for i, ti := range t {
		row := dst[i*ld:]
		cr, sr := row[:len(freq)], row[sinOff:sinOff+len(freq)]
		for j, f := range freq {
			s, c := sinCos1(float64(ti) * f)
			cr[j], sr[j] = float32(c), float32(s)
		}
	}
}

// sinusoidsFallback recomputes the values the assembly leaves to
// math.Sincos, those whose argument t[i]·freq[j] is not below sinCosMax in
// magnitude (or is NaN).
func sinusoidsFallback(dst []float32, ld, sinOff int, t []float32, freq []float64) {
	for i, ti := range t {
		row := dst[i*ld:]
		for j, f := range freq {
			if a := float64(ti) * f; !(math.Abs(a) < sinCosMax) {
				s, c := math.Sincos(a)
				row[j], row[sinOff+j] = float32(c), float32(s)
			}
		}
	}
}
