package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// DefaultProjections is the number of random directions Compare uses for
// the sliced Wasserstein distance.
const DefaultProjections = 256

// SlicedWasserstein returns the sliced 2-Wasserstein distance between the
// point sets a and b (row-major, dimension d, n and m points):
//
//	SW₂ = √( mean over θ of W₂²(θ·X, θ·Y) )
//
// over `projections` directions θ drawn uniformly from the unit sphere with
// rng (Rabin, Peyré, Delon & Bernot, "Wasserstein barycenter and its
// application to texture mixing", SSVM 2011; Bonneel et al., J. Math.
// Imaging Vis. 51, 2015). The 1-D distance between projections is
// W₂² = ∫₀¹ (F⁻¹(u) − G⁻¹(u))² du over the empirical quantile functions,
// computed exactly by sorting; for n = m it is the mean squared difference
// of the sorted projections. Identical sets give exactly 0, and for d = 1
// (where θ = ±1) the result is the exact W₂. For N(0, I) against N(μ, I) the
// population value is |μ|/√d.
//
// The directions are drawn first, in order, so the result depends on rng's
// state but not on GOMAXPROCS. Cost: projections·((n + m)·d +
// n log n + m log m), on up to GOMAXPROCS goroutines.
func SlicedWasserstein(a, b []float32, d, projections int, rng *rand.Rand) float64 {
	n, m := points(a, d, "SlicedWasserstein", "a"), points(b, d, "SlicedWasserstein", "b")
	if projections < 1 {
		panic(fmt.Sprintf("metrics.SlicedWasserstein: %d projections, want ≥ 1", projections))
	}
	dirs := make([]float64, projections*d)
	for p := range projections {
		randomUnit(dirs[p*d:(p+1)*d], rng)
	}
	w2 := make([]float64, projections)
	parallel(projections, func() func(int) {
		pa, pb := make([]float64, n), make([]float64, m)
		return func(p int) {
			theta := dirs[p*d : (p+1)*d]
			project(pa, a, theta)
			project(pb, b, theta)
			slices.Sort(pa)
			slices.Sort(pb)
			w2[p] = w2Sorted(pa, pb)
		}
	})
	return math.Sqrt(sum(w2) / float64(projections))
}

// randomUnit fills theta with a direction uniform on the unit sphere: a
// standard normal vector, normalised.
func randomUnit(theta []float64, rng *rand.Rand) {
	for {
		var norm2 float64
		for k := range theta {
			theta[k] = rng.NormFloat64()
			norm2 += theta[k] * theta[k]
		}
		if norm2 > 0 {
			norm := math.Sqrt(norm2)
			for k := range theta {
				theta[k] /= norm
			}
			return
		}
	}
}

// project sets dst[i] = θ·xᵢ for the points of set (row-major, dimension len(theta)).
func project(dst []float64, set []float32, theta []float64) {
	d := len(theta)
	for i := range dst {
		var s float64
		for k, t := range theta {
			s += t * float64(set[i*d+k])
		}
		dst[i] = s
	}
}

// w2Sorted returns ∫₀¹ (F⁻¹(u) − G⁻¹(u))² du for the empirical distributions
// of the sorted samples x and y. The quantile functions are step functions
// that change at u = i/n and u = j/m; in units of 1/(n·m) these breakpoints
// are the integers i·m and j·n, so the steps are found exactly.
func w2Sorted(x, y []float64) float64 {
	n, m := len(x), len(y)
	var s float64
	i, j, at := 0, 0, 0
	for i < n && j < m {
		endX, endY := (i+1)*m, (j+1)*n // where the current steps of F⁻¹ and G⁻¹ end
		end := min(endX, endY)
		diff := x[i] - y[j]
		s += float64(end-at) * diff * diff
		at = end
		if endX == end {
			i++
		}
		if endY == end {
			j++
		}
	}
	return s / (float64(n) * float64(m))
}
