package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Closed forms for X ~ N(0, I) against Y ~ N(μ, I) in dimension d = 2.
//
// Sliced W₂²: each projection is N(0, 1) against N(θ·μ, 1), whose W₂² is
// (θ·μ)²; averaging over uniform θ gives E[(θ·μ)²] = |μ|²/d.
//
// Energy distance: X − Y ~ N(−μ, 2I), so |X − Y| is Rice distributed with
// ν = |μ| and scale s = √2, mean s·√(π/2)·L_{1/2}(−ν²/(2s²)), where
// L_{1/2}(x) = e^{x/2}·((1 − x)·I₀(−x/2) − x·I₁(−x/2)); |X − X'| and |Y − Y'|
// are Rayleigh with mean s·√(π/2) = √π. So
// D = 2√π·(L_{1/2}(−|μ|²/4) − 1).
//
// MMD² with k(x, y) = exp(−|x − y|²/(2σ²)): for Z ~ N(δ, τ²I) in d dimensions,
// E exp(−|Z|²/(2σ²)) is a product of d Gaussian integrals,
// (σ²/(σ² + τ²))^{d/2}·exp(−|δ|²/(2(σ² + τ²))). With τ² = 2 for all three
// pairs and δ = 0, 0, μ:
// MMD² = Σ_σ 2·(σ²/(σ² + 2))^{d/2}·(1 − exp(−|μ|²/(2(σ² + 2)))).

// besselI returns the modified Bessel function I_ν(x) for ν ∈ {0, 1} from its
// power series Σₖ (x/2)^{2k+ν}/(k!(k+ν)!), accurate for the small x used here.
func besselI(nu int, x float64) float64 {
	term := math.Pow(x/2, float64(nu)) // k = 0: (x/2)^ν/(0!·ν!)
	var s float64
	for k := 0; k < 60; k++ {
		s += term
		term *= (x / 2) * (x / 2) / (float64(k+1) * float64(k+1+nu))
	}
	return s
}

// laguerreHalf returns L_{1/2}(x) through the Bessel functions.
func laguerreHalf(x float64) float64 {
	return math.Exp(x/2) * ((1-x)*besselI(0, -x/2) - x*besselI(1, -x/2))
}

// hyp1F1 returns the confluent hypergeometric function ₁F₁(a; b; z) from its
// power series; L_{1/2}(x) = ₁F₁(−½; 1; x) is a second closed form.
func hyp1F1(a, b, z float64) float64 {
	term, s := 1.0, 0.0
	for k := 0; k < 200; k++ {
		s += term
		term *= (a + float64(k)) / (b + float64(k)) * z / float64(k+1)
	}
	return s
}

func energyGaussian(mu2 float64) float64 {
	return 2 * math.Sqrt(math.Pi) * (laguerreHalf(-mu2/4) - 1)
}

func mmdGaussian(mu2 float64, d int, bandwidths []float64) float64 {
	var s float64
	for _, sigma := range bandwidths {
		v := sigma*sigma + 2
		s += 2 * math.Pow(sigma*sigma/v, float64(d)/2) * (1 - math.Exp(-mu2/(2*v)))
	}
	return s
}

func TestRiceMeanClosedForms(t *testing.T) {
	for _, x := range []float64{0, -0.1, -0.5, -1, -2, -4} {
		if a, b := laguerreHalf(x), hyp1F1(-0.5, 1, x); !near(a, b, 1e-13) {
			t.Errorf("L_{1/2}(%g): Bessel form %.16g, ₁F₁ form %.16g", x, a, b)
		}
	}
	// Limits: L_{1/2}(0) = 1, and the Rice mean tends to ν for ν ≫ s.
	if got := laguerreHalf(0); got != 1 {
		t.Errorf("L_{1/2}(0) = %v, want 1", got)
	}
	nu := 8.0
	if mean := math.Sqrt(math.Pi/2) * laguerreHalf(-nu*nu/2); math.Abs(mean-nu) > 1/nu {
		t.Errorf("Rice mean for ν = %g, s = 1: %v, want ≈ ν + 1/(2ν)", nu, mean)
	}
}

// TestGaussianClosedForms compares the mean of independent replicate
// estimates with the closed forms above, within zMax standard errors of
// that mean (estimated from the replicates' spread). The estimators'
// expectations: MMD²ᵤ is unbiased; the energy V-statistic exceeds D by
// E|X − X'|/n + E|Y − Y'|/n = 2√π/n; the sliced W₂² of two samples of N(0, 1)
// and N(c, 1) exceeds c² by the same amount B as with c = 0 (shifting one
// sample by c adds c² + 2c·(mean difference) to the sorted sum), so the
// difference of the μ ≠ 0 and μ = 0 means estimates |μ|²/d.
func TestGaussianClosedForms(t *testing.T) {
	const (
		replicates = 10
		zMax       = 5.0 // two-sided t tail with 9 degrees of freedom: 7e-4
		d          = 2
	)
	n := 2000
	if testing.Short() {
		n = 1000
	}
	shifts := [][]float64{{0, 0}, {0.5, 0}, {1, 1}}
	type stats struct{ sw2, energy, mmd []float64 }
	results := make([]stats, len(shifts))
	for s, mu := range shifts {
		for r := range replicates {
			rng := rand.New(rand.NewPCG(uint64(100*s+r), 42))
			a, b := gaussian(n, []float64{0, 0}, rng), gaussian(n, mu, rng)
			sw := SlicedWasserstein(a, b, d, DefaultProjections, rng)
			results[s].sw2 = append(results[s].sw2, sw*sw)
			results[s].energy = append(results[s].energy, EnergyDistance(a, b, d))
			results[s].mmd = append(results[s].mmd, MMD(a, b, d, nil))
		}
	}
	meanSE := func(v []float64) (mean, se float64) {
		for _, x := range v {
			mean += x
		}
		mean /= float64(len(v))
		var ss float64
		for _, x := range v {
			ss += (x - mean) * (x - mean)
		}
		return mean, math.Sqrt(ss / float64(len(v)-1) / float64(len(v)))
	}
	check := func(what string, mean, se, want float64) {
		t.Helper()
		t.Logf("%s: %.5g ± %.2g, closed form %.5g (z = %.2f)", what, mean, se, want, (mean-want)/se)
		if math.Abs(mean-want) > zMax*se {
			t.Errorf("%s: mean of %d replicates %.5g ± %.2g (SE), closed form %.5g", what, replicates, mean, se, want)
		}
	}
	sw0, sw0SE := meanSE(results[0].sw2)
	for s, mu := range shifts {
		mu2 := mu[0]*mu[0] + mu[1]*mu[1]
		name := fmt.Sprintf("μ=%v n=%d", mu, n)
		if s > 0 {
			mean, se := meanSE(results[s].sw2)
			check(name+" sliced W₂² − (its value at μ=0)", mean-sw0, math.Hypot(se, sw0SE), mu2/d)
		}
		mean, se := meanSE(results[s].energy)
		check(name+" energy distance", mean, se, energyGaussian(mu2)+2*math.Sqrt(math.Pi)/float64(n))
		mean, se = meanSE(results[s].mmd)
		check(name+" MMD² (default σ)", mean, se, mmdGaussian(mu2, d, DefaultBandwidths[:]))
	}
}
