package hippo

import (
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// maxAbsDiff returns max |a_ij − b_ij|.
func maxAbsDiff(a, b mat.Matrix) float64 {
	r, c := a.Dims()
	d := 0.0
	for i := range r {
		for j := range c {
			d = math.Max(d, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return d
}

// maxAbs returns max |a_ij|.
func maxAbs(a mat.Matrix) float64 {
	r, c := a.Dims()
	m := 0.0
	for i := range r {
		for j := range c {
			m = math.Max(m, math.Abs(a.At(i, j)))
		}
	}
	return m
}

func maxAbsDiffVec(a, b []float64) float64 {
	if len(a) != len(b) {
		panic("length mismatch")
	}
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func maxAbsVec(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// spectralRadius returns max |eig(a)| from gonum's general eigensolver.
func spectralRadius(t *testing.T, a mat.Matrix) float64 {
	t.Helper()
	var e mat.Eigen
	if !e.Factorize(a, mat.EigenNone) {
		t.Fatal("eigen-decomposition failed")
	}
	r := 0.0
	for _, v := range e.Values(nil) {
		r = math.Max(r, cmplx.Abs(v))
	}
	return r
}

// mustTransition is Transition for tests.
func mustTransition(t *testing.T, name string, n int, p Params) (*mat.Dense, []float64) {
	t.Helper()
	a, b, err := Transition(name, n, p)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// rk4 integrates x' = f(τ, x) from τ0 to τ1 in steps of at most h.
func rk4(x []float64, tau0, tau1, h float64, f func(tau float64, x, dx []float64)) {
	n := len(x)
	steps := int(math.Ceil((tau1 - tau0) / h))
	h = (tau1 - tau0) / float64(steps)
	k1, k2, k3, k4, y := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for s := range steps {
		tau := tau0 + float64(s)*h
		f(tau, x, k1)
		for i := range y {
			y[i] = x[i] + h/2*k1[i]
		}
		f(tau+h/2, y, k2)
		for i := range y {
			y[i] = x[i] + h/2*k2[i]
		}
		f(tau+h/2, y, k3)
		for i := range y {
			y[i] = x[i] + h*k3[i]
		}
		f(tau+h, y, k4)
		for i := range x {
			x[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
	}
}

// linear returns f(τ, x) = scale(τ)·(A x + B u(τ)).
func linear(a *mat.Dense, b []float64, scale, u func(float64) float64) func(float64, []float64, []float64) {
	n := len(b)
	return func(tau float64, x, dx []float64) {
		s, uu := scale(tau), u(tau)
		for i := range n {
			v := b[i] * uu
			for k := range n {
				v += a.At(i, k) * x[k]
			}
			dx[i] = s * v
		}
	}
}

// order returns log2(e1/e2), the convergence order measured from errors at
// a step and at half that step.
func order(e1, e2 float64) float64 { return math.Log2(e1 / e2) }
