package hippo

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSSMInitValues checks invariant F.16: the closed-form S4D inits, Re A ≤
// −MinDecay and Im A ≤ 0 for every init, the shapes, S4D-LegS taken from
// NPLR, and C's scale.
func TestSSMInitValues(t *testing.T) {
	const n = 64
	half := n / 2
	closed := map[string]func(k int) complex128{
		"inv":  func(k int) complex128 { return complex(-0.5, -n/math.Pi*(n/float64(2*k+1)-1)) },
		"lin":  func(k int) complex128 { return complex(-0.5, -math.Pi*float64(k)) },
		"real": func(k int) complex128 { return complex(-float64(k+1), 0) },
		"quad": func(k int) complex128 { return complex(-0.5, -float64((2*k+1)*(2*k+1))/math.Pi) },
	}
	for _, name := range SSMInitNames() {
		s, err := NewSSMInit(name, n, rand.New(rand.NewPCG(8, 9)))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.A) != half || len(s.B) != half || len(s.C) != half || s.Name != name {
			t.Fatalf("%s: shapes %d %d %d", name, len(s.A), len(s.B), len(s.C))
		}
		for k, a := range s.A {
			if real(a) > -MinDecay || imag(a) > 0 {
				t.Fatalf("%s: A[%d] = %v breaks Re A ≤ −%v, Im A ≤ 0", name, k, a, MinDecay)
			}
			if f, ok := closed[name]; ok && cmplx.Abs(a-f(k)) > 1e-12*cmplx.Abs(f(k)) {
				t.Fatalf("%s: A[%d] = %v, want %v", name, k, a, f(k))
			}
		}
		switch name {
		case "inv":
			if want := complex(-0.5, -n/math.Pi*(n-1)); s.A[0] != want {
				t.Errorf("inv: A[0] = %v, want −½ − i(N/π)(N−1) = %v", s.A[0], want)
			}
		case "legs", "legt", "lagt", "fout":
			d, err := NPLR(name, n, nplrRank(name))
			if err != nil {
				t.Fatal(err)
			}
			for k := range half {
				want := complex(math.Min(real(d.Lambda[k]), -MinDecay), imag(d.Lambda[k]))
				if s.A[k] != want || s.B[k] != d.B[k] {
					t.Fatalf("%s: mode %d is (%v, %v), NPLR gives (%v, %v)", name, k, s.A[k], s.B[k], d.Lambda[k], d.B[k])
				}
				if math.Abs(imag(s.B[k])) > BClip {
					t.Fatalf("%s: Im B[%d] = %v beyond the clip", name, k, imag(s.B[k]))
				}
			}
			if len(s.P) != nplrRank(name) {
				t.Fatalf("%s: P has rank %d", name, len(s.P))
			}
			if name == "legs" && real(s.A[0]) != real(d.Lambda[0]) {
				t.Fatalf("legs: Re A = %v, want NPLR's −½ unclamped", real(s.A[0]))
			}
		default:
			if s.P != nil {
				t.Fatalf("%s: diagonal init has P", name)
			}
			for _, b := range s.B {
				if b != 1 {
					t.Fatalf("%s: B = %v, want 1", name, b)
				}
			}
		}
	}
}

// TestSSMInitC: C is complex standard normal, E|C|² = 1 (checked to 4σ of
// the mean of 2048 Exp(1) draws), and the same seed gives the same init.
func TestSSMInitC(t *testing.T) {
	s, err := NewSSMInit("lin", 4096, rand.New(rand.NewPCG(10, 11)))
	if err != nil {
		t.Fatal(err)
	}
	m := 0.0
	for _, c := range s.C {
		m += real(c)*real(c) + imag(c)*imag(c)
	}
	m /= float64(len(s.C))
	if sigma := 1 / math.Sqrt(float64(len(s.C))); math.Abs(m-1) > 4*sigma {
		t.Errorf("mean |C|² = %v, want 1 ± %v", m, 4*sigma)
	}
	a, _ := NewSSMInit("random", 16, rand.New(rand.NewPCG(1, 2)))
	b, _ := NewSSMInit("random", 16, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(a.A, b.A) || !slices.Equal(a.C, b.C) {
		t.Error("same seed, different init")
	}
}

// TestSSMInitErrors: names, sizes and the random source are checked.
func TestSSMInitErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name string
		n    int
		rng  *rand.Rand
		want string
	}{
		{"legx", 8, rng, "valid: legs, legt, lagt, fout, inv, lin, real, random, quad"},
		{"lin", 7, rng, "must be even"},
		{"lin", 8, nil, "nil random source"},
	} {
		if _, err := NewSSMInit(tc.name, tc.n, tc.rng); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewSSMInit(%q, %d): error %v, want %q", tc.name, tc.n, err, tc.want)
		}
	}
}

// TestLogUniformDt checks invariant F.17: ln Δ is uniform on
// [ln Δmin, ln Δmax] (Kolmogorov–Smirnov statistic below the 1% critical
// value 1.628/√n) and Δ stays in range.
func TestLogUniformDt(t *testing.T) {
	const lo, hi = 1e-3, 1e-1
	dt := make([]float64, 20000)
	if err := LogUniformDt(dt, lo, hi, rand.New(rand.NewPCG(12, 13))); err != nil {
		t.Fatal(err)
	}
	u := make([]float64, len(dt))
	for i, d := range dt {
		if d < lo || d > hi {
			t.Fatalf("Δ = %v outside [%v, %v]", d, lo, hi)
		}
		u[i] = (math.Log(d) - math.Log(lo)) / (math.Log(hi) - math.Log(lo))
	}
	if ks, crit := ksUniform(u), 1.628/math.Sqrt(float64(len(u))); ks > crit {
		t.Errorf("KS statistic %v > %v: ln Δ is not uniform", ks, crit)
	}
	if err := LogUniformDt(dt, 0, 1, nil); err == nil {
		t.Error("Δmin = 0 accepted")
	}
	if err := LogUniformDt(dt, 0.1, 0.01, nil); err == nil {
		t.Error("Δmax < Δmin accepted")
	}
}

// ksUniform returns the Kolmogorov–Smirnov distance of u from U[0, 1].
func ksUniform(u []float64) float64 {
	s := slices.Clone(u)
	slices.Sort(s)
	d := 0.0
	n := float64(len(s))
	for i, v := range s {
		d = math.Max(d, math.Max(float64(i+1)/n-v, v-float64(i)/n))
	}
	return d
}

// TestMamba checks Mamba's S4D-Real A and Δ bias (F.17): −exp(A_log) =
// −(n+1); softplus(bias) ∈ [Δmin, Δmax] and ≥ the floor, which binds when
// Δmin is below it.
func TestMamba(t *testing.T) {
	alog := make([]float64, 16)
	MambaALog(alog)
	for n, v := range alog {
		if a := -math.Exp(v); math.Abs(a+float64(n+1)) > 1e-12*float64(n+1) {
			t.Fatalf("A[%d] = %v", n, a)
		}
	}
	softplus := func(x float64) float64 { return math.Log1p(math.Exp(x)) }
	bias := make([]float64, 5000)
	if err := MambaDtBias(bias, 1e-3, 1e-1, 1e-4, rand.New(rand.NewPCG(14, 15))); err != nil {
		t.Fatal(err)
	}
	for _, b := range bias {
		if d := softplus(b); d < 1e-3*(1-1e-12) || d > 1e-1*(1+1e-12) {
			t.Fatalf("softplus(bias) = %v outside [1e-3, 1e-1]", d)
		}
	}
	if err := MambaDtBias(bias, 1e-6, 1e-3, 1e-4, rand.New(rand.NewPCG(14, 15))); err != nil {
		t.Fatal(err)
	}
	atFloor := 0
	for _, b := range bias {
		d := softplus(b)
		if d < 1e-4*(1-1e-10) {
			t.Fatalf("softplus(bias) = %v below the floor", d)
		}
		if math.Abs(d-1e-4) < 1e-14 {
			atFloor++
		}
	}
	if atFloor == 0 {
		t.Error("the floor never bound")
	}
	for _, x := range []float64{1e-6, 1e-3, 0.1, 1, 30} {
		if d := math.Abs(softplus(SoftplusInverse(x)) - x); d > 1e-12*x {
			t.Errorf("softplus(softplus⁻¹(%v)) off by %v", x, d)
		}
	}
}

// TestFloat32Converters: the boundary conversions keep values and order.
func TestFloat32Converters(t *testing.T) {
	src := []complex128{complex(1.5, -2.25), complex(-0.125, 3)}
	c := Complex64s(src)
	re, im := SplitComplex32(src)
	f := Float32s([]float64{0.5, -4})
	if c[0] != complex64(src[0]) || c[1] != complex64(src[1]) || re[0] != 1.5 || im[0] != -2.25 || re[1] != -0.125 || im[1] != 3 || f[0] != 0.5 || f[1] != -4 {
		t.Errorf("converted %v %v %v %v", c, re, im, f)
	}
}
