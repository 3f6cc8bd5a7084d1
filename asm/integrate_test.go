package asm

import (
	"math"
	"testing"
)

// The order tests integrate y' = y·cos t, y(0) = y0 (exact y0·e^(sin t)),
// over [0, 2] with N and 2N steps, for a vector of initial values, and
// measure the order log2(err_N / err_2N) of each method built from the
// kernels. The step counts keep the errors well above float32 rounding.

func odeRHS(dst, y []float32, t float64) {
	c := float32(math.Cos(t))
	for i, v := range y {
		dst[i] = v * c
	}
}

var odeY0 = []float32{1, -0.5, 2, 0.25, 3, -1, 0.75, 1.5, -2, 0.1, 1.25, -3, 0.6, 2.5, -0.3, 1.75, 0.9}

// odeError integrates with n steps of step and returns the largest error
// at t = 2 relative to the exact solution.
func odeError(n int, step func(y []float32, t, h float64)) float64 {
	y := append([]float32(nil), odeY0...)
	h := 2.0 / float64(n)
	for s := range n {
		step(y, float64(s)*h, h)
	}
	var worst float64
	for i, y0 := range odeY0 {
		exact := float64(y0) * math.Exp(math.Sin(2))
		worst = max(worst, math.Abs(float64(y[i])-exact)/math.Abs(exact))
	}
	return worst
}

type odeMethod struct {
	name  string
	order float64
	n     int // steps of the coarser run
	step  func(y []float32, t, h float64)
}

func odeMethods() []odeMethod {
	n := len(odeY0)
	k := make([][]float32, 7)
	for i := range k {
		k[i] = make([]float32, n)
	}
	tmp := make([]float32, n)
	errEst := make([]float32, n)
	return []odeMethod{
		{"Euler", 1, 64, func(y []float32, t, h float64) {
			odeRHS(k[0], y, t)
			EulerStep(y, y, k[0], float32(h))
		}},
		{"Heun", 2, 32, func(y []float32, t, h float64) {
			odeRHS(k[0], y, t)
			EulerStep(tmp, y, k[0], float32(h))
			odeRHS(k[1], tmp, t+h)
			HeunStep(y, y, k[0], k[1], float32(h))
		}},
		{"RK4", 4, 8, func(y []float32, t, h float64) {
			odeRHS(k[0], y, t)
			Combine(tmp, y, float32(h), []float32{0.5}, k[:1])
			odeRHS(k[1], tmp, t+h/2)
			Combine(tmp, y, float32(h), []float32{0, 0.5}, k[:2])
			odeRHS(k[2], tmp, t+h/2)
			EulerStep(tmp, y, k[2], float32(h))
			odeRHS(k[3], tmp, t+h)
			RK4Step(y, y, k[0], k[1], k[2], k[3], float32(h))
		}},
		{"DormandPrince5", 5, 4, func(y []float32, t, h float64) {
			dp5Step(y, errEst, tmp, k, t, h)
		}},
	}
}

// dp5A and dp5C are the Dormand–Prince 5(4) tableau (Dormand & Prince 1980,
// Table 2): stage i is evaluated at t + c_i·h, y + h·Σ_j a_ij·k_j.
var (
	dp5C = []float64{0, 1. / 5, 3. / 10, 4. / 5, 8. / 9, 1, 1}
	dp5A = [][]float32{
		{},
		{1. / 5},
		{3. / 40, 9. / 40},
		{44. / 45, -56. / 15, 32. / 9},
		{19372. / 6561, -25360. / 2187, 64448. / 6561, -212. / 729},
		{9017. / 3168, -355. / 33, 46732. / 5247, 49. / 176, -5103. / 18656},
		{35. / 384, 0, 500. / 1113, 125. / 192, -2187. / 6784, 11. / 84},
	}
)

// dp5Step advances y by one Dormand–Prince step, leaving the error
// estimate in errEst.
func dp5Step(y, errEst, tmp []float32, k [][]float32, t, h float64) {
	odeRHS(k[0], y, t)
	for i := 1; i < 7; i++ {
		Combine(tmp, y, float32(h), dp5A[i], k[:i])
		odeRHS(k[i], tmp, t+dp5C[i]*h)
	}
	DormandPrince5(y, errEst, y, (*[7][]float32)(k), float32(h))
}

func TestIntegratorOrders(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, m := range odeMethods() {
			e1, e2 := odeError(m.n, m.step), odeError(2*m.n, m.step)
			order := math.Log2(e1 / e2)
			t.Logf("%s: errors %.3g (%d steps), %.3g (%d steps), order %.2f", m.name, e1, m.n, e2, 2*m.n, order)
			if math.Abs(order-m.order) > 0.35 {
				t.Errorf("%s: measured order %.2f, want %g", m.name, order, m.order)
			}
		}
	})
}

// TestDormandPrince5ErrorEstimate checks the embedded error estimate: after
// one step it is the difference of the fifth- and fourth-order solutions,
// O(h⁵), so halving h divides it by about 2⁵; and the weights are consistent
// (Σ b = 1, Σ (b − b̂) = 0).
func TestDormandPrince5ErrorEstimate(t *testing.T) {
	var sb, se float64
	for j := range dp5B {
		sb += float64(dp5B[j])
		se += float64(dp5E[j])
	}
	if math.Abs(sb-1) > 1e-6 || math.Abs(se) > 1e-6 {
		t.Fatalf("Σb = %v, Σ(b−b̂) = %v, want 1 and 0", sb, se)
	}
	forEachImpl(t, func(t *testing.T) {
		n := len(odeY0)
		k := make([][]float32, 7)
		for i := range k {
			k[i] = make([]float32, n)
		}
		est := func(h float64) float64 {
			y := append([]float32(nil), odeY0...)
			errEst := make([]float32, n)
			dp5Step(y, errEst, make([]float32, n), k, 0.3, h)
			var worst float64
			for i, e := range errEst {
				worst = max(worst, math.Abs(float64(e)/float64(odeY0[i])))
			}
			return worst
		}
		e1, e2 := est(0.4), est(0.2)
		order := math.Log2(e1 / e2)
		t.Logf("error estimate %.3g (h=0.4), %.3g (h=0.2): order %.2f", e1, e2, order)
		if math.Abs(order-5) > 0.5 {
			t.Errorf("error estimate shrinks with order %.2f, want 5", order)
		}
	})
}

// TestIntegratorAlias runs every kernel that allows dst = x in place.
func TestIntegratorAlias(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, k := range streamKernels {
			if k.name == "SiLUGrad" {
				continue
			}
			n := 41
			in := make([][]float32, k.inputs)
			for j := range in {
				in[j] = make([]float32, n)
				for i := range in[j] {
					in[j][i] = float32(math.Sin(float64(7*j + i)))
				}
			}
			want := make([][]float32, k.outputs)
			for o := range want {
				want[o] = make([]float32, n)
			}
			k.run(want, in, 0.3)
			x := append([]float32(nil), in[0]...)
			out := make([][]float32, k.outputs)
			out[0] = in[0] // dst = x
			for o := 1; o < k.outputs; o++ {
				out[o] = make([]float32, n)
			}
			k.run(out, in, 0.3)
			for i := range x {
				if out[0][i] != want[0][i] {
					t.Fatalf("%s with dst = x: element %d = %v, want %v", k.name, i, out[0][i], want[0][i])
				}
			}
		}
	})
}
