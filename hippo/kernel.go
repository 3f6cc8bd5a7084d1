package hippo

import (
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/mat"
)

// KernelDense writes the SSM convolution kernel K_l = C Ā^l B̄,
// l = 0…len(dst)−1, of a discretised dense system by repeated products
// (s4 SSMKernelDense's krylov). It panics if the shapes disagree.
func KernelDense(dst []float64, Ad *mat.Dense, Bd, C []float64) {
	n := checkSystem(Ad, Bd)
	if len(C) != n {
		panic("hippo: KernelDense: C length mismatch")
	}
	x := mat.NewVecDense(n, append([]float64(nil), Bd...))
	y := mat.NewVecDense(n, nil)
	c := mat.NewVecDense(n, append([]float64(nil), C...))
	for l := range dst {
		dst[l] = mat.Dot(c, x)
		y.MulVec(Ad, x)
		x, y = y, x
	}
}

// KernelDiag writes the S4D (Vandermonde) kernel of a discretised diagonal
// system stored with one mode per conjugate pair (s4 SSMKernelDiag):
//
//	K_l = 2·Re Σ_n C_n B̄_n Ā_n^l,   l = 0…len(dst)−1,
//
// where dA, dB come from DiscretizeDiag (ZOH or bilinear). Powers are
// accumulated by repeated multiplication, stable for |Ā_n| ≤ 1. It panics
// if the lengths differ.
func KernelDiag(dst []float64, dA, dB, C []complex128) {
	if len(dB) != len(dA) || len(C) != len(dA) {
		panic("hippo: KernelDiag: length mismatch")
	}
	for l := range dst {
		dst[l] = 0
	}
	for n, a := range dA {
		v := C[n] * dB[n]
		for l := range dst {
			dst[l] += 2 * real(v)
			v *= a
		}
	}
}

// KernelDPLR writes the bilinear-discretised S4 kernel K_l = C Ā^l B̄,
// l = 0…L−1 (L = len(dst)), of the DPLR system A = Λ − PP* given in
// conjugate-halved form: lambda, P and B as NPLR returns them, C in the
// same eigenbasis (C̃ = C_real·V for a real system), each standing for the
// full vector [x, x̄]. It uses S4's generating-function method
// (s4 SSMKernelDPLR):
//
//  1. C̃ = C(I − Ā^L), with C Ā^L formed by L applications of Ā, each
//     O(N·rank) through the Woodbury identity.
//  2. At the FFT nodes ω_k = e^{−2πik/L}, k = 0…⌊L/2⌋, the truncated
//     generating function Σ_l K_l ω^l = C̃(I − ωĀ)⁻¹B̄ equals
//     2Δ·C̃[D + (1+ω)Δ PP*]⁻¹B with D = 2(1−ω) − (1+ω)ΔΛ diagonal, which
//     the Woodbury identity turns into Cauchy sums Σ_n a_n b_n / D_n:
//     K̂ = 2Δ(k_CB − (1+ω)Δ k_CP (I + (1+ω)Δ k_PP)⁻¹ k_PB).
//     This is s4's (2/(1+ω))·(r_BC − r_BQ r_PC/(1 + r_PQ)) at
//     z = 2(1−ω)/(1+ω), multiplied through by (1+ω) so that ω = −1 needs
//     no special case.
//  3. K = inverse real FFT of K̂.
//
// Two nodes are evaluated otherwise. At ω = 1, I − Ā is singular when A has
// a zero eigenvalue (the Fourier measures' sine-0 state, which B never
// excites), and K̂ = Σ_l K_l = (Σ_l C Ā^l) B̄ is summed from step 1's
// iterates instead. Where a D_n nearly vanishes (an eigenvalue of the
// normal part on the bilinear image of the node), the Cauchy sums would
// cancel huge terms, and the N×N system is solved directly (dplrDirect).
//
// It panics if the lengths differ.
func KernelDPLR(dst []float64, lambda []complex128, P [][]complex128, B, C []complex128, dt float64) {
	half := len(lambda)
	if len(B) != half || len(C) != half {
		panic("hippo: KernelDPLR: length mismatch")
	}
	for _, p := range P {
		if len(p) != half {
			panic("hippo: KernelDPLR: P length mismatch")
		}
	}
	L := len(dst)
	if L == 0 {
		return
	}
	r := len(P)
	full := func(x []complex128) []complex128 {
		f := make([]complex128, 2*half)
		for i, v := range x {
			f[i], f[half+i] = v, cmplx.Conj(v)
		}
		return f
	}
	lam, b, c := full(lambda), full(B), full(C)
	p := make([][]complex128, r)
	for i := range P {
		p[i] = full(P[i])
	}
	d := complex(dt, 0)

	// Step 1: C̃ = C − C Ā^L with x Ā = [x (I + Δ/2·A)] (I − Δ/2·A)⁻¹,
	// and sum = Σ_{l<L} C Ā^l for the node ω = 1.
	x := append([]complex128(nil), c...)
	sum := make([]complex128, len(c))
	step := newDPLRRowStep(lam, p, dt)
	for range L {
		for i, xi := range x {
			sum[i] += xi
		}
		step.apply(x)
	}
	ct := make([]complex128, len(c))
	for i := range c {
		ct[i] = c[i] - x[i]
	}

	// Step 2: the generating function at the FFT nodes.
	nodes := L/2 + 1
	khat := make([]complex128, nodes)
	kcp := make([]complex128, r)
	kpb := make([]complex128, r)
	kpp := make([]complex128, r*r)
	inv := make([]complex128, len(lam))
	var bbar complex128 // K̂ at ω = 1: sum·B̄
	for i, v := range step.inputColumn(b) {
		bbar += sum[i] * v
	}
	khat[0] = bbar
	for k := 1; k < nodes; k++ {
		w := cmplx.Exp(complex(0, -2*math.Pi*float64(k)/float64(L)))
		if 2*k == L {
			w = -1
		}
		s := (1 + w) * d
		dmin, dscale := math.Inf(1), 0.0
		for i, l := range lam {
			di := 2*(1-w) - s*l
			inv[i] = 1 / di
			dmin, dscale = math.Min(dmin, cmplx.Abs(di)), math.Max(dscale, cmplx.Abs(2*(1-w))+cmplx.Abs(s*l))
		}
		if !(dmin > dplrPoleTol*dscale) {
			khat[k] = 2 * d * dplrDirect(lam, p, b, ct, w, s)
			continue
		}
		var kcb complex128
		for i := range inv {
			kcb += ct[i] * b[i] * inv[i]
		}
		for a := range r {
			kcp[a], kpb[a] = 0, 0
			for i := range inv {
				kcp[a] += ct[i] * p[a][i] * inv[i]
				kpb[a] += cmplx.Conj(p[a][i]) * b[i] * inv[i]
			}
			for e := range r {
				var v complex128
				for i := range inv {
					v += cmplx.Conj(p[a][i]) * p[e][i] * inv[i]
				}
				kpp[a*r+e] = s * v
			}
			kpp[a*r+a] += 1
		}
		corr := complex(0, 0)
		if r > 0 {
			sol := solveSmall(kpp, kpb, r)
			for a := range r {
				corr += kcp[a] * sol[a]
			}
		}
		khat[k] = 2 * d * (kcb - s*corr)
	}

	// Step 3: K = irfft(K̂).
	fft := fourier.NewFFT(L)
	fft.Sequence(dst, khat)
	for i := range dst {
		dst[i] /= float64(L)
	}
}

// dplrPoleTol is the smallest |D_n|, relative to the size of D's terms,
// at which KernelDPLR's Woodbury sums are used. A D_n near zero is an
// eigenvalue of the normal part on the bilinear image of the node (the
// Fourier measures' λ = 0 at ω = 1 makes it exactly zero): the sums then
// cancel huge terms, or divide by zero, although [D + (1+ω)Δ PP*] itself
// is well conditioned, so that node is solved directly.
const dplrPoleTol = 1e-4

// dplrDirect returns C̃[D + s·PP*]⁻¹B, with D = 2(1−ω) − s·Λ and
// s = (1+ω)Δ, by Gaussian elimination on the N×N matrix: O(N³), for the
// nodes where the Woodbury sums would cancel.
func dplrDirect(lam []complex128, p [][]complex128, b, c []complex128, w, s complex128) complex128 {
	n := len(lam)
	m := make([]complex128, n*n)
	for i, l := range lam {
		m[i*n+i] = 2*(1-w) - s*l
		for _, pa := range p {
			for j := range n {
				m[i*n+j] += s * pa[i] * cmplx.Conj(pa[j])
			}
		}
	}
	y := solveSmall(m, b, n)
	var v complex128
	for i, ci := range c {
		v += ci * y[i]
	}
	return v
}

// dplrRowStep applies x ← x Ā for the bilinear Ā of A = diag(λ) − PP*
// (full, not halved), in O(N·rank).
type dplrRowStep struct {
	lam  []complex128
	p    [][]complex128
	dt   complex128
	dinv []complex128   // 1/(1 − Δ/2·λ)
	kinv []complex128   // (2/Δ·I + P* D⁻¹ P)⁻¹, rank × rank
	tmp  []complex128   // length N
	proj []complex128   // length rank
	coef []complex128   // length rank
	pdi  [][]complex128 // P_a ∘ D⁻¹
}

func newDPLRRowStep(lam []complex128, p [][]complex128, dt float64) *dplrRowStep {
	n, r := len(lam), len(p)
	s := &dplrRowStep{lam: lam, p: p, dt: complex(dt, 0), dinv: make([]complex128, n), tmp: make([]complex128, n), proj: make([]complex128, r), coef: make([]complex128, r)}
	for i, l := range lam {
		s.dinv[i] = 1 / (1 - s.dt/2*l)
	}
	s.pdi = make([][]complex128, r)
	for a := range r {
		s.pdi[a] = make([]complex128, n)
		for i := range n {
			s.pdi[a][i] = p[a][i] * s.dinv[i]
		}
	}
	// K = 2/Δ·I + P* D⁻¹ P; store its inverse column by column.
	k := make([]complex128, r*r)
	for a := range r {
		for e := range r {
			var v complex128
			for i := range n {
				v += cmplx.Conj(p[a][i]) * s.pdi[e][i]
			}
			k[a*r+e] = v
		}
		k[a*r+a] += 2 / s.dt
	}
	s.kinv = make([]complex128, r*r)
	for e := range r {
		unit := make([]complex128, r)
		unit[e] = 1
		col := solveSmall(append([]complex128(nil), k...), unit, r)
		for a := range r {
			s.kinv[a*r+e] = col[a]
		}
	}
	return s
}

// inputColumn returns B̄ = (I − Δ/2·A)⁻¹ΔB, the bilinear input column,
// through the same Woodbury inverse as apply.
func (s *dplrRowStep) inputColumn(b []complex128) []complex128 {
	r := len(s.p)
	z := make([]complex128, len(b))
	for i, bi := range b {
		z[i] = s.dt * bi * s.dinv[i]
	}
	for a := range r {
		var v complex128
		for i, zi := range z {
			v += cmplx.Conj(s.p[a][i]) * zi
		}
		s.proj[a] = v
	}
	for a := range r {
		var v complex128
		for e := range r {
			v += s.kinv[a*r+e] * s.proj[e]
		}
		s.coef[a] = v
	}
	y := make([]complex128, len(b))
	for i, zi := range z {
		v := zi
		for a := range r {
			v -= s.dinv[i] * s.p[a][i] * s.coef[a]
		}
		y[i] = v
	}
	return y
}

// apply computes x ← x(I + Δ/2·A)(I − Δ/2·A)⁻¹ for row vector x. With
// D = diag(1 − Δ/2·λ), I − Δ/2·A = D + (Δ/2)PP*, whose inverse is
// D⁻¹ − D⁻¹P(2/Δ·I + P*D⁻¹P)⁻¹P*D⁻¹.
func (s *dplrRowStep) apply(x []complex128) {
	h := s.dt / 2
	r := len(s.p)
	// y = x(I + Δ/2·A) = x + Δ/2(x∘λ − (xP) P*).
	for a := range r {
		var v complex128
		for i, xi := range x {
			v += xi * s.p[a][i]
		}
		s.proj[a] = v
	}
	for i, xi := range x {
		y := xi + h*xi*s.lam[i]
		for a := range r {
			y -= h * s.proj[a] * cmplx.Conj(s.p[a][i])
		}
		s.tmp[i] = y
	}
	// x = y D⁻¹ − (y D⁻¹ P) K⁻¹ (P* D⁻¹).
	for a := range r {
		var v complex128
		for i, yi := range s.tmp {
			v += yi * s.pdi[a][i]
		}
		s.proj[a] = v
	}
	for a := range r {
		var v complex128
		for e := range r {
			v += s.proj[e] * s.kinv[e*r+a]
		}
		s.coef[a] = v
	}
	for i, yi := range s.tmp {
		z := yi
		for a := range r {
			z -= s.coef[a] * cmplx.Conj(s.p[a][i])
		}
		x[i] = z * s.dinv[i]
	}
}

// solveSmall solves the r×r complex system m·x = b (m row-major, modified
// in place) by Gaussian elimination with partial pivoting; a singular m
// gives Inf/NaN, as IEEE arithmetic says.
func solveSmall(m, b []complex128, r int) []complex128 {
	x := append([]complex128(nil), b...)
	for col := range r {
		piv := col
		for i := col + 1; i < r; i++ {
			if cmplx.Abs(m[i*r+col]) > cmplx.Abs(m[piv*r+col]) {
				piv = i
			}
		}
		if piv != col {
			for j := range r {
				m[col*r+j], m[piv*r+j] = m[piv*r+j], m[col*r+j]
			}
			x[col], x[piv] = x[piv], x[col]
		}
		for i := col + 1; i < r; i++ {
			f := m[i*r+col] / m[col*r+col]
			for j := col; j < r; j++ {
				m[i*r+j] -= f * m[col*r+j]
			}
			x[i] -= f * x[col]
		}
	}
	for i := r - 1; i >= 0; i-- {
		for j := i + 1; j < r; j++ {
			x[i] -= m[i*r+j] * x[j]
		}
		x[i] /= m[i*r+i]
	}
	return x
}
