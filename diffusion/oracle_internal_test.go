package diffusion

import (
	"math"
	"math/rand/v2"
	"testing"
)

// testMixture is a 2-D three-component mixture with correlated covariances.
func testMixture(t testing.TB) *GaussianMixture {
	g, err := NewGaussianMixture(
		[]float64{0.3, 0.5, 0.2},
		[][]float64{{-2, 0}, {1.5, 1}, {0.5, -2}},
		[][]float64{{0.3, 0.1, 0.1, 0.2}, {0.4, -0.15, -0.15, 0.25}, {0.1, 0, 0, 0.5}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

var oracleSchedules = func() []Schedule {
	var out []Schedule
	for _, n := range scheduleNames {
		s, err := NewSchedule(n)
		if err != nil {
			panic(err)
		}
		out = append(out, s)
	}
	return out
}()

// TestOraclePosteriorDerivatives checks the oracle's closed forms against
// central differences of its own log-density in float64: the score
// −E[ε|x]/σ equals ∇log p_t, and JVP equals the difference quotient of
// E[x0|x] and E[ε|x].
func TestOraclePosteriorDerivatives(t *testing.T) {
	const h, scoreTol, jvpTol = 1e-5, 1e-6, 1e-6
	g := testMixture(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range oracleSchedules {
		for _, tt := range []float64{0.05, 0.3, 0.7, 0.95} {
			k := s.At(tt)
			x := []float64{rng.NormFloat64() * 2, rng.NormFloat64() * 2}
			p := g.posterior(x, k)
			w := []float64{rng.NormFloat64(), rng.NormFloat64()}
			jx0, jep := make([]float64, 2), make([]float64, 2)
			g.jvp(jx0, jep, p, k, w)
			xp := []float64{x[0] + h*w[0], x[1] + h*w[1]}
			xm := []float64{x[0] - h*w[0], x[1] - h*w[1]}
			pp, pm := g.posterior(xp, k), g.posterior(xm, k)
			for i := range 2 {
				e := make([]float64, 2)
				e[i] = h
				lp := g.posterior([]float64{x[0] + e[0], x[1] + e[1]}, k).logp
				lm := g.posterior([]float64{x[0] - e[0], x[1] - e[1]}, k).logp
				fd := (lp - lm) / (2 * h)
				score := -p.ep[i] / k.Sigma
				if !(math.Abs(fd-score) <= scoreTol*(1+math.Abs(fd))) {
					t.Errorf("%s t=%g: score[%d] %g, finite difference %g", s.Name(), tt, i, score, fd)
				}
				fx0 := (pp.x0[i] - pm.x0[i]) / (2 * h)
				fep := (pp.ep[i] - pm.ep[i]) / (2 * h)
				if !(math.Abs(fx0-jx0[i]) <= jvpTol*(1+math.Abs(fx0))) || !(math.Abs(fep-jep[i]) <= jvpTol*(1+math.Abs(fep))) {
					t.Errorf("%s t=%g: JVP (%g, %g), finite difference (%g, %g)", s.Name(), tt, jx0[i], jep[i], fx0, fep)
				}
			}
		}
	}
}

// TestFlowMapClosedFormMatchesIntegration checks the one-component closed
// form against the float64 integrator the mixture path uses.
func TestFlowMapClosedFormMatchesIntegration(t *testing.T) {
	// The float64 integrator reaches 1e-8 on the smooth schedules; the
	// discrete ones have 1000 kinks in α_t (piecewise-linear log α) that an
	// embedded error estimate cannot see, which limits it to ~1e-7.
	const smoothTol, discreteTol = 1e-8, 1e-6
	g, err := NewGaussianMixture([]float64{1}, [][]float64{{1, -0.5}}, [][]float64{{0.5, 0.2, 0.2, 0.3}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range oracleSchedules {
		if _, ok := s.(*Discrete); ok && s.Name() != "linear" {
			continue // one discrete schedule suffices: the integrator is slow across the kinks
		}
		x := []float64{0.7, -1.2}
		if s.Name() == "ve" {
			x = []float64{30, -20}
		}
		t0, t1 := 1.0, s.TMin()
		if t1 == 0 {
			t1 = 1e-3
		}
		closed := make([]float64, 2)
		if err := g.FlowMap(closed, x, s, t0, t1); err != nil {
			t.Fatal(err)
		}
		y := append([]float64(nil), x...)
		err := dopri64(func(dx, x []float64, t float64) {
			k := s.At(t)
			p := g.posterior(x, k)
			for i := range dx {
				dx[i] = combine(k.DAlpha, p.x0[i], k.DSigma, p.ep[i])
			}
		}, y, t0, t1, 1e-12, 1e-12)
		if err != nil {
			t.Fatal(err)
		}
		tol := smoothTol
		if _, ok := s.(*Discrete); ok {
			tol = discreteTol
		}
		if d := math.Hypot(y[0]-closed[0], y[1]-closed[1]); !(d <= tol*(1+math.Hypot(y[0], y[1]))) {
			t.Errorf("%s: closed form %v, integrated %v", s.Name(), closed, y)
		}
	}
}

// TestGammaQuadratureConverged checks that the Gauss–Hermite value of Γ_t
// does not move when the number of nodes grows.
func TestGammaQuadratureConverged(t *testing.T) {
	const tol = 1e-6 // 80 nodes agree with 200 to 1e-8 on this mixture
	g := testMixture(t)
	s, _ := NewSchedule("linear")
	for _, tt := range []float64{0.01, 0.1, 0.5, 1} {
		a, b := g.Gamma(s, tt, 80), g.Gamma(s, tt, 120)
		if !(math.Abs(a-b) <= tol) {
			t.Errorf("t=%g: Γ with 80 nodes %.9f, with 120 %.9f", tt, a, b)
		}
	}
}
