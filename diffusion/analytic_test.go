package diffusion_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/seqlab/seqlab/diffusion"
)

// TestAnalyticGammaMatchesOracle checks Analytic-DPM's Monte-Carlo
// estimate of Γ_t = E‖ε̂(x_t)‖²/d (which fixes the optimal variance σ*²)
// from the exact ε-model against the oracle's quadrature value, within 4
// reported standard errors, at times across the linear DDPM schedule and
// VP; and the exact SN head's mean E[E[ε²|x_t] − ε̂²]/d against 1 − Γ_t.
func TestAnalyticGammaMatchesOracle(t *testing.T) {
	const zMax, nodes = 4.0, 80
	g := mixture(t)
	rng := rand.New(rand.NewPCG(81, 82))
	const n = 20000
	x0 := make([]float32, n*2)
	g.Sample(x0, rng)
	for _, name := range []string{"linear", "vp"} {
		s := schedule(t, name)
		m := g.Model(s, diffusion.PredEps)
		times := []float64{0.005, 0.02, 0.1, 0.3, 0.6, 1}
		tab, st, err := diffusion.EstimateGamma(m, times, x0, 5000, rng)
		if err != nil {
			t.Fatal(err)
		}
		if st.NFE != len(times)*n/5000 {
			t.Errorf("%s: NFE %d, want %d", name, st.NFE, len(times)*n/5000)
		}
		for i, tt := range tab.T {
			exact := g.Gamma(s, tt, nodes)
			z := (tab.Gamma[i] - exact) / tab.SE[i]
			t.Logf("%s t=%.3f: Γ estimated %.5f ± %.5f, exact %.5f (%.1f SE)", name, tt, tab.Gamma[i], tab.SE[i], exact, z)
			if math.Abs(z) > zMax {
				t.Errorf("%s t=%g: Γ %.5f ± %.5f, exact %.5f", name, tt, tab.Gamma[i], tab.SE[i], exact)
			}
		}
		// The SN head: E[ε²|x_t] − ε̂², averaged over x_t and coordinates, is 1 − Γ_t.
		head := &diffusion.MixtureNet{G: g, S: s, P: diffusion.PredEps, Head: "sn"}
		tt := 0.1
		k := s.At(tt)
		xt, ts := make([]float32, n*2), make([]float32, n)
		for i := range xt {
			xt[i] = float32(k.Alpha*float64(x0[i]) + k.Sigma*rng.NormFloat64())
		}
		for i := range ts {
			ts[i] = float32(tt)
		}
		h, e := make([]float32, n*2), make([]float32, n*2)
		if err := head.Predict(h, xt, ts, nil); err != nil {
			t.Fatal(err)
		}
		if err := m.Net.Predict(e, xt, ts, nil); err != nil {
			t.Fatal(err)
		}
		var sum, sum2 float64
		for i := 0; i < len(h); i += 2 {
			v := (float64(h[i]) - sq(float64(e[i])) + float64(h[i+1]) - sq(float64(e[i+1]))) / 2
			sum += v
			sum2 += v * v
		}
		mean := sum / n
		se := math.Sqrt((sum2/n - mean*mean) / (n - 1))
		want := 1 - g.Gamma(s, tt, nodes)
		if math.Abs(mean-want) > zMax*se {
			t.Errorf("%s: SN head's mean conditional variance %.5f ± %.5f, want 1 − Γ = %.5f", name, mean, se, want)
		}
	}
}

// TestAnalyticDPMTable is the Analytic-DPM experiment against the mixture
// oracle: sample quality (energy distance to fresh data, n = 2000) and the
// negative ELBO in bits/dim of DDPM (σ² = β̃), DDIM (η = 0) and their
// Analytic-DPM versions on the linear schedule (N = 1000) with K ∈ {10, 25,
// 50, 100} uniformly spaced steps, Γ estimated from 10000 data points, and
// SN-DPM with the exact covariance head; NLL in bits/dim. The
// analytic variance is KL-optimal, so its bound must beat β̃ at every K;
// every bound must lie above the true NLL of the test points (less 4
// standard errors of the bound's Monte-Carlo average); and at K = 10 the
// analytic samples must be closer to the data than DDPM's.
func TestAnalyticDPMTable(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 1000
	}
	g := mixture(t)
	rng := rand.New(rand.NewPCG(91, 92))
	s := schedule(t, "linear")
	m := g.Model(s, diffusion.PredEps)
	x0 := make([]float32, 10000*2)
	g.Sample(x0, rng)
	// Γ at every time any of the trajectories visits.
	var all []float64
	for _, K := range []int{10, 25, 50, 100} {
		o := diffusion.DefaultOptions()
		o.Steps, o.Spacing = K, "uniform"
		ts, err := diffusion.GammaTimes(s, o)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ts...)
	}
	tab, _, err := diffusion.EstimateGamma(m, all, x0, 5000, rng)
	if err != nil {
		t.Fatal(err)
	}
	test := make([]float32, n*2)
	g.Sample(test, rng)
	var trueNLL float64
	for i := 0; i < n; i++ {
		trueNLL -= g.LogDensity(s, 0, []float64{float64(test[2*i]), float64(test[2*i+1])})
	}
	trueBPD := diffusion.BitsPerDim(-trueNLL/float64(n), 2, 0)
	var b strings.Builder
	snHead := &diffusion.MixtureNet{G: g, S: s, P: diffusion.PredEps, Head: "sn"}
	names := []string{"ddpm", "analytic-ddpm", "sn-ddpm", "ddim", "analytic-ddim"}
	fmt.Fprintf(&b, "\n| K | ddpm ED | analytic-ddpm ED | sn-ddpm ED | ddim ED | analytic-ddim ED | ddpm NLL | analytic-ddpm NLL | sn-ddpm NLL |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, K := range []int{10, 25, 50, 100} {
		ed := map[string]float64{}
		nll := map[string]float64{}
		for _, name := range names {
			o := diffusion.DefaultOptions()
			o.Steps, o.Spacing, o.Gamma, o.Cov = K, "uniform", tab, snHead
			smp, err := diffusion.NewSampler(name, o)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, n*2)
			if _, err := smp.Sample(x, m, n, nil, rng); err != nil {
				t.Fatal(err)
			}
			ref := make([]float32, n*2)
			g.Sample(ref, rng)
			ed[name] = energyDistance(x, ref, 2)
			if strings.HasSuffix(name, "ddpm") {
				l := make([]float64, n)
				if _, err := smp.(*diffusion.DDIMSampler).NLL(l, m, test, 0, rng); err != nil {
					t.Fatal(err)
				}
				var sum, sum2 float64
				for _, v := range l {
					sum += v
					sum2 += v * v
				}
				mean := sum / float64(n)
				se := math.Sqrt((sum2/float64(n) - mean*mean) / float64(n-1))
				nll[name] = diffusion.BitsPerDim(-mean, 2, 0)
				seBPD := se / (2 * math.Ln2)
				if nll[name] < trueBPD-4*seBPD {
					t.Errorf("K=%d %s: bound %.4f ± %.4f bits/dim below the true NLL %.4f", K, name, nll[name], seBPD, trueBPD)
				}
			}
		}
		fmt.Fprintf(&b, "| %d | %.4f | %.4f | %.4f | %.4f | %.4f | %.3f | %.3f | %.3f |\n", K, ed["ddpm"], ed["analytic-ddpm"], ed["sn-ddpm"], ed["ddim"], ed["analytic-ddim"], nll["ddpm"], nll["analytic-ddpm"], nll["sn-ddpm"])
		if !(nll["analytic-ddpm"] < nll["ddpm"]) {
			t.Errorf("K=%d: analytic NLL %.3f not below DDPM's %.3f", K, nll["analytic-ddpm"], nll["ddpm"])
		}
		if K == 10 && !(ed["analytic-ddpm"] < ed["ddpm"]) {
			t.Errorf("K=10: analytic-ddpm energy distance %.4f not below ddpm's %.4f", ed["analytic-ddpm"], ed["ddpm"])
		}
	}
	fmt.Fprintf(&b, "true NLL of the test points: %.3f bits/dim\n", trueBPD)
	t.Log(b.String())
}

// TestCovHeadObjective checks the targets of the SN and NPR heads and that
// the exact oracle heads, E[ε²|x_t] and Var[ε|x_t], have a lower mean
// squared error against them than the same heads scaled by 0.9 or 1.1.
func TestCovHeadObjective(t *testing.T) {
	g := mixture(t)
	rng := rand.New(rand.NewPCG(101, 102))
	base, err := diffusion.NewObjective("ddpm", "")
	if err != nil {
		t.Fatal(err)
	}
	s := base.Schedule()
	eps := g.Model(s, diffusion.PredV) // any parameterisation: CovHead converts
	const n = 20000
	x0 := make([]float32, n*2)
	g.Sample(x0, rng)
	for _, tc := range []struct {
		o    *diffusion.CovHead
		head string
	}{
		{&diffusion.CovHead{Base: base}, "sn"},
		{&diffusion.CovHead{Base: base, Eps: &eps}, "npr"},
	} {
		xt, tt, target := make([]float32, n*2), make([]float32, n), make([]float32, n*2)
		tc.o.Draw(xt, tt, target, x0, rng)
		if err := tc.o.Err(); err != nil {
			t.Fatal(err)
		}
		out := make([]float32, n*2)
		net := &diffusion.MixtureNet{G: g, S: s, P: diffusion.PredEps, Head: tc.head}
		if err := net.Predict(out, xt, tt, nil); err != nil {
			t.Fatal(err)
		}
		loss := func(scale float64) float64 {
			var l float64
			for i := range out {
				l += sq(scale*float64(out[i]) - float64(target[i]))
			}
			return l / float64(len(out))
		}
		l, lo, hi := loss(1), loss(0.9), loss(1.1)
		t.Logf("%s: loss of the exact head %.4f; scaled by 0.9: %.4f, by 1.1: %.4f", tc.o.Name(), l, lo, hi)
		if !(l < lo && l < hi) {
			t.Errorf("%s: the exact head's loss %.4f is not below the scaled heads' %.4f, %.4f", tc.o.Name(), l, lo, hi)
		}
	}
}

// TestAnalyticVarianceBounds checks Analytic-DPM's clipping: with Γ = 0 and
// a data half-range R the variance is the upper bound λ² + a²R² (the
// unclipped value is larger), and with Γ ≥ 1 the lower bound λ² (here 0 for
// DDIM η = 0, so the sampler is deterministic).
func TestAnalyticVarianceBounds(t *testing.T) {
	g := mixture(t)
	s := schedule(t, "linear")
	m := g.Model(s, diffusion.PredEps)
	run := func(gamma, halfRange float64, seed uint64) []float32 {
		o := diffusion.DefaultOptions()
		o.Steps, o.DataHalfRange = 5, halfRange
		o.Gamma = &diffusion.GammaTable{T: []float64{0, 1}, Gamma: []float64{gamma, gamma}}
		smp, err := diffusion.NewSampler("analytic-ddim", o)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 200*2)
		if _, err := smp.Sample(x, m, 200, nil, rand.New(rand.NewPCG(seed, seed))); err != nil {
			t.Fatal(err)
		}
		return x
	}
	// Γ ≥ 1: no noise, so the result does not depend on anything but the prior.
	a, b := run(1.5, 0, 1), run(1.5, 0, 1)
	o := diffusion.DefaultOptions()
	o.Steps = 5
	ddim, _ := diffusion.NewSampler("ddim", o)
	det := func(seed uint64) []float32 {
		c := make([]float32, 200*2)
		if _, err := ddim.Sample(c, m, 200, nil, rand.New(rand.NewPCG(seed, seed))); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := det(1)
	for i := range a {
		if a[i] != b[i] || a[i] != c[i] {
			t.Fatalf("Γ ≥ 1: analytic-ddim differs from deterministic DDIM at %d: %g, %g", i, a[i], c[i])
		}
	}
	// Γ = 0 with a tiny range R: each of the 5 steps adds noise of standard
	// deviation at most a·R ≤ R, so the deviation from DDIM stays within
	// 5 steps × 5 standard deviations × R (later steps move it by factors
	// near 1), while the unclipped noise is of the data's scale.
	const r = 1e-3
	tight, loose := run(0, r, 2), run(0, 0, 2)
	c = det(2)
	var dt, dl float64
	for i := range tight {
		dt = math.Max(dt, math.Abs(float64(tight[i]-c[i])))
		dl = math.Max(dl, math.Abs(float64(loose[i]-c[i])))
	}
	t.Logf("max deviation from DDIM: clipped to R=%g: %.2e, unclipped: %.2e", r, dt, dl)
	if dt > 25*r || !(dl > 10*dt) {
		t.Errorf("clipped to R=%g, the deviation from DDIM is %.2e (unclipped %.2e)", r, dt, dl)
	}
}

// TestNLLPointMassIsInfinite checks that a covariance head leaving no
// variance at the decoder step gives an infinite bound, not NaN: with an
// SN head that predicts E[ε²|x_t] = 0, every σ² is clipped to its lower
// bound, which is 0 at the last step.
func TestNLLPointMassIsInfinite(t *testing.T) {
	g := mixture(t)
	s := schedule(t, "linear")
	m := g.Model(s, diffusion.PredEps)
	zero := diffusion.NetworkFunc{D: 2, F: func(dst, x, t []float32, _ []int32) error { clear(dst); return nil }}
	o := diffusion.DefaultOptions()
	o.Steps, o.Cov = 10, zero
	smp, err := diffusion.NewSampler("sn-ddpm", o)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	x0 := make([]float32, 2*50)
	g.Sample(x0, rng)
	nll := make([]float64, 50)
	if _, err := smp.(*diffusion.DDIMSampler).NLL(nll, m, x0, 0, rng); err != nil {
		t.Fatal(err)
	}
	for i, v := range nll {
		if !math.IsInf(v, 1) {
			t.Fatalf("sample %d: bound %v, want +Inf", i, v)
		}
	}
}
