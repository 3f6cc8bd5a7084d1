package hippo

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

const kernelTol = 1e-10 // relative to max|K|

// TestKernelPathsAgree checks invariant F.13 and F.15: on the same system,
// the dense kernel (powers of Ā), the diagonal Vandermonde kernel (on the
// eigen-decomposition of A) and the DPLR Cauchy/Woodbury kernel (on NPLR's
// form) agree, for bilinear (all three) and ZOH (dense and diagonal), at
// even and odd lengths, and at a step that puts an FFT node on a pole of
// the normal part. A NaN anywhere fails.
func TestKernelPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, tc := range []struct {
		measure string
		n       int
		// diag: compare the Vandermonde path on A's eigen-decomposition.
		// LagT's A is one Jordan block at −½, and LegS's eigenvectors are
		// exponentially ill-conditioned (at N = 16 the kernel through them
		// is off by 2e-5, the reason S4 uses NPLR instead).
		diag bool
	}{{"legs", 8, true}, {"legs", 16, false}, {"legt", 8, true}, {"fout", 8, true}, {"lagt", 6, false}} {
		a, b := mustTransition(t, tc.measure, tc.n, Params{})
		c := make([]float64, tc.n)
		for i := range c {
			c[i] = rng.NormFloat64()
		}
		dplr, err := NPLR(tc.measure, tc.n, nplrRank(tc.measure))
		if err != nil {
			t.Fatal(err)
		}
		half := tc.n / 2
		// Unclipped B̃ = V*B and C̃ = CV (the first half of C V_f).
		bt, ct := make([]complex128, half), make([]complex128, half)
		for j := range half {
			for k := range tc.n {
				bt[j] += cmplx.Conj(dplr.V.At(k, j)) * complex(b[k], 0)
				ct[j] += complex(c[k], 0) * dplr.V.At(k, j)
			}
		}
		// Diagonalise A (LegS and LagT have real spectra; pairs otherwise):
		// modes w with B_w = W⁻¹B, C_w = CW, each stored as a complex mode
		// with C halved so that 2·Re restores it.
		modesA, modesB, modesC := make([]complex128, tc.n), make([]complex128, tc.n), make([]complex128, tc.n)
		if tc.diag {
			var eig mat.Eigen
			if !eig.Factorize(a, mat.EigenRight) {
				t.Fatal("eigen failed")
			}
			w := eig.Values(nil)
			var wv mat.CDense
			eig.VectorsTo(&wv)
			wInv := invertComplex(t, &wv)
			for j := range tc.n {
				modesA[j] = w[j]
				for k := range tc.n {
					modesB[j] += wInv[j][k] * complex(b[k], 0)
					modesC[j] += complex(c[k], 0) * wv.At(k, j) / 2
				}
			}
		}
		// At Δ = 2·tan(π/8)/π the node ω = e^{−iπ/4} of L = 64 is a pole
		// of the Fourier measures' normal part (λ = ±iπ): D_n = 0 there.
		for _, dt := range []float64{0.01, 0.3, 2 * math.Tan(math.Pi/8) / math.Pi} {
			for _, L := range []int{1, 2, 63, 64} {
				for _, m := range []Method{Bilinear, ZOH} {
					ad, bd, err := Discretize(a, b, dt, m)
					if err != nil {
						t.Fatal(err)
					}
					dense := make([]float64, L)
					KernelDense(dense, ad, bd, c)
					scale := math.Max(maxAbsVec(dense), 1e-300)

					if tc.diag {
						dA, dB := make([]complex128, tc.n), make([]complex128, tc.n)
						DiscretizeDiag(dA, dB, modesA, modesB, dt, m)
						diag := make([]float64, L)
						KernelDiag(diag, dA, dB, modesC)
						if d := maxAbsDiffVec(diag, dense); !(d <= kernelTol*scale) {
							t.Errorf("%s N=%d %v Δ=%v L=%d: diagonal kernel off the dense one by %v (scale %v)", tc.measure, tc.n, m, dt, L, d, scale)
						}
					}
					if m != Bilinear {
						continue
					}
					cauchy := make([]float64, L)
					KernelDPLR(cauchy, dplr.Lambda, dplr.P, bt, ct, dt)
					if d := maxAbsDiffVec(cauchy, dense); !(d <= kernelTol*scale) {
						t.Errorf("%s N=%d Δ=%v L=%d: DPLR kernel off the dense one by %v (scale %v)", tc.measure, tc.n, dt, L, d, scale)
					}
				}
			}
		}
	}
}

// invertComplex returns the inverse of a square complex matrix by
// Gauss–Jordan elimination with partial pivoting.
func invertComplex(t *testing.T, m *mat.CDense) [][]complex128 {
	t.Helper()
	n, _ := m.Dims()
	a := make([][]complex128, n)
	inv := make([][]complex128, n)
	for i := range n {
		a[i] = make([]complex128, n)
		inv[i] = make([]complex128, n)
		for j := range n {
			a[i][j] = m.At(i, j)
		}
		inv[i][i] = 1
	}
	for col := range n {
		p := col
		for i := col + 1; i < n; i++ {
			if cmplx.Abs(a[i][col]) > cmplx.Abs(a[p][col]) {
				p = i
			}
		}
		if a[p][col] == 0 {
			t.Fatal("singular eigenvector matrix")
		}
		a[col], a[p] = a[p], a[col]
		inv[col], inv[p] = inv[p], inv[col]
		piv := a[col][col]
		for j := range n {
			a[col][j] /= piv
			inv[col][j] /= piv
		}
		for i := range n {
			if i == col {
				continue
			}
			f := a[i][col]
			for j := range n {
				a[i][j] -= f * a[col][j]
				inv[i][j] -= f * inv[col][j]
			}
		}
	}
	return inv
}

// TestKernelDiagVandermonde: the S4D kernel equals the naive power sum
// 2·Re Σ C_n B̄_n Ā_n^l with powers from cmplx.Pow (F.15).
func TestKernelDiagVandermonde(t *testing.T) {
	init, err := NewSSMInit("inv", 16, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	dA, dB := make([]complex128, 8), make([]complex128, 8)
	DiscretizeDiag(dA, dB, init.A, init.B, 0.05, ZOH)
	k := make([]float64, 200)
	KernelDiag(k, dA, dB, init.C)
	for l := range k {
		var s complex128
		for n := range dA {
			s += init.C[n] * dB[n] * cmplx.Pow(dA[n], complex(float64(l), 0))
		}
		if d := math.Abs(k[l] - 2*real(s)); !(d <= kernelTol*maxAbsVec(k)) {
			t.Fatalf("l=%d: %v vs naive %v", l, k[l], 2*real(s))
		}
	}
}

// TestConvolutionIsRecurrence checks invariant F.14: causal convolution with
// the kernel equals stepping the recurrence x_l = Āx_{l−1} + B̄u_l,
// y_l = Cx_l, for ZOH and bilinear.
func TestConvolutionIsRecurrence(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	a, b := mustTransition(t, "legs", 8, Params{})
	c := make([]float64, 8)
	for i := range c {
		c[i] = rng.NormFloat64()
	}
	u := make([]float64, 100)
	for i := range u {
		u[i] = rng.NormFloat64()
	}
	for _, m := range []Method{Bilinear, ZOH} {
		ad, bd, err := Discretize(a, b, 0.1, m)
		if err != nil {
			t.Fatal(err)
		}
		k := make([]float64, len(u))
		KernelDense(k, ad, bd, c)
		x := mat.NewVecDense(8, nil)
		var y mat.VecDense
		for l := range u {
			y.MulVec(ad, x)
			for i := range 8 {
				x.SetVec(i, y.AtVec(i)+bd[i]*u[l])
			}
			step := mat.Dot(mat.NewVecDense(8, c), x)
			conv := 0.0
			for j := 0; j <= l; j++ {
				conv += k[j] * u[l-j]
			}
			if d := math.Abs(step - conv); d > 1e-12*math.Max(1, math.Abs(step)) {
				t.Fatalf("%v l=%d: recurrence %v, convolution %v", m, l, step, conv)
			}
		}
	}
}

// TestKernelPanics: mismatched lengths are programmer errors.
func TestKernelPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"dense": func() { KernelDense(make([]float64, 3), mat.NewDense(2, 2, nil), []float64{1, 2}, []float64{1}) },
		"diag": func() {
			KernelDiag(make([]float64, 3), make([]complex128, 2), make([]complex128, 1), make([]complex128, 2))
		},
		"dplr": func() {
			KernelDPLR(make([]float64, 3), make([]complex128, 2), [][]complex128{make([]complex128, 3)}, make([]complex128, 2), make([]complex128, 2), 0.1)
		},
		"discretize": func() {
			DiscretizeDiag(make([]complex128, 2), make([]complex128, 2), make([]complex128, 3), make([]complex128, 3), 0.1, ZOH)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
