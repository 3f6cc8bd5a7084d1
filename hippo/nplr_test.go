package hippo

import (
	"math"
	"math/cmplx"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

const nplrTol = 1e-10 // reconstruction, relative to max|A|

func nplrRank(name string) int {
	if name == "legt" {
		return 2
	}
	return 1
}

// TestNPLRReconstruction checks invariant F.12: V(Λ − PP*)V* (with the
// conjugate halves) reconstructs A, V_f is unitary, Λ ∪ Λ̄ is the spectrum
// of A + ΣPPᵀ, Im Λ ≤ 0, Re Λ = −½ for LegS, and B and P are recovered
// where the clip did not act.
func TestNPLRReconstruction(t *testing.T) {
	for _, name := range correctedMeasures() {
		for _, n := range []int{2, 8, 16, 64} {
			rank := nplrRank(name)
			d, err := NPLR(name, n, rank)
			if err != nil {
				t.Fatalf("%s N=%d: %v", name, n, err)
			}
			a, b := mustTransition(t, name, n, Params{})
			scale := maxAbs(a)
			if e := maxAbsDiff(d.Dense(), a); !(e <= nplrTol*scale) {
				t.Errorf("%s N=%d: reconstruction off by %v (scale %v)", name, n, e, scale)
			}
			half := n / 2
			// V_f = [V, V̄] unitary ⇔ V*V = I and VᵀV = 0.
			for i := range half {
				for j := range half {
					var h, s complex128
					for k := range n {
						h += cmplx.Conj(d.V.At(k, i)) * d.V.At(k, j)
						s += d.V.At(k, i) * d.V.At(k, j)
					}
					want := complex(0, 0)
					if i == j {
						want = 1
					}
					if !(cmplx.Abs(h-want) <= nplrTol) || !(cmplx.Abs(s) <= nplrTol) {
						t.Fatalf("%s N=%d: V not orthonormal at %d,%d: V*V=%v VᵀV=%v", name, n, i, j, h, s)
					}
				}
			}
			// Spectrum: Λ ∪ Λ̄ = eig(A + ΣPPᵀ).
			p, _ := RankCorrection(name, n, rank, Params{})
			an := mat.DenseCopyOf(a)
			for _, r := range p {
				for i := range n {
					for k := range n {
						an.Set(i, k, an.At(i, k)+r[i]*r[k])
					}
				}
			}
			var e mat.Eigen
			if !e.Factorize(an, mat.EigenNone) {
				t.Fatal("eigen failed")
			}
			want := e.Values(nil)
			var got []complex128
			for _, l := range d.Lambda {
				if imag(l) > 0 {
					t.Fatalf("%s N=%d: Im Λ = %v > 0", name, n, imag(l))
				}
				got = append(got, l, cmplx.Conj(l))
			}
			byParts := func(x, y complex128) int {
				if c := cmpTol(imag(x), imag(y), 1e-8*scale); c != 0 {
					return c
				}
				return cmpTol(real(x), real(y), 1e-8*scale)
			}
			slices.SortFunc(want, byParts)
			slices.SortFunc(got, byParts)
			for i := range want {
				if cmplx.Abs(want[i]-got[i]) > 1e-9*scale {
					t.Fatalf("%s N=%d: eigenvalue %d: NPLR %v, eig %v", name, n, i, got[i], want[i])
				}
			}
			if name == "legs" {
				for _, l := range d.Lambda {
					if !(math.Abs(real(l)+0.5) <= roundoffTol) {
						t.Fatalf("legs: Re Λ = %v, want −½", real(l))
					}
				}
			}
			// B: clipped V*B, and 2Re(V·V*B) = B.
			bt := make([]complex128, half)
			for j := range half {
				for k := range n {
					bt[j] += cmplx.Conj(d.V.At(k, j)) * complex(b[k], 0)
				}
				clipped := complex(real(bt[j]), math.Max(-BClip, math.Min(BClip, imag(bt[j]))))
				if !(cmplx.Abs(clipped-d.B[j]) <= roundoffTol*scale) {
					t.Fatalf("%s N=%d: B[%d] = %v, want clip(V*B) = %v", name, n, j, d.B[j], clipped)
				}
			}
			for k := range n {
				var s complex128
				for j := range half {
					s += d.V.At(k, j) * bt[j]
				}
				if !(math.Abs(2*real(s)-b[k]) <= nplrTol*scale) {
					t.Fatalf("%s N=%d: 2Re(V V*B) ≠ B at %d", name, n, k)
				}
			}
			for r := range p {
				for k := range n {
					var s complex128
					for j := range half {
						s += d.V.At(k, j) * d.P[r][j]
					}
					if !(math.Abs(2*real(s)-p[r][k]) <= nplrTol*scale) {
						t.Fatalf("%s N=%d: 2Re(V P̃) ≠ P at %d", name, n, k)
					}
				}
			}
		}
	}
}

func cmpTol(x, y, tol float64) int {
	switch {
	case x < y-tol:
		return -1
	case x > y+tol:
		return 1
	}
	return 0
}

// TestNPLRFourierZeroMode: the Fourier measures' zero eigenvalue pair gets
// the reference's vector (e₀ + i e₁)/√2.
func TestNPLRFourierZeroMode(t *testing.T) {
	for _, name := range []string{"fout", "fourier_decay", "foud"} {
		d, err := NPLR(name, 8, 1)
		if err != nil {
			t.Fatal(err)
		}
		j := len(d.Lambda) - 1
		if !(math.Abs(imag(d.Lambda[j])) <= roundoffTol) {
			t.Fatalf("%s: last kept eigenvalue %v is not the zero pair", name, d.Lambda[j])
		}
		r := 1 / math.Sqrt2
		for k := range 8 {
			want := complex(0, 0)
			switch k {
			case 0:
				want = complex(r, 0)
			case 1:
				want = complex(0, r)
			}
			if !(cmplx.Abs(d.V.At(k, j)-want) <= roundoffTol) {
				t.Fatalf("%s: zero-mode vector entry %d = %v, want %v", name, k, d.V.At(k, j), want)
			}
		}
	}
}

// TestNPLRErrors: sizes, ranks and names are checked.
func TestNPLRErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, rank int
		want    string
	}{
		{"legs", 7, 1, "must be even"},
		{"legt", 8, 1, "needs rank ≥ 2"},
		{"lmu", 8, 1, "no rank correction"},
		{"nope", 8, 1, "valid: legs"},
	} {
		if _, err := NPLR(tc.name, tc.n, tc.rank); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NPLR(%s, %d, %d) error %v, want %q", tc.name, tc.n, tc.rank, err, tc.want)
		}
	}
}
