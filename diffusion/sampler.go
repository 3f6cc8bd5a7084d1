package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Stats reports the work a sampler or a likelihood computation did.
type Stats struct {
	// NFE counts network evaluations; one batched Predict call is one.
	NFE int
	// JVP counts Jacobian–vector products (likelihood only); with
	// finite differences each costs two network evaluations, counted in NFE.
	JVP int
	// Steps counts accepted integration steps.
	Steps int
	// Rejected counts steps the adaptive solver rejected.
	Rejected int
}

// Sampler draws samples from a model.
type Sampler interface {
	// Name is the sampler's name as NewSampler spells it.
	Name() string
	// Sample draws the prior noise from rng and writes n samples of the
	// model's dimension d into dst (n·d values, row-major). cond is nil or
	// holds n class labels.
	Sample(dst []float32, m Model, n int, cond []int32, rng *rand.Rand) (Stats, error)
}

// Options parameterises every sampler; each reads the fields it needs.
// Start from DefaultOptions.
type Options struct {
	// Steps is the number of steps K: the network is evaluated
	// K·stages times by a fixed-step ODE solver (plus one final denoising
	// evaluation when the schedule's TMin > 0), K times by the DDPM/DDIM
	// family, K·(1 + Corrector) times (+1) by em and pc. rk45 ignores it.
	Steps int
	// Spacing of the time grid: uniform, quadratic or trailing (TimeGrid).
	Spacing string
	// Eta is DDIM's η: 0 is the deterministic DDIM, 1 matches DDPM's
	// posterior variance β̃ (Song, Meng & Ermon 2021, eq. 16).
	Eta float64
	// Variance of ddpm's reverse step: "small" (σ² = β̃, the posterior
	// variance) or "large" (σ² = β) (Ho et al. 2020, §3.2).
	Variance string
	// SNR is the Langevin corrector's signal-to-noise ratio (score_sde: 0.16).
	SNR float64
	// Corrector is the number of Langevin corrector steps per pc step.
	Corrector int
	// RTol and ATol are rk45's tolerances (score_sde, torchdiffeq: 1e-5).
	RTol, ATol float64
	// Gamma holds the Monte-Carlo estimates of E‖ε̂‖²/d the analytic-*
	// samplers need (EstimateGamma).
	Gamma *GammaTable
	// DataHalfRange, when > 0, says every data coordinate lies within
	// [c − DataHalfRange, c + DataHalfRange] for some c; the analytic
	// samplers then clip their variance by Analytic-DPM's upper bound.
	DataHalfRange float64
	// Cov is the extra covariance head of the sn-* and npr-* samplers
	// (Extended Analytic-DPM): a network of the model's dimension predicting
	// E[ε²|x_t] (sn) or E[(ε − ε̂)²|x_t] (npr) per coordinate, on the
	// model's schedule and at the model's times.
	Cov Network
}

// DefaultOptions returns the defaults users know: 100 steps, trailing
// spacing, η = 0, σ² = β̃, snr 0.16 with one corrector step, rtol = atol =
// 1e-5.
func DefaultOptions() Options {
	return Options{Steps: 100, Spacing: "trailing", Variance: "small", SNR: 0.16, Corrector: 1, RTol: 1e-5, ATol: 1e-5}
}

// samplerNames lists NewSampler's names, in the order help text shows them.
var samplerNames = []string{
	"euler", "heun", "midpoint", "rk4", "rk45",
	"ddpm", "ddim", "analytic-ddpm", "analytic-ddim", "sn-ddpm", "sn-ddim", "npr-ddpm", "npr-ddim",
	"em", "pc",
}

// SamplerNames returns the names NewSampler accepts ("ode-euler" is also
// accepted as a synonym of "euler").
func SamplerNames() []string { return append([]string(nil), samplerNames...) }

// NewSampler returns the sampler called name, configured by o:
//
//	euler, heun, midpoint, rk4   fixed-step solvers of the probability-flow ODE
//	rk45                         adaptive Dormand–Prince 5(4) on the probability-flow ODE
//	ddpm                         ancestral sampling, σ² = β̃ or β (o.Variance)
//	ddim                         DDIM with η (o.Eta)
//	analytic-ddpm, analytic-ddim Analytic-DPM's optimal variance (o.Gamma)
//	sn-ddpm, sn-ddim             SN-DPM's diagonal covariance (o.Cov)
//	npr-ddpm, npr-ddim           NPR-DPM's diagonal covariance (o.Cov)
//	em                           reverse-SDE Euler–Maruyama
//	pc                           predictor–corrector: EM predictor, Langevin corrector (o.SNR, o.Corrector)
func NewSampler(name string, o Options) (Sampler, error) {
	if name == "ode-euler" {
		name = "euler"
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("diffusion: sampler %s: %s", name, fmt.Sprintf(format, a...))
	}
	known := false
	for _, s := range samplerNames {
		known = known || s == name
	}
	if !known {
		return nil, fmt.Errorf("diffusion: unknown sampler %q (valid: %s, ode-euler)", name, strings.Join(samplerNames, ", "))
	}
	if name != "rk45" && o.Steps < 1 {
		return nil, bad("steps %d, need at least 1", o.Steps)
	}
	if !contains(spacingNames, o.Spacing) {
		return nil, bad("unknown spacing %q (valid: %s)", o.Spacing, strings.Join(spacingNames, ", "))
	}
	switch name {
	case "euler", "heun", "midpoint", "rk4":
		return &ODESampler{Method: name, Steps: o.Steps, Spacing: o.Spacing}, nil
	case "rk45":
		if !usableTol(o.RTol) || !usableTol(o.ATol) {
			return nil, bad("rtol %g and atol %g must be finite and at least %g", o.RTol, o.ATol, minTol)
		}
		return &ODESampler{Method: name, RTol: o.RTol, ATol: o.ATol}, nil
	case "em", "pc":
		s := &SDESampler{Steps: o.Steps, Spacing: o.Spacing}
		if name == "pc" {
			if !(o.SNR > 0) || o.Corrector < 1 {
				return nil, bad("snr %g must be positive and corrector steps %d at least 1", o.SNR, o.Corrector)
			}
			s.SNR, s.Corrector = o.SNR, o.Corrector
		}
		return s, nil
	}
	// The DDPM/DDIM family.
	s := &DDIMSampler{name: name, Steps: o.Steps, Spacing: o.Spacing, Eta: o.Eta, DataHalfRange: o.DataHalfRange}
	family, base, _ := strings.Cut(name, "-")
	if base == "" {
		base, family = family, ""
	}
	if base == "ddpm" {
		s.Eta = 1
		if family == "" {
			switch o.Variance {
			case "small":
			case "large":
				s.Large = true
			default:
				return nil, bad("unknown variance %q (valid: small, large)", o.Variance)
			}
		}
	} else if !(o.Eta >= 0) || o.Eta > 1 {
		return nil, bad("eta %g outside [0, 1]", o.Eta)
	}
	switch family {
	case "analytic":
		if o.Gamma == nil || len(o.Gamma.T) == 0 {
			return nil, bad("needs the E‖ε̂‖²/d table (Options.Gamma, from EstimateGamma)")
		}
		s.Gamma = o.Gamma
	case "sn", "npr":
		if o.Cov == nil {
			return nil, bad("needs the covariance head (Options.Cov)")
		}
		s.Cov, s.NPR = o.Cov, family == "npr"
	}
	if o.DataHalfRange < 0 {
		return nil, bad("negative data half-range %g", o.DataHalfRange)
	}
	return s, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkSample validates the common arguments of Sample.
func checkSample(dst []float32, m Model, n int) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if n < 0 || len(dst) != n*m.Net.Dim() {
		return fmt.Errorf("diffusion: dst holds %d values, want %d samples × %d", len(dst), n, m.Net.Dim())
	}
	return nil
}

// drawPrior fills x with N(0, σ²) noise.
func drawPrior(x []float32, sigma float64, rng *rand.Rand) {
	for i := range x {
		x[i] = float32(sigma * rng.NormFloat64())
	}
}

// sdeStart returns the time SDE samplers start at: 1, or 1 − 1e-3 where
// α_1 = 0 makes the forward drift d log α/dt singular (condot).
func sdeStart(s Schedule) float64 {
	if s.At(1).Alpha == 0 {
		return 1 - 1e-3
	}
	return 1
}

// finite reports whether every value is finite.
func finite(x []float32) bool {
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

// minTol is the smallest rk45 tolerance: below float64's resolution no
// step can meet it, and far below it the scaled error norms overflow.
const minTol = 1e-15

// usableTol reports whether v is a usable rk45 tolerance: finite and at
// least minTol (so neither NaN, zero nor negative).
func usableTol(v float64) bool { return v >= minTol && !math.IsInf(v, 1) }
