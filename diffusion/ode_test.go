package diffusion_test

import (
	"math"
	"testing"

	"github.com/seqlab/seqlab/diffusion"
)

// rotationModel is dx/dt = ω(t)·J·x in 2-D with ω(t) = 1 + t and J the
// rotation generator: the exact flow from t0 to t1 rotates by
// θ(t1) − θ(t0) with θ(t) = t + t²/2.
func rotationModel() diffusion.Model {
	net := diffusion.NetworkFunc{D: 2, F: func(dst, x, t []float32, _ []int32) error {
		for i := range t {
			w := 1 + float64(t[i])
			x0, x1 := float64(x[2*i]), float64(x[2*i+1])
			dst[2*i] = float32(-w * x1)
			dst[2*i+1] = float32(w * x0)
		}
		return nil
	}}
	return diffusion.Model{Net: net, Schedule: diffusion.CondOT{}, Pred: diffusion.PredVelocity}
}

// slope fits log(err) against log(h) by least squares.
func slope(hs, errs []float64) float64 {
	var sx, sy, sxx, sxy float64
	for i := range hs {
		x, y := math.Log(hs[i]), math.Log(errs[i])
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	n := float64(len(hs))
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// TestFixedStepOrderOnRotation measures the order of euler, heun, midpoint
// and rk4 on an ODE with a known solution. Step counts are chosen so that
// truncation error (≥ 1e-5) dominates float32 roundoff (≈ 1e-7 per step).
func TestFixedStepOrderOnRotation(t *testing.T) {
	const orderTol = 0.3
	m := rotationModel()
	theta := func(t float64) float64 { return t + t*t/2 }
	start := []float32{1, 0.5}
	ang := theta(0) - theta(1)
	want := []float64{
		math.Cos(ang)*1 - math.Sin(ang)*0.5,
		math.Sin(ang)*1 + math.Cos(ang)*0.5,
	}
	for _, tc := range []struct {
		method string
		order  float64
		steps  []int
	}{
		{"euler", 1, []int{16, 32, 64, 128}},
		{"heun", 2, []int{8, 16, 32, 64}},
		{"midpoint", 2, []int{8, 16, 32, 64}},
		{"rk4", 4, []int{4, 6, 8, 12}},
	} {
		var hs, errs []float64
		for _, k := range tc.steps {
			s := &diffusion.ODESampler{Method: tc.method, Steps: k, Spacing: "uniform"}
			x := append([]float32(nil), start...)
			st, err := s.Solve(x, m, nil, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			stages := map[string]int{"euler": 1, "heun": 2, "midpoint": 2, "rk4": 4}[tc.method]
			if st.NFE != k*stages || st.Steps != k {
				t.Errorf("%s, %d steps: NFE %d, steps %d; want %d, %d", tc.method, k, st.NFE, st.Steps, k*stages, k)
			}
			hs = append(hs, 1/float64(k))
			errs = append(errs, math.Hypot(float64(x[0])-want[0], float64(x[1])-want[1]))
		}
		got := slope(hs, errs)
		t.Logf("%s: errors %.3g at steps %v: order %.2f", tc.method, errs, tc.steps, got)
		if !(math.Abs(got-tc.order) <= orderTol) {
			t.Errorf("%s: measured order %.2f, want %g ± %g", tc.method, got, tc.order, orderTol)
		}
	}
}
