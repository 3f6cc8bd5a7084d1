package hippo

import (
	"fmt"
	"math"
	"math/cmplx"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Method is a discretisation of x' = Ax + Bu with step Δ.
type Method int

const (
	// Forward is forward Euler, the GBT with α = 0: Ā = I + ΔA, B̄ = ΔB.
	Forward Method = iota
	// Backward is backward Euler, the GBT with α = 1:
	// Ā = (I − ΔA)⁻¹, B̄ = (I − ΔA)⁻¹ΔB.
	Backward
	// Bilinear is the bilinear (Tustin, trapezoid) transform, the GBT with
	// α = ½: Ā = (I − ΔA/2)⁻¹(I + ΔA/2), B̄ = (I − ΔA/2)⁻¹ΔB.
	Bilinear
	// ZOH is the zero-order hold, exact for inputs constant over each step:
	// Ā = e^{ΔA}, B̄ = A⁻¹(e^{ΔA} − I)B = ∫₀^Δ e^{sA} ds · B.
	ZOH
)

var methodNames = [...]string{Forward: "forward", Backward: "backward", Bilinear: "bilinear", ZOH: "zoh"}

// String returns the method's name as ParseMethod accepts it.
func (m Method) String() string {
	if m < 0 || int(m) >= len(methodNames) {
		return fmt.Sprintf("Method(%d)", int(m))
	}
	return methodNames[m]
}

// ParseMethod returns the method named forward, backward, bilinear or zoh.
func ParseMethod(name string) (Method, error) {
	for m, s := range methodNames {
		if s == name {
			return Method(m), nil
		}
	}
	return 0, fmt.Errorf("hippo: unknown discretisation %q (valid: %s)", name, strings.Join(methodNames[:], ", "))
}

// alpha returns the GBT parameter of a GBT method; ZOH has none.
func (m Method) alpha() float64 {
	switch m {
	case Forward:
		return 0
	case Backward:
		return 1
	case Bilinear:
		return 0.5
	}
	panic("hippo: " + m.String() + " is not a GBT method")
}

func (m Method) valid() bool { return m >= Forward && m <= ZOH }

// DiscretizeGBT returns the generalised bilinear transform of (A, B) with
// step dt and parameter α (hippo-code model/op.py AdaptiveTransition,
// s4 src/models/hippo/transition.py):
//
//	Ā = (I − αΔA)⁻¹(I + (1−α)ΔA),   B̄ = (I − αΔA)⁻¹ΔB.
//
// α = 0 is forward Euler, ½ bilinear, 1 backward Euler. It fails only when
// I − αΔA is singular.
func DiscretizeGBT(A *mat.Dense, B []float64, dt, alpha float64) (*mat.Dense, []float64, error) {
	n := checkSystem(A, B)
	lhs := mat.NewDense(n, n, nil)
	rhs := mat.NewDense(n, n+1, nil)
	for i := range n {
		for k := range n {
			lhs.Set(i, k, -alpha*dt*A.At(i, k))
			rhs.Set(i, k, (1-alpha)*dt*A.At(i, k))
		}
		lhs.Set(i, i, lhs.At(i, i)+1)
		rhs.Set(i, i, rhs.At(i, i)+1)
		rhs.Set(i, n, dt*B[i])
	}
	var x mat.Dense
	if err := x.Solve(lhs, rhs); err != nil {
		return nil, nil, fmt.Errorf("hippo: GBT(α=%v, Δ=%v): I − αΔA is singular: %w", alpha, dt, err)
	}
	ad := mat.DenseCopyOf(x.Slice(0, n, 0, n))
	bd := make([]float64, n)
	for i := range n {
		bd[i] = x.At(i, n)
	}
	return ad, bd, nil
}

// DiscretizeZOH returns the zero-order hold of (A, B) with step dt,
// Ā = e^{ΔA} and B̄ = ∫₀^Δ e^{sA} ds · B (= A⁻¹(e^{ΔA} − I)B when A is
// invertible), both read off one matrix exponential of the augmented
// matrix Δ·[[A, B], [0, 0]], so singular A (the Fourier measures) works.
func DiscretizeZOH(A *mat.Dense, B []float64, dt float64) (*mat.Dense, []float64) {
	n := checkSystem(A, B)
	aug := mat.NewDense(n+1, n+1, nil)
	for i := range n {
		for k := range n {
			aug.Set(i, k, dt*A.At(i, k))
		}
		aug.Set(i, n, dt*B[i])
	}
	var e mat.Dense
	e.Exp(aug)
	ad := mat.DenseCopyOf(e.Slice(0, n, 0, n))
	bd := make([]float64, n)
	for i := range n {
		bd[i] = e.At(i, n)
	}
	return ad, bd
}

// Discretize returns (Ā, B̄) of x' = Ax + Bu with step dt by method m
// (DiscretizeGBT with the method's α, or DiscretizeZOH).
func Discretize(A *mat.Dense, B []float64, dt float64, m Method) (*mat.Dense, []float64, error) {
	if !m.valid() {
		return nil, nil, fmt.Errorf("hippo: invalid discretisation %v", m)
	}
	if m == ZOH {
		ad, bd := DiscretizeZOH(A, B, dt)
		return ad, bd, nil
	}
	return DiscretizeGBT(A, B, dt, m.alpha())
}

// DiscretizeScaled returns step t ≥ 1 of the scaled (time-varying) system
// x' = (1/t)(Ax + Bu) of HiPPO-LegS (hippo-code model/hippo.py HiPPO_LegS,
// s4 visualizations.py HiPPOScale). With A_t = A/t and B_t = B/t:
//
//	Forward   (I + A_t, B_t)
//	Backward  ((I − A_t)⁻¹, (I − A_t)⁻¹B_t)
//	Bilinear  ((I − A_t/2)⁻¹(I + A_t/2), (I − A_t/2)⁻¹B_t)
//	ZOH       (e^{A·(ln(t+1) − ln t)}, A⁻¹(Ā_t − I)B)
//
// i.e. the GBT of (A/t, B/t) with Δ = 1, and the LTI ZOH of (A, B) with
// Δ = ln(1 + 1/t), which is exact on [t, t+1] for a constant input.
func DiscretizeScaled(A *mat.Dense, B []float64, t int, m Method) (*mat.Dense, []float64, error) {
	if t < 1 {
		return nil, nil, fmt.Errorf("hippo: scaled step t = %d must be at least 1", t)
	}
	if !m.valid() {
		return nil, nil, fmt.Errorf("hippo: invalid discretisation %v", m)
	}
	if m == ZOH {
		ad, bd := DiscretizeZOH(A, B, math.Log1p(1/float64(t)))
		return ad, bd, nil
	}
	var at mat.Dense
	at.Scale(1/float64(t), A)
	bt := make([]float64, len(B))
	for i, v := range B {
		bt[i] = v / float64(t)
	}
	return DiscretizeGBT(&at, bt, 1, m.alpha())
}

// DiscretizeDiag discretises the diagonal system x_n' = A_n x_n + B_n u in
// closed form into dA and dB (s4 SSMKernelDiag, models/s4/s4d.py):
//
//	GBT(α)  Ā = (1 + (1−α)ΔA)/(1 − αΔA),   B̄ = ΔB/(1 − αΔA)
//	ZOH     Ā = e^{ΔA},                     B̄ = B·(e^{ΔA} − 1)/A
//
// with (e^{z} − 1)/z evaluated without cancellation for small z. dA and dB
// may alias A and B. It panics if the lengths differ.
func DiscretizeDiag(dA, dB, A, B []complex128, dt float64, m Method) {
	if len(dA) != len(A) || len(dB) != len(A) || len(B) != len(A) {
		panic("hippo: DiscretizeDiag: length mismatch")
	}
	if !m.valid() {
		panic("hippo: DiscretizeDiag: invalid method")
	}
	d := complex(dt, 0)
	for i, a := range A {
		z := d * a
		if m == ZOH {
			dA[i] = cmplx.Exp(z)
			dB[i] = B[i] * d * phi1(z)
			continue
		}
		al := complex(m.alpha(), 0)
		den := 1 - al*z
		dA[i] = (1 + (1-al)*z) / den
		dB[i] = d * B[i] / den
	}
}

// phi1 returns (e^z − 1)/z, with e^z − 1 = expm1(x)·cos y − 2 sin²(y/2) +
// i·e^x sin y for z = x + iy, accurate for small |z|.
func phi1(z complex128) complex128 {
	if z == 0 {
		return 1
	}
	x, y := real(z), imag(z)
	s := math.Sin(y / 2)
	em1 := complex(math.Expm1(x)*math.Cos(y)-2*s*s, math.Exp(x)*math.Sin(y))
	return em1 / z
}

// LegSStep writes to dst one GBT step of the LegS system in O(N)
// (hippo-code csrc/hippolegs.cpp):
//
//	dst = (I − αΔA)⁻¹ [ (I + (1−α)ΔA) x + ΔB u ]
//
// with A, B = Transition("legs", len(x), Params{}). Because
// A_nk = −√(2n+1)√(2k+1) below the diagonal, A·x is a prefix sum
// s_n = Σ_{k<n} √(2k+1) x_k, and the lower-triangular solve is a forward
// substitution with the same prefix sum over the solved entries:
//
//	y_n = x_n − (1−α)Δ(√(2n+1) s_n + (n+1) x_n) + Δ√(2n+1) u
//	dst_n = (y_n − αΔ√(2n+1) Σ_{k<n} √(2k+1) dst_k) / (1 + αΔ(n+1))
//
// The scaled LegS step t of DiscretizeScaled is Δ = 1/t. dst may alias x;
// it panics if the lengths differ.
func LegSStep(dst, x []float64, u, dt, alpha float64) {
	if len(dst) != len(x) {
		panic("hippo: LegSStep: length mismatch")
	}
	fw, bw := (1-alpha)*dt, alpha*dt
	sx, sy := 0.0, 0.0
	for n, xn := range x {
		r := math.Sqrt(float64(2*n + 1))
		y := xn - fw*(r*sx+float64(n+1)*xn) + dt*r*u
		sx += r * xn
		yn := (y - bw*r*sy) / (1 + bw*float64(n+1))
		dst[n] = yn
		sy += r * yn
	}
}

// checkSystem panics unless A is square and B matches it; it returns n.
func checkSystem(A *mat.Dense, B []float64) int {
	r, c := A.Dims()
	if r != c || len(B) != r {
		panic(fmt.Sprintf("hippo: system shape mismatch: A is %d×%d, B has %d entries", r, c, len(B)))
	}
	return r
}
