package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"
)

// GaussianMixture is the data distribution Σ_k w_k·N(μ_k, C_k) with full
// covariances. Along a Gaussian path its marginal at time t is
// p_t = Σ_k w_k·N(α_t·μ_k, α_t²·C_k + σ_t²·I), so the score, E[x0 | x_t],
// E[ε | x_t], the velocity, their Jacobians and log p_t are closed-form for
// every schedule: the oracle every sampler and the likelihood are tested
// against. All arithmetic is float64; Network is float32 at its boundary.
//
// With one component the probability-flow map is the affine map FlowMap
// computes in closed form, and under VP the forward process is the
// Ornstein–Uhlenbeck process dX = −½β(t)X dt + √β(t) dW with those Gaussian
// marginals.
type GaussianMixture struct {
	d   int
	w   []float64 // weights, summing to 1
	mu  [][]float64
	cov []*mat.SymDense
	q   [][]float64 // eigenvectors of C_k: q[k][j*d+i] = Q_ji, column i the i-th vector
	lam [][]float64 // eigenvalues of C_k
	chl []*mat.Cholesky
}

// NewGaussianMixture validates and builds a mixture: weights positive
// (normalised here), means of one dimension d, covariances d×d row-major
// symmetric positive definite.
func NewGaussianMixture(weights []float64, means [][]float64, covs [][]float64) (*GaussianMixture, error) {
	k := len(weights)
	if k == 0 || len(means) != k || len(covs) != k {
		return nil, fmt.Errorf("diffusion: mixture: %d weights, %d means, %d covariances; need the same positive number", k, len(means), len(covs))
	}
	d := len(means[0])
	g := &GaussianMixture{d: d}
	var sum float64
	for i, w := range weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("diffusion: mixture: weight %d is %g, need positive", i, w)
		}
		sum += w
	}
	for i := range k {
		if len(means[i]) != d || len(covs[i]) != d*d || d == 0 {
			return nil, fmt.Errorf("diffusion: mixture: component %d has mean of length %d and covariance of %d values; want %d and %d", i, len(means[i]), len(covs[i]), d, d*d)
		}
		c := mat.NewSymDense(d, append([]float64(nil), covs[i]...))
		for r := range d {
			for s := range r {
				if covs[i][r*d+s] != covs[i][s*d+r] {
					return nil, fmt.Errorf("diffusion: mixture: covariance %d is not symmetric", i)
				}
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(c) {
			return nil, fmt.Errorf("diffusion: mixture: covariance %d is not positive definite", i)
		}
		var es mat.EigenSym
		if !es.Factorize(c, true) {
			return nil, fmt.Errorf("diffusion: mixture: eigendecomposition of covariance %d failed", i)
		}
		var q mat.Dense
		es.VectorsTo(&q)
		g.w = append(g.w, weights[i]/sum)
		g.mu = append(g.mu, append([]float64(nil), means[i]...))
		g.cov = append(g.cov, c)
		g.q = append(g.q, append([]float64(nil), q.RawMatrix().Data...))
		g.lam = append(g.lam, es.Values(nil))
		g.chl = append(g.chl, &ch)
	}
	return g, nil
}

// Dim returns the data dimension.
func (g *GaussianMixture) Dim() int { return g.d }

// Sample writes len(dst)/d draws from the mixture into dst.
func (g *GaussianMixture) Sample(dst []float32, rng *rand.Rand) {
	d := g.d
	if len(dst)%d != 0 {
		panic("diffusion: GaussianMixture.Sample: len(dst) is not a multiple of the dimension")
	}
	z := make([]float64, d)
	var l mat.TriDense
	for r := 0; r < len(dst); r += d {
		u, k := rng.Float64(), 0
		for k < len(g.w)-1 && u >= g.w[k] {
			u -= g.w[k]
			k++
		}
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		g.chl[k].LTo(&l)
		for i := range d {
			v := g.mu[k][i]
			for j := 0; j <= i; j++ {
				v += l.At(i, j) * z[j]
			}
			dst[r+i] = float32(v)
		}
	}
}

// post holds the per-point posterior quantities at (x, t).
type post struct {
	pi     []float64   // responsibilities π_k(x)
	logp   float64     // log p_t(x)
	r      [][]float64 // r_k = x − α·μ_k
	sinvR  [][]float64 // S_k⁻¹ r_k with S_k = α²C_k + σ²I
	csinvR [][]float64 // C_k S_k⁻¹ r_k
	x0, ep []float64   // E[x0|x], E[ε|x]
}

// mulQ computes dst = Q·diag(s)·Qᵀ·v for the row-major d×d Q, using the
// scratch z (d values). dst may alias v.
func mulQ(dst []float64, q []float64, s func(i int) float64, v, z []float64) {
	d := len(v)
	for i := range d {
		var a float64
		for j := range d {
			a += q[j*d+i] * v[j]
		}
		z[i] = a * s(i)
	}
	for j := range d {
		var a float64
		row := q[j*d : j*d+d]
		for i := range d {
			a += row[i] * z[i]
		}
		dst[j] = a
	}
}

// posterior computes the posterior quantities of x at coefficients k.
func (g *GaussianMixture) posterior(x []float64, k Coef) *post {
	d, nk := g.d, len(g.w)
	a2, s2 := k.Alpha*k.Alpha, k.Sigma*k.Sigma
	buf := make([]float64, 2*nk+(3*nk+3)*d)
	carve := func(m int) []float64 { v := buf[:m:m]; buf = buf[m:]; return v }
	p := &post{pi: carve(nk), x0: carve(d), ep: carve(d), r: make([][]float64, 0, nk), sinvR: make([][]float64, 0, nk), csinvR: make([][]float64, 0, nk)}
	lw := carve(nk)
	z := carve(d)
	maxl := math.Inf(-1)
	for c := range nk {
		r := carve(d)
		for i := range d {
			r[i] = x[i] - k.Alpha*g.mu[c][i]
		}
		lam := g.lam[c]
		sv := func(i int) float64 { return 1 / (a2*lam[i] + s2) }
		si := carve(d)
		mulQ(si, g.q[c], sv, r, z)
		csi := carve(d)
		mulQ(csi, g.q[c], func(i int) float64 { return lam[i] / (a2*lam[i] + s2) }, r, z)
		var quadf, logdet float64
		for i := range d {
			quadf += r[i] * si[i]
			logdet += math.Log(a2*lam[i] + s2)
		}
		lw[c] = math.Log(g.w[c]) - 0.5*(quadf+logdet+float64(d)*math.Log(2*math.Pi))
		maxl = math.Max(maxl, lw[c])
		p.r = append(p.r, r)
		p.sinvR = append(p.sinvR, si)
		p.csinvR = append(p.csinvR, csi)
	}
	var norm float64
	for c := range nk {
		p.pi[c] = math.Exp(lw[c] - maxl)
		norm += p.pi[c]
	}
	p.logp = maxl + math.Log(norm)
	for c := range nk {
		p.pi[c] /= norm
		for i := range d {
			p.x0[i] += p.pi[c] * (g.mu[c][i] + k.Alpha*p.csinvR[c][i])
			p.ep[i] += p.pi[c] * k.Sigma * p.sinvR[c][i]
		}
	}
	return p
}

// jvp computes J_x0·w and J_ε·w, the Jacobians of E[x0|x] and E[ε|x] at x
// applied to w:
//
//	J_x0·w = Σ_k π_k·α·C_k S_k⁻¹ w + Σ_k π_k·((g_k − s)·w)·m_k,
//	J_ε·w  = Σ_k π_k·σ·S_k⁻¹ w   + Σ_k π_k·((g_k − s)·w)·e_k,
//
// with g_k = −S_k⁻¹r_k, s = Σ π_k g_k the score, m_k = μ_k + α·C_k S_k⁻¹ r_k
// and e_k = σ·S_k⁻¹ r_k the per-component posterior means.
func (g *GaussianMixture) jvp(jx0, jep []float64, p *post, k Coef, w []float64) {
	d := g.d
	a2, s2 := k.Alpha*k.Alpha, k.Sigma*k.Sigma
	score := make([]float64, d)
	for c := range g.w {
		for i := range d {
			score[i] -= p.pi[c] * p.sinvR[c][i]
		}
	}
	clear(jx0)
	clear(jep)
	tmp, z := make([]float64, d), make([]float64, d)
	for c := range g.w {
		lam := g.lam[c]
		var dot float64
		for i := range d {
			dot += (-p.sinvR[c][i] - score[i]) * w[i]
		}
		mulQ(tmp, g.q[c], func(i int) float64 { return lam[i] / (a2*lam[i] + s2) }, w, z)
		for i := range d {
			jx0[i] += p.pi[c] * (k.Alpha*tmp[i] + dot*(g.mu[c][i]+k.Alpha*p.csinvR[c][i]))
		}
		mulQ(tmp, g.q[c], func(i int) float64 { return 1 / (a2*lam[i] + s2) }, w, z)
		for i := range d {
			jep[i] += p.pi[c] * (k.Sigma*tmp[i] + dot*k.Sigma*p.sinvR[c][i])
		}
	}
}

// LogDensity returns log p_t(x) of the marginal at time t on schedule s.
func (g *GaussianMixture) LogDensity(s Schedule, t float64, x []float64) float64 {
	if len(x) != g.d {
		panic("diffusion: GaussianMixture.LogDensity: wrong dimension")
	}
	return g.posterior(x, s.At(t)).logp
}

// Posterior writes E[x0 | x_t = x] and E[ε | x_t = x] at time t on s.
func (g *GaussianMixture) Posterior(x0, eps []float64, s Schedule, t float64, x []float64) {
	p := g.posterior(x, s.At(t))
	copy(x0, p.x0)
	copy(eps, p.ep)
}

// Network returns the exact network of kind p on schedule s: its output is
// the given parameterisation of (E[x0|x_t], E[ε|x_t]). It implements
// JVPNetwork exactly and may be called concurrently.
func (g *GaussianMixture) Network(s Schedule, p Prediction) *MixtureNet {
	return &MixtureNet{G: g, S: s, P: p}
}

// Model returns the exact model of kind p on schedule s.
func (g *GaussianMixture) Model(s Schedule, p Prediction) Model {
	return Model{Net: g.Network(s, p), Schedule: s, Pred: p}
}

// MixtureNet is a GaussianMixture's exact prediction as a Network.
type MixtureNet struct {
	G *GaussianMixture
	S Schedule
	P Prediction
	// Head, when set to "sn" or "npr", makes the network the exact
	// covariance head of Extended Analytic-DPM instead: E[ε²|x_t] (sn) or
	// Var[ε|x_t] = E[(ε − E[ε|x_t])²|x_t] (npr), per coordinate.
	Head string
}

// Dim implements Network.
func (n *MixtureNet) Dim() int { return n.G.d }

// Predict implements Network.
func (n *MixtureNet) Predict(dst, x, t []float32, _ []int32) error {
	return n.each(dst, x, t, nil, func(out []float64, p *post, k Coef, _, _ []float64) {
		if n.Head != "" {
			n.head(out, p, k)
			return
		}
		a, b := fromX0Eps(n.P, k)
		for i := range out {
			out[i] = combine(a, p.x0[i], b, p.ep[i])
		}
	})
}

// combine returns a·u + b·v treating 0·∞ as 0 (σ' = ∞ at t = 0 on VP
// multiplies E[ε|x_0] = 0).
func combine(a, u, b, v float64) float64 {
	var r float64
	if a != 0 && u != 0 {
		r += a * u
	}
	if b != 0 && v != 0 {
		r += b * v
	}
	return r
}

// head writes the exact covariance-head output.
func (n *MixtureNet) head(out []float64, p *post, k Coef) {
	// Var[ε|x] diag = (σ²/α²)·Var[x0|x] diag... computed directly:
	// E[εεᵀ|x, c] = σ²(S⁻¹ r rᵀ S⁻¹ + (I − σ²S⁻¹))... per component c:
	// Cov[ε|x, c] = I − σ²·S_c⁻¹, mean e_c = σ·S_c⁻¹ r_c.
	d := n.G.d
	s2 := k.Sigma * k.Sigma
	a2 := k.Alpha * k.Alpha
	clear(out)
	for c := range n.G.w {
		lam := n.G.lam[c]
		q := n.G.q[c]
		for i := range d {
			// (S⁻¹)_ii = Σ_j Q_ij² /(α²λ_j + σ²)
			var sii float64
			for j := range d {
				sii += q[i*d+j] * q[i*d+j] / (a2*lam[j] + s2)
			}
			e := k.Sigma * p.sinvR[c][i]
			out[i] += p.pi[c] * (1 - s2*sii + e*e)
		}
	}
	if n.Head == "npr" {
		for i := range out {
			out[i] -= p.ep[i] * p.ep[i]
		}
	}
}

// JVP implements JVPNetwork: dst = J·w with J the Jacobian of the output
// with respect to x, exactly.
func (n *MixtureNet) JVP(dst, x, t, w []float32, _ []int32) error {
	if n.Head != "" {
		return fmt.Errorf("diffusion: MixtureNet: no JVP for the covariance head")
	}
	d := n.G.d
	jx0, jep := make([]float64, d), make([]float64, d)
	return n.each(dst, x, t, w, func(out []float64, p *post, k Coef, wi, _ []float64) {
		n.G.jvp(jx0, jep, p, k, wi)
		a, b := fromX0Eps(n.P, k)
		for i := range out {
			out[i] = combine(a, jx0[i], b, jep[i])
		}
	})
}

// each runs f per sample with the posterior at (x_i, t_i) and writes its
// float64 output into dst.
func (n *MixtureNet) each(dst, x, t, w []float32, f func(out []float64, p *post, k Coef, wi, xi []float64)) error {
	d := n.G.d
	if len(x) != len(t)*d || len(dst) != len(x) || (w != nil && len(w) != len(x)) {
		panic("diffusion: MixtureNet: buffer sizes disagree")
	}
	xi, wi, out := make([]float64, d), make([]float64, d), make([]float64, d)
	for s := range t {
		for i := range d {
			xi[i] = float64(x[s*d+i])
			if w != nil {
				wi[i] = float64(w[s*d+i])
			}
		}
		k := n.S.At(float64(t[s]))
		f(out, n.G.posterior(xi, k), k, wi, xi)
		for i, v := range out {
			dst[s*d+i] = float32(v)
		}
	}
	return nil
}

// Gamma returns Analytic-DPM's Γ_t = E‖E[ε|x_t]‖²/d exactly (up to
// quadrature error) by tensor Gauss–Hermite quadrature with nodes points per
// dimension in each component's own coordinates: x_t = α·μ_k + S_k^{1/2}·z.
// nodes^d points are evaluated per component, so keep d small (≤ 3).
func (g *GaussianMixture) Gamma(s Schedule, t float64, nodes int) float64 {
	k := s.At(t)
	d := g.d
	xs, ws := make([]float64, nodes), make([]float64, nodes)
	quad.Hermite{}.FixedLocations(xs, ws, math.Inf(-1), math.Inf(1))
	// Hermite weights integrate against e^{−x²}: z = √2·x, weight/√π.
	for i := range xs {
		xs[i] *= math.Sqrt2
		ws[i] /= math.Sqrt(math.Pi)
	}
	idx := make([]int, d)
	z, x, y, sc := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	var total float64
	for c := range g.w {
		lam := g.lam[c]
		for i := range idx {
			idx[i] = 0
		}
		for {
			wt := 1.0
			for i, j := range idx {
				z[i] = xs[j]
				wt *= ws[j]
			}
			mulQ(y, g.q[c], func(i int) float64 { return math.Sqrt(k.Alpha*k.Alpha*lam[i] + k.Sigma*k.Sigma) }, z, sc)
			for i := range d {
				x[i] = k.Alpha*g.mu[c][i] + y[i]
			}
			p := g.posterior(x, k)
			var e2 float64
			for _, v := range p.ep {
				e2 += v * v
			}
			total += g.w[c] * wt * e2 / float64(d)
			i := 0
			for ; i < d; i++ {
				idx[i]++
				if idx[i] < nodes {
					break
				}
				idx[i] = 0
			}
			if i == d {
				break
			}
		}
	}
	return total
}

// FlowMap transports x (d values) along the exact probability-flow ODE
// dx/dt = α'_t·E[x0|x] + σ'_t·E[ε|x] of schedule s from time t0 to t1 and
// writes the result to dst. With one component the map is affine and
// closed-form: x ↦ α_1·μ + Q·diag(√((α_1²λ + σ_1²)/(α_0²λ + σ_0²)))·Qᵀ·(x − α_0·μ)
// for C = Q·diag(λ)·Qᵀ. With more it is integrated in float64 by
// Dormand–Prince 5(4) at rtol = atol = 1e-12, a reference far more accurate
// than any float32 sampler.
func (g *GaussianMixture) FlowMap(dst, x []float64, s Schedule, t0, t1 float64) error {
	d := g.d
	if len(x) != d || len(dst) != d {
		panic("diffusion: GaussianMixture.FlowMap: wrong dimension")
	}
	if len(g.w) == 1 {
		k0, k1 := s.At(t0), s.At(t1)
		r := make([]float64, d)
		for i := range d {
			r[i] = x[i] - k0.Alpha*g.mu[0][i]
		}
		lam := g.lam[0]
		mulQ(r, g.q[0], func(i int) float64 {
			return math.Sqrt((k1.Alpha*k1.Alpha*lam[i] + k1.Sigma*k1.Sigma) / (k0.Alpha*k0.Alpha*lam[i] + k0.Sigma*k0.Sigma))
		}, r, make([]float64, d))
		for i := range d {
			dst[i] = k1.Alpha*g.mu[0][i] + r[i]
		}
		return nil
	}
	f := func(dx, x []float64, t float64) {
		k := s.At(t)
		p := g.posterior(x, k)
		for i := range dx {
			dx[i] = combine(k.DAlpha, p.x0[i], k.DSigma, p.ep[i])
		}
	}
	y := append([]float64(nil), x...)
	if err := dopri64(f, y, t0, t1, 1e-12, 1e-12); err != nil {
		return err
	}
	copy(dst, y)
	return nil
}

// dopri64 is a plain float64 Dormand–Prince 5(4) integrator for the oracles.
func dopri64(f func(dx, x []float64, t float64), x []float64, t0, t1, rtol, atol float64) error {
	d := len(x)
	var k [7][]float64
	for i := range k {
		k[i] = make([]float64, d)
	}
	xs, xn := make([]float64, d), make([]float64, d)
	dir := math.Copysign(1, t1-t0)
	h, t := 1e-3, t0
	f(k[0], x, t)
	for steps := 0; dir*(t1-t) > 0; steps++ {
		if steps > 1_000_000 || h < 1e-14 {
			return fmt.Errorf("diffusion: oracle flow map: step size underflow at t=%g", t)
		}
		h = math.Min(h, math.Abs(t1-t))
		hs := dir * h
		for i := 1; i < 7; i++ {
			for j := range d {
				v := x[j]
				for c, a := range dpA64[i] {
					v += hs * a * k[c][j]
				}
				xs[j] = v
			}
			f(k[i], xs, t+dpC[i]*hs)
		}
		copy(xn, xs) // stage 7 input is the fifth-order solution
		var en float64
		for j := range d {
			var e float64
			for c := range k {
				e += dpE[c] * k[c][j]
			}
			sc := atol + rtol*math.Max(math.Abs(x[j]), math.Abs(xn[j]))
			en += sq(hs * e / sc)
		}
		en = math.Sqrt(en / float64(d))
		if en <= 1 {
			t += hs
			copy(x, xn)
			k[0], k[6] = k[6], k[0]
		}
		h *= math.Min(10, math.Max(0.2, 0.9*math.Pow(math.Max(en, 1e-10), -0.2)))
	}
	return nil
}

// GammaTable returns Analytic-DPM's Γ_t at times computed exactly by Gamma
// (nodes Gauss–Hermite points per dimension): with it the analytic samplers
// use the true optimal variance of the mixture.
func (g *GaussianMixture) GammaTable(s Schedule, times []float64, nodes int) *GammaTable {
	ts := append([]float64(nil), times...)
	sort.Float64s(ts)
	ts = dedupSorted(ts)
	tab := &GammaTable{T: ts, Gamma: make([]float64, len(ts)), SE: make([]float64, len(ts))}
	for i, t := range ts {
		tab.Gamma[i] = g.Gamma(s, t, nodes)
	}
	return tab
}
