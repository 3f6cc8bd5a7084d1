package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/seqlab/seqlab/asm"
)

// ODESampler integrates the probability-flow ODE dx/dt = α'_t·x̂0 + σ'_t·ε̂
// (for a flow-matching model: its velocity) from the prior at t = 1 down to
// the schedule's TMin, then, if TMin > 0, outputs the model's x̂0 there (one
// more evaluation; score_sde's "denoise").
//
// Methods: euler (order 1), heun (explicit trapezoid, order 2), midpoint
// (order 2), rk4 (classical Runge–Kutta, order 4) with Steps steps spaced by
// Spacing; rk45 (Dormand–Prince 5(4) with the embedded error estimate,
// scipy's RK45 step control: safety 0.9, factor in [0.2, 10], error measured
// as the RMS over all values of err/(ATol + RTol·max(|x|, |x_new|)).
type ODESampler struct {
	Method     string
	Steps      int
	Spacing    string
	RTol, ATol float64
}

// Name implements Sampler.
func (s *ODESampler) Name() string { return s.Method }

// Sample implements Sampler.
func (s *ODESampler) Sample(dst []float32, m Model, n int, cond []int32, rng *rand.Rand) (Stats, error) {
	if err := checkSample(dst, m, n); err != nil {
		return Stats{}, err
	}
	drawPrior(dst, m.Schedule.At(1).Sigma, rng)
	tmin := m.Schedule.TMin()
	var grid []float64
	if s.Method != "rk45" {
		var err error
		if grid, err = TimeGrid(m.Schedule, s.Spacing, s.Steps, 1); err != nil {
			return Stats{}, err
		}
	}
	e, err := newEvaluator(m, n, cond)
	if err != nil {
		return Stats{}, err
	}
	st, err := s.solve(e, dst, grid, 1, tmin)
	if err == nil && tmin > 0 {
		_, err = e.eval(PredX0, dst, dst, tmin)
	}
	st.NFE = e.nfe
	return st, err
}

// Solve integrates the probability-flow ODE of m in place on x (n·d values)
// from time t0 to time t1 (either direction), with no prior draw and no
// denoising: fixed-step methods take Steps uniform steps, rk45 chooses its
// own.
func (s *ODESampler) Solve(x []float32, m Model, cond []int32, t0, t1 float64) (Stats, error) {
	if err := m.Validate(); err != nil {
		return Stats{}, err
	}
	d := m.Net.Dim()
	if len(x)%d != 0 {
		return Stats{}, fmt.Errorf("diffusion: %d values is not a whole number of %d-dimensional samples", len(x), d)
	}
	if s.Method != "rk45" && s.Steps < 1 {
		return Stats{}, fmt.Errorf("diffusion: %s: %d steps, need at least 1", s.Method, s.Steps)
	}
	e, err := newEvaluator(m, len(x)/d, cond)
	if err != nil {
		return Stats{}, err
	}
	st, err := s.solve(e, x, uniformGrid(t0, t1, s.Steps), t0, t1)
	st.NFE = e.nfe
	return st, err
}

// solve integrates on grid (fixed-step methods) or from t0 to t1 (rk45).
func (s *ODESampler) solve(e *evaluator, x []float32, grid []float64, t0, t1 float64) (Stats, error) {
	f := func(k, x []float32, t float64) error {
		_, err := e.eval(PredVelocity, k, x, t)
		return err
	}
	var st Stats
	var err error
	if s.Method == "rk45" {
		st, err = rk45(f, nil, x, nil, t0, t1, s.RTol, s.ATol)
	} else {
		st, err = fixedStep(s.Method, f, x, grid)
	}
	if err == nil && !finite(x) {
		err = fmt.Errorf("diffusion: %s produced a non-finite value", s.Method)
	}
	return st, err
}

func uniformGrid(t0, t1 float64, k int) []float64 {
	if k < 1 {
		return nil
	}
	g := make([]float64, k+1)
	for j := range g {
		g[j] = t0 + (t1-t0)*float64(j)/float64(k)
	}
	g[k] = t1
	return g
}

// velocityFunc writes the ODE right-hand side at (x, t) into k.
type velocityFunc func(k, x []float32, t float64) error

// fixedStep integrates x in place over the times in grid with the named
// explicit Runge–Kutta method, every update through the asm kernels.
func fixedStep(method string, f velocityFunc, x []float32, grid []float64) (Stats, error) {
	nk := map[string]int{"euler": 1, "heun": 2, "midpoint": 2, "rk4": 4}[method]
	if nk == 0 {
		return Stats{}, fmt.Errorf("diffusion: unknown ODE method %q (valid: euler, heun, midpoint, rk4, rk45)", method)
	}
	k := make([][]float32, nk)
	for i := range k {
		k[i] = make([]float32, len(x))
	}
	var tmp []float32
	if nk > 1 {
		tmp = make([]float32, len(x))
	}
	var st Stats
	for j := 1; j < len(grid); j++ {
		t, h := grid[j-1], grid[j]-grid[j-1]
		h32 := float32(h)
		if err := f(k[0], x, t); err != nil {
			return st, err
		}
		switch method {
		case "euler":
			asm.EulerStep(x, x, k[0], h32)
		case "heun":
			asm.EulerStep(tmp, x, k[0], h32)
			if err := f(k[1], tmp, t+h); err != nil {
				return st, err
			}
			asm.HeunStep(x, x, k[0], k[1], h32)
		case "midpoint":
			asm.EulerStep(tmp, x, k[0], h32/2)
			if err := f(k[1], tmp, t+h/2); err != nil {
				return st, err
			}
			asm.EulerStep(x, x, k[1], h32)
		case "rk4":
			asm.EulerStep(tmp, x, k[0], h32/2)
			if err := f(k[1], tmp, t+h/2); err != nil {
				return st, err
			}
			asm.EulerStep(tmp, x, k[1], h32/2)
			if err := f(k[2], tmp, t+h/2); err != nil {
				return st, err
			}
			asm.EulerStep(tmp, x, k[2], h32)
			if err := f(k[3], tmp, t+h); err != nil {
				return st, err
			}
			asm.RK4Step(x, x, k[0], k[1], k[2], k[3], h32)
		}
		st.Steps++
	}
	return st, nil
}

// Dormand–Prince 5(4) tableau (Dormand & Prince 1980; scipy RK45, torchdiffeq dopri5).
var (
	dpC = [7]float64{0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1}
	// dpA64 holds the stage weights a_ij; dpA is its float32 copy for the asm kernels.
	dpA64 = [7][]float64{
		nil,
		{1.0 / 5},
		{3.0 / 40, 9.0 / 40},
		{44.0 / 45, -56.0 / 15, 32.0 / 9},
		{19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
		{9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
		{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
	}
	dpA = func() (a [7][]float32) {
		for i, row := range dpA64 {
			for _, v := range row {
				a[i] = append(a[i], float32(v))
			}
		}
		return a
	}()
	// dpB and dpE (b − b̂) in float64 for the float64 augmented channel.
	dpB = [7]float64{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0}
	dpE = [7]float64{
		35.0/384 - 5179.0/57600, 0, 500.0/1113 - 7571.0/16695, 125.0/192 - 393.0/640,
		-2187.0/6784 + 92097.0/339200, 11.0/84 - 187.0/2100, -1.0 / 40,
	}
)

// augFunc writes the derivative of a float64 per-sample channel (the log
// density) at the stage point (x, t), after the velocity of the same stage
// has been computed. It may be nil.
type augFunc func(daug []float64, x []float32, t float64) error

// rk45 integrates x (and, when g is non-nil, the float64 channel aug) from
// t0 to t1 with Dormand–Prince 5(4) and scipy's step-size control. Both x and
// aug enter the error norm.
func rk45(f velocityFunc, g augFunc, x []float32, aug []float64, t0, t1, rtol, atol float64) (Stats, error) {
	var st Stats
	if t0 == t1 || len(x) == 0 {
		return st, nil
	}
	dir := math.Copysign(1, t1-t0)
	var k [7][]float32
	for i := range k {
		k[i] = make([]float32, len(x))
	}
	var ka [7][]float64
	var augNew []float64
	if g != nil {
		for i := range ka {
			ka[i] = make([]float64, len(aug))
		}
		augNew = make([]float64, len(aug))
	}
	xs := make([]float32, len(x))
	xNew := make([]float32, len(x))
	errEst := make([]float32, len(x))
	eval := func(i int, xi []float32, t float64) error {
		if err := f(k[i], xi, t); err != nil {
			return err
		}
		if g != nil {
			return g(ka[i], xi, t)
		}
		return nil
	}
	if err := eval(0, x, t0); err != nil {
		return st, err
	}
	// Initial step: Hairer, Nørsett & Wanner (1993) II.4, as scipy's select_initial_step.
	scale := func(v float32) float64 { return atol + rtol*math.Abs(float64(v)) }
	var d0, d1 float64
	for i, v := range x {
		sc := scale(v)
		d0 += sq(float64(v) / sc)
		d1 += sq(float64(k[0][i]) / sc)
	}
	nv := float64(len(x))
	d0, d1 = math.Sqrt(d0/nv), math.Sqrt(d1/nv)
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	h0 = math.Min(h0, math.Abs(t1-t0))
	asm.EulerStep(xs, x, k[0], float32(dir*h0))
	if err := f(k[1], xs, t0+dir*h0); err != nil {
		return st, err
	}
	var d2 float64
	for i, v := range x {
		d2 += sq(float64(k[1][i]-k[0][i]) / scale(v))
	}
	d2 = math.Sqrt(d2/nv) / h0
	h := math.Max(1e-6, h0*1e-3)
	if m := math.Max(d1, d2); m > 1e-15 {
		h = math.Pow(0.01/m, 1.0/5)
	}
	h = math.Min(100*h0, h)

	const safety, minFactor, maxFactor = 0.9, 0.2, 10.0
	t := t0
	for dir*(t1-t) > 0 {
		if h < 1e-12*math.Max(1, math.Abs(t)) {
			return st, fmt.Errorf("diffusion: rk45 step size underflow at t=%g", t)
		}
		last := false
		if h >= math.Abs(t1-t) {
			h, last = math.Abs(t1-t), true
		}
		hs := dir * h
		for i := 1; i < 7; i++ {
			asm.Combine(xs, x, float32(hs), dpA[i], k[:i])
			if err := eval(i, xs, t+dpC[i]*hs); err != nil {
				return st, err
			}
		}
		asm.DormandPrince5(xNew, errEst, x, &k, float32(hs))
		var en float64
		for i, v := range xNew {
			sc := atol + rtol*math.Max(math.Abs(float64(x[i])), math.Abs(float64(v)))
			en += sq(float64(errEst[i]) / sc)
		}
		if g != nil {
			for i := range aug {
				var s, e float64
				for j := range ka {
					s += dpB[j] * ka[j][i]
					e += dpE[j] * ka[j][i]
				}
				augNew[i] = aug[i] + hs*s
				sc := atol + rtol*math.Max(math.Abs(aug[i]), math.Abs(augNew[i]))
				en += sq(hs * e / sc)
			}
		}
		en = math.Sqrt(en / float64(len(x)+len(aug)))
		if math.IsNaN(en) {
			return st, fmt.Errorf("diffusion: rk45: non-finite error estimate at t=%g", t)
		}
		if en <= 1 {
			t += hs
			if last {
				t = t1
			}
			copy(x, xNew)
			copy(aug, augNew)
			// FSAL: the last stage is the slope at the new point.
			k[0], k[6] = k[6], k[0]
			if g != nil {
				ka[0], ka[6] = ka[6], ka[0]
			}
			st.Steps++
			factor := maxFactor
			if en > 0 {
				factor = math.Min(maxFactor, safety*math.Pow(en, -1.0/5))
			}
			h *= factor
		} else {
			st.Rejected++
			h *= math.Max(minFactor, safety*math.Pow(en, -1.0/5))
		}
	}
	return st, nil
}

func sq(v float64) float64 { return v * v }
