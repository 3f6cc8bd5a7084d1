package hippo

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// testSystems are the continuous systems the discretisation tests run on.
func testSystems(t *testing.T) map[string][2]any {
	t.Helper()
	out := map[string][2]any{}
	for _, name := range []string{"legs", "legt", "fout", "random"} {
		a, b := mustTransition(t, name, 8, Params{Rand: rand.New(rand.NewPCG(3, 4))})
		out[name] = [2]any{a, b}
	}
	return out
}

// TestGBTExplicit checks invariant F.7's first half: α = 0, ½, 1 reproduce
// forward Euler, bilinear and backward Euler written with explicit inverses.
func TestGBTExplicit(t *testing.T) {
	const tol = 1e-12 // relative to the entries' scale
	for name, sys := range testSystems(t) {
		a, b := sys[0].(*mat.Dense), sys[1].([]float64)
		n := len(b)
		for _, dt := range []float64{1e-3, 0.1, 0.7} {
			eye := mat.NewDiagDense(n, nil)
			for i := range n {
				eye.SetDiag(i, 1)
			}
			plus := func(s float64) *mat.Dense { // I + s·Δ·A
				var m mat.Dense
				m.Scale(s*dt, a)
				m.Add(&m, eye)
				return &m
			}
			inv := func(m *mat.Dense) *mat.Dense {
				var r mat.Dense
				if err := r.Inverse(m); err != nil {
					t.Fatal(err)
				}
				return &r
			}
			dtB := mat.NewVecDense(n, nil)
			dtB.ScaleVec(dt, mat.NewVecDense(n, b))
			for _, tc := range []struct {
				m     Method
				wantA *mat.Dense
				left  *mat.Dense // B̄ = left·ΔB
			}{
				{Forward, plus(1), mat.DenseCopyOf(eye)},
				{Backward, inv(plus(-1)), inv(plus(-1))},
				{Bilinear, func() *mat.Dense { var r mat.Dense; r.Mul(inv(plus(-0.5)), plus(0.5)); return &r }(), inv(plus(-0.5))},
			} {
				ad, bd, err := Discretize(a, b, dt, tc.m)
				if err != nil {
					t.Fatal(err)
				}
				if d := maxAbsDiff(ad, tc.wantA); !(d <= tol*math.Max(1, maxAbs(tc.wantA))) {
					t.Errorf("%s %v Δ=%v: Ā off by %v", name, tc.m, dt, d)
				}
				var wb mat.VecDense
				wb.MulVec(tc.left, dtB)
				if d := maxAbsDiffVec(bd, wb.RawVector().Data); !(d <= tol*math.Max(1, maxAbsVec(wb.RawVector().Data))) {
					t.Errorf("%s %v Δ=%v: B̄ off by %v", name, tc.m, dt, d)
				}
			}
		}
	}
}

// TestZOH checks the zero-order hold against A⁻¹(e^{ΔA} − I)B for
// invertible A, and the semigroup identities Ā(2Δ) = Ā(Δ)²,
// B̄(2Δ) = Ā(Δ)B̄(Δ) + B̄(Δ) for every system (FouT's A is singular).
func TestZOH(t *testing.T) {
	const tol = 1e-12
	for name, sys := range testSystems(t) {
		a, b := sys[0].(*mat.Dense), sys[1].([]float64)
		n := len(b)
		for _, dt := range []float64{1e-3, 0.1, 1} {
			ad, bd := DiscretizeZOH(a, b, dt)
			ad2, bd2 := DiscretizeZOH(a, b, 2*dt)
			var sq mat.Dense
			sq.Mul(ad, ad)
			if d := maxAbsDiff(&sq, ad2); !(d <= tol*math.Max(1, maxAbs(ad2))) {
				t.Errorf("%s Δ=%v: Ā(2Δ) ≠ Ā(Δ)² by %v", name, dt, d)
			}
			var comp mat.VecDense
			comp.MulVec(ad, mat.NewVecDense(n, bd))
			comp.AddVec(&comp, mat.NewVecDense(n, bd))
			if d := maxAbsDiffVec(comp.RawVector().Data, bd2); !(d <= tol*math.Max(1, maxAbsVec(bd2))) {
				t.Errorf("%s Δ=%v: B̄(2Δ) ≠ ĀB̄ + B̄ by %v", name, dt, d)
			}
			if name != "legs" && name != "legt" {
				continue
			}
			var m mat.Dense
			m.Sub(ad, eyeDense(n))
			var rhs mat.VecDense
			rhs.MulVec(&m, mat.NewVecDense(n, b))
			var want mat.VecDense
			if err := want.SolveVec(a, &rhs); err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiffVec(bd, want.RawVector().Data); d > 1e-10*math.Max(1, maxAbsVec(bd)) {
				t.Errorf("%s Δ=%v: B̄ ≠ A⁻¹(e^{ΔA} − I)B by %v", name, dt, d)
			}
		}
	}
}

func eyeDense(n int) *mat.Dense {
	e := mat.NewDense(n, n, nil)
	for i := range n {
		e.Set(i, i, 1)
	}
	return e
}

// TestGBTConvergenceToZOH checks invariant F.7's second half by measuring
// orders: integrating LegS (N = 8) from x = 0 under u ≡ 1 to T = 1, for
// which ZOH is exact, the GBT error falls as Δ for α = 0 and 1 and as Δ²
// for α = ½. Δ starts at 1/200, inside the asymptotic range (ΔN ≪ 1; at
// Δ = 1/20 the measured Euler orders are still 0.8 and 1.2).
func TestGBTConvergenceToZOH(t *testing.T) {
	a, b := mustTransition(t, "legs", 8, Params{})
	_, exact := DiscretizeZOH(a, b, 1) // x(1) = B̄_ZOH(1)·1 from x(0) = 0
	want := map[Method]float64{Forward: 1, Backward: 1, Bilinear: 2}
	const orderTol = 0.1
	for m, p := range want {
		var errs []float64
		for _, k := range []int{200, 400, 800, 1600} {
			ad, bd, err := Discretize(a, b, 1/float64(k), m)
			if err != nil {
				t.Fatal(err)
			}
			x := mat.NewVecDense(8, nil)
			var y mat.VecDense
			for range k {
				y.MulVec(ad, x)
				y.AddVec(&y, mat.NewVecDense(8, bd))
				x.CopyVec(&y)
			}
			errs = append(errs, maxAbsDiffVec(x.RawVector().Data, exact))
		}
		for i := 1; i < len(errs); i++ {
			got := order(errs[i-1], errs[i])
			t.Logf("%v: Δ = 1/%d → 1/%d: error %.3e → %.3e, order %.3f", m, 200<<(i-1), 200<<i, errs[i-1], errs[i], got)
			if !(math.Abs(got-p) <= orderTol) {
				t.Errorf("%v: measured order %.3f between Δ = 1/%d and 1/%d, want %v (errors %v)", m, got, 200<<(i-1), 200<<i, p, errs)
			}
		}
	}
}

// TestScaledLegSStability checks invariant F.6: the scaled LegS steps
// (N = 64) have spectral radius ≤ 1 at every t for bilinear and backward
// Euler; forward Euler has the negative factors 1 − (n+1)/t and is
// unstable exactly while t < N/2.
func TestScaledLegSStability(t *testing.T) {
	n := 64
	last := 300
	if testing.Short() {
		n, last = 16, 60
	}
	a, b := mustTransition(t, "legs", n, Params{})
	for step := 1; step <= last; step += 1 + step/20 {
		for _, m := range []Method{Bilinear, Backward, Forward} {
			ad, _, err := DiscretizeScaled(a, b, step, m)
			if err != nil {
				t.Fatal(err)
			}
			rho := spectralRadius(t, ad)
			switch {
			case m != Forward && rho > 1+1e-12:
				t.Fatalf("%v t=%d: spectral radius %v > 1", m, step, rho)
			case m == Forward && (rho > 1+1e-12) != (2*step < n):
				t.Fatalf("forward t=%d: spectral radius %v, want > 1 iff t < N/2 = %d", step, rho, n/2)
			}
		}
	}
}

// TestLTIForwardEulerLegS: I + ΔA_legs is stable iff Δ < 2/N (F.6).
func TestLTIForwardEulerLegS(t *testing.T) {
	for _, n := range []int{4, 32} {
		a, b := mustTransition(t, "legs", n, Params{})
		for _, f := range []float64{0.99, 1.01} {
			ad, _, err := Discretize(a, b, f*2/float64(n), Forward)
			if err != nil {
				t.Fatal(err)
			}
			if rho := spectralRadius(t, ad); (rho < 1) != (f < 1) {
				t.Errorf("N=%d Δ=%v·2/N: spectral radius %v", n, f, rho)
			}
		}
	}
}

// TestScaledZOHExact: the scaled ZOH step is the exact flow of
// x' = (1/τ)(Ax + Bu) over [t, t+1] for constant u (against fine RK4).
func TestScaledZOHExact(t *testing.T) {
	a, b := mustTransition(t, "legs", 6, Params{})
	rng := rand.New(rand.NewPCG(5, 6))
	for _, step := range []int{1, 2, 7, 50} {
		x := make([]float64, 6)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		u := rng.NormFloat64()
		ad, bd, err := DiscretizeScaled(a, b, step, ZOH)
		if err != nil {
			t.Fatal(err)
		}
		var got mat.VecDense
		got.MulVec(ad, mat.NewVecDense(6, x))
		ref := append([]float64(nil), x...)
		rk4(ref, float64(step), float64(step+1), 1e-3, linear(a, b, func(tau float64) float64 { return 1 / tau }, func(float64) float64 { return u }))
		for i := range ref {
			if d := got.AtVec(i) + bd[i]*u - ref[i]; math.Abs(d) > 1e-10 {
				t.Fatalf("t=%d: ZOH step off the ODE by %v at %d", step, d, i)
			}
		}
	}
}

// TestLegSStep checks invariant F.8 as a property test: the O(N) step equals
// the dense GBT step (I − αΔA)⁻¹[(I + (1−α)ΔA)x + ΔBu] over random x, u, Δ,
// α, also in place.
func TestLegSStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const tol = 1e-12 // relative to |x| + |B||u|
	for trial := range 200 {
		n := []int{1, 2, 3, 7, 16, 64}[trial%6]
		a, b := mustTransition(t, "legs", n, Params{})
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		u := rng.NormFloat64()
		dt := math.Exp(rng.Float64()*math.Log(1e5)) * 1e-4 // log-uniform in [1e-4, 10]
		alpha := []float64{0, 0.5, 1, rng.Float64()}[trial%4]
		ad, bd, err := DiscretizeGBT(a, b, dt, alpha)
		if err != nil {
			t.Fatal(err)
		}
		var want mat.VecDense
		want.MulVec(ad, mat.NewVecDense(n, x))
		for i := range n {
			want.SetVec(i, want.AtVec(i)+bd[i]*u)
		}
		got := make([]float64, n)
		LegSStep(got, x, u, dt, alpha)
		scale := maxAbsVec(want.RawVector().Data) + maxAbsVec(x) + math.Abs(u)*sqrt2n1(n)
		if d := maxAbsDiffVec(got, want.RawVector().Data); !(d <= tol*scale) {
			t.Fatalf("N=%d Δ=%v α=%v: O(N) step off the dense step by %v (scale %v)", n, dt, alpha, d, scale)
		}
		LegSStep(x, x, u, dt, alpha)
		if d := maxAbsDiffVec(x, got); d != 0 {
			t.Fatalf("in-place step differs by %v", d)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("LegSStep with mismatched lengths did not panic")
		}
	}()
	LegSStep(make([]float64, 3), make([]float64, 4), 0, 0.1, 0.5)
}

// TestDiscretizeDiag checks the closed forms against the dense
// discretisations of the real 2×2-block form [[Re a, −Im a], [Im a, Re a]].
func TestDiscretizeDiag(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const tol = 1e-12
	k := 5
	A, B := make([]complex128, k), make([]complex128, k)
	for i := range A {
		A[i] = complex(-math.Exp(rng.NormFloat64()), 10*rng.NormFloat64())
		B[i] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	ar := mat.NewDense(2*k, 2*k, nil)
	br := make([]float64, 2*k)
	for i, a := range A {
		ar.Set(2*i, 2*i, real(a))
		ar.Set(2*i, 2*i+1, -imag(a))
		ar.Set(2*i+1, 2*i, imag(a))
		ar.Set(2*i+1, 2*i+1, real(a))
		br[2*i], br[2*i+1] = real(B[i]), imag(B[i])
	}
	dA, dB := make([]complex128, k), make([]complex128, k)
	for _, m := range []Method{Forward, Backward, Bilinear, ZOH} {
		for _, dt := range []float64{1e-3, 0.1, 2} {
			DiscretizeDiag(dA, dB, A, B, dt, m)
			ad, bd, err := Discretize(ar, br, dt, m)
			if err != nil {
				t.Fatal(err)
			}
			for i := range A {
				wa := complex(ad.At(2*i, 2*i), ad.At(2*i+1, 2*i))
				wb := complex(bd[2*i], bd[2*i+1])
				if !(cmplx.Abs(dA[i]-wa) <= tol*math.Max(1, cmplx.Abs(wa))) || !(cmplx.Abs(dB[i]-wb) <= tol*math.Max(1, cmplx.Abs(wb))) {
					t.Fatalf("%v Δ=%v mode %d: (%v, %v), dense gives (%v, %v)", m, dt, i, dA[i], dB[i], wa, wb)
				}
			}
		}
	}
}

// TestDiagStability checks invariant F.5: for ZOH and bilinear, |Ā| < 1 iff
// Re A < 0, at every Δ.
func TestDiagStability(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	A := make([]complex128, 400)
	for i := range A {
		re := math.Exp(2 * rng.NormFloat64())
		if i%2 == 0 {
			re = -re
		}
		A[i] = complex(re, 20*rng.NormFloat64())
	}
	B := make([]complex128, len(A))
	dA, dB := make([]complex128, len(A)), make([]complex128, len(A))
	for _, m := range []Method{ZOH, Bilinear} {
		for _, dt := range []float64{1e-3, 0.1, 1, 10} {
			DiscretizeDiag(dA, dB, A, B, dt, m)
			for i, a := range A {
				if (cmplx.Abs(dA[i]) < 1) != (real(a) < 0) {
					t.Fatalf("%v Δ=%v: A=%v gives |Ā| = %v", m, dt, a, cmplx.Abs(dA[i]))
				}
			}
		}
	}
}

// TestPhi1 checks (e^z − 1)/z against its Taylor series where the naive
// formula cancels.
func TestPhi1(t *testing.T) {
	for _, z := range []complex128{1e-12, complex(1e-9, 1e-9), complex(-3e-7, 2e-6), complex(0, 1e-5)} {
		want := 1 + z/2 + z*z/6 + z*z*z/24
		if d := cmplx.Abs(phi1(z) - want); d > 1e-15 {
			t.Errorf("phi1(%v) off the series by %v", z, d)
		}
	}
	if phi1(0) != 1 {
		t.Error("phi1(0) ≠ 1")
	}
	z := complex(-2.0, 3.0)
	if d := cmplx.Abs(phi1(z) - (cmplx.Exp(z)-1)/z); d > 1e-15 {
		t.Errorf("phi1(%v) off the direct formula by %v", z, d)
	}
}

// TestParseMethod round-trips names and lists the valid ones on error.
func TestParseMethod(t *testing.T) {
	for _, m := range []Method{Forward, Backward, Bilinear, ZOH} {
		got, err := ParseMethod(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMethod(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseMethod("euler"); err == nil || !strings.Contains(err.Error(), "valid: forward, backward, bilinear, zoh") {
		t.Errorf("error %v", err)
	}
	if _, _, err := DiscretizeScaled(mat.NewDense(1, 1, []float64{-1}), []float64{1}, 0, Bilinear); err == nil {
		t.Error("scaled step t = 0 accepted")
	}
}
