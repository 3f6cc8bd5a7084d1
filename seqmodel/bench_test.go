package seqmodel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchNet is DESIGN.md's W1/W5 network: the point MLP on [x, 64-d time
// embedding], SiLU, width×depth hidden.
func benchNet(b *testing.B, width, depth int) Backbone {
	b.Helper()
	net, err := NewBackbone(Config{Backbone: "mlp", Dim: 2, Width: width, Depth: depth, Activation: SiLU, TimeDim: 64},
		rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	return net
}

// BenchmarkTrainerStep measures Trainer.Step on W1's shapes (DESIGN.md:
// batch 1024, 4 hidden layers of 256, Adam) and smaller ones; the metric
// steps/s is the figure `seqlab bench W1` prints.
func BenchmarkTrainerStep(b *testing.B) {
	cases := []struct{ width, depth, batch int }{{256, 4, 1024}, {64, 2, 256}}
	for _, c := range cases {
		for _, threads := range []int{1, 2} {
			name := fmt.Sprintf("w1-mlp/width=%d/depth=%d/batch=%d/threads=%d", c.width, c.depth, c.batch, threads)
			b.Run(name, func(b *testing.B) {
				withGOMAXPROCS(threads, func() {
					net := benchNet(b, c.width, c.depth)
					tr, err := NewTrainer(net, c.batch, OptimConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Steps: 1, MinLR: 1e-3})
					if err != nil {
						b.Fatal(err)
					}
					defer tr.Close()
					rng := rand.New(rand.NewPCG(2, 2))
					x, t, y := make([]float32, 2*c.batch), make([]float32, c.batch), make([]float32, 2*c.batch)
					regressionBatch(x, t, y, rng)
					b.ResetTimer()
					for range b.N {
						if _, err := tr.Step(x, t, y, nil); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
				})
			})
		}
	}
}

// BenchmarkPredict measures Predict without gradients on W5's batch (10,000
// 2-D points) through the W1 network, with one time for the whole batch (as
// a sampler calls it: t=const) and a time per point (t=mixed); samples/s is
// per network evaluation, so W5's figure (100 Euler steps) is about a
// hundredth of it.
func BenchmarkPredict(b *testing.B) {
	for _, times := range []string{"const", "mixed"} {
		for _, threads := range []int{1, 2} {
			const n = 10000
			b.Run(fmt.Sprintf("w5-mlp/width=256/depth=4/n=%d/t=%s/threads=%d", n, times, threads), func(b *testing.B) {
				withGOMAXPROCS(threads, func() {
					net := benchNet(b, 256, 4)
					rng := rand.New(rand.NewPCG(2, 2))
					x, t, dst := make([]float32, 2*n), make([]float32, n), make([]float32, 2*n)
					regressionBatch(x, t, dst, rng)
					if times == "const" {
						for i := range t {
							t[i] = 0.5
						}
					}
					b.ResetTimer()
					for range b.N {
						if err := net.Predict(dst, x, t, nil); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "samples/s")
				})
			})
		}
	}
}
