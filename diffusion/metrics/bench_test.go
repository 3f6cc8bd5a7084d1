package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchSizes are the point counts n = m of the benchmarks; d is the dimension.
var benchSizes = []struct{ n, d int }{{1000, 2}, {10_000, 2}, {1000, 16}}

func benchSets(n, d int) (a, b []float32) {
	rng := rand.New(rand.NewPCG(1, 1))
	mu := make([]float64, d)
	mu[0] = 0.5
	return gaussian(n, make([]float64, d), rng), gaussian(n, mu, rng)
}

func BenchmarkSlicedWasserstein(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("n=%d/d=%d/proj=%d", s.n, s.d, DefaultProjections), func(b *testing.B) {
			x, y := benchSets(s.n, s.d)
			rng := rand.New(rand.NewPCG(2, 2))
			for b.Loop() {
				SlicedWasserstein(x, y, s.d, DefaultProjections, rng)
			}
		})
	}
}

func BenchmarkEnergyDistance(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("n=%d/d=%d", s.n, s.d), func(b *testing.B) {
			x, y := benchSets(s.n, s.d)
			for b.Loop() {
				EnergyDistance(x, y, s.d)
			}
		})
	}
}

func BenchmarkMMD(b *testing.B) {
	for _, s := range benchSizes {
		for _, bw := range []struct {
			name string
			bw   []float64
		}{{"default", nil}, {"sigma=1", []float64{1}}} {
			b.Run(fmt.Sprintf("n=%d/d=%d/bw=%s", s.n, s.d, bw.name), func(b *testing.B) {
				x, y := benchSets(s.n, s.d)
				for b.Loop() {
					MMD(x, y, s.d, bw.bw)
				}
			})
		}
	}
}
