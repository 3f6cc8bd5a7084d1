package diffusion_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/seqlab/seqlab/diffusion"
)

// pfodeError integrates the exact mixture PF-ODE from t0 to t1 for the
// points x1 with the sampler s and returns the RMS distance to the float64
// reference map and the NFE.
func pfodeError(t *testing.T, g *diffusion.GaussianMixture, m diffusion.Model, s *diffusion.ODESampler, x1 []float32, ref []float64, t0, t1 float64) (float64, int) {
	x := append([]float32(nil), x1...)
	st, err := s.Solve(x, m, nil, t0, t1)
	if err != nil {
		t.Fatal(err)
	}
	var e float64
	for i := range x {
		e += sq(float64(x[i]) - ref[i])
	}
	return math.Sqrt(e / float64(len(x)/g.Dim())), st.NFE
}

func pfodeReference(t *testing.T, g *diffusion.GaussianMixture, s diffusion.Schedule, x1 []float32, t0, t1 float64) []float64 {
	d := g.Dim()
	ref := make([]float64, len(x1))
	for i := 0; i < len(x1); i += d {
		x := make([]float64, d)
		for j := range x {
			x[j] = float64(x1[i+j])
		}
		if err := g.FlowMap(ref[i:i+d], x, s, t0, t1); err != nil {
			t.Fatal(err)
		}
	}
	return ref
}

// TestPFODEOrders measures the convergence order of the fixed-step solvers
// on the exact probability-flow ODE of the mixture against the float64
// reference map, on condot over [1, 0] and on VP over [1, 0.05] (below
// t ≈ 0.05 VP's σ'_t ~ t^{-1/2} makes the field stiff and the asymptotic
// regime needs steps where float32 roundoff, ~1e-6 here, dominates). Step
// counts keep the error between ~5e-2 and ~4e-6, above the float32 floor
// (~1e-7·|x| per step), and in the asymptotic range (rk4 on condot is still
// pre-asymptotic below 12 steps: order 3.1 over 4…12).
func TestPFODEOrders(t *testing.T) {
	const orderTol = 0.3
	g := mixture(t)
	rng := rand.New(rand.NewPCG(3, 4))
	x1 := make([]float32, 16*2)
	for i := range x1 {
		x1[i] = float32(rng.NormFloat64())
	}
	for _, sc := range []struct {
		schedule string
		t1       float64
		steps    map[string][]int
	}{
		{"condot", 0, map[string][]int{
			"euler": {32, 64, 128, 256}, "heun": {16, 32, 64, 128}, "midpoint": {16, 32, 64, 128}, "rk4": {12, 16, 20, 24},
		}},
		{"vp", 0.05, map[string][]int{
			"euler": {32, 64, 128, 256}, "heun": {16, 32, 64, 128}, "midpoint": {16, 32, 64, 128}, "rk4": {8, 12, 16, 24},
		}},
	} {
		s := schedule(t, sc.schedule)
		m := g.Model(s, diffusion.PredVelocity)
		ref := pfodeReference(t, g, s, x1, 1, sc.t1)
		for _, method := range []string{"euler", "heun", "midpoint", "rk4"} {
			want := map[string]float64{"euler": 1, "heun": 2, "midpoint": 2, "rk4": 4}[method]
			var hs, errs []float64
			for _, k := range sc.steps[method] {
				e, _ := pfodeError(t, g, m, &diffusion.ODESampler{Method: method, Steps: k, Spacing: "uniform"}, x1, ref, 1, sc.t1)
				hs = append(hs, 1/float64(k))
				errs = append(errs, e)
			}
			got := slope(hs, errs)
			t.Logf("%s %s: RMS errors %.2e at steps %v: order %.2f", sc.schedule, method, errs, sc.steps[method], got)
			if !(math.Abs(got-want) <= orderTol) {
				t.Errorf("%s %s: order %.2f, want %g ± %g", sc.schedule, method, got, want, orderTol)
			}
		}
	}
}

// TestRK45BeatsFixedSteps integrates the exact condot PF-ODE with rk45 at
// rtol = atol = 1e-5; each fixed-step method given the same number of
// evaluations must end with a larger error (equivalently: it needs more
// evaluations for rk45's error), and rk45's error must stay within 100× the
// tolerance (a global error; the tolerance bounds the local one). rk4 is
// logged, not asserted: on this smooth field it is on par with rk45.
func TestRK45BeatsFixedSteps(t *testing.T) {
	const tol, globalFactor = 1e-5, 100
	g := mixture(t)
	rng := rand.New(rand.NewPCG(5, 6))
	x1 := make([]float32, 16*2)
	for i := range x1 {
		x1[i] = float32(rng.NormFloat64())
	}
	s := schedule(t, "condot")
	m := g.Model(s, diffusion.PredVelocity)
	ref := pfodeReference(t, g, s, x1, 1, 0)
	e45, nfe45 := pfodeError(t, g, m, &diffusion.ODESampler{Method: "rk45", RTol: tol, ATol: tol}, x1, ref, 1, 0)
	t.Logf("rk45: RMS error %.2e with %d NFE", e45, nfe45)
	if !(e45 <= globalFactor*tol) {
		t.Errorf("rk45 error %.2e above %g × tolerance", e45, float64(globalFactor))
	}
	for _, method := range []string{"euler", "heun", "midpoint", "rk4"} {
		stages := map[string]int{"euler": 1, "heun": 2, "midpoint": 2, "rk4": 4}[method]
		k := nfe45 / stages
		e, nfe := pfodeError(t, g, m, &diffusion.ODESampler{Method: method, Steps: k, Spacing: "uniform"}, x1, ref, 1, 0)
		t.Logf("%s: RMS error %.2e with %d NFE", method, e, nfe)
		if method != "rk4" && e <= e45 {
			t.Errorf("%s reaches %.2e with %d NFE, rk45 %.2e with %d", method, e, nfe, e45, nfe45)
		}
	}
}

// TestDDIMEta0IsPFODEMap checks that deterministic DDIM on VP converges to
// the exact probability-flow map from the prior to the data, at first order
// in the number of steps.
func TestDDIMEta0IsPFODEMap(t *testing.T) {
	const orderTol, finalTol = 0.3, 5e-3
	g := mixture(t)
	s := schedule(t, "vp")
	m := g.Model(s, diffusion.PredEps)
	const n, seed = 16, 11
	// The prior DDIM draws: σ_1·N(0, I) from the same stream.
	x1 := make([]float32, n*2)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range x1 {
		x1[i] = float32(s.At(1).Sigma * r.NormFloat64())
	}
	ref := pfodeReference(t, g, s, x1, 1, 0)
	var hs, errs []float64
	steps := []int{100, 200, 400, 800}
	for _, k := range steps {
		o := diffusion.DefaultOptions()
		o.Steps, o.Spacing = k, "uniform"
		smp, err := diffusion.NewSampler("ddim", o)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, n*2)
		if _, err := smp.Sample(x, m, n, nil, rand.New(rand.NewPCG(seed, seed))); err != nil {
			t.Fatal(err)
		}
		var e float64
		for i := range x {
			e += sq(float64(x[i]) - ref[i])
		}
		hs = append(hs, 1/float64(k))
		errs = append(errs, math.Sqrt(e/n))
	}
	got := slope(hs, errs)
	t.Logf("DDIM(η=0) vs the PF-ODE map: RMS errors %.2e at steps %v: order %.2f", errs, steps, got)
	if !(math.Abs(got-1) <= orderTol) || !(errs[len(errs)-1] <= finalTol) {
		t.Errorf("order %.2f (want 1 ± %g), error at %d steps %.2e (want ≤ %g)", got, orderTol, steps[len(steps)-1], errs[len(errs)-1], finalTol)
	}
}

// TestEulerMaruyamaWeakOrder measures the weak order of em on an
// Ornstein–Uhlenbeck process: data N(μ, c) in 1-D under a gentle VP
// schedule (β 0.1 → 4, so that the steps below are in the asymptotic
// regime; β_max = 20 is stiff below ~64 steps), whose forward process is
// dX = −½β(t)X dt + √β(t) dW. With the exact score s(x) = −(x − α_tμ)/v_t,
// v_t = α_t²c + σ_t², the reverse SDE started from the sampler's prior
// N(0, σ_1²) is linear, so its law stays Gaussian with mean m and variance P
// solving, backwards in t,
//
//	dm/dt = f·m + g²·(m − α_tμ)/v_t,   dP/dt = 2(f + g²/v_t)·P − g²,
//
// integrated here in float64 by RK4 with 20000 steps. The sampler outputs
// x̂0 = μ + (α c/v)(x − αμ) at TMin, an affine map of that law. The error of
// the sample's second moment must fall at order 1 ± 0.3; n keeps the
// Monte-Carlo noise (≈ 3e-3) below the bias at every step count.
func TestEulerMaruyamaWeakOrder(t *testing.T) {
	const orderTol = 0.3
	n := 40000
	const mu, c = 1.0, 0.25
	g, err := diffusion.NewGaussianMixture([]float64{1}, [][]float64{{mu}}, [][]float64{{c}})
	if err != nil {
		t.Fatal(err)
	}
	s := diffusion.VP{BetaMin: 0.1, BetaMax: 4}
	m := g.Model(s, diffusion.PredEps)
	// Exact moments of the reverse SDE from N(0, σ_1²) down to TMin.
	rhs := func(t, mean, p float64) (float64, float64) {
		k := s.At(t)
		v := k.Alpha*k.Alpha*c + k.Sigma*k.Sigma
		f, g2 := k.Drift(), k.Diffusion2()
		return f*mean + g2*(mean-k.Alpha*mu)/v, 2*(f+g2/v)*p - g2
	}
	mean, p := 0.0, sq(s.At(1).Sigma)
	const fine = 20000
	tmin := s.TMin()
	h := (tmin - 1) / fine
	for i := range fine {
		tt := 1 + float64(i)*h
		m1, p1 := rhs(tt, mean, p)
		m2, p2 := rhs(tt+h/2, mean+h/2*m1, p+h/2*p1)
		m3, p3 := rhs(tt+h/2, mean+h/2*m2, p+h/2*p2)
		m4, p4 := rhs(tt+h, mean+h*m3, p+h*p3)
		mean += h / 6 * (m1 + 2*m2 + 2*m3 + m4)
		p += h / 6 * (p1 + 2*p2 + 2*p3 + p4)
	}
	k := s.At(tmin)
	gain := k.Alpha * c / (k.Alpha*k.Alpha*c + k.Sigma*k.Sigma)
	outMean := mu + gain*(mean-k.Alpha*mu)
	want2 := outMean*outMean + gain*gain*p
	rng := rand.New(rand.NewPCG(9, 9))
	var hs, errs []float64
	steps := []int{4, 8, 16, 32}
	for _, K := range steps {
		o := diffusion.DefaultOptions()
		o.Steps, o.Spacing = K, "uniform"
		smp, _ := diffusion.NewSampler("em", o)
		x := make([]float32, n)
		if _, err := smp.Sample(x, m, n, nil, rng); err != nil {
			t.Fatal(err)
		}
		var m2 float64
		for _, v := range x {
			m2 += sq(float64(v))
		}
		m2 /= float64(n)
		hs = append(hs, 1/float64(K))
		errs = append(errs, math.Abs(m2-want2))
	}
	got := slope(hs, errs)
	t.Logf("em on OU: |E[X²] error| %.2e at steps %v (exact E[X²] = %.4f): weak order %.2f", errs, steps, want2, got)
	if !(math.Abs(got-1) <= orderTol) {
		t.Errorf("weak order %.2f, want 1 ± %g", got, orderTol)
	}
}
