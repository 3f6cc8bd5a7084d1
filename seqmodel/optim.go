package seqmodel

import (
	"fmt"
	"math"

	"github.com/seqlab/seqlab/asm"
)

// OptimConfig configures AdamW, its learning-rate schedule, gradient
// clipping and the EMA of the weights.
type OptimConfig struct {
	LR          float64 `json:"lr"`           // peak learning rate
	Beta1       float64 `json:"beta1"`        // first-moment decay (0.9)
	Beta2       float64 `json:"beta2"`        // second-moment decay (0.999)
	Eps         float64 `json:"eps"`          // denominator ε (1e-8)
	WeightDecay float64 `json:"weight_decay"` // decoupled weight decay λ (0 gives Adam)
	Clip        float64 `json:"clip"`         // global gradient-norm clip (0: none)
	Warmup      int     `json:"warmup"`       // steps of linear warmup from 0 to LR
	Steps       int     `json:"steps"`        // total steps; cosine decay runs from Warmup to Steps
	MinLR       float64 `json:"min_lr"`       // learning rate at the end of the cosine
	EMADecay    float64 `json:"ema_decay"`    // EMA weight decay per step (0: no EMA)
}

// DefaultOptim returns AdamW settings that train seqlab's default models:
// lr 1e-3, β = (0.9, 0.999), ε = 1e-8, no weight decay, clip 1, 1% warmup,
// cosine to lr/10, EMA 0.999.
func DefaultOptim(steps int) OptimConfig {
	return OptimConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Clip: 1,
		Warmup: steps / 100, Steps: steps, MinLR: 1e-4, EMADecay: 0.999}
}

// Validate reports the first setting that cannot work. NaN and infinite
// values are refused everywhere: a run's configuration is stored as JSON,
// which has neither.
func (c OptimConfig) Validate() error {
	switch {
	case !positive(c.LR):
		return fmt.Errorf("learning rate %g must be positive and finite", c.LR)
	case !unitInterval(c.Beta1) || !unitInterval(c.Beta2):
		return fmt.Errorf("Adam betas (%g, %g) must lie in [0, 1)", c.Beta1, c.Beta2)
	case !positive(c.Eps):
		return fmt.Errorf("Adam ε %g must be positive and finite", c.Eps)
	case !nonNegative(c.WeightDecay) || !nonNegative(c.Clip) || !nonNegative(c.MinLR):
		return fmt.Errorf("weight decay %g, clip %g and min lr %g must be finite and not negative", c.WeightDecay, c.Clip, c.MinLR)
	case c.Warmup < 0 || c.Steps <= 0:
		return fmt.Errorf("warmup %d and steps %d must be non-negative and positive", c.Warmup, c.Steps)
	case !unitInterval(c.EMADecay):
		return fmt.Errorf("EMA decay %g must lie in [0, 1)", c.EMADecay)
	}
	return nil
}

// positive, nonNegative and unitInterval are false for NaN and ±Inf.
func positive(x float64) bool     { return x > 0 && !math.IsInf(x, 1) }
func nonNegative(x float64) bool  { return x >= 0 && !math.IsInf(x, 1) }
func unitInterval(x float64) bool { return x >= 0 && x < 1 }

// LearningRate is the schedule at step (0-based): linear warmup from LR/Warmup
// to LR over Warmup steps, then cosine decay from LR to MinLR at Steps.
func (c OptimConfig) LearningRate(step int) float64 {
	if step < c.Warmup {
		return c.LR * float64(step+1) / float64(c.Warmup)
	}
	span := c.Steps - c.Warmup
	if span <= 0 {
		return c.LR
	}
	p := math.Min(float64(step-c.Warmup)/float64(span), 1)
	return c.MinLR + (c.LR-c.MinLR)*0.5*(1+math.Cos(math.Pi*p))
}

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter 2019) over
// a parameter set, with its moment estimates.
type AdamW struct {
	Config OptimConfig
	M, V   *Params // first and second moment estimates, laid out like the parameters
	Step   int     // number of updates applied

	scaled []float32 // Update's clipped copy of one gradient
}

// NewAdamW returns an optimizer for ps with zero moments.
func NewAdamW(ps *Params, cfg OptimConfig) (*AdamW, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m, v := ps.Clone(), ps.Clone()
	for _, p := range m.All() {
		clear(p.Data)
	}
	for _, p := range v.All() {
		clear(p.Data)
	}
	return &AdamW{Config: cfg, M: m, V: v}, nil
}

// GradNorm is the Euclidean norm of all gradients together.
func GradNorm(grads [][]float32) float64 {
	var s float64
	for _, g := range grads {
		s += sumSquares(g)
	}
	return math.Sqrt(s)
}

// sumSquares is Σ x² in float64, over four interleaved partial sums (so
// that the additions do not wait on each other) added at the end.
func sumSquares(x []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a, b, c, d := float64(x[i]), float64(x[i+1]), float64(x[i+2]), float64(x[i+3])
		s0 += a * a
		s1 += b * b
		s2 += c * c
		s3 += d * d
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i]) * float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// Update applies one AdamW step to ps from grads (one slice per parameter, in
// ps order; nil for a parameter the loss does not depend on), whose global
// norm the caller computed (GradNorm): gradients are first scaled by
// min(1, Clip/norm) (into a copy; grads is not modified), then with lr from
// the schedule and bias corrections c1 = 1−β1ᵗ, c2 = 1−β2ᵗ:
//
//	m = β1·m + (1−β1)·g,  v = β2·v + (1−β2)·g²
//	w = w − lr·(m/c1 / (√(v/c2) + ε) + λ·w)
//
// each parameter updated by asm.AdamW.Step.
func (o *AdamW) Update(ps *Params, grads [][]float32, norm float64) {
	u := o.begin(norm)
	for i, p := range ps.All() {
		u.apply(p.Data, o.M.list[i].Data, o.V.list[i].Data, grads[i], &o.scaled)
	}
}

// adamUpdate is one AdamW step's constants; apply updates one parameter, so
// that parameters can be updated concurrently.
type adamUpdate struct {
	k      asm.AdamW
	c1, c2 float32 // bias corrections
	scale  float32 // gradient clipping factor
}

// begin counts a step and returns its constants.
func (o *AdamW) begin(norm float64) adamUpdate {
	c := o.Config
	scale := 1.0
	if c.Clip > 0 && norm > c.Clip {
		scale = c.Clip / norm
	}
	lr := c.LearningRate(o.Step)
	o.Step++
	return adamUpdate{
		k:     asm.AdamW{LR: float32(lr), Beta1: float32(c.Beta1), Beta2: float32(c.Beta2), Eps: float32(c.Eps), WeightDecay: float32(c.WeightDecay)},
		c1:    float32(1 - math.Pow(c.Beta1, float64(o.Step))),
		c2:    float32(1 - math.Pow(c.Beta2, float64(o.Step))),
		scale: float32(scale),
	}
}

// apply updates the parameter p and its moments m, v from gradient g (nil:
// no update), using *scratch for the clipped gradient.
func (u adamUpdate) apply(p, m, v, g []float32, scratch *[]float32) {
	if g == nil { // the parameter does not reach the loss
		return
	}
	if u.scale != 1 {
		*scratch = append((*scratch)[:0], g...)
		g = *scratch
		for j := range g {
			g[j] *= u.scale
		}
	}
	u.k.Step(p, m, v, g, u.c1, u.c2)
}

// UpdateEMA moves ema towards ps: ema = d·ema + (1−d)·w, with the decay
// warmed up as d = min(Decay, (1+t)/(10+t)) after t updates, so early
// weights are forgotten quickly.
func UpdateEMA(ema, ps *Params, decay float64, step int) {
	d := emaDecay(decay, step)
	for i, p := range ps.All() {
		emaStep(ema.list[i].Data, p.Data, d)
	}
}

// emaDecay is UpdateEMA's warmed-up decay after step updates.
func emaDecay(decay float64, step int) float32 {
	return float32(math.Min(decay, float64(1+step)/float64(10+step)))
}

// emaStep sets e = d·e + (1−d)·w.
func emaStep(e, w []float32, d float32) {
	for j, v := range w {
		e[j] = d*e[j] + (1-d)*v
	}
}
