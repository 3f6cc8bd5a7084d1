package seqmodel

import "math"

// Constants of sincos: π/2 = pio2Hi + pio2Lo, with pio2Hi holding the
// leading 33 bits so that j·pio2Hi is exact for |j| < 2²⁰ (fdlibm's
// __ieee754_rem_pio2, pio2_1 and pio2_1t).
const (
	pio2Hi    = 1.57079632673412561417e+00
	pio2Lo    = 6.07710050650619224932e-11
	twoOverPi = 2 / math.Pi
	// sincosMax bounds the arguments sincos reduces itself; beyond it
	// j·pio2Hi would not be exact.
	sincosMax = 1 << 19
)

// sincos returns sin(a) and cos(a) with an absolute error below 1e-11 (the
// time embedding rounds them to float32). Arguments are reduced to
// r = a − j·π/2 ∈ [−π/4, π/4] by Cody–Waite in two parts and the Taylor
// series of sin (to r¹¹) and cos (to r¹²) are summed, whose truncation
// errors there are below (π/4)¹³/13! < 1e-11; |a| ≥ sincosMax falls back to
// math.Sincos. TestSincos measures the error against math.Sincos.
func sincos(a float64) (s, c float64) {
	if !(math.Abs(a) < sincosMax) {
		return math.Sincos(a)
	}
	q := a * twoOverPi
	if q >= 0 {
		q += 0.5
	} else {
		q -= 0.5
	}
	n := int64(q) // q rounded half away from zero
	j := float64(n)
	r := (a - j*pio2Hi) - j*pio2Lo
	// The series in r² = z, evaluated in Estrin's scheme (shorter
	// dependency chains than Horner's).
	z := r * r
	z2 := z * z
	z4 := z2 * z2
	sr := r + r*z*((-1.0/6+z*(1.0/120))+z2*(-1.0/5040+z*(1.0/362880))+z4*(-1.0/39916800))
	cr := (1 + z*(-0.5)) + z2*((1.0/24+z*(-1.0/720))+z2*(1.0/40320+z*(-1.0/3628800))+z4*(1.0/479001600))
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
