package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// JVPNetwork is a Network that also computes Jacobian–vector products of its
// output with respect to x: dst = (∂Predict(x, t)/∂x)·w per sample. The
// likelihood takes exact divergences from it (d products per evaluation) and
// Hutchinson estimates (one per probe). The analytic oracles implement it
// exactly; a backbone can implement it with forward-mode differentiation.
type JVPNetwork interface {
	Network
	JVP(dst, x, t, w []float32, cond []int32) error
}

// Likelihood computes log-densities of a model through the instantaneous
// change of variables of its probability-flow ODE (Chen et al. 2018; Song et
// al. 2021, Appendix D.2):
//
//	log p_{t0}(x) = log N(x_1; 0, σ_1²I) + ∫_{t0}^{1} ∇·v(x_t, t) dt,
//
// integrating x and the divergence integral together with rk45 from
// t0 = the schedule's TMin (0 on condot, where the result is log p_0) to 1.
// The prior is N(0, σ_1²·I); where α_1 > 0 (VP ≈ 0.0066, VE) that is an
// approximation of p_1, as in score_sde.
//
// Divergence: with Probes = 0, exact, as the trace of the velocity Jacobian
// from d Jacobian–vector products per evaluation. The velocity is
// v = cx·x + cy·y for the network output y (Convert), so
// ∇·v = cx·d + cy·tr(∂y/∂x). For a JVPNetwork the products are exact; for
// any other Network they are central differences of step h = FDStep (default
// 1e-2) with truncation error O(h²·|∂³y|) and float32 roundoff
// O(6e-8·|y|/h) per product: not exact, and Stats.JVP reports how many were
// taken (each costs two evaluations). With Probes = K > 0, the Hutchinson
// estimator ∇·v ≈ wᵀ(∂v/∂x)w with K probes w per sample (Rademacher or
// Gaussian), fixed along the trajectory (FFJORD), one integral per probe:
// the mean over probes is unbiased and LogDensity reports its standard
// error (sample standard deviation over probes / √K).
type Likelihood struct {
	RTol, ATol float64
	Probes     int
	// Probe is "rademacher" (default) or "gaussian".
	Probe string
	// BinWidth > 0 declares discrete data on a grid of that spacing: each
	// x is uniformly dequantised to x + (u − ½)·BinWidth, u ~ U[0, 1)^d,
	// before its density is computed (score_sde's uniform_dequantization);
	// BitsPerDim then turns the density into bits per dimension of the
	// discrete data (an upper bound in expectation over u).
	BinWidth float64
	// FDStep is the central-difference step for networks that are not
	// JVPNetworks (default 1e-2).
	FDStep float64
}

// DefaultLikelihood returns rk45 at rtol = atol = 1e-5 with the exact
// divergence and no dequantisation.
func DefaultLikelihood() Likelihood {
	return Likelihood{RTol: 1e-5, ATol: 1e-5, Probe: "rademacher"}
}

// BitsPerDim converts a log-density in nats of d-dimensional data to bits per
// dimension: −log p/(d·ln 2), and for discrete data with bin width Δ > 0
// (dequantised) −(log p + d·ln Δ)/(d·ln 2).
func BitsPerDim(logp float64, d int, binWidth float64) float64 {
	if binWidth > 0 {
		logp += float64(d) * math.Log(binWidth)
	}
	return -logp / (float64(d) * math.Ln2)
}

// Validate reports the first setting of l that LogDensity and Sample would
// refuse: tolerances, probes, bin width and FD step.
func (l Likelihood) Validate() error {
	switch {
	case !usableTol(l.RTol) || !usableTol(l.ATol):
		return fmt.Errorf("diffusion: likelihood: rtol %g and atol %g must be finite and at least %g", l.RTol, l.ATol, minTol)
	case l.Probes < 0:
		return fmt.Errorf("diffusion: likelihood: %d probes, need 0 (exact divergence) or more", l.Probes)
	case l.Probes > 0 && l.Probe != "rademacher" && l.Probe != "gaussian":
		return fmt.Errorf("diffusion: likelihood: unknown probe %q (valid: rademacher, gaussian)", l.Probe)
	case !(l.BinWidth >= 0) || !(l.FDStep >= 0) || math.IsInf(l.BinWidth, 1) || math.IsInf(l.FDStep, 1):
		return fmt.Errorf("diffusion: likelihood: bin width %g and FD step %g must be finite and non-negative", l.BinWidth, l.FDStep)
	}
	return nil
}

// LogDensity writes log p_{t0}(x) for the n = len(x)/d samples of x into
// logp (n values) and, with Hutchinson probes, the estimate's standard error
// into stderr (n values, or nil). rng draws the probes and the
// dequantisation noise.
func (l Likelihood) LogDensity(logp, stderr []float64, m Model, x []float32, cond []int32, rng *rand.Rand) (Stats, error) {
	if err := l.Validate(); err != nil {
		return Stats{}, err
	}
	if err := m.Validate(); err != nil {
		return Stats{}, err
	}
	d := m.Net.Dim()
	n := len(logp)
	if len(x) != n*d || (stderr != nil && len(stderr) != n) {
		return Stats{}, fmt.Errorf("diffusion: likelihood: %d values for %d samples of dimension %d", len(x), n, d)
	}
	xs := append([]float32(nil), x...)
	if l.BinWidth > 0 {
		for i := range xs {
			xs[i] += float32((rng.Float64() - 0.5) * l.BinWidth)
		}
	}
	div, err := l.newDivergence(m, n, cond, rng)
	if err != nil {
		return Stats{}, err
	}
	t0 := m.Schedule.TMin()
	aug := make([]float64, n*max(l.Probes, 1))
	st, err := rk45(div.velocity, div.rhs, xs, aug, t0, 1, l.RTol, l.ATol)
	st.NFE, st.JVP = div.e.nfe, div.jvps
	if err != nil {
		return st, err
	}
	sig := m.Schedule.At(1).Sigma
	k := max(l.Probes, 1)
	for i := range n {
		lp := gaussLogDensity(xs[i*d:(i+1)*d], sig)
		mean, se := MeanSE(aug[i*k : (i+1)*k])
		logp[i] = lp + mean
		if stderr != nil {
			stderr[i] = se
		}
	}
	return st, nil
}

// Sample draws n samples from the prior, transports them by the
// probability-flow ODE with rk45 from 1 to t0 = TMin (no final denoising,
// so that the density stays that of the returned points) and writes them to
// dst together with their log-densities log p_{t0} under the model
// (Probes = 0: exact; otherwise Hutchinson) into logp.
func (l Likelihood) Sample(dst []float32, logp []float64, m Model, n int, cond []int32, rng *rand.Rand) (Stats, error) {
	if err := l.Validate(); err != nil {
		return Stats{}, err
	}
	if err := checkSample(dst, m, n); err != nil {
		return Stats{}, err
	}
	if len(logp) != n {
		return Stats{}, fmt.Errorf("diffusion: likelihood: %d log-density slots for %d samples", len(logp), n)
	}
	d := m.Net.Dim()
	sig := m.Schedule.At(1).Sigma
	drawPrior(dst, sig, rng)
	for i := range n {
		logp[i] = gaussLogDensity(dst[i*d:(i+1)*d], sig)
	}
	div, err := l.newDivergence(m, n, cond, rng)
	if err != nil {
		return Stats{}, err
	}
	aug := make([]float64, n*max(l.Probes, 1))
	st, err := rk45(div.velocity, div.rhs, dst, aug, 1, m.Schedule.TMin(), l.RTol, l.ATol)
	st.NFE, st.JVP = div.e.nfe, div.jvps
	if err != nil {
		return st, err
	}
	k := max(l.Probes, 1)
	for i := range n {
		mean, _ := MeanSE(aug[i*k : (i+1)*k])
		logp[i] -= mean // ∫_1^{t0} ∇·v dt = −∫_{t0}^1 ∇·v dt
	}
	return st, nil
}

// MeanSE returns the mean of v and its standard error, the sample standard
// deviation (n−1 in the denominator) over √n; se is 0 for fewer than two
// values. LogDensity reports its Hutchinson estimates' errors this way.
func MeanSE(v []float64) (mean, se float64) {
	for _, a := range v {
		mean += a
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	var ss float64
	for _, a := range v {
		ss += sq(a - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1) / float64(len(v)))
}

func gaussLogDensity(x []float32, sigma float64) float64 {
	var q float64
	for _, v := range x {
		q += sq(float64(v) / sigma)
	}
	return -0.5*q - float64(len(x))*(math.Log(sigma)+0.5*math.Log(2*math.Pi))
}

// divergence computes the velocity and its divergence (exact or by probes).
type divergence struct {
	l      Likelihood
	m      Model
	e      *evaluator
	jvpNet JVPNetwork
	n, d   int
	probes []float32 // K probes per sample, laid out [probe][sample][d]; nil for exact
	w, jw  []float32
	xp, xm []float32
	vp, vm []float32
	tt     []float32
	jvps   int
}

func (l Likelihood) newDivergence(m Model, n int, cond []int32, rng *rand.Rand) (*divergence, error) {
	e, err := newEvaluator(m, n, cond)
	if err != nil {
		return nil, err
	}
	d := m.Net.Dim()
	v := &divergence{l: l, m: m, e: e, n: n, d: d, tt: make([]float32, n)}
	v.jvpNet, _ = m.Net.(JVPNetwork)
	for _, b := range []*[]float32{&v.w, &v.jw, &v.xp, &v.xm, &v.vp, &v.vm} {
		*b = make([]float32, n*d)
	}
	if l.Probes > 0 {
		v.probes = make([]float32, l.Probes*n*d)
		for i := range v.probes {
			if l.Probe == "gaussian" {
				v.probes[i] = float32(rng.NormFloat64())
			} else if rng.IntN(2) == 0 {
				v.probes[i] = -1
			} else {
				v.probes[i] = 1
			}
		}
	}
	return v, nil
}

func (v *divergence) velocity(k, x []float32, t float64) error {
	_, err := v.e.eval(PredVelocity, k, x, t)
	return err
}

// jvpVelocity writes (∂v/∂x)·w at (x, t) into v.jw.
func (v *divergence) jvpVelocity(x []float32, t float64) error {
	v.jvps++
	if v.jvpNet != nil {
		for i := range v.tt {
			v.tt[i] = float32(t)
		}
		if err := v.jvpNet.JVP(v.jw, x, v.tt, v.w, v.e.cond); err != nil {
			return fmt.Errorf("diffusion: JVP at t=%g: %w", t, err)
		}
		cx, cy := ConvertCoef(PredVelocity, v.m.Pred, v.m.Schedule.At(t))
		affine(v.jw, cx, v.w, cy, v.jw)
		return nil
	}
	h := v.l.FDStep
	if h == 0 {
		h = 1e-2
	}
	for i := range x {
		v.xp[i] = x[i] + float32(h)*v.w[i]
		v.xm[i] = x[i] - float32(h)*v.w[i]
	}
	if _, err := v.e.eval(PredVelocity, v.vp, v.xp, t); err != nil {
		return err
	}
	if _, err := v.e.eval(PredVelocity, v.vm, v.xm, t); err != nil {
		return err
	}
	for i := range v.jw {
		v.jw[i] = float32((float64(v.vp[i]) - float64(v.vm[i])) / (2 * h))
	}
	return nil
}

// rhs writes the divergence channels at (x, t): one per sample (exact) or
// one per probe and sample, laid out [sample][probe].
func (v *divergence) rhs(daug []float64, x []float32, t float64) error {
	n, d := v.n, v.d
	if v.probes == nil {
		clear(daug)
		for j := range d {
			clear(v.w)
			for i := range n {
				v.w[i*d+j] = 1
			}
			if err := v.jvpVelocity(x, t); err != nil {
				return err
			}
			for i := range n {
				daug[i] += float64(v.jw[i*d+j])
			}
		}
		return nil
	}
	kp := v.l.Probes
	for p := range kp {
		copy(v.w, v.probes[p*n*d:(p+1)*n*d])
		if err := v.jvpVelocity(x, t); err != nil {
			return err
		}
		for i := range n {
			var s float64
			for j := i * d; j < (i+1)*d; j++ {
				s += float64(v.w[j]) * float64(v.jw[j])
			}
			daug[i*kp+p] = s
		}
	}
	return nil
}
