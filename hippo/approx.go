package hippo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/mat"
)

// OnlineMeasures returns the measures Online can project onto and
// reconstruct from: scaled LegS (the whole history) and the LTI measures
// LegT (a window θ), LagT (exponentially decaying, timescale θ) and FouT
// (a window θ).
func OnlineMeasures() []string { return []string{"legs", "legt", "lagt", "fout"} }

// Online is a HiPPO memory: it reads a signal one sample at a time and keeps
// the n coefficients c of its projection onto a measure's orthonormal basis
// (hippo-code model/hippo.py HiPPO_LegS and HiPPO, s4 visualizations.py).
// Sample k stands for the signal on the k-th step of length dt, so the
// reconstruction evaluates the basis at the step midpoints.
//
// Scaled LegS (measure uniform on the history [0, t], t in samples):
//
//	c(1) = f₀·e₀ (the exact projection of the first step), then for t = 1, 2, …
//	c ← step t of DiscretizeScaled(A_legs, B_legs, t, m) with input f_t
//	f(x) ≈ Σ_n c_n √(2n+1) P_n(2x/t − 1),  x ∈ [0, t]
//
// GBT steps use the O(N) LegSStep with Δ = 1/t; ZOH steps are exact for a
// piecewise-constant signal but cost a matrix exponential (O(N³)) each.
//
// LTI measures, c_k = Ā c_{k−1} + B̄ f_k with (Ā, B̄) = Discretize(A, B, dt, m)
// of Transition(measure, n, Params{Theta: θ}); at lag s behind the newest
// sample:
//
//	legt  f ≈ Σ_n c_n √(2n+1) P_n(1 − 2s/θ) on s ∈ [0, θ], 0 beyond
//	lagt  f ≈ Σ_n c_n L_n(s/θ) e^{−s/(2θ)} (Laguerre polynomials)
//	fout  f ≈ c₀ + Σ_{k≥1} √2(c_{2k} cos(2πks/θ) + c_{2k+1} sin(2πks/θ)) on [0, θ], 0 beyond
type Online struct {
	measure   string
	dt, theta float64
	method    Method
	c         []float64
	t         int
	a         *mat.Dense // legs: A (for ZOH); LTI: Ā
	b         []float64  // legs: B; LTI: B̄
	cv, tmp   *mat.VecDense
	basis     []float64
}

// NewOnline returns an empty memory of n coefficients for the named measure
// (see OnlineMeasures), sample spacing dt and window/timescale theta (both
// ignored by the scale-invariant legs), discretised by m.
func NewOnline(measure string, n int, dt, theta float64, m Method) (*Online, error) {
	known := false
	for _, name := range OnlineMeasures() {
		known = known || name == measure
	}
	if !known {
		return nil, fmt.Errorf("hippo: unknown approximation measure %q (valid: %s)", measure, strings.Join(OnlineMeasures(), ", "))
	}
	if !m.valid() {
		return nil, fmt.Errorf("hippo: invalid discretisation %v", m)
	}
	o := &Online{measure: measure, dt: dt, theta: theta, method: m, c: make([]float64, n), basis: make([]float64, n)}
	var err error
	if measure == "legs" {
		o.a, o.b, err = Transition("legs", n, Params{})
	} else {
		if !(dt > 0) || !(theta > 0) || math.IsInf(dt, 1) || math.IsInf(theta, 1) {
			return nil, fmt.Errorf("hippo: %s: dt = %v and θ = %v must be positive and finite", measure, dt, theta)
		}
		var a *mat.Dense
		var b []float64
		a, b, err = Transition(measure, n, Params{Theta: theta})
		if err == nil {
			o.a, o.b, err = Discretize(a, b, dt, m)
		}
	}
	if err != nil {
		return nil, err
	}
	o.cv = mat.NewVecDense(n, o.c)
	o.tmp = mat.NewVecDense(n, nil)
	return o, nil
}

// Update reads the next sample u.
func (o *Online) Update(u float64) {
	switch {
	case o.measure == "legs" && o.t == 0:
		for i := range o.c {
			o.c[i] = 0
		}
		o.c[0] = u
	case o.measure == "legs" && o.method != ZOH:
		LegSStep(o.c, o.c, u, 1/float64(o.t), o.method.alpha())
	case o.measure == "legs":
		ad, bd := DiscretizeZOH(o.a, o.b, math.Log1p(1/float64(o.t)))
		o.step(ad, bd, u)
	default:
		o.step(o.a, o.b, u)
	}
	o.t++
}

// step sets c = Ā c + B̄ u.
func (o *Online) step(ad *mat.Dense, bd []float64, u float64) {
	o.tmp.MulVec(ad, o.cv)
	for i := range o.c {
		o.c[i] = o.tmp.AtVec(i) + bd[i]*u
	}
}

// Coefficients returns the current coefficients; the slice is the memory's
// own and changes with the next Update.
func (o *Online) Coefficients() []float64 { return o.c }

// Samples returns how many samples the memory has read.
func (o *Online) Samples() int { return o.t }

// Reconstruct writes to dst the reconstruction of the last len(dst) samples
// in time order (dst[len(dst)−1] is the newest); samples before the first,
// or outside the measure's window, are 0.
func (o *Online) Reconstruct(dst []float64) {
	for i := range dst {
		j := len(dst) - 1 - i // samples behind the newest
		if j >= o.t {
			dst[i] = 0
			continue
		}
		dst[i] = o.at(j)
	}
}

// at evaluates the reconstruction j samples behind the newest.
func (o *Online) at(j int) float64 {
	s := (float64(j) + 0.5) * o.dt
	sum := 0.0
	switch o.measure {
	case "legs":
		k := o.t - 1 - j
		legendre(o.basis, 2*(float64(k)+0.5)/float64(o.t)-1)
		for n, c := range o.c {
			sum += c * sqrt2n1(n) * o.basis[n]
		}
	case "legt":
		if s > o.theta {
			return 0
		}
		legendre(o.basis, 1-2*s/o.theta)
		for n, c := range o.c {
			sum += c * sqrt2n1(n) * o.basis[n]
		}
	case "lagt":
		tau := s / o.theta
		laguerre(o.basis, tau)
		for n, c := range o.c {
			sum += c * o.basis[n]
		}
		sum *= math.Exp(-tau / 2)
	case "fout":
		if s > o.theta {
			return 0
		}
		x := 2 * math.Pi * s / o.theta
		sum = o.c[0]
		for k := 1; 2*k+1 < len(o.c); k++ {
			sum += math.Sqrt2 * (o.c[2*k]*math.Cos(float64(k)*x) + o.c[2*k+1]*math.Sin(float64(k)*x))
		}
	}
	return sum
}

// legendre fills dst with P_0(x), …, P_{len−1}(x) by Bonnet's recurrence
// (n+1)P_{n+1} = (2n+1)x P_n − n P_{n−1}.
func legendre(dst []float64, x float64) {
	for n := range dst {
		switch n {
		case 0:
			dst[0] = 1
		case 1:
			dst[1] = x
		default:
			m := float64(n - 1)
			dst[n] = ((2*m+1)*x*dst[n-1] - m*dst[n-2]) / (m + 1)
		}
	}
}

// laguerre fills dst with L_0(x), …, L_{len−1}(x) by the recurrence
// (n+1)L_{n+1} = (2n+1−x)L_n − n L_{n−1}.
func laguerre(dst []float64, x float64) {
	for n := range dst {
		switch n {
		case 0:
			dst[0] = 1
		case 1:
			dst[1] = 1 - x
		default:
			m := float64(n - 1)
			dst[n] = ((2*m+1-x)*dst[n-1] - m*dst[n-2]) / (m + 1)
		}
	}
}

// WhiteSignal returns round(T/dt) samples of band-limited white noise, the
// test signal of the HiPPO references (s4 visualizations.py whitesignal,
// ported from nengo): random Fourier coefficients with rms 0.5 (real and
// imaginary parts 𝒩(0, ½·0.5²), no constant term, real Nyquist term),
// zeroed above freq and power-corrected for the zeroed ones, transformed
// back by an inverse real FFT of length 2⌈T/(2dt)⌉, shifted to start at 0.
// The draws come from rng, so the numbers differ from NumPy's.
func WhiteSignal(T, dt, freq float64, rng *rand.Rand) ([]float64, error) {
	if !(T > 0) || !(dt > 0) || math.IsInf(T, 1) || dt >= T {
		return nil, fmt.Errorf("hippo: white signal: need 0 < dt < T, got T = %v, dt = %v", T, dt)
	}
	if !(freq >= 1/T) {
		return nil, fmt.Errorf("hippo: white signal: freq = %v must be at least 1/T = %v to give a non-zero signal", freq, 1/T)
	}
	if nyq := 0.5 / dt; freq > nyq {
		return nil, fmt.Errorf("hippo: white signal: freq = %v exceeds the Nyquist frequency 1/(2dt) = %v", freq, nyq)
	}
	const rms = 0.5
	nc := int(math.Ceil(T / dt / 2))
	sigma := rms * math.Sqrt(0.5)
	coef := make([]complex128, nc+1)
	zeroed := 0
	for i := range coef {
		re, im := sigma*rng.NormFloat64(), sigma*rng.NormFloat64()
		if i == nc {
			im = 0
		}
		if i == 0 {
			re, im = 0, 0
		}
		if float64(i)/(float64(2*nc)*dt) > freq {
			re, im = 0, 0
			zeroed++
		}
		coef[i] = complex(re, im)
	}
	scale := math.Sqrt(float64(2 * nc))
	if pc := math.Sqrt(1 - float64(zeroed)/float64(nc)); pc > 0 {
		scale /= pc
	}
	for i := range coef {
		coef[i] *= complex(scale, 0)
	}
	sig := fourier.NewFFT(2*nc).Sequence(nil, coef)
	for i := range sig {
		sig[i] /= float64(2 * nc)
	}
	for i := len(sig) - 1; i >= 0; i-- {
		sig[i] -= sig[0]
	}
	return sig[:int(math.Round(T/dt))], nil
}
