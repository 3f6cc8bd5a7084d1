package diffusion

import (
	"fmt"
	"math"
	"strings"
)

// Prediction says what a network's output means at (x_t, t) on a path
// x_t = α_t·x0 + σ_t·ε.
type Prediction string

// The parameterisations. Every one is an affine function of (x_t, ε̂) with
// coefficients that depend on t only, so Convert maps any of them to any
// other exactly (where the coefficients are finite).
const (
	// PredEps predicts the noise ε (Ho et al. 2020).
	PredEps Prediction = "eps"
	// PredX0 predicts the clean data x0.
	PredX0 Prediction = "x0"
	// PredV predicts v = α_t·ε − σ_t·x0 (Salimans & Ho 2022).
	PredV Prediction = "v"
	// PredScore predicts the score ∇ log p_t(x_t) = −ε̂/σ_t.
	PredScore Prediction = "score"
	// PredVelocity predicts the probability-flow velocity
	// dx/dt = α'_t·x0 + σ'_t·ε (flow matching).
	PredVelocity Prediction = "velocity"
)

var predictionNames = []string{"eps", "score", "v", "velocity", "x0"}

// ParsePrediction returns the Prediction called name.
func ParsePrediction(name string) (Prediction, error) {
	for _, p := range predictionNames {
		if p == name {
			return Prediction(name), nil
		}
	}
	return "", fmt.Errorf("diffusion: unknown prediction %q (valid: %s)", name, strings.Join(predictionNames, ", "))
}

// toX0Eps returns the 2×2 map from (x, y) to (x0, ε) for a network output y
// of kind p: x0 = a·x + b·y, ε = c·x + e·y.
func toX0Eps(p Prediction, k Coef) (a, b, c, e float64) {
	al, s, da, ds := k.Alpha, k.Sigma, k.DAlpha, k.DSigma
	switch p {
	case PredEps: // x0 = (x − σε)/α
		return 1 / al, -s / al, 0, 1
	case PredX0: // ε = (x − αx0)/σ
		return 0, 1, 1 / s, -al / s
	case PredV: // [x; v] = [[α, σ], [−σ, α]]·[x0; ε]
		n := al*al + s*s
		return al / n, -s / n, s / n, al / n
	case PredScore: // ε = −σs, x0 = (x + σ²s)/α
		return 1 / al, s * s / al, 0, -s
	case PredVelocity: // [x; u] = [[α, σ], [α', σ']]·[x0; ε]
		det := al*ds - s*da
		return ds / det, -s / det, -da / det, al / det
	}
	panic("diffusion: unknown prediction " + string(p))
}

// fromX0Eps returns the map from (x0, ε) to an output of kind p (at
// x = α·x0 + σ·ε): y = a·x0 + b·ε.
func fromX0Eps(p Prediction, k Coef) (a, b float64) {
	switch p {
	case PredEps:
		return 0, 1
	case PredX0:
		return 1, 0
	case PredV:
		return -k.Sigma, k.Alpha
	case PredScore:
		return 0, -1 / k.Sigma
	case PredVelocity:
		return k.DAlpha, k.DSigma
	}
	panic("diffusion: unknown prediction " + string(p))
}

// ConvertCoef returns (cx, cy) with to = cx·x + cy·from: the exact change of
// parameterisation at path coefficients k. Special cases that need no
// division (identity, the PredEps/PredScore pair) are computed directly so
// that they stay exact at α = 0 or σ = 0.
func ConvertCoef(to, from Prediction, k Coef) (cx, cy float64) {
	if to == from {
		return 0, 1
	}
	switch {
	case from == PredEps && to == PredScore:
		return 0, -1 / k.Sigma
	case from == PredScore && to == PredEps:
		return 0, -k.Sigma
	}
	a, b, c, e := toX0Eps(from, k)
	p, q := fromX0Eps(to, k)
	// to = p·x0 + q·ε = p(a x + b y) + q(c x + e y)
	return p*a + q*c, p*b + q*e
}

// Convert writes to dst (n·d values) the prediction of kind to equivalent
// to y of kind from at inputs x and path coefficients k:
// dst = cx·x + cy·y with (cx, cy) = ConvertCoef(to, from, k). dst may alias y.
func Convert(dst []float32, to Prediction, y []float32, from Prediction, x []float32, k Coef) {
	if len(dst) != len(y) || len(dst) != len(x) {
		panic("diffusion: Convert: buffer sizes disagree")
	}
	cx, cy := ConvertCoef(to, from, k)
	affine(dst, cx, x, cy, y)
}

// affine computes dst = cx·x + cy·y in float64 arithmetic per element.
func affine(dst []float32, cx float64, x []float32, cy float64, y []float32) {
	if cx == 0 {
		if cy == 1 {
			copy(dst, y)
			return
		}
		for i := range dst {
			dst[i] = float32(cy * float64(y[i]))
		}
		return
	}
	for i := range dst {
		dst[i] = float32(cx*float64(x[i]) + cy*float64(y[i]))
	}
}

// Model is a network together with the path it was trained on and what its
// output predicts: everything a sampler or the likelihood needs.
type Model struct {
	Net      Network
	Schedule Schedule
	Pred     Prediction
}

// Validate reports a missing part or an unknown prediction.
func (m Model) Validate() error {
	switch {
	case m.Net == nil:
		return fmt.Errorf("diffusion: model has no network")
	case m.Schedule == nil:
		return fmt.Errorf("diffusion: model has no schedule")
	case m.Net.Dim() < 1:
		return fmt.Errorf("diffusion: network dimension %d", m.Net.Dim())
	}
	_, err := ParsePrediction(string(m.Pred))
	return err
}

// evaluator calls a model's network at one time for a whole batch, converts
// the output and counts network evaluations.
type evaluator struct {
	m    Model
	n, d int
	cond []int32
	t    []float32
	raw  []float32
	nfe  int
}

func newEvaluator(m Model, n int, cond []int32) (*evaluator, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if cond != nil && len(cond) != n {
		return nil, fmt.Errorf("diffusion: %d condition labels for %d samples", len(cond), n)
	}
	d := m.Net.Dim()
	return &evaluator{m: m, n: n, d: d, cond: cond, t: make([]float32, n), raw: make([]float32, n*d)}, nil
}

// eval writes the prediction of kind p at (x, t) into dst and returns the
// path coefficients at t.
func (e *evaluator) eval(p Prediction, dst, x []float32, t float64) (Coef, error) {
	for i := range e.t {
		e.t[i] = float32(t)
	}
	k := e.m.Schedule.At(t)
	e.nfe++
	if err := e.m.Net.Predict(e.raw, x, e.t, e.cond); err != nil {
		return k, fmt.Errorf("diffusion: network at t=%g: %w", t, err)
	}
	cx, cy := ConvertCoef(p, e.m.Pred, k)
	if math.IsInf(cx, 0) || math.IsNaN(cx) || math.IsInf(cy, 0) || math.IsNaN(cy) {
		return k, fmt.Errorf("diffusion: cannot convert a %s prediction to %s at t=%g on schedule %s", e.m.Pred, p, t, e.m.Schedule.Name())
	}
	affine(dst, cx, x, cy, e.raw)
	return k, nil
}

// x0eps writes both x̂0 and ε̂ at (x, t).
func (e *evaluator) x0eps(x0, eps, x []float32, t float64) (Coef, error) {
	k, err := e.eval(PredEps, eps, x, t)
	if err != nil {
		return k, err
	}
	cx, cy := ConvertCoef(PredX0, e.m.Pred, k)
	affine(x0, cx, x, cy, e.raw)
	return k, nil
}
