package seqmodel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sincosTol is sincos's documented absolute error bound.
const sincosTol = 1e-11

// TestSincos compares sincos with math.Sincos on the time embedding's range
// (|a| ≤ TimeScale·f_0 = 1000 for t ∈ [−1, 1]), far beyond it, at the
// reduction's boundaries (odd multiples of π/4) and on special values.
func TestSincos(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	var args []float64
	for range 200000 {
		args = append(args, 2000*(2*rng.Float64()-1))
	}
	for range 20000 {
		args = append(args, 2*sincosMax*(2*rng.Float64()-1))
	}
	for k := -2000; k <= 2000; k++ {
		b := float64(k) * math.Pi / 4
		args = append(args, b, math.Nextafter(b, math.Inf(1)), math.Nextafter(b, math.Inf(-1)))
	}
	args = append(args, 0, math.Copysign(0, -1), 1e-300, sincosMax, -sincosMax, 1e10)
	var worst float64
	for _, a := range args {
		s, c := sincos(a)
		ws, wc := math.Sincos(a)
		worst = max(worst, math.Abs(s-ws), math.Abs(c-wc))
		if math.Abs(s-ws) > sincosTol || math.Abs(c-wc) > sincosTol {
			t.Fatalf("sincos(%v) = %v, %v; math.Sincos %v, %v", a, s, c, ws, wc)
		}
	}
	t.Logf("largest difference from math.Sincos: %.3g", worst)
	for _, a := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if s, c := sincos(a); !math.IsNaN(s) || !math.IsNaN(c) {
			t.Errorf("sincos(%v) = %v, %v, want NaN, NaN", a, s, c)
		}
	}
}

func BenchmarkSincos(b *testing.B) {
	for _, impl := range []struct {
		name string
		f    func(float64) (float64, float64)
	}{{"seqmodel", sincos}, {"math", math.Sincos}} {
		b.Run("impl="+impl.name+"/range=1000", func(b *testing.B) {
			var acc float64
			for i := range b.N {
				s, c := impl.f(float64(i%1000) * 1.0001)
				acc += s + c
			}
			if acc == 42 {
				b.Log(acc)
			}
		})
	}
}
