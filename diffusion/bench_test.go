package diffusion_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/seqlab/seqlab/diffusion"
)

// BenchmarkSampler measures a sampler's own cost (the asm updates, the
// conversions and the bookkeeping) with a network that is a single
// multiply-add, on the W5 shape: 10000 2-D points, 100 steps.
func BenchmarkSampler(b *testing.B) {
	const n, d, steps = 10000, 2, 100
	net := diffusion.NetworkFunc{D: d, F: func(dst, x, t []float32, _ []int32) error {
		for i := range dst {
			dst[i] = 0.5*x[i] - 1
		}
		return nil
	}}
	for _, tc := range []struct {
		sampler, schedule string
		pred              diffusion.Prediction
	}{
		{"euler", "condot", diffusion.PredVelocity},
		{"heun", "condot", diffusion.PredVelocity},
		{"rk4", "condot", diffusion.PredVelocity},
		{"ddim", "linear", diffusion.PredEps},
		{"em", "vp", diffusion.PredEps},
	} {
		m := diffusion.Model{Net: net, Schedule: schedule(b, tc.schedule), Pred: tc.pred}
		o := diffusion.DefaultOptions()
		o.Steps = steps
		s, err := diffusion.NewSampler(tc.sampler, o)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("sampler=%s/schedule=%s/n=%d/d=%d/steps=%d", tc.sampler, tc.schedule, n, d, steps), func(b *testing.B) {
			x := make([]float32, n*d)
			rng := rand.New(rand.NewPCG(1, 2))
			b.SetBytes(int64(n * d * 4))
			for b.Loop() {
				if _, err := s.Sample(x, m, n, nil, rng); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
