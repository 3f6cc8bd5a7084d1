package metrics

import (
	"fmt"
	"math"
	"slices"
)

// DefaultBandwidths are the kernel widths σ MMD uses for nil bandwidths:
// from about the width of the finest toy-data structure (an 8gaussians
// cluster has σ ≈ 0.17) to twice the unit spread of package dataset's sets.
// Each is half the next, which MMD evaluates with one exponential per pair.
var DefaultBandwidths = [...]float64{0.125, 0.25, 0.5, 1, 2}

// MMD returns the unbiased estimate of the squared maximum mean discrepancy
// between the point sets a and b (row-major, dimension d, n ≥ 2 and m ≥ 2
// points), MMD²ᵤ of Gretton et al., "A kernel two-sample test", JMLR 13
// (2012), eq. (3):
//
//	Σ_{i≠j} k(xᵢ, xⱼ)/(n(n−1)) + Σ_{i≠j} k(yᵢ, yⱼ)/(m(m−1)) − 2·Σ_{i,j} k(xᵢ, yⱼ)/(n·m)
//
// with the mixture of Gaussian kernels k(x, y) = Σ_σ exp(−|x − y|²/(2σ²))
// over bandwidths (nil means DefaultBandwidths), as TorchCFM's mixed-RBF
// MMD. Its expectation is the population MMD², so it can be negative when
// the distributions are equal; for a set compared with itself it is
// −(2/n)·(K − mean_{i≠j} k(xᵢ, xⱼ)) with K the number of bandwidths. It is
// invariant under translations and rotations, and under scaling both sets
// and all bandwidths by the same factor.
//
// Cost: ((n + m)² − n − m)/2 kernel evaluations of d subtractions and
// multiplications each, plus one exponential per bandwidth, except that a
// bandwidth half the next larger one costs two multiplications:
// exp(−r²/(2(σ/2)²)) = exp(−r²/(2σ²))⁴. Runs on up to GOMAXPROCS goroutines.
func MMD(a, b []float32, d int, bandwidths []float64) float64 {
	n, m := points(a, d, "MMD", "a"), points(b, d, "MMD", "b")
	if n < 2 || m < 2 {
		panic(fmt.Sprintf("metrics.MMD: %d and %d points, the unbiased estimate needs at least 2 in each set", n, m))
	}
	if bandwidths == nil {
		bandwidths = DefaultBandwidths[:]
	}
	k := newRBFMix(bandwidths)
	x, y := widen(a), widen(b)
	kxx := 2 * pairSum(x, x, d, true, k.sum)
	kyy := 2 * pairSum(y, y, d, true, k.sum)
	kxy := pairSum(x, y, d, false, k.sum)
	nf, mf := float64(n), float64(m)
	return kxx/(nf*(nf-1)) + kyy/(mf*(mf-1)) - 2*kxy/(nf*mf)
}

// rbfMix evaluates Σₖ exp(−γₖ r²) for γₖ = 1/(2σₖ²).
type rbfMix struct {
	gammas  []float64 // ascending: the widest kernel first
	chained []bool    // chained[k]: gammas[k] = 4·gammas[k−1], so its term is the previous one to the 4th power
}

func newRBFMix(bandwidths []float64) rbfMix {
	if len(bandwidths) == 0 {
		panic("metrics.MMD: no bandwidths")
	}
	k := rbfMix{gammas: make([]float64, len(bandwidths)), chained: make([]bool, len(bandwidths))}
	for i, s := range bandwidths {
		if !(s > 0) || math.IsInf(s, 1) {
			panic(fmt.Sprintf("metrics.MMD: bandwidth %v, want positive and finite", s))
		}
		k.gammas[i] = 1 / (2 * s * s)
	}
	slices.Sort(k.gammas)
	for i := 1; i < len(k.gammas); i++ {
		k.chained[i] = k.gammas[i] == 4*k.gammas[i-1]
	}
	return k
}

// sum returns Σⱼ Σₖ exp(−γₖ r2[j]), using e as scratch for the current term.
func (k rbfMix) sum(r2, e []float64) float64 {
	var s float64
	for i, g := range k.gammas {
		if k.chained[i] {
			for j, v := range e {
				e[j] = fourth(v)
			}
		} else {
			for j, v := range r2 {
				e[j] = math.Exp(-g * v)
			}
		}
		s += sum(e)
	}
	return s
}

// fourth returns v⁴ for v ≥ 0, except that it returns 0 for v < 2⁻²⁵⁵, whose
// fourth power (below 2⁻¹⁰²⁰) is at the edge of the subnormal range that
// x86 multiplies slowly.
func fourth(v float64) float64 {
	if v < 0x1p-255 {
		return 0
	}
	v *= v
	return v * v
}
