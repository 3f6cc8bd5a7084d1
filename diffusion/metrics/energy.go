package metrics

import "math"

// EnergyDistance returns the energy distance between the point sets a and b
// (row-major, dimension d, n and m points):
//
//	2·E|X − Y| − E|X − X'| − E|Y − Y'|
//
// (Székely & Rizzo, "Energy statistics: a class of statistics based on
// distances", J. Stat. Plan. Inference 143, 2013), estimated by the
// V-statistic: each expectation is the mean over all n·m, n² or m² ordered
// pairs, the diagonal (distance 0) included. The V-statistic is the energy
// distance between the two empirical distributions, so it is ≥ 0 up to
// rounding and exactly 0 for two sets holding the same points in the same
// order; it overestimates the population value by E|X − X'|/n + E|Y − Y'|/m.
// The distance is homogeneous of degree 1 (scaling both sets by s scales it
// by |s|) and invariant under translations and rotations.
//
// Cost: n² + m² + n·m distances (d subtractions and multiplications and a
// square root each), on up to GOMAXPROCS goroutines.
func EnergyDistance(a, b []float32, d int) float64 {
	n, m := float64(points(a, d, "EnergyDistance", "a")), float64(points(b, d, "EnergyDistance", "b"))
	x, y := widen(a), widen(b)
	// All three sums run over all ordered pairs in the same order, so equal
	// sets give bitwise-equal terms and a difference of exactly 0.
	exy := pairSum(x, y, d, false, sumSqrt) / (n * m)
	exx := pairSum(x, x, d, false, sumSqrt) / (n * n)
	eyy := pairSum(y, y, d, false, sumSqrt) / (m * m)
	return 2*exy - exx - eyy
}

// sumSqrt returns Σ √r2[k].
func sumSqrt(r2, _ []float64) float64 {
	var s0, s1, s2, s3 float64
	for ; len(r2) >= 4; r2 = r2[4:] {
		s0 += math.Sqrt(r2[0])
		s1 += math.Sqrt(r2[1])
		s2 += math.Sqrt(r2[2])
		s3 += math.Sqrt(r2[3])
	}
	for _, v := range r2 {
		s0 += math.Sqrt(v)
	}
	return (s0 + s1) + (s2 + s3)
}
