package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/seqlab/seqlab/asm"
)

// DDIMSampler is the DDPM/DDIM family on any schedule and parameterisation:
// from the prior at t_K = 1 it evaluates the model at the K times of Times
// and steps t → s (the next time, and finally s = 0, the data) by
//
//	x_s = α_s·x̂0 + √(σ_s² − λ²)·ε̂ + σ_rev·z,   λ² = η²·β̃_{t,s},
//	β̃_{t,s} = σ_s²·(1 − α_t²σ_s²/(α_s²σ_t²))    (the posterior variance of q(x_s | x_t, x0)),
//
// the generalised non-Markovian step of Song, Meng & Ermon (2021, eq. 12),
// written for any Gaussian path. With the default reverse variance
// σ_rev² = λ² this is DDIM(η); η = 1 is DDPM with σ² = β̃ (Ho et al. 2020);
// Large uses the forward variance σ_rev² = σ_t² − α_t²σ_s²/α_s² (β for
// consecutive steps) with the DDPM mean, and no noise on the last step.
//
// Analytic-DPM (Bao et al. 2022, Theorem 1) replaces σ_rev² by the
// KL-optimal
//
//	σ*² = λ² + a²·(σ_t²/α_t²)·(1 − Γ_t),   a = α_s − √(σ_s² − λ²)·α_t/σ_t,
//
// with Γ_t = E‖ε̂(x_t)‖²/d from a GammaTable, clipped to Γ_t ≤ 1 (the lower
// bound σ*² ≥ λ²) and, when DataHalfRange R > 0, to σ*² ≤ λ² + a²R² (their
// Theorem 2 upper bound). SN-DPM and NPR-DPM (Bao et al. 2022b, "Estimating
// the Optimal Covariance with Imperfect Mean in Diffusion Probabilistic
// Models") use the state-dependent diagonal
//
//	σ*²(x_t) = λ² + a²·(σ_t²/α_t²)·(h(x_t) − ε̂(x_t)²)   (SN: h ≈ E[ε²|x_t]),
//	σ*²(x_t) = λ² + a²·(σ_t²/α_t²)·g(x_t)               (NPR: g ≈ E[(ε − ε̂)²|x_t]),
//
// per coordinate, with the same clipping. The analytic, SN and NPR variances
// are added on every step, the last one included (the optimal Gaussian
// decoder); the covariance head is counted as part of the model's
// evaluation, not as a separate NFE.
type DDIMSampler struct {
	name          string
	Steps         int
	Spacing       string
	Eta           float64
	Large         bool
	Gamma         *GammaTable
	Cov           Network
	NPR           bool
	DataHalfRange float64
}

// Name implements Sampler.
func (s *DDIMSampler) Name() string { return s.name }

// Times returns the K evaluation times, from 1 down, for schedule sch:
// uniform and quadratic spacing place K points from 1 to the schedule's TMin
// inclusive (on a Discrete schedule: steps N … 1, as DDIM's uniform and
// quadratic sub-sequences and Analytic-DPM's linear trajectory end at step
// 1), trailing places them at j/K for j = K … 1 (diffusers "trailing").
func (s *DDIMSampler) Times(sch Schedule) ([]float64, error) {
	if s.Spacing == "trailing" {
		g, err := TimeGrid(sch, s.Spacing, s.Steps, 1)
		if err != nil {
			return nil, err
		}
		return g[:len(g)-1], nil
	}
	if s.Steps == 1 {
		return []float64{1}, nil
	}
	return TimeGrid(sch, s.Spacing, s.Steps-1, 1)
}

// Sample implements Sampler.
func (s *DDIMSampler) Sample(dst []float32, m Model, n int, cond []int32, rng *rand.Rand) (Stats, error) {
	if err := checkSample(dst, m, n); err != nil {
		return Stats{}, err
	}
	w, err := s.newWalk(m, n, cond)
	if err != nil {
		return Stats{}, err
	}
	x := dst
	drawPrior(x, m.Schedule.At(w.ts[0]).Sigma, rng)
	var st Stats
	for j := range w.ts {
		p, err := w.step(j, x)
		if err != nil {
			return st, err
		}
		// x ← cx0·x̂0 + ceps·ε̂ + σ_rev·z (no draws when σ_rev = 0: DDIM η = 0).
		for i := range x {
			x[i] = float32(p.cx0*float64(w.x0[i]) + p.ceps*float64(w.eps[i]))
		}
		if w.cov != nil || p.std > 0 {
			for i := range x {
				w.noise[i] = float32(math.Sqrt(w.variance(p, i)) * rng.NormFloat64())
			}
			asm.EulerStep(x, x, w.noise, 1)
		}
		st.Steps++
	}
	st.NFE = w.e.nfe
	if !finite(x) {
		return st, fmt.Errorf("diffusion: %s produced a non-finite value", s.name)
	}
	return st, nil
}

// NLL writes into dst, for each sample of x0 (row-major, the model's
// dimension), the negative ELBO in nats of the K-step reverse process
// (Ho et al. 2020, eq. 5; Bao et al. 2022 for the K-step trajectories):
//
//	KL(q(x_T|x0) ‖ N(0, σ_T²I)) + Σ_{t→s, s>0} KL(q(x_s|x_t, x0) ‖ p(x_s|x_t)) − log p(x0|x_{t_1}),
//
// each term with one draw of x_t ~ q(x_t|x0) from rng. The reverse kernels
// are the sampler's; the decoder p(x0|x_{t_1}) is N(x̂0, σ²) with σ² the
// forward variance σ_{t_1}² for ddpm (β_1, as DDPM) and the optimal one for
// the analytic, SN and NPR variants. With binWidth > 0 the data are
// discrete on a grid of that spacing and the decoder term is the Gaussian
// mass of each value's bin (DDPM's discretised decoder without its
// open-ended edge bins); BitsPerDim(−nll, d, 0) then gives bits per
// dimension. It needs η > 0: with η = 0 the forward posterior is a point
// mass and the bound is infinite.
func (s *DDIMSampler) NLL(dst []float64, m Model, x0 []float32, binWidth float64, rng *rand.Rand) (Stats, error) {
	if !(s.Eta > 0) {
		return Stats{}, fmt.Errorf("diffusion: %s: the ELBO needs η > 0", s.name)
	}
	if err := m.Validate(); err != nil {
		return Stats{}, err
	}
	d := m.Net.Dim()
	n := len(dst)
	if len(x0) != n*d {
		return Stats{}, fmt.Errorf("diffusion: NLL: %d data values for %d samples of dimension %d", len(x0), n, d)
	}
	w, err := s.newWalk(m, n, nil)
	if err != nil {
		return Stats{}, err
	}
	kT := m.Schedule.At(w.ts[0])
	for r := range n {
		var q float64
		for _, v := range x0[r*d : (r+1)*d] {
			q += sq(float64(v))
		}
		dst[r] = 0.5 * kT.Alpha * kT.Alpha * q / (kT.Sigma * kT.Sigma)
	}
	xt := make([]float32, n*d)
	z := make([]float64, n*d)
	var st Stats
	for j, t := range w.ts {
		kt := m.Schedule.At(t)
		for i := range xt {
			z[i] = rng.NormFloat64()
			xt[i] = float32(kt.Alpha*float64(x0[i]) + kt.Sigma*z[i])
		}
		p, err := w.step(j, xt)
		if err != nil {
			return st, err
		}
		last := j == len(w.ts)-1
		for i := range xt {
			v := w.variance(p, i)
			if last && !(s.Gamma != nil || s.Cov != nil) {
				v = sq(kt.Sigma) // DDPM's decoder variance
			}
			mp := p.cx0*float64(w.x0[i]) + p.ceps*float64(w.eps[i])
			var term float64
			switch {
			case !(v > 0):
				// A point-mass reverse step (the SN/NPR head or Γ leaving
				// no variance where the bound is 0): the bound is infinite.
				term = math.Inf(1)
			case !last:
				// q(x_s|x_t, x0) = N(α_s x0 + c·ε, λ²) with ε the noise of x_t.
				mq := p.cx0*float64(x0[i]) + p.ceps*z[i]
				term = 0.5 * (math.Log(v/p.lam2) + p.lam2/v + sq(mq-mp)/v - 1)
			case binWidth > 0:
				term = -logBinMass((float64(x0[i])-mp)/math.Sqrt(v), binWidth/(2*math.Sqrt(v)))
			default:
				term = 0.5 * (sq(float64(x0[i])-mp)/v + math.Log(2*math.Pi*v))
			}
			dst[i/d] += term
		}
		st.Steps++
	}
	st.NFE = w.e.nfe
	return st, nil
}

// logBinMass returns log(Φ(u + h) − Φ(u − h)), the standard normal mass of
// [u − h, u + h], computed in the tail that keeps it accurate.
func logBinMass(u, h float64) float64 {
	a, b := (u-h)/math.Sqrt2, (u+h)/math.Sqrt2
	var p float64
	switch {
	case a > 0:
		p = 0.5 * (math.Erfc(a) - math.Erfc(b))
	case b < 0:
		p = 0.5 * (math.Erfc(-b) - math.Erfc(-a))
	default:
		p = 0.5 * (math.Erf(b) - math.Erf(a))
	}
	return math.Log(math.Max(p, math.SmallestNonzeroFloat64))
}

// walk holds the state shared by Sample and NLL.
type walk struct {
	s              *DDIMSampler
	m              Model
	e              *evaluator
	ts             []float64
	x0, eps, noise []float32
	cov            []float32
	tc             []float32
	cond           []int32
}

func (s *DDIMSampler) newWalk(m Model, n int, cond []int32) (*walk, error) {
	ts, err := s.Times(m.Schedule)
	if err != nil {
		return nil, err
	}
	e, err := newEvaluator(m, n, cond)
	if err != nil {
		return nil, err
	}
	nd := n * m.Net.Dim()
	w := &walk{s: s, m: m, e: e, ts: ts, x0: make([]float32, nd), eps: make([]float32, nd), noise: make([]float32, nd), cond: cond}
	if s.Cov != nil {
		if s.Cov.Dim() != m.Net.Dim() {
			return nil, fmt.Errorf("diffusion: covariance head has dimension %d, model %d", s.Cov.Dim(), m.Net.Dim())
		}
		w.cov = make([]float32, nd)
		w.tc = make([]float32, n)
	}
	return w, nil
}

// step evaluates the model (and the covariance head) at x and time ts[j]
// and returns the coefficients of the step to the next time (0 after the
// last).
func (w *walk) step(j int, x []float32) (ddimStep, error) {
	t := w.ts[j]
	kt, err := w.e.x0eps(w.x0, w.eps, x, t)
	if err != nil {
		return ddimStep{}, err
	}
	ks := Coef{Alpha: 1}
	last := j+1 == len(w.ts)
	if !last {
		ks = w.m.Schedule.At(w.ts[j+1])
	}
	p := w.s.step(kt, ks, last)
	if w.cov != nil {
		for i := range w.tc {
			w.tc[i] = float32(t)
		}
		if err := w.s.Cov.Predict(w.cov, x, w.tc, w.cond); err != nil {
			return p, fmt.Errorf("diffusion: covariance head at t=%g: %w", t, err)
		}
	}
	if w.s.Gamma != nil {
		p.std = math.Sqrt(p.clip(p.lam2 + p.a2c*(1-math.Min(w.s.Gamma.At(t), 1))))
	}
	return p, nil
}

// variance returns the reverse variance of value i for step p.
func (w *walk) variance(p ddimStep, i int) float64 {
	if w.cov == nil {
		return p.std * p.std
	}
	v := float64(w.cov[i])
	if !w.s.NPR {
		v -= sq(float64(w.eps[i]))
	}
	return p.clip(p.lam2 + p.a2c*math.Max(v, 0))
}

// ddimStep holds one step's coefficients.
type ddimStep struct {
	cx0, ceps float64 // mean = cx0·x̂0 + ceps·ε̂
	std       float64 // the fixed reverse standard deviation (ddpm, ddim)
	lam2      float64 // λ² = η²β̃
	a2c       float64 // a²σ_t²/α_t², the factor of (1 − Γ) in σ*²
	upper     float64 // upper bound of σ*² (+Inf without a data range)
}

func (p ddimStep) clip(v float64) float64 { return math.Min(math.Max(v, p.lam2), p.upper) }

// step returns the coefficients of the step t → s (last: s is the data).
func (s *DDIMSampler) step(kt, ks Coef, last bool) ddimStep {
	// β̃ = σ_s²·(σ_t² − (α_t/α_s)²σ_s²)/σ_t².
	ats := kt.Alpha / ks.Alpha
	fwd := math.Max(kt.Sigma*kt.Sigma-ats*ats*ks.Sigma*ks.Sigma, 0) // σ²_{t|s}
	post := ks.Sigma * ks.Sigma * fwd / (kt.Sigma * kt.Sigma)       // β̃
	lam2 := s.Eta * s.Eta * post
	c := math.Sqrt(math.Max(ks.Sigma*ks.Sigma-lam2, 0))
	p := ddimStep{cx0: ks.Alpha, ceps: c, lam2: lam2, std: math.Sqrt(lam2), upper: math.Inf(1)}
	if s.Large {
		p.std = math.Sqrt(fwd)
		if last {
			p.std = 0
		}
	}
	a := ks.Alpha - c*kt.Alpha/kt.Sigma
	p.a2c = a * a * kt.Sigma * kt.Sigma / (kt.Alpha * kt.Alpha)
	if s.DataHalfRange > 0 {
		p.upper = lam2 + a*a*s.DataHalfRange*s.DataHalfRange
	}
	return p
}

// GammaTable holds Monte-Carlo estimates Γ_t = E‖ε̂(x_t)‖²/d at times T
// (ascending), x_t = α_t·x0 + σ_t·ε over the data (Analytic-DPM's "ms_eps"),
// with their standard errors SE.
type GammaTable struct {
	T, Gamma, SE []float64
}

// At returns Γ_t, interpolating linearly between the stored times and
// clamping outside them.
func (g *GammaTable) At(t float64) float64 {
	i := sort.SearchFloat64s(g.T, t)
	switch {
	case i == len(g.T):
		return g.Gamma[len(g.T)-1]
	case g.T[i] == t || i == 0:
		return g.Gamma[i]
	}
	u := (t - g.T[i-1]) / (g.T[i] - g.T[i-1])
	return g.Gamma[i-1] + u*(g.Gamma[i]-g.Gamma[i-1])
}

// GammaTimes returns the times at which the analytic sampler built from o
// (o.Steps, o.Spacing) will look up Γ_t on schedule s: pass them to
// EstimateGamma.
func GammaTimes(s Schedule, o Options) ([]float64, error) {
	if o.Steps < 1 {
		return nil, fmt.Errorf("diffusion: %d steps, need at least 1", o.Steps)
	}
	return (&DDIMSampler{Steps: o.Steps, Spacing: o.Spacing}).Times(s)
}

// EstimateGamma estimates Γ_t = E‖ε̂(x_t)‖²/d at each of times from the
// data x0 (m samples of the model's dimension, row-major), one fresh noise
// draw per sample and time, evaluating the model in batches of at most
// batch samples (all at once when batch ≤ 0). For a Discrete schedule pass
// every knot i/N so that any sub-sequence finds its value; otherwise pass
// the sampler's times (DDIMSampler.Times).
func EstimateGamma(m Model, times []float64, x0 []float32, batch int, rng *rand.Rand) (*GammaTable, Stats, error) {
	if err := m.Validate(); err != nil {
		return nil, Stats{}, err
	}
	d := m.Net.Dim()
	if len(x0) == 0 || len(x0)%d != 0 {
		return nil, Stats{}, fmt.Errorf("diffusion: EstimateGamma: %d data values is not a positive number of %d-dimensional samples", len(x0), d)
	}
	ts := append([]float64(nil), times...)
	sort.Float64s(ts)
	ts = dedupSorted(ts)
	for _, t := range ts {
		if !(t > 0 && t <= 1) {
			return nil, Stats{}, fmt.Errorf("diffusion: EstimateGamma: time %g outside (0, 1]", t)
		}
	}
	n := len(x0) / d
	if batch <= 0 || batch > n {
		batch = n
	}
	e, err := newEvaluator(m, batch, nil)
	if err != nil {
		return nil, Stats{}, err
	}
	xt := make([]float32, batch*d)
	eps := make([]float32, batch*d)
	g := &GammaTable{T: ts, Gamma: make([]float64, len(ts)), SE: make([]float64, len(ts))}
	for j, t := range ts {
		k := m.Schedule.At(t)
		var sum, sum2 float64
		for lo := 0; lo < n; lo += batch {
			hi := min(lo+batch, n)
			b := (hi - lo) * d
			for i := range b {
				xt[i] = float32(k.Alpha*float64(x0[lo*d+i]) + k.Sigma*rng.NormFloat64())
			}
			for i := b; i < len(xt); i++ {
				xt[i] = 0 // padding of the last batch, ignored
			}
			if _, err := e.eval(PredEps, eps, xt, t); err != nil {
				return nil, Stats{NFE: e.nfe}, err
			}
			for r := 0; r < b; r += d {
				var q float64
				for _, v := range eps[r : r+d] {
					q += sq(float64(v))
				}
				q /= float64(d)
				sum += q
				sum2 += q * q
			}
		}
		mean := sum / float64(n)
		g.Gamma[j] = mean
		if n > 1 {
			g.SE[j] = math.Sqrt(math.Max(sum2/float64(n)-mean*mean, 0) / float64(n-1))
		}
	}
	return g, Stats{NFE: e.nfe}, nil
}
