package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Objective turns a batch of clean data into a regression problem for the
// network: the input x_t, the times t and the target the network output is
// trained towards with the mean squared error.
type Objective interface {
	// Name is the objective's name as the command line spells it.
	Name() string
	// Draw fills xt and target (n·d values) and t (n values) for the clean
	// batch x0 (n·d values), drawing times and noise from rng.
	Draw(xt, t, target, x0 []float32, rng *rand.Rand)
	// Schedule is the path x_t = α_t·x0 + σ_t·ε the objective noises along.
	Schedule() Schedule
	// Prediction is what a network trained on the objective predicts.
	Prediction() Prediction
}

// ModelOf returns the model a network trained with o is: the network, o's
// schedule and o's prediction.
func ModelOf(o Objective, net Network) Model {
	return Model{Net: net, Schedule: o.Schedule(), Pred: o.Prediction()}
}

var objectiveNames = []string{"ddpm", "flow", "score"}

// NewObjective returns the objective called name on the schedule called
// schedule ("" for the objective's default); a checkpoint that stores these
// two names can rebuild the model with ModelOf:
//
//	flow   FlowMatching on condot (its only schedule)
//	ddpm   DDPM's ε-objective with discrete steps; schedule linear (default),
//	       scaled-linear, cosine or sigmoid, 1000 steps
//	score  continuous-time denoising score matching in the ε-parameterisation;
//	       schedule vp (default), subvp or ve
func NewObjective(name, schedule string) (Objective, error) {
	def := map[string]string{"flow": "condot", "ddpm": "linear", "score": "vp"}[name]
	if def == "" {
		return nil, fmt.Errorf("diffusion: unknown objective %q (valid: %s)", name, strings.Join(objectiveNames, ", "))
	}
	if schedule == "" {
		schedule = def
	}
	valid := map[string][]string{
		"flow":  {"condot"},
		"ddpm":  {"cosine", "linear", "scaled-linear", "sigmoid"},
		"score": {"subvp", "ve", "vp"},
	}[name]
	if !contains(valid, schedule) {
		return nil, fmt.Errorf("diffusion: objective %s: schedule %q not usable (valid: %s)", name, schedule, strings.Join(valid, ", "))
	}
	s, err := NewSchedule(schedule)
	if err != nil {
		return nil, err
	}
	switch name {
	case "flow":
		return FlowMatching{}, nil
	case "ddpm":
		return DDPM{Steps: s.(*Discrete)}, nil
	}
	return Score{Path: s, TEps: 1e-5}, nil
}

// FlowMatching is the rectified-flow / conditional-OT objective:
// x_t = (1−t)·x0 + t·x1 with x1 ~ N(0, I) and t ~ U[0, 1), target x1 − x0.
// A network trained on it predicts the velocity dx/dt of the path.
type FlowMatching struct{}

// Name implements Objective.
func (FlowMatching) Name() string { return "flow" }

// Draw implements Objective.
func (FlowMatching) Draw(xt, t, target, x0 []float32, rng *rand.Rand) {
	n := len(t)
	if n == 0 {
		return
	}
	d := len(x0) / n
	if len(x0) != n*d || len(xt) != len(x0) || len(target) != len(x0) {
		panic("diffusion: FlowMatching.Draw: buffer sizes disagree")
	}
	for i := range n {
		ti := float32(rng.Float64())
		t[i] = ti
		for j := i * d; j < (i+1)*d; j++ {
			x1 := float32(rng.NormFloat64())
			xt[j] = (1-ti)*x0[j] + ti*x1
			target[j] = x1 - x0[j]
		}
	}
}

// Schedule implements Objective: the conditional-OT path.
func (FlowMatching) Schedule() Schedule { return CondOT{} }

// Prediction implements Objective: the velocity.
func (FlowMatching) Prediction() Prediction { return PredVelocity }

// DDPM is the discrete-time ε-objective of Ho et al. (2020, Algorithm 1):
// step i uniform in 1..N, x_t = √ᾱ_i·x0 + √(1 − ᾱ_i)·ε, target ε. The
// network sees step i as the time t = i/N.
type DDPM struct{ Steps *Discrete }

// Name implements Objective.
func (DDPM) Name() string { return "ddpm" }

// Schedule implements Objective.
func (o DDPM) Schedule() Schedule { return o.Steps }

// Prediction implements Objective: the noise ε.
func (DDPM) Prediction() Prediction { return PredEps }

// Draw implements Objective.
func (o DDPM) Draw(xt, t, target, x0 []float32, rng *rand.Rand) {
	n := o.Steps.Steps()
	drawGaussian(xt, t, target, x0, rng, func() float64 { return float64(rng.IntN(n)+1) / float64(n) }, o.Steps)
}

// Score is continuous-time denoising score matching (Song et al. 2021,
// eq. 7) in the ε-parameterisation: t ~ U[TEps, 1] (score_sde: 1e-5),
// x_t = α_t·x0 + σ_t·ε, target ε, so the network learns −σ_t·∇log p_t; this is
// score_sde's loss with λ(t) = σ_t² and its VP score function
// score = −model/σ_t.
type Score struct {
	Path Schedule
	TEps float64
}

// Name implements Objective.
func (Score) Name() string { return "score" }

// Schedule implements Objective.
func (o Score) Schedule() Schedule { return o.Path }

// Prediction implements Objective: the noise ε.
func (Score) Prediction() Prediction { return PredEps }

// Draw implements Objective.
func (o Score) Draw(xt, t, target, x0 []float32, rng *rand.Rand) {
	drawGaussian(xt, t, target, x0, rng, func() float64 { return o.TEps + (1-o.TEps)*rng.Float64() }, o.Path)
}

// drawGaussian draws t from tfn and ε ~ N(0, I), writes x_t = α·x0 + σ·ε
// and the target ε.
func drawGaussian(xt, t, target, x0 []float32, rng *rand.Rand, tfn func() float64, s Schedule) {
	n := len(t)
	if n == 0 {
		return
	}
	d := len(x0) / n
	if len(x0) != n*d || len(xt) != len(x0) || len(target) != len(x0) {
		panic("diffusion: Objective.Draw: buffer sizes disagree")
	}
	for i := range n {
		ti := float32(tfn())
		t[i] = ti
		k := s.At(float64(ti))
		for j := i * d; j < (i+1)*d; j++ {
			e := rng.NormFloat64()
			xt[j] = float32(k.Alpha*float64(x0[j]) + k.Sigma*e)
			target[j] = float32(e)
		}
	}
}

// CovHead is the objective of Extended Analytic-DPM's extra covariance head
// (Bao et al. 2022b) on top of an ε-objective Base (ddpm or score): it draws
// x_t as Base does and targets ε² per coordinate (SN-DPM, when Eps is nil)
// or (ε − ε̂(x_t))² with the trained noise model Eps (NPR-DPM). The head is a
// separate Network of the data dimension (in a backbone: a second output of
// the same width); pass it as Options.Cov to the sn-* or npr-* samplers.
// Draw cannot return an error: when Eps fails, Draw leaves target zero and
// Err reports the first failure.
type CovHead struct {
	Base Objective
	Eps  *Model
	err  error
	buf  []float32
}

// Name implements Objective.
func (o *CovHead) Name() string {
	if o.Eps != nil {
		return o.Base.Name() + "-npr"
	}
	return o.Base.Name() + "-sn"
}

// Schedule implements Objective.
func (o *CovHead) Schedule() Schedule { return o.Base.Schedule() }

// Prediction implements Objective: the output is a second moment, not one
// of the parameterisations; it reports the base's ε.
func (o *CovHead) Prediction() Prediction { return o.Base.Prediction() }

// Err returns the first error of the noise model, if any.
func (o *CovHead) Err() error { return o.err }

// Draw implements Objective.
func (o *CovHead) Draw(xt, t, target, x0 []float32, rng *rand.Rand) {
	if o.Base.Prediction() != PredEps {
		panic("diffusion: CovHead needs an ε-objective base")
	}
	o.Base.Draw(xt, t, target, x0, rng)
	if o.Eps == nil {
		for i, e := range target {
			target[i] = e * e
		}
		return
	}
	if len(o.buf) != len(xt) {
		o.buf = make([]float32, len(xt))
	}
	if err := o.Eps.Net.Predict(o.buf, xt, t, nil); err != nil {
		if o.err == nil {
			o.err = fmt.Errorf("diffusion: CovHead noise model: %w", err)
		}
		clear(target)
		return
	}
	d := len(xt) / len(t)
	for i := range t {
		cx, cy := ConvertCoef(PredEps, o.Eps.Pred, o.Eps.Schedule.At(float64(t[i])))
		for j := i * d; j < (i+1)*d; j++ {
			r := cx*float64(xt[j]) + cy*float64(o.buf[j]) - float64(target[j])
			target[j] = float32(math.Min(r*r, math.MaxFloat32))
		}
	}
}
