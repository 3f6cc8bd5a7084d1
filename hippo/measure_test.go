package hippo

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

const (
	exactTol    = 1e-14 // entries built from the same closed form
	roundoffTol = 1e-12 // relative, after O(N) floating-point operations
)

// TestLegSStructure checks invariant F.1: LegS is lower triangular with
// diagonal −(n+1), so its eigenvalues are exactly −1…−N, and
// A + ½BBᵀ = −½I + skew.
func TestLegSStructure(t *testing.T) {
	for _, n := range []int{1, 2, 6, 64} {
		a, b := mustTransition(t, "legs", n, Params{})
		for i := range n {
			for k := i + 1; k < n; k++ {
				if a.At(i, k) != 0 {
					t.Fatalf("N=%d: A[%d,%d] = %v above the diagonal", n, i, k, a.At(i, k))
				}
			}
			if a.At(i, i) != -float64(i+1) {
				t.Fatalf("N=%d: A[%d,%d] = %v, want %d", n, i, i, a.At(i, i), -(i + 1))
			}
		}
		var e mat.Eigen
		if !e.Factorize(a, mat.EigenNone) {
			t.Fatal("eigen failed")
		}
		var got []float64
		for _, v := range e.Values(nil) {
			if imag(v) != 0 {
				t.Fatalf("N=%d: complex eigenvalue %v", n, v)
			}
			got = append(got, real(v))
		}
		slices.Sort(got)
		for i, v := range got {
			if want := -float64(n - i); !(math.Abs(v-want) <= roundoffTol*float64(n)) {
				t.Fatalf("N=%d: eigenvalue %d = %v, want %v", n, i, v, want)
			}
		}
		an := mat.DenseCopyOf(a)
		for i := range n {
			for k := range n {
				an.Set(i, k, an.At(i, k)+0.5*b[i]*b[k])
			}
		}
		for i := range n {
			for k := range n {
				want := 0.0
				if i == k {
					want = -1
				}
				if d := an.At(i, k) + an.At(k, i) - want; !(math.Abs(d) <= exactTol*float64(2*n)) {
					t.Fatalf("N=%d: (A+½BBᵀ) + (A+½BBᵀ)ᵀ − (−I) has entry %v at %d,%d", n, d, i, k)
				}
			}
		}
	}
}

// TestNormalPart checks invariant F.2: A + Σ PPᵀ + (A + Σ PPᵀ)ᵀ = 2c·I for
// every measure with a rank correction, at the default θ and θ = 3, with
// the constants c (at θ = 1) the matrices imply: −½ for LegS, LegSD and
// FouD, and 0 for LegT, LagT, FouT and FouT-decay, whose corrected parts are
// purely skew. (LagT's ½I − tril(1) + ½𝟙𝟙ᵀ has zero diagonal.)
func TestNormalPart(t *testing.T) {
	c1 := map[string]float64{"legs": -0.5, "legsd": -0.5, "foud": -0.5, "legt": 0, "lagt": 0, "fout": 0, "fourier_decay": 0}
	if got := correctedMeasures(); len(got) != len(c1) {
		t.Fatalf("measures with a rank correction %v, table covers %d", got, len(c1))
	}
	for name, c := range c1 {
		m, _ := lookupMeasure(name)
		for _, theta := range []float64{0, 3} {
			for _, n := range []int{2, 8, 32} {
				p := Params{Theta: theta}
				a, _ := mustTransition(t, name, n, p)
				scale := math.Max(1, maxAbs(a))
				rows, err := RankCorrection(name, n, 2, p)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					for i := range n {
						for k := range n {
							a.Set(i, k, a.At(i, k)+r[i]*r[k])
						}
					}
				}
				th := theta
				if th == 0 {
					th = m.theta
				}
				for i := range n {
					for k := range n {
						want := 0.0
						if i == k {
							want = 2 * c / th
						}
						if d := a.At(i, k) + a.At(k, i) - want; !(math.Abs(d) <= roundoffTol*scale) {
							t.Fatalf("%s θ=%v N=%d: (A+ΣPPᵀ)+(…)ᵀ − 2cI = %v at %d,%d", name, theta, n, d, i, k)
						}
					}
				}
			}
		}
	}
}

// TestReferenceEntries compares small matrices with the reference formulas
// worked out by hand (s4 hippo.py transition at its default arguments).
func TestReferenceEntries(t *testing.T) {
	s3, s2, pi := math.Sqrt(3), math.Sqrt2, math.Pi
	tests := []struct {
		name string
		n    int
		p    Params
		a    []float64
		b    []float64
	}{
		{"legs", 3, Params{}, []float64{-1, 0, 0, -s3, -2, 0, -math.Sqrt(5), -math.Sqrt(15), -3}, []float64{1, s3, math.Sqrt(5)}},
		{"legsd", 2, Params{}, []float64{-0.5, s3 / 2, -s3 / 2, -0.5}, []float64{0.5, s3 / 2}},
		// s4's LegT is halved: −½R_nR_k{1 if n ≥ k; (−1)^(n−k) if n < k}, B = R/2.
		{"legt", 2, Params{}, []float64{-0.5, s3 / 2, -s3 / 2, -1.5}, []float64{0.5, s3 / 2}},
		// hippo-code's LegT is θ = 1.
		{"legt", 2, Params{Theta: 1}, []float64{-1, s3, -s3, -3}, []float64{1, s3}},
		{"lmu", 2, Params{}, []float64{-1, -1, 3, -3}, []float64{1, -3}},
		{"lagt", 3, Params{}, []float64{-0.5, 0, 0, -1, -0.5, 0, -1, -1, -0.5}, []float64{1, 1, 1}},
		{"lagt", 2, Params{Beta: 0.5}, []float64{-0.5, 0, -1, -0.5}, []float64{0.5, 0.5}},
		{"tlagt", 2, Params{Beta: 0.5}, []float64{-0.75, 0, -1, -0.75}, []float64{0.5, 0.5}},
		{"glagt", 2, Params{}, []float64{-0.505, 0, -1, -0.505}, []float64{0.1, 0.1}},
		// s4 fout: πJ − bbᵀ, B = b with b = [1, 0, √2, 0].
		{"fout", 4, Params{}, []float64{-1, 0, -s2, 0, 0, 0, 0, 0, -s2, 0, -2, -pi, 0, 0, pi, 0}, []float64{1, 0, s2, 0}},
		{"fourier", 4, Params{Theta: 1}, []float64{-2, 0, -2 * s2, 0, 0, 0, 0, 0, -2 * s2, 0, -4, -2 * pi, 0, 0, 2 * pi, 0}, []float64{2, 0, 2 * s2, 0}},
		{"fourier_decay", 4, Params{}, []float64{-0.5, 0, -s2 / 2, 0, 0, 0, 0, 0, -s2 / 2, 0, -1, -pi, 0, 0, pi, 0}, []float64{0.5, 0, s2 / 2, 0}},
		{"foud", 4, Params{}, []float64{-0.5, 0, 0, 0, 0, -0.5, 0, 0, 0, 0, -0.5, -2 * pi, 0, 0, 2 * pi, -0.5}, []float64{1, 0, s2, 0}},
	}
	for _, tc := range tests {
		a, b := mustTransition(t, tc.name, tc.n, tc.p)
		want := mat.NewDense(tc.n, tc.n, tc.a)
		if d := maxAbsDiff(a, want); !(d <= exactTol*10) {
			t.Errorf("%s %+v: A off by %v:\n%v", tc.name, tc.p, d, mat.Formatted(a))
		}
		if d := maxAbsDiffVec(b, tc.b); !(d <= exactTol*10) {
			t.Errorf("%s %+v: B = %v, want %v", tc.name, tc.p, b, tc.b)
		}
	}
}

// TestGLagTReducesToLagT: at α = 0, D = I and GLagT is LagT with diagonal
// −(1+β)/2 and B = √β, checked at a β other than the default.
func TestGLagTReducesToLagT(t *testing.T) {
	const beta = 0.3
	a, b := mustTransition(t, "glagt", 5, Params{Beta: beta})
	l, _ := mustTransition(t, "lagt", 5, Params{})
	for i := range 5 {
		l.Set(i, i, -(1+beta)/2)
		if !(math.Abs(b[i]-math.Sqrt(beta)) <= exactTol) {
			t.Fatalf("B[%d] = %v, want √β", i, b[i])
		}
	}
	if d := maxAbsDiff(a, l); !(d <= exactTol) {
		t.Fatalf("GLagT(α=0) differs from LagT by %v", d)
	}
	// α ≠ 0 is a diagonal similarity of the α = 0 matrix: the spectrum stays.
	g, _ := mustTransition(t, "glagt", 5, Params{Alpha: 0.4, Beta: beta})
	for i := range 5 {
		if !(math.Abs(g.At(i, i)-a.At(i, i)) <= exactTol) {
			t.Fatalf("α changes the diagonal: %v vs %v", g.At(i, i), a.At(i, i))
		}
	}
}

// TestLMUIsLegT checks invariant F.4: LMU = D·LegT·D⁻¹ and B_lmu = D·B_legt
// with D = diag((−1)^n √(2n+1)) and LegT at hippo-code's scale (θ = 1);
// s4's LegT is half of it.
func TestLMUIsLegT(t *testing.T) {
	for _, n := range []int{1, 4, 9} {
		lmu, blmu := mustTransition(t, "lmu", n, Params{})
		legt, blegt := mustTransition(t, "legt", n, Params{Theta: 1})
		s4, bs4 := mustTransition(t, "legt", n, Params{})
		d := func(i int) float64 { return sign(i) * sqrt2n1(i) }
		sim := mat.NewDense(n, n, nil)
		for i := range n {
			for k := range n {
				sim.Set(i, k, d(i)*legt.At(i, k)/d(k))
				if !(math.Abs(s4.At(i, k)-legt.At(i, k)/2) <= exactTol*float64(n)) {
					t.Fatalf("N=%d: s4 LegT is not half of hippo-code's at %d,%d", n, i, k)
				}
			}
			if !(math.Abs(blmu[i]-d(i)*blegt[i]) <= exactTol*float64(n)) || !(math.Abs(bs4[i]-blegt[i]/2) <= exactTol) {
				t.Fatalf("N=%d: B differs at %d", n, i)
			}
		}
		if e := maxAbsDiff(sim, lmu); !(e <= roundoffTol*maxAbs(lmu)) {
			t.Fatalf("N=%d: D·LegT·D⁻¹ differs from LMU by %v", n, e)
		}
	}
}

// TestTheta: every measure's system at θ is its θ = 1 system divided by θ.
func TestTheta(t *testing.T) {
	for _, name := range Measures() {
		n := 4
		p1 := Params{Theta: 1, Rand: rand.New(rand.NewPCG(1, 2))}
		p3 := Params{Theta: 3, Rand: rand.New(rand.NewPCG(1, 2))}
		a1, b1 := mustTransition(t, name, n, p1)
		a3, b3 := mustTransition(t, name, n, p3)
		a1.Scale(1.0/3, a1)
		if d := maxAbsDiff(a1, a3); !(d <= exactTol*maxAbs(a3)) {
			t.Fatalf("%s: A(θ=3) ≠ A(θ=1)/3 (off by %v)", name, d)
		}
		for i := range b1 {
			if !(math.Abs(b1[i]/3-b3[i]) <= exactTol*math.Abs(b3[i])+exactTol) {
				t.Fatalf("%s: B(θ=3) ≠ B(θ=1)/3", name)
			}
		}
	}
}

// TestImpulseResponses checks invariant F.3: e^{tA}B equals the closed forms
// e^(−t)√(2n+1)P_n(2e^(−t)−1) for LTI LegS and e^(−t/2)L_n(t) for LagT,
// computed both by the matrix exponential and by a fine RK4 integration.
func TestImpulseResponses(t *testing.T) {
	const (
		n      = 8
		expTol = 1e-12 // matrix exponential, relative to max|B|
		rk4Tol = 1e-9  // RK4 at h = 2.5e-4: global error ≈ h⁴‖A‖⁵t/120 ≲ 1e-11 (LegS is far from normal)
	)
	closed := map[string]func(tau float64, dst []float64){
		"legs": func(tau float64, dst []float64) {
			legendre(dst, 2*math.Exp(-tau)-1)
			for i := range dst {
				dst[i] *= math.Exp(-tau) * sqrt2n1(i)
			}
		},
		"lagt": func(tau float64, dst []float64) {
			laguerre(dst, tau)
			for i := range dst {
				dst[i] *= math.Exp(-tau / 2)
			}
		},
	}
	for name, f := range closed {
		a, b := mustTransition(t, name, n, Params{})
		want := make([]float64, n)
		for _, tau := range []float64{0.1, 0.5, 1, 2, 5} {
			f(tau, want)
			var e mat.Dense
			var ta mat.Dense
			ta.Scale(tau, a)
			e.Exp(&ta)
			got := mat.NewVecDense(n, nil)
			got.MulVec(&e, mat.NewVecDense(n, b))
			if d := maxAbsDiffVec(got.RawVector().Data, want); !(d <= expTol*maxAbsVec(b)) {
				t.Errorf("%s t=%v: expm(tA)B off the closed form by %v", name, tau, d)
			}
			x := append([]float64(nil), b...)
			rk4(x, 0, tau, 2.5e-4, linear(a, b, func(float64) float64 { return 1 }, func(float64) float64 { return 0 }))
			if d := maxAbsDiffVec(x, want); !(d <= rk4Tol*maxAbsVec(b)) {
				t.Errorf("%s t=%v: RK4 off the closed form by %v", name, tau, d)
			}
		}
	}
}

// TestInitialC checks s4's initial_C.
func TestInitialC(t *testing.T) {
	c, err := InitialC("legt", 4)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiffVec(c, []float64{1, -math.Sqrt(3), math.Sqrt(5), -math.Sqrt(7)}); !(d <= exactTol) {
		t.Errorf("legt C = %v", c)
	}
	c, _ = InitialC("fout", 6)
	if d := maxAbsDiffVec(c, []float64{1, 0, math.Sqrt2, 0, math.Sqrt2, 0}); !(d <= exactTol) {
		t.Errorf("fout C = %v", c)
	}
	c, _ = InitialC("legs", 3)
	if maxAbsVec(c) != 0 {
		t.Errorf("legs C = %v, want 0", c)
	}
}

// TestBaselines: random and diagonal are seeded, diagonal is Hurwitz.
func TestBaselines(t *testing.T) {
	for _, name := range []string{"random", "diagonal"} {
		a1, b1 := mustTransition(t, name, 6, Params{Rand: rand.New(rand.NewPCG(7, 7))})
		a2, b2 := mustTransition(t, name, 6, Params{Rand: rand.New(rand.NewPCG(7, 7))})
		if !mat.Equal(a1, a2) || !slices.Equal(b1, b2) {
			t.Errorf("%s: same seed gives different systems", name)
		}
		if name == "diagonal" {
			for i := range 6 {
				for k := range 6 {
					if (i == k) != (a1.At(i, k) < 0) || (i != k && a1.At(i, k) != 0) {
						t.Fatalf("diagonal: A[%d,%d] = %v", i, k, a1.At(i, k))
					}
				}
			}
		}
	}
}

// TestMeasureErrors: bad names and arguments give errors that say why.
func TestMeasureErrors(t *testing.T) {
	tests := []struct {
		call func() error
		want string
	}{
		{func() error { _, _, err := Transition("legx", 4, Params{}); return err }, "valid: legs, legsd, legt, lmu, lagt, tlagt, glagt, fout, fourier_decay, foud, random, diagonal"},
		{func() error { _, _, err := Transition("fout", 5, Params{}); return err }, "must be even"},
		{func() error { _, _, err := Transition("legs", 0, Params{}); return err }, "at least 1"},
		{func() error { _, _, err := Transition("legt", 4, Params{Theta: -1}); return err }, "θ = -1"},
		{func() error { _, _, err := Transition("random", 4, Params{}); return err }, "needs Params.Rand"},
		{func() error { _, _, err := Transition("glagt", 4, Params{Alpha: 1}); return err }, "(−1, 1)"},
		{func() error { _, _, err := Transition("lagt", 4, Params{Beta: -2}); return err }, "β"},
		{func() error { _, err := RankCorrection("lmu", 4, 1, Params{}); return err }, "no rank correction (defined for legs, legsd, legt, lagt, fout, fourier_decay, foud)"},
		{func() error { _, err := RankCorrection("legt", 4, 1, Params{}); return err }, "needs rank ≥ 2"},
		{func() error { _, err := InitialC("nope", 4); return err }, "valid:"},
	}
	for _, tc := range tests {
		err := tc.call()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want it to contain %q", err, tc.want)
		}
	}
}

// TestRankCorrectionPadding: extra rows are zero.
func TestRankCorrectionPadding(t *testing.T) {
	rows, err := RankCorrection("legs", 4, 3, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || maxAbsVec(rows[1]) != 0 || maxAbsVec(rows[2]) != 0 {
		t.Fatalf("rows %v", rows)
	}
	if d := maxAbsDiffVec(rows[0], []float64{math.Sqrt(0.5), math.Sqrt(1.5), math.Sqrt(2.5), math.Sqrt(3.5)}); !(d <= exactTol) {
		t.Fatalf("legs P = %v", rows[0])
	}
}
