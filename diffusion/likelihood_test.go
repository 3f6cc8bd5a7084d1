package diffusion_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/seqlab/seqlab/diffusion"
)

// plainNet hides the oracle's JVP so the likelihood falls back to finite
// differences.
type plainNet struct{ diffusion.Network }

// TestLogDensityExactDivergence checks log p_0(x) from the condot PF-ODE
// with the exact divergence against the mixture's true log-density: within
// 1e-3 nats at rtol = atol = 1e-6, for the velocity and the v
// parameterisation of the same oracle (the conversion to velocity is inside
// the likelihood; x0 and ε have no velocity at condot's t = 0 and t = 1). With
// finite-difference divergences (no JVP) the error must stay within 1e-2.
func TestLogDensityExactDivergence(t *testing.T) {
	const exactTol, fdTol = 1e-3, 1e-2
	g := mixture(t)
	s := schedule(t, "condot")
	rng := rand.New(rand.NewPCG(21, 22))
	const n = 12
	x := make([]float32, n*2)
	g.Sample(x, rng)
	want := make([]float64, n)
	for i := range n {
		want[i] = g.LogDensity(s, 0, []float64{float64(x[2*i]), float64(x[2*i+1])})
	}
	l := diffusion.DefaultLikelihood()
	l.RTol, l.ATol = 1e-6, 1e-6
	for _, tc := range []struct {
		name string
		m    diffusion.Model
		tol  float64
	}{
		{"velocity", g.Model(s, diffusion.PredVelocity), exactTol},
		{"v", g.Model(s, diffusion.PredV), exactTol},
		{"finite-differences", diffusion.Model{Net: plainNet{g.Network(s, diffusion.PredVelocity)}, Schedule: s, Pred: diffusion.PredVelocity}, fdTol},
	} {
		got := make([]float64, n)
		st, err := l.LogDensity(got, nil, tc.m, x, nil, rng)
		if err != nil {
			t.Fatal(err)
		}
		var worst float64
		for i := range n {
			worst = math.Max(worst, math.Abs(got[i]-want[i]))
		}
		t.Logf("%s: max |log p error| %.2e nats over %d points; NFE %d, JVP %d, steps %d", tc.name, worst, n, st.NFE, st.JVP, st.Steps)
		if !(worst <= tc.tol) {
			t.Errorf("%s: log-density error %.2e above %g", tc.name, worst, tc.tol)
		}
	}
}

// TestHutchinsonUnbiased checks the Hutchinson estimate with K = 64 probes
// against the exact-divergence value for Rademacher and Gaussian probes:
// per point within 5 of its reported standard errors, and the mean error
// over the points within 4 standard errors of the mean (√Σse²/n). (In 2-D a
// Rademacher probe's integral takes only two values, ∫tr J ± ∫(J₁₂ + J₂₁),
// so with few probes its standardised error is far from normal; 64 probes
// make it nearly so.)
func TestHutchinsonUnbiased(t *testing.T) {
	const probes, zPoint, zMean = 64, 5.0, 4.0
	g := mixture(t)
	s := schedule(t, "condot")
	m := g.Model(s, diffusion.PredVelocity)
	rng := rand.New(rand.NewPCG(31, 32))
	const n = 24
	x := make([]float32, n*2)
	g.Sample(x, rng)
	exact := make([]float64, n)
	l := diffusion.DefaultLikelihood()
	if _, err := l.LogDensity(exact, nil, m, x, nil, rng); err != nil {
		t.Fatal(err)
	}
	for _, probe := range []string{"rademacher", "gaussian"} {
		h := l
		h.Probes, h.Probe = probes, probe
		est, se := make([]float64, n), make([]float64, n)
		if _, err := h.LogDensity(est, se, m, x, nil, rng); err != nil {
			t.Fatal(err)
		}
		var sum, v float64
		for i := range n {
			z := (est[i] - exact[i]) / se[i]
			sum += est[i] - exact[i]
			v += se[i] * se[i]
			if math.Abs(z) > zPoint || !(se[i] > 0) {
				t.Errorf("%s: point %d: estimate %.4f, exact %.4f, standard error %.4f", probe, i, est[i], exact[i], se[i])
			}
		}
		zm := (sum / n) / (math.Sqrt(v) / n)
		t.Logf("%s, %d probes: mean error %.4e nats, %.2f standard errors", probe, probes, sum/n, zm)
		if math.Abs(zm) > zMean {
			t.Errorf("%s: mean error %.2f standard errors from 0", probe, zm)
		}
	}
}

// TestSampleWithLogDensity checks that the log-densities Likelihood.Sample
// returns along with its samples equal the mixture's true log-density at
// those samples, and that bits per dimension follow from them.
func TestSampleWithLogDensity(t *testing.T) {
	const tol = 2e-3
	g := mixture(t)
	s := schedule(t, "condot")
	m := g.Model(s, diffusion.PredVelocity)
	rng := rand.New(rand.NewPCG(41, 42))
	const n = 8
	x := make([]float32, n*2)
	logp := make([]float64, n)
	l := diffusion.DefaultLikelihood()
	l.RTol, l.ATol = 1e-6, 1e-6
	if _, err := l.Sample(x, logp, m, n, nil, rng); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		want := g.LogDensity(s, 0, []float64{float64(x[2*i]), float64(x[2*i+1])})
		if !(math.Abs(logp[i]-want) <= tol) {
			t.Errorf("sample %d: log p %.5f, true %.5f", i, logp[i], want)
		}
		bpd := diffusion.BitsPerDim(logp[i], 2, 0)
		if math.Abs(bpd+logp[i]/(2*math.Ln2)) > 1e-12 {
			t.Errorf("bits/dim %g inconsistent with log p %g", bpd, logp[i])
		}
	}
}

// TestDequantisedBitsPerDim checks the dequantised likelihood of discrete
// data: for bins of width Δ much finer than the density's scale,
// log P(bin) = log p(x) + d·log Δ + O(Δ²), and the dequantised estimate
// log p(x + u) + d·log Δ is below it by a Jensen gap of O(Δ²). One
// dequantisation draw moves log p by ~|∇log p|·Δ/√6 (≈ 0.01 nats here), so
// each point is repeated 32 times and the average compared, within 5e-3
// bits/dim.
func TestDequantisedBitsPerDim(t *testing.T) {
	const binWidth, reps, tol = 1.0 / 64, 32, 5e-3
	g := mixture(t)
	s := schedule(t, "condot")
	m := g.Model(s, diffusion.PredVelocity)
	rng := rand.New(rand.NewPCG(51, 52))
	const n = 6
	pts := make([]float32, n*2)
	g.Sample(pts, rng)
	x := make([]float32, 0, n*reps*2)
	for i := range pts { // snap to bin centres
		pts[i] = float32((math.Floor(float64(pts[i])/binWidth) + 0.5) * binWidth)
	}
	for i := range n {
		for range reps {
			x = append(x, pts[2*i], pts[2*i+1])
		}
	}
	l := diffusion.DefaultLikelihood()
	l.BinWidth = binWidth
	logp := make([]float64, n*reps)
	if _, err := l.LogDensity(logp, nil, m, x, nil, rng); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var got float64
		for r := range reps {
			got += diffusion.BitsPerDim(logp[i*reps+r], 2, binWidth) / reps
		}
		want := diffusion.BitsPerDim(g.LogDensity(s, 0, []float64{float64(pts[2*i]), float64(pts[2*i+1])}), 2, binWidth)
		if !(math.Abs(got-want) <= tol) {
			t.Errorf("point %d: %.4f bits/dim, true %.4f", i, got, want)
		}
	}
}

// TestMeanSE checks MeanSE against hand-computed means and standard errors.
func TestMeanSE(t *testing.T) {
	const tol = 1e-12
	for _, c := range []struct {
		v        []float64
		mean, se float64
	}{
		{[]float64{1, 2, 3, 4}, 2.5, math.Sqrt(5.0/3) / 2}, // sample variance 5/3
		{[]float64{-1, 1}, 0, 1},
		{[]float64{7, 7, 7}, 7, 0},
		{[]float64{5}, 5, 0},
	} {
		mean, se := diffusion.MeanSE(c.v)
		if !(math.Abs(mean-c.mean) <= tol) || !(math.Abs(se-c.se) <= tol) {
			t.Errorf("MeanSE(%v) = %v, %v, want %v, %v", c.v, mean, se, c.mean, c.se)
		}
	}
}

// TestLikelihoodValidate: every setting LogDensity cannot use is refused,
// naming the setting; the defaults pass.
func TestLikelihoodValidate(t *testing.T) {
	if err := diffusion.DefaultLikelihood().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tc := range []struct {
		name string
		set  func(*diffusion.Likelihood)
		want string
	}{
		{"rtol 0", func(l *diffusion.Likelihood) { l.RTol = 0 }, "rtol"},
		{"rtol NaN", func(l *diffusion.Likelihood) { l.RTol = math.NaN() }, "rtol"},
		{"atol Inf", func(l *diffusion.Likelihood) { l.ATol = math.Inf(1) }, "atol"},
		{"atol 1e-300", func(l *diffusion.Likelihood) { l.ATol = 1e-300 }, "atol"},
		{"probes -1", func(l *diffusion.Likelihood) { l.Probes = -1 }, "probes"},
		{"probe cauchy", func(l *diffusion.Likelihood) { l.Probes, l.Probe = 1, "cauchy" }, "rademacher"},
		{"bin width NaN", func(l *diffusion.Likelihood) { l.BinWidth = math.NaN() }, "bin width"},
		{"FD step -1", func(l *diffusion.Likelihood) { l.FDStep = -1 }, "FD step"},
	} {
		l := diffusion.DefaultLikelihood()
		tc.set(&l)
		if err := l.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}
