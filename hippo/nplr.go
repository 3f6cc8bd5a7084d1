package hippo

import (
	"fmt"
	"math"
	"math/cmplx"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// BClip bounds |Im B̃| in NPLR, as s4's nplr(..., B_clip=2.0) does
// (models/s4/s4.py); the clip "can help with stability".
const BClip = 2.0

// DPLR is a diagonal-plus-low-rank HiPPO system in S4's conjugate-halved
// form: with the full arrays Λ_f = [Λ, Λ̄], P_f = [P, P̄], V_f = [V, V̄],
//
//	A = V_f (diag(Λ_f) − P_f P_f*) V_f*,   B = V_f B̃_f,
//
// so only one eigenvalue of each conjugate pair is stored (n/2 of n).
type DPLR struct {
	// Lambda holds n/2 eigenvalues of the normal part A + Σ PPᵀ, sorted by
	// imaginary part, all with Im ≤ 0.
	Lambda []complex128
	// P holds the rank correction in the eigenbasis, V*P (rank × n/2).
	P [][]complex128
	// B is V*B (n/2) with Im B clipped to ±BClip.
	B []complex128
	// V holds the n/2 orthonormal eigenvectors (n × n/2).
	V *mat.CDense
}

// NPLR returns the normal-plus-low-rank form of the named measure's system
// with n (even) states and the given rank, following s4 nplr():
//
//  1. A_N = A + Σ_r P_r P_rᵀ (RankCorrection), which is c·I + S with S
//     skew-symmetric; it is an error if it is not.
//  2. Re Λ = c = mean(diag A_N) (−½ for LegS); Im Λ and V come from the
//     Hermitian eigenproblem of −i·S, solved in double precision.
//  3. Eigenpairs are sorted by Im Λ and the n/2 with Im Λ ≤ 0 are kept.
//     A zero eigenvalue pair (the Fourier measures' sine-0 state) gets
//     the vector (r₁ + i r₂)/√2 built from a real orthonormal basis of the
//     null space, the reference's construction, so that v and v̄ are
//     orthogonal; more than one zero pair is an error.
//  4. B̃ = V*B, P̃ = V*P, then Im B̃ is clipped to ±BClip.
//
// Eigenvectors are only defined up to a phase, and the clip depends on it:
// each column of V is rotated so that its first non-negligible entry is
// real and positive. The reconstruction A = V_f(Λ_f − P_f P_f*)V_f* (Dense)
// holds to rounding; B = 2·Re(V B̃) holds wherever the clip did not act.
func NPLR(name string, n, rank int) (*DPLR, error) {
	m, err := lookupMeasure(name)
	if err != nil {
		return nil, err
	}
	if m.correction == nil {
		return nil, fmt.Errorf("hippo: NPLR: measure %s has no rank correction (defined for %s)", m.name, strings.Join(correctedMeasures(), ", "))
	}
	if n < 2 || n%2 != 0 {
		return nil, fmt.Errorf("hippo: NPLR: state size %d must be even and at least 2 (conjugate pairs)", n)
	}
	a, b, err := Transition(name, n, Params{})
	if err != nil {
		return nil, err
	}
	p, err := RankCorrection(name, n, rank, Params{})
	if err != nil {
		return nil, err
	}
	an := mat.DenseCopyOf(a)
	for _, r := range p {
		for i := range n {
			for k := range n {
				an.Set(i, k, an.At(i, k)+r[i]*r[k])
			}
		}
	}
	c := 0.0
	scale := 1.0
	for i := range n {
		c += an.At(i, i)
		for k := range n {
			scale = max(scale, math.Abs(an.At(i, k)))
		}
	}
	c /= float64(n)
	s := mat.NewDense(n, n, nil)
	for i := range n {
		for k := range n {
			sym := an.At(i, k) + an.At(k, i)
			if i == k {
				sym -= 2 * c
			}
			if math.Abs(sym) > 1e-10*scale {
				return nil, fmt.Errorf("hippo: NPLR: %s: A + ΣPPᵀ is not c·I + skew (entry %d,%d off by %.3g)", m.name, i, k, sym)
			}
			s.Set(i, k, (an.At(i, k)-an.At(k, i))/2)
		}
	}
	omega, vecs, err := skewEigen(s)
	if err != nil {
		return nil, fmt.Errorf("hippo: NPLR: %s: %w", m.name, err)
	}
	half := n / 2
	zeroTol := 1e-9 * scale
	if math.Abs(omega[half-1]) < zeroTol {
		if half >= 2 && math.Abs(omega[half-2]) < zeroTol {
			return nil, fmt.Errorf("hippo: NPLR: %s: more than one zero eigenvalue pair", m.name)
		}
		vecs[half-1] = zeroPairVector(vecs[half-1], vecs[half])
		omega[half-1] = 0
	}
	d := &DPLR{
		Lambda: make([]complex128, half),
		P:      make([][]complex128, len(p)),
		B:      make([]complex128, half),
		V:      mat.NewCDense(n, half, nil),
	}
	for j := range half {
		d.Lambda[j] = complex(c, omega[j])
		for i := range n {
			d.V.Set(i, j, vecs[j][i])
		}
		d.B[j] = conjDot(vecs[j], b)
		d.B[j] = complex(real(d.B[j]), math.Max(-BClip, math.Min(BClip, imag(d.B[j]))))
	}
	for r := range p {
		d.P[r] = make([]complex128, half)
		for j := range half {
			d.P[r][j] = conjDot(vecs[j], p[r])
		}
	}
	return d, nil
}

// conjDot returns v*x = Σ conj(v_i) x_i.
func conjDot(v []complex128, x []float64) complex128 {
	var s complex128
	for i, vi := range v {
		s += cmplx.Conj(vi) * complex(x[i], 0)
	}
	return s
}

// Dense returns the real matrix V_f(Λ_f − P_f P_f*)V_f*
// = 2·Re(V diag(Λ) V*) − Σ_r q_r q_rᵀ with q_r = 2·Re(V P_r).
func (d *DPLR) Dense() *mat.Dense {
	n, half := d.V.Dims()
	a := mat.NewDense(n, n, nil)
	for i := range n {
		for k := range n {
			var s complex128
			for j := range half {
				s += d.V.At(i, j) * d.Lambda[j] * cmplx.Conj(d.V.At(k, j))
			}
			a.Set(i, k, 2*real(s))
		}
	}
	q := make([]float64, n)
	for _, pr := range d.P {
		for i := range n {
			var s complex128
			for j := range half {
				s += d.V.At(i, j) * pr[j]
			}
			q[i] = 2 * real(s)
		}
		for i := range n {
			for k := range n {
				a.Set(i, k, a.At(i, k)-q[i]*q[k])
			}
		}
	}
	return a
}

// skewEigen returns the eigenvalues ω (ascending) and orthonormal complex
// eigenvectors of the Hermitian matrix −i·S for real skew-symmetric S, from
// the real symmetric embedding [[0, S], [−S, 0]] of −iS (each eigenvalue
// twice, vectors [u; v] ↦ u + iv). Within a cluster of equal eigenvalues the
// complex vectors are re-orthonormalised (Gram–Schmidt), and each vector's
// first non-negligible entry is made real and positive.
func skewEigen(s *mat.Dense) ([]float64, [][]complex128, error) {
	n, _ := s.Dims()
	m := mat.NewSymDense(2*n, nil)
	for i := range n {
		for k := i; k < n; k++ {
			m.SetSym(i, n+k, s.At(i, k))
			m.SetSym(k, n+i, s.At(k, i))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(m, true) {
		return nil, nil, fmt.Errorf("symmetric eigen-decomposition did not converge")
	}
	vals := eig.Values(nil)
	var q mat.Dense
	eig.VectorsTo(&q)
	tol := 1e-8 * max(1, math.Abs(vals[0]), math.Abs(vals[len(vals)-1]))
	var omega []float64
	var vecs [][]complex128
	for lo := 0; lo < len(vals); {
		hi := lo + 1
		for hi < len(vals) && vals[hi]-vals[hi-1] <= tol {
			hi++
		}
		var basis [][]complex128
		for j := lo; j < hi; j++ {
			z := make([]complex128, n)
			for i := range n {
				z[i] = complex(q.At(i, j), q.At(n+i, j))
			}
			for _, e := range basis {
				p := cdot(e, z)
				for i := range z {
					z[i] -= p * e[i]
				}
			}
			if nrm := cnorm(z); nrm > 0.5 {
				for i := range z {
					z[i] /= complex(nrm, 0)
				}
				basis = append(basis, z)
			}
		}
		if 2*len(basis) != hi-lo {
			return nil, nil, fmt.Errorf("eigenvalue cluster at %.6g: %d embedded vectors give %d complex ones", vals[lo], hi-lo, len(basis))
		}
		mean := 0.0
		for j := lo; j < hi; j++ {
			mean += vals[j]
		}
		mean /= float64(hi - lo)
		for _, z := range basis {
			fixPhase(z)
			omega = append(omega, mean)
			vecs = append(vecs, z)
		}
		lo = hi
	}
	return omega, vecs, nil
}

// cdot returns a*b = Σ conj(a_i) b_i.
func cdot(a, b []complex128) complex128 {
	var s complex128
	for i := range a {
		s += cmplx.Conj(a[i]) * b[i]
	}
	return s
}

func cnorm(a []complex128) float64 { return math.Sqrt(real(cdot(a, a))) }

// fixPhase rotates z so that its first entry with modulus above 1e-8·max is
// real and positive.
func fixPhase(z []complex128) {
	big := 0.0
	for _, v := range z {
		big = max(big, cmplx.Abs(v))
	}
	for _, v := range z {
		if a := cmplx.Abs(v); a > 1e-8*big {
			rot := cmplx.Conj(v) / complex(a, 0)
			for i := range z {
				z[i] *= rot
			}
			return
		}
	}
}

// zeroPairVector returns (r₁ + i r₂)/√2 for a real orthonormal basis r₁, r₂
// of the (real) null space spanned by the complex vectors z1, z2, oriented
// so that its first entry is real and positive and its first non-real entry
// has positive imaginary part; for the Fourier measures this is the
// reference's (e₀ + i e₁)/√2.
func zeroPairVector(z1, z2 []complex128) []complex128 {
	n := len(z1)
	cands := make([][]float64, 0, 4)
	for _, z := range [][]complex128{z1, z2} {
		re, im := make([]float64, n), make([]float64, n)
		for i, v := range z {
			re[i], im[i] = real(v), imag(v)
		}
		cands = append(cands, re, im)
	}
	var basis [][]float64
	for len(basis) < 2 {
		best, bestNorm := -1, 0.0
		for j, c := range cands {
			if nrm := floats2norm(c); nrm > bestNorm {
				best, bestNorm = j, nrm
			}
		}
		r := cands[best]
		for i := range r {
			r[i] /= bestNorm
		}
		basis = append(basis, r)
		cands = append(cands[:best], cands[best+1:]...)
		for _, c := range cands {
			p := 0.0
			for i := range c {
				p += r[i] * c[i]
			}
			for i := range c {
				c[i] -= p * r[i]
			}
		}
	}
	v := make([]complex128, n)
	for i := range v {
		v[i] = complex(basis[0][i], basis[1][i]) / complex(math.Sqrt2, 0)
	}
	fixPhase(v)
	for _, x := range v {
		if math.Abs(imag(x)) > 1e-8 {
			if imag(x) < 0 {
				for i := range v {
					v[i] = cmplx.Conj(v[i])
				}
			}
			break
		}
	}
	return v
}

func floats2norm(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}
