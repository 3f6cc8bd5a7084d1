package diffusion_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/seqlab/seqlab/diffusion"
)

var predictions = []diffusion.Prediction{diffusion.PredEps, diffusion.PredX0, diffusion.PredV, diffusion.PredScore, diffusion.PredVelocity}

var scheduleList = []string{"condot", "linear", "scaled-linear", "cosine", "sigmoid", "vp", "subvp", "ve"}

// TestConvertRoundTrip converts random outputs between every pair of
// parameterisations on every schedule and back, and checks that the exact
// mixture network of one kind, converted, equals the network of the other
// kind. Conversions are exact up to float32 rounding of their input, which
// the conversion's coefficient amplifies (1/α_t near t = 1, 1/σ_t near 0):
// the allowed error per value is ulps·ε₃₂·(|cy·in| + |out|) for
// out = cx·x + cy·in.
func TestConvertRoundTrip(t *testing.T) {
	const ulps = 4
	g := mixture(t)
	rng := rand.New(rand.NewPCG(61, 62))
	const n = 8
	x := make([]float32, n*2)
	y := make([]float32, n*2)
	back := make([]float32, n*2)
	mid := make([]float32, n*2)
	for _, name := range scheduleList {
		s := schedule(t, name)
		for _, tt := range []float64{0.02, 0.3, 0.77, 0.99} {
			k := s.At(tt)
			for i := range x {
				x[i] = float32(k.Sigma * rng.NormFloat64() * 2)
				y[i] = float32(rng.NormFloat64())
			}
			ts := make([]float32, n)
			for i := range ts {
				ts[i] = float32(tt)
			}
			// Use the coefficients at the float32 time the networks see.
			k = s.At(float64(float32(tt)))
			for _, from := range predictions {
				for _, to := range predictions {
					diffusion.Convert(mid, to, y, from, x, k)
					diffusion.Convert(back, from, mid, to, x, k)
					_, cb := diffusion.ConvertCoef(from, to, k)
					if i, ok := within(back, y, mid, cb, ulps); !ok {
						t.Errorf("%s t=%g: %s → %s → %s: %g, want %g", name, tt, from, to, from, back[i], y[i])
					}
					a, b := g.Network(s, from), g.Network(s, to)
					ya, yb := make([]float32, n*2), make([]float32, n*2)
					if err := a.Predict(ya, x, ts, nil); err != nil {
						t.Fatal(err)
					}
					if err := b.Predict(yb, x, ts, nil); err != nil {
						t.Fatal(err)
					}
					_, c := diffusion.ConvertCoef(to, from, k)
					in := append([]float32(nil), ya...)
					diffusion.Convert(ya, to, ya, from, x, k)
					if i, ok := within(ya, yb, in, c, ulps); !ok {
						t.Errorf("%s t=%g: oracle %s converted to %s: %g, want %g", name, tt, from, to, ya[i], yb[i])
					}
				}
			}
		}
	}
}

// within reports whether |got − want| ≤ ulps·ε₃₂·(|c·in| + |want|) for
// every value, and the first index where it is not.
func within(got, want, in []float32, c float64, ulps float64) (int, bool) {
	const eps32 = 0x1p-23
	for i := range got {
		bound := ulps * eps32 * (math.Abs(c*float64(in[i])) + math.Abs(float64(want[i])))
		if !(math.Abs(float64(got[i])-float64(want[i])) <= bound) {
			return i, false
		}
	}
	return 0, true
}

// TestObjectivesDraw checks each objective's draw: x_t = α_t·x0 + σ_t·ε
// with the target the objective's prediction of (x0, ε), discrete times on
// the DDPM knots, and that the exact oracle of the objective's model has a
// lower loss than the same oracle one parameterisation off.
func TestObjectivesDraw(t *testing.T) {
	const relTol = 1e-5
	g := mixture(t)
	rng := rand.New(rand.NewPCG(71, 72))
	const n = 4000
	x0 := make([]float32, n*2)
	g.Sample(x0, rng)
	for _, tc := range []struct{ name, schedule string }{
		{"flow", ""}, {"ddpm", ""}, {"ddpm", "cosine"}, {"score", ""}, {"score", "ve"},
	} {
		o, err := diffusion.NewObjective(tc.name, tc.schedule)
		if err != nil {
			t.Fatal(err)
		}
		xt, tt, target := make([]float32, n*2), make([]float32, n), make([]float32, n*2)
		o.Draw(xt, tt, target, x0, rng)
		s := o.Schedule()
		for i := range n {
			k := s.At(float64(tt[i]))
			if d, ok := s.(*diffusion.Discrete); ok {
				if f := float64(tt[i]) * float64(d.Steps()); math.Abs(f-math.Round(f)) > 1e-3 || f < 0.5 {
					t.Fatalf("%s: time %g is not a step i/N, i ≥ 1", o.Name(), tt[i])
				}
			}
			for j := 2 * i; j < 2*i+2; j++ {
				// Recover ε from x_t and x0, and check the target.
				eps := (float64(xt[j]) - k.Alpha*float64(x0[j])) / k.Sigma
				want := eps
				if o.Prediction() == diffusion.PredVelocity {
					want = k.DAlpha*float64(x0[j]) + k.DSigma*eps
				}
				if !(math.Abs(float64(target[j])-want) <= relTol*(1+math.Abs(want))*(1+1/k.Sigma)) {
					t.Fatalf("%s: target %g, want %g at t=%g", o.Name(), target[j], want, tt[i])
				}
			}
		}
		m := diffusion.ModelOf(o, g.Network(s, o.Prediction()))
		loss := func(net diffusion.Network) float64 {
			out := make([]float32, n*2)
			if err := net.Predict(out, xt, tt, nil); err != nil {
				t.Fatal(err)
			}
			var l float64
			for i := range out {
				l += sq(float64(out[i]) - float64(target[i]))
			}
			return l / float64(len(out))
		}
		other := diffusion.PredX0
		if o.Prediction() == diffusion.PredX0 {
			other = diffusion.PredEps
		}
		lm, lo := loss(m.Net), loss(g.Network(s, other))
		t.Logf("%s/%s: loss of the exact %s oracle %.4f, of the %s oracle %.4f", o.Name(), s.Name(), o.Prediction(), lm, other, lo)
		if !(lm < lo) {
			t.Errorf("%s: the exact model's loss %.4f is not below the mismatched one's %.4f", o.Name(), lm, lo)
		}
	}
}
