package hippo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Params are the optional arguments of a measure. The zero value selects the
// defaults of the reference implementations (state-spaces/s4
// src/models/hippo/hippo.py, HazyResearch/hippo-code model/op.py).
type Params struct {
	// Theta is the window length (translated measures: legt, lmu, fout,
	// fourier_decay, foud) or timescale (all others) in the time units of the
	// dynamics: every measure's system is (A₁/θ, B₁/θ), where (A₁, B₁) is its
	// θ = 1 form, and its rank correction is P₁/√θ. Zero selects the
	// measure's reference default: 2 for legt, fout and fourier_decay (s4
	// halves these "for timescale correctness", so its LegT is
	// hippo-code's LegT over a window of 2), 1 for the rest.
	Theta float64
	// Alpha is GLagT's α, in (−1, 1); zero is the reference default 0.
	Alpha float64
	// Beta is β of LagT and TLagT (default 1) and of GLagT (default 0.01);
	// zero selects the default.
	Beta float64
	// Rand draws the random and diagonal baselines; it is required for them
	// and unused otherwise.
	Rand *rand.Rand
}

// measure describes one HiPPO measure: its θ = 1 system and, where the
// references define them, its rank correction P₁ and initial C.
type measure struct {
	name    string
	aliases []string
	theta   float64 // reference default window/timescale
	// system fills a (n×n, zeroed) and b (n) with the θ = 1 form.
	system func(a *mat.Dense, b []float64, n int, p Params) error
	// correction returns the θ = 1 rank-correction rows, nil if undefined.
	correction func(n int) [][]float64
	// initialC fills c, nil means C = 0.
	initialC func(c []float64)
	even     bool // needs an even state size (cosine/sine pairs)
}

// measures lists every measure in the order errors print them.
var measures = []measure{
	{name: "legs", theta: 1, system: legsSystem, correction: legsP},
	{name: "legsd", theta: 1, system: legsdSystem, correction: zeroP},
	{name: "legt", theta: 2, system: legtSystem, correction: legtP, initialC: legtC},
	{name: "lmu", theta: 1, system: lmuSystem},
	{name: "lagt", theta: 1, system: lagtSystem, correction: lagtP},
	{name: "tlagt", theta: 1, system: tlagtSystem},
	{name: "glagt", theta: 1, system: glagtSystem},
	{name: "fout", aliases: []string{"fourier"}, theta: 2, system: foutSystem, correction: foutP, initialC: fourierC, even: true},
	{name: "fourier_decay", theta: 2, system: fourierDecaySystem, correction: fourierDecayP, even: true},
	{name: "foud", aliases: []string{"fourier_diag"}, theta: 1, system: foudSystem, correction: zeroP, even: true},
	{name: "random", theta: 1, system: randomSystem},
	{name: "diagonal", theta: 1, system: diagonalSystem},
}

// Measures returns the measure names Transition accepts (aliases excluded).
func Measures() []string {
	names := make([]string, len(measures))
	for i, m := range measures {
		names[i] = m.name
	}
	return names
}

func lookupMeasure(name string) (*measure, error) {
	for i := range measures {
		m := &measures[i]
		if m.name == name {
			return m, nil
		}
		for _, a := range m.aliases {
			if a == name {
				return m, nil
			}
		}
	}
	return nil, fmt.Errorf("hippo: unknown measure %q (valid: %s)", name, strings.Join(Measures(), ", "))
}

func (m *measure) check(n int) error {
	if n < 1 {
		return fmt.Errorf("hippo: measure %s: state size %d must be at least 1", m.name, n)
	}
	if m.even && n%2 != 0 {
		return fmt.Errorf("hippo: measure %s: state size %d must be even (cosine/sine pairs)", m.name, n)
	}
	return nil
}

func (m *measure) thetaOf(p Params) (float64, error) {
	if p.Theta == 0 {
		return m.theta, nil
	}
	if !(p.Theta > 0) || math.IsInf(p.Theta, 1) {
		return 0, fmt.Errorf("hippo: measure %s: θ = %v must be positive and finite", m.name, p.Theta)
	}
	return p.Theta, nil
}

// Transition returns the HiPPO system x'(t) = A x(t) + B u(t) of the named
// measure with n states, exactly as state-spaces/s4 hippo.py transition()
// builds it (hippo-code model/op.py for lmu, tlagt and LegT at θ = 1).
//
// Sign convention: A already carries the minus sign, so every A is Hurwitz
// (the HiPPO paper writes the same systems as x' = −Ax + Bu). Scaled LegS
// is x' = (1/t)(A x + B u) with the same A and B (see DiscretizeScaled).
//
// With R_n = √(2n+1), b = [1, 0, √2, 0, √2, 0, …], L₁ the lower-triangular
// matrix of ones (diagonal included) and J the block-skew matrix with
// J_{2k,2k+1} = −k, J_{2k+1,2k} = +k, the θ = 1 forms are
//
//	legs           A_nk = −R_n R_k (n>k), −(n+1) (n=k), 0 (n<k);  B_n = R_n
//	legsd          A_legs + ½BBᵀ = −½I + skew;                     B_n = R_n/2
//	legt           A_nk = −R_n R_k · {1 if n ≥ k; (−1)^(n−k) if n < k};  B_n = R_n
//	lmu            A_nk = (2n+1) · {−1 if n < k; (−1)^(n−k+1) if n ≥ k};  B_n = (2n+1)(−1)^n
//	lagt           A = ½I − L₁ (−½ on the diagonal, −1 below);   B_n = β
//	tlagt          A = (1−β)/2·I − L₁;                           B_n = β
//	glagt          A = D⁻¹(−(1+β)/2·I − (L₁ − I))D,  D_n = exp(½(lnΓ(n+α+1) − lnΓ(n+1)));
//	               B_n = binom(α+n, n)·D_n⁻¹·Γ(1−α)^(−½)·β^((1−α)/2)
//	fout           2πJ − 2bbᵀ;  B = 2b   (the translated Fourier basis √2 cos/sin(2πks) on a window of 1)
//	fourier_decay  2πJ − bbᵀ;   B = b
//	foud           2πJ − ½I;    B = b
//	random         A ~ 𝒩(0,1)/n, B ~ 𝒩(0,1)
//	diagonal       A = −diag(exp(𝒩(0,1))), B ~ 𝒩(0,1)
//
// and the system returned is (A₁/θ, B₁/θ) with θ from p (see Params). At the
// default θ these equal the s4 matrices entry for entry; hippo-code's LegT is
// legt with θ = 1. "fourier" and "fourier_diag" are accepted as aliases of
// fout and foud. An unknown name's error lists the valid ones.
func Transition(name string, n int, p Params) (A *mat.Dense, B []float64, err error) {
	m, err := lookupMeasure(name)
	if err != nil {
		return nil, nil, err
	}
	if err := m.check(n); err != nil {
		return nil, nil, err
	}
	theta, err := m.thetaOf(p)
	if err != nil {
		return nil, nil, err
	}
	A = mat.NewDense(n, n, nil)
	B = make([]float64, n)
	if err := m.system(A, B, n, p); err != nil {
		return nil, nil, err
	}
	if theta != 1 {
		A.Scale(1/theta, A)
		for i := range B {
			B[i] /= theta
		}
	}
	return A, B, nil
}

// RankCorrection returns the rows P_r (rank × n) with which A + Σ_r P_r P_rᵀ
// is normal, a multiple of I plus a skew-symmetric matrix (s4 hippo.py
// rank_correction). At θ = 1:
//
//	legs           P_n = √(n+½)                        (PPᵀ = ½BBᵀ)
//	legt           P⁰_n = R_n on odd n, P¹_n = R_n on even n (rank 2)
//	lagt           P_n = √½
//	fout           P = √2·b
//	fourier_decay  P = b
//	legsd, foud    P = 0 (already normal)
//
// scaled by 1/√θ like the system (so at the default θ they are s4's values:
// legt R_n/√2, fout b, fourier_decay b/√2). Rows beyond the measure's own
// rank are zero; a rank below it is an error, as is a measure without a
// correction.
func RankCorrection(name string, n, rank int, p Params) ([][]float64, error) {
	m, err := lookupMeasure(name)
	if err != nil {
		return nil, err
	}
	if err := m.check(n); err != nil {
		return nil, err
	}
	if m.correction == nil {
		return nil, fmt.Errorf("hippo: measure %s has no rank correction (defined for %s)", m.name, strings.Join(correctedMeasures(), ", "))
	}
	theta, err := m.thetaOf(p)
	if err != nil {
		return nil, err
	}
	rows := m.correction(n)
	if rank < len(rows) {
		return nil, fmt.Errorf("hippo: measure %s needs rank ≥ %d, got %d", m.name, len(rows), rank)
	}
	s := 1 / math.Sqrt(theta)
	for _, r := range rows {
		for i := range r {
			r[i] *= s
		}
	}
	for len(rows) < rank {
		rows = append(rows, make([]float64, n))
	}
	return rows, nil
}

func correctedMeasures() []string {
	var names []string
	for _, m := range measures {
		if m.correction != nil {
			names = append(names, m.name)
		}
	}
	return names
}

// InitialC returns the C that "captures the other endpoint" (s4 hippo.py
// initial_C): C_n = √(2n+1)(−1)^n for legt, C = b = [1, 0, √2, 0, …] for
// fout, and zero for every other measure.
func InitialC(name string, n int) ([]float64, error) {
	m, err := lookupMeasure(name)
	if err != nil {
		return nil, err
	}
	if err := m.check(n); err != nil {
		return nil, err
	}
	c := make([]float64, n)
	if m.initialC != nil {
		m.initialC(c)
	}
	return c, nil
}

func sqrt2n1(n int) float64 { return math.Sqrt(float64(2*n + 1)) }

func sign(n int) float64 {
	if n%2 == 0 {
		return 1
	}
	return -1
}

func legsSystem(a *mat.Dense, b []float64, n int, _ Params) error {
	for i := range n {
		for k := range i {
			a.Set(i, k, -sqrt2n1(i)*sqrt2n1(k))
		}
		a.Set(i, i, -float64(i+1))
		b[i] = sqrt2n1(i)
	}
	return nil
}

func legsdSystem(a *mat.Dense, b []float64, n int, _ Params) error {
	for i := range n {
		for k := range n {
			switch {
			case i > k:
				a.Set(i, k, -0.5*sqrt2n1(i)*sqrt2n1(k))
			case i < k:
				a.Set(i, k, 0.5*sqrt2n1(i)*sqrt2n1(k))
			default:
				a.Set(i, k, -0.5)
			}
		}
		b[i] = 0.5 * sqrt2n1(i)
	}
	return nil
}

func legtSystem(a *mat.Dense, b []float64, n int, _ Params) error {
	for i := range n {
		for k := range n {
			s := 1.0
			if i < k {
				s = sign(k - i)
			}
			a.Set(i, k, -s*sqrt2n1(i)*sqrt2n1(k))
		}
		b[i] = sqrt2n1(i)
	}
	return nil
}

func lmuSystem(a *mat.Dense, b []float64, n int, _ Params) error {
	for i := range n {
		r := float64(2*i + 1)
		for k := range n {
			if i < k {
				a.Set(i, k, -r)
			} else {
				a.Set(i, k, sign(i-k+1)*r)
			}
		}
		b[i] = sign(i) * r
	}
	return nil
}

func lagtBeta(p Params, def float64) (float64, error) {
	if p.Beta == 0 {
		return def, nil
	}
	if !(p.Beta > 0) || math.IsInf(p.Beta, 1) {
		return 0, fmt.Errorf("hippo: β = %v must be positive and finite", p.Beta)
	}
	return p.Beta, nil
}

func lagtSystem(a *mat.Dense, b []float64, n int, p Params) error {
	beta, err := lagtBeta(p, 1)
	if err != nil {
		return err
	}
	for i := range n {
		for k := range i {
			a.Set(i, k, -1)
		}
		a.Set(i, i, -0.5)
		b[i] = beta
	}
	return nil
}

func tlagtSystem(a *mat.Dense, b []float64, n int, p Params) error {
	beta, err := lagtBeta(p, 1)
	if err != nil {
		return err
	}
	for i := range n {
		for k := range i {
			a.Set(i, k, -1)
		}
		a.Set(i, i, (1-beta)/2-1)
		b[i] = beta
	}
	return nil
}

func glagtSystem(a *mat.Dense, b []float64, n int, p Params) error {
	beta, err := lagtBeta(p, 0.01)
	if err != nil {
		return err
	}
	alpha := p.Alpha
	if !(alpha > -1 && alpha < 1) {
		return fmt.Errorf("hippo: glagt: α = %v must lie in (−1, 1)", alpha)
	}
	lg := func(x float64) float64 { v, _ := math.Lgamma(x); return v }
	d := make([]float64, n)
	for i := range n {
		d[i] = math.Exp(0.5 * (lg(float64(i)+alpha+1) - lg(float64(i)+1)))
	}
	scale := math.Exp(-0.5*lg(1-alpha)) * math.Pow(beta, (1-alpha)/2)
	for i := range n {
		for k := range i {
			a.Set(i, k, -d[k]/d[i])
		}
		a.Set(i, i, -(1+beta)/2)
		binom := math.Exp(lg(alpha+float64(i)+1) - lg(float64(i)+1) - lg(alpha+1))
		b[i] = binom / d[i] * scale
	}
	return nil
}

// fourierB fills b = [1, 0, √2, 0, √2, 0, …].
func fourierB(b []float64) {
	for i := range b {
		switch {
		case i == 0:
			b[i] = 1
		case i%2 == 0:
			b[i] = math.Sqrt2
		default:
			b[i] = 0
		}
	}
}

// fourierJ fills a with ω·J: a_{2k,2k+1} = −ωk, a_{2k+1,2k} = +ωk.
func fourierJ(a *mat.Dense, n int, omega float64) {
	for k := 0; 2*k+1 < n; k++ {
		a.Set(2*k, 2*k+1, -omega*float64(k))
		a.Set(2*k+1, 2*k, omega*float64(k))
	}
}

// fourierSystem fills A = 2πJ − s·bbᵀ and B = s·b.
func fourierSystem(a *mat.Dense, bv []float64, n int, s float64) {
	fourierJ(a, n, 2*math.Pi)
	b := make([]float64, n)
	fourierB(b)
	for i := range n {
		for k := range n {
			a.Set(i, k, a.At(i, k)-s*b[i]*b[k])
		}
		bv[i] = s * b[i]
	}
}

func foutSystem(a *mat.Dense, b []float64, n int, _ Params) error {
	fourierSystem(a, b, n, 2)
	return nil
}

func fourierDecaySystem(a *mat.Dense, b []float64, n int, _ Params) error {
	fourierSystem(a, b, n, 1)
	return nil
}

func foudSystem(a *mat.Dense, b []float64, n int, _ Params) error {
	fourierJ(a, n, 2*math.Pi)
	for i := range n {
		a.Set(i, i, -0.5)
	}
	fourierB(b)
	return nil
}

func needRand(name string, p Params) error {
	if p.Rand == nil {
		return fmt.Errorf("hippo: measure %s needs Params.Rand", name)
	}
	return nil
}

func randomSystem(a *mat.Dense, b []float64, n int, p Params) error {
	if err := needRand("random", p); err != nil {
		return err
	}
	for i := range n {
		for k := range n {
			a.Set(i, k, p.Rand.NormFloat64()/float64(n))
		}
	}
	for i := range b {
		b[i] = p.Rand.NormFloat64()
	}
	return nil
}

func diagonalSystem(a *mat.Dense, b []float64, n int, p Params) error {
	if err := needRand("diagonal", p); err != nil {
		return err
	}
	for i := range n {
		a.Set(i, i, -math.Exp(p.Rand.NormFloat64()))
	}
	for i := range b {
		b[i] = p.Rand.NormFloat64()
	}
	return nil
}

func legsP(n int) [][]float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = math.Sqrt(float64(i) + 0.5)
	}
	return [][]float64{p}
}

func legtP(n int) [][]float64 {
	p0, p1 := make([]float64, n), make([]float64, n)
	for i := range n {
		if i%2 == 1 {
			p0[i] = sqrt2n1(i)
		} else {
			p1[i] = sqrt2n1(i)
		}
	}
	return [][]float64{p0, p1}
}

func lagtP(n int) [][]float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = math.Sqrt(0.5)
	}
	return [][]float64{p}
}

func foutP(n int) [][]float64 {
	p := make([]float64, n)
	fourierB(p)
	for i := range p {
		p[i] *= math.Sqrt2
	}
	return [][]float64{p}
}

func fourierDecayP(n int) [][]float64 {
	p := make([]float64, n)
	fourierB(p)
	return [][]float64{p}
}

func zeroP(n int) [][]float64 { return [][]float64{make([]float64, n)} }

func legtC(c []float64) {
	for i := range c {
		c[i] = sqrt2n1(i) * sign(i)
	}
}

func fourierC(c []float64) { fourierB(c) }
