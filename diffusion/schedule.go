package diffusion

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Coef holds a Gaussian path's coefficients at one time: the marginal is
// x_t = Alpha·x0 + Sigma·ε with ε ~ N(0, I), and DAlpha, DSigma are their
// time derivatives.
type Coef struct {
	Alpha, Sigma, DAlpha, DSigma float64
}

// Drift returns f(t) = d log α/dt, the drift coefficient of the forward SDE
// dx = f(t)·x dt + g(t) dW whose marginals are the path's (Kingma et al.
// 2021, "Variational Diffusion Models", eq. 33).
func (c Coef) Drift() float64 { return c.DAlpha / c.Alpha }

// Diffusion2 returns g(t)² = dσ²/dt − 2·f(t)·σ², the squared diffusion
// coefficient of the forward SDE with the path's marginals. It gives β(t) for
// VP, β(t)(1 − e^{−2∫β}) for sub-VP and dσ²/dt for VE, as in score_sde's
// sde_lib.py.
func (c Coef) Diffusion2() float64 {
	return 2*c.Sigma*c.DSigma - 2*c.Drift()*c.Sigma*c.Sigma
}

// Schedule is a Gaussian noising path over t ∈ [0, 1]: data at t = 0, the
// prior N(0, σ(1)²·I) at t = 1.
type Schedule interface {
	// Name is the schedule's name as NewSchedule spells it.
	Name() string
	// At returns the path coefficients at time t ∈ [0, 1].
	At(t float64) Coef
	// TMin is the smallest time samplers integrate to before their final
	// denoising step (0 where the path is regular at t = 0).
	TMin() float64
}

// Schedule names accepted by NewSchedule.
var scheduleNames = []string{"condot", "cosine", "linear", "scaled-linear", "sigmoid", "subvp", "ve", "vp"}

// NewSchedule returns the schedule called name with the defaults users know:
//
//	condot         α = 1 − t, σ = t (rectified flow, conditional OT)
//	linear         DDPM, β 1e-4 → 0.02 over 1000 steps (Ho et al. 2020)
//	scaled-linear  √β linear from √1e-4 to √0.02, 1000 steps (diffusers)
//	cosine         ᾱ = cos²((t+0.008)/1.008·π/2), β ≤ 0.999, 1000 steps (Nichol & Dhariwal 2021)
//	sigmoid        β = 1e-4 + (0.02−1e-4)·sigmoid(linspace(−6, 6)), 1000 steps (diffusers)
//	vp             VP SDE, β 0.1 → 20 (Song et al. 2021)
//	subvp          sub-VP SDE, β 0.1 → 20
//	ve             VE SDE, σ 0.01 → 50
func NewSchedule(name string) (Schedule, error) {
	switch name {
	case "condot":
		return CondOT{}, nil
	case "linear", "scaled-linear", "cosine", "sigmoid":
		return NewDiscrete(name, 1000)
	case "vp":
		return VP{BetaMin: 0.1, BetaMax: 20}, nil
	case "subvp":
		return SubVP{BetaMin: 0.1, BetaMax: 20}, nil
	case "ve":
		return VE{SigmaMin: 0.01, SigmaMax: 50}, nil
	}
	return nil, fmt.Errorf("diffusion: unknown schedule %q (valid: %s)", name, strings.Join(scheduleNames, ", "))
}

// CondOT is the conditional optimal-transport (rectified-flow) path
// α_t = 1 − t, σ_t = t (Lipman et al. 2023; Liu et al. 2023).
type CondOT struct{}

// Name implements Schedule.
func (CondOT) Name() string { return "condot" }

// At implements Schedule.
func (CondOT) At(t float64) Coef { return Coef{Alpha: 1 - t, Sigma: t, DAlpha: -1, DSigma: 1} }

// TMin implements Schedule: the path is regular at t = 0.
func (CondOT) TMin() float64 { return 0 }

// VP is the variance-preserving SDE dx = −½β(t)x dt + √β(t) dW with
// β(t) = BetaMin + t·(BetaMax − BetaMin) (Song et al. 2021, score_sde
// sde_lib.VPSDE): log α_t = −¼t²(β1 − β0) − ½tβ0, σ_t = √(1 − α_t²).
type VP struct{ BetaMin, BetaMax float64 }

// Name implements Schedule.
func (VP) Name() string { return "vp" }

// At implements Schedule.
func (s VP) At(t float64) Coef {
	la, beta := vpLogAlpha(s.BetaMin, s.BetaMax, t)
	a := math.Exp(la)
	sig := math.Sqrt(-math.Expm1(2 * la))
	da := -0.5 * beta * a
	c := Coef{Alpha: a, Sigma: sig, DAlpha: da}
	if sig > 0 {
		c.DSigma = -a * da / sig
	} else {
		c.DSigma = math.Inf(1)
	}
	return c
}

// TMin implements Schedule: 1e-3, score_sde's sampling_eps.
func (VP) TMin() float64 { return 1e-3 }

// SubVP is the sub-VP SDE of Song et al. (2021): the VP mean with
// σ_t = 1 − α_t², whose variance is below the VP one.
type SubVP struct{ BetaMin, BetaMax float64 }

// Name implements Schedule.
func (SubVP) Name() string { return "subvp" }

// At implements Schedule.
func (s SubVP) At(t float64) Coef {
	la, beta := vpLogAlpha(s.BetaMin, s.BetaMax, t)
	a := math.Exp(la)
	da := -0.5 * beta * a
	return Coef{Alpha: a, Sigma: -math.Expm1(2 * la), DAlpha: da, DSigma: -2 * a * da}
}

// TMin implements Schedule: 1e-3, score_sde's sampling_eps.
func (SubVP) TMin() float64 { return 1e-3 }

func vpLogAlpha(b0, b1, t float64) (logAlpha, beta float64) {
	return -0.25*t*t*(b1-b0) - 0.5*t*b0, b0 + t*(b1-b0)
}

// VE is the variance-exploding SDE dx = √(dσ²/dt) dW with
// σ_t = SigmaMin·(SigmaMax/SigmaMin)^t and α_t = 1 (Song et al. 2021,
// sde_lib.VESDE). Its prior is N(0, SigmaMax²·I).
type VE struct{ SigmaMin, SigmaMax float64 }

// Name implements Schedule.
func (VE) Name() string { return "ve" }

// At implements Schedule.
func (s VE) At(t float64) Coef {
	r := math.Log(s.SigmaMax / s.SigmaMin)
	sig := s.SigmaMin * math.Exp(t*r)
	return Coef{Alpha: 1, Sigma: sig, DSigma: sig * r}
}

// TMin implements Schedule: 1e-3, score_sde's sampling_eps.
func (VE) TMin() float64 { return 1e-3 }

// Discrete is a DDPM β schedule over N steps. Step i ∈ 1..N has
// ᾱ_i = Π_{j≤i}(1 − β_j) and network time t = i/N; step 0 is the data
// (t = 0, ᾱ_0 = 1). Between the knots i/N, log α_t = ½·log ᾱ is linear in t,
// as in DPM-Solver's NoiseScheduleVP('discrete'), so every continuous-time
// sampler runs on a discretely trained model.
type Discrete struct {
	name string
	// Betas holds β_1..β_N.
	Betas []float64
	// logAlpha[i] = ½·log ᾱ_i for i = 0..N.
	logAlpha []float64
}

// NewDiscrete builds the β schedule called name (linear, scaled-linear,
// cosine, sigmoid; see NewSchedule) over n steps.
func NewDiscrete(name string, n int) (*Discrete, error) {
	if n < 1 {
		return nil, fmt.Errorf("diffusion: schedule %q: %d steps, need at least 1", name, n)
	}
	const b0, b1 = 1e-4, 0.02
	betas := make([]float64, n)
	lin := func(a, b float64, i int) float64 {
		if n == 1 {
			return a
		}
		return a + (b-a)*float64(i)/float64(n-1)
	}
	switch name {
	case "linear":
		for i := range betas {
			betas[i] = lin(b0, b1, i)
		}
	case "scaled-linear":
		for i := range betas {
			r := lin(math.Sqrt(b0), math.Sqrt(b1), i)
			betas[i] = r * r
		}
	case "cosine":
		const s = 0.008
		abar := func(t float64) float64 {
			c := math.Cos((t + s) / (1 + s) * math.Pi / 2)
			return c * c
		}
		for i := range betas {
			betas[i] = math.Min(1-abar(float64(i+1)/float64(n))/abar(float64(i)/float64(n)), 0.999)
		}
	case "sigmoid":
		for i := range betas {
			betas[i] = b0 + (b1-b0)/(1+math.Exp(-lin(-6, 6, i)))
		}
	default:
		return nil, fmt.Errorf("diffusion: unknown discrete schedule %q (valid: cosine, linear, scaled-linear, sigmoid)", name)
	}
	d := &Discrete{name: name, Betas: betas, logAlpha: make([]float64, n+1)}
	for i, b := range betas {
		d.logAlpha[i+1] = d.logAlpha[i] + 0.5*math.Log1p(-b)
	}
	return d, nil
}

// Name implements Schedule.
func (s *Discrete) Name() string { return s.name }

// Steps returns N.
func (s *Discrete) Steps() int { return len(s.Betas) }

// AlphaBar returns ᾱ_i for i ∈ 0..N.
func (s *Discrete) AlphaBar(i int) float64 { return math.Exp(2 * s.logAlpha[i]) }

// At implements Schedule by the piecewise-linear interpolation of log α.
func (s *Discrete) At(t float64) Coef {
	n := len(s.Betas)
	u := math.Min(math.Max(t, 0), 1) * float64(n)
	i := int(u)
	if i >= n {
		i = n - 1
	}
	slope := (s.logAlpha[i+1] - s.logAlpha[i]) * float64(n)
	la := s.logAlpha[i] + (u-float64(i))*slope/float64(n)
	a := math.Exp(la)
	sig := math.Sqrt(-math.Expm1(2 * la))
	da := slope * a
	c := Coef{Alpha: a, Sigma: sig, DAlpha: da}
	if sig > 0 {
		c.DSigma = -a * da / sig
	} else {
		c.DSigma = math.Inf(1)
	}
	return c
}

// TMin implements Schedule: 1/N, the first noisy step.
func (s *Discrete) TMin() float64 { return 1 / float64(len(s.Betas)) }

// snap rounds t to the nearest knot i/N (so a discretely trained network
// sees the times it was trained at) and returns it.
func (s *Discrete) snap(t float64) float64 {
	n := float64(len(s.Betas))
	return math.Round(t*n) / n
}

// Spacings accepted by TimeGrid.
var spacingNames = []string{"quadratic", "trailing", "uniform"}

// TimeGrid returns the k+1 times T = t_k > … > t_0 = tmin (in that order,
// descending) of k sampler steps from T to the schedule's TMin, spaced as
// named:
//
//	uniform    t_j = tmin + (T − tmin)·j/k       (linspace; DDIM "uniform")
//	quadratic  t_j = tmin + (T − tmin)·(j/k)²    (DDIM "quadratic": dense near the data)
//	trailing   t_j = T·j/k for j ≥ 1, t_0 = tmin (diffusers "trailing")
//
// ODE and SDE samplers step through all k+1 times and then denoise; the
// DDIM family has its own K evaluation times (DDIMSampler.Times), then steps
// straight to the data. For a Discrete schedule the times are rounded to the knots i/N
// and duplicates removed, so fewer than k steps result when k > N.
func TimeGrid(s Schedule, spacing string, k int, T float64) ([]float64, error) {
	if k < 1 {
		return nil, fmt.Errorf("diffusion: %d steps, need at least 1", k)
	}
	tmin := s.TMin()
	if T <= tmin {
		return nil, fmt.Errorf("diffusion: start time %g is not above the schedule's end time %g", T, tmin)
	}
	ts := make([]float64, k+1)
	for j := range ts {
		u := float64(j) / float64(k)
		switch spacing {
		case "uniform":
			ts[j] = tmin + (T-tmin)*u
		case "quadratic":
			ts[j] = tmin + (T-tmin)*u*u
		case "trailing":
			ts[j] = math.Max(T*u, tmin)
		default:
			return nil, fmt.Errorf("diffusion: unknown spacing %q (valid: %s)", spacing, strings.Join(spacingNames, ", "))
		}
	}
	if d, ok := s.(*Discrete); ok {
		for j := range ts {
			ts[j] = math.Max(d.snap(ts[j]), tmin)
		}
		ts = dedupSorted(ts)
	}
	// Return descending: the sampler runs from T to tmin.
	sort.Sort(sort.Reverse(sort.Float64Slice(ts)))
	return ts, nil
}

func dedupSorted(ts []float64) []float64 {
	out := ts[:1]
	for _, t := range ts[1:] {
		if t != out[len(out)-1] {
			out = append(out, t)
		}
	}
	return out
}
