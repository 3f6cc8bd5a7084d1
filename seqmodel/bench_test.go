package seqmodel

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/seqlab/seqlab/asm"
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
// batch 1024, 4 hidden layers of 256, Adam) and smaller ones, with float32
// products and, where the CPU has a bfloat16 unit, bfloat16 ones. The
// metric steps/s is the figure `seqlab bench W1` prints (the mean); p50-ms
// and p90-ms are quantiles of the single steps' times, which show how far
// slow steps pull the mean from the typical step.
func BenchmarkTrainerStep(b *testing.B) {
	cases := []struct{ width, depth, batch int }{{256, 4, 1024}, {64, 2, 256}}
	eachPrecision(func(precision string) {
		for _, c := range cases {
			for _, threads := range []int{1, 2} {
				name := fmt.Sprintf("w1-mlp/width=%d/depth=%d/batch=%d/precision=%s/threads=%d", c.width, c.depth, c.batch, precision, threads)
				b.Run(name, func(b *testing.B) {
					withGOMAXPROCS(threads, func() { benchTrainerStep(b, c.width, c.depth, c.batch) })
				})
			}
		}
	})
}

// eachPrecision calls f with each matmul precision this CPU runs, set for
// the call, and leaves float32 set.
func eachPrecision(f func(precision string)) {
	defer asm.SetMatmulPrecision(asm.FP32)
	for _, p := range []string{asm.FP32, asm.BF16} {
		if asm.SetMatmulPrecision(p) == nil {
			f(p)
		}
	}
}

// benchTrainerStep times the steps of a trainer for the W1 network of the
// given shape.
func benchTrainerStep(b *testing.B, width, depth, batch int) {
	net := benchNet(b, width, depth)
	tr, err := NewTrainer(net, batch, OptimConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Steps: 1, MinLR: 1e-3})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	x, t, y := make([]float32, 2*batch), make([]float32, batch), make([]float32, 2*batch)
	regressionBatch(x, t, y, rng)
	steps := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := tr.Step(x, t, y, nil); err != nil {
			b.Fatal(err)
		}
		steps = append(steps, time.Since(start))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
	slices.Sort(steps)
	for _, q := range []struct {
		unit string
		at   float64
	}{{"p50-ms", 0.5}, {"p90-ms", 0.9}} {
		b.ReportMetric(steps[int(q.at*float64(len(steps)-1))].Seconds()*1e3, q.unit)
	}
}

// BenchmarkPredict measures Predict without gradients on W5's batch (10,000
// 2-D points) through the W1 network, with one time for the whole batch (as
// a sampler calls it: t=const) and a time per point (t=mixed), with float32
// products and, where the CPU has a bfloat16 unit, bfloat16 ones; samples/s
// is per network evaluation, so W5's figure (100 Euler steps) is about a
// hundredth of it.
func BenchmarkPredict(b *testing.B) {
	eachPrecision(func(precision string) {
		for _, times := range []string{"const", "mixed"} {
			for _, threads := range []int{1, 2} {
				const n = 10000
				b.Run(fmt.Sprintf("w5-mlp/width=256/depth=4/n=%d/t=%s/precision=%s/threads=%d", n, times, precision, threads), func(b *testing.B) {
					withGOMAXPROCS(threads, func() { benchPredict(b, n, times == "const") })
				})
			}
		}
	})
}

// benchPredict times Predict on n points of the W5 network, with one time
// for all of them when constT.
func benchPredict(b *testing.B, n int, constT bool) {
	net := benchNet(b, 256, 4)
	rng := rand.New(rand.NewPCG(2, 2))
	x, t, dst := make([]float32, 2*n), make([]float32, n), make([]float32, 2*n)
	regressionBatch(x, t, dst, rng)
	if constT {
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
}
