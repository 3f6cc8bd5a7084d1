package diffusion_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/seqlab/seqlab/diffusion"
	"github.com/seqlab/seqlab/diffusion/metrics"
)

// mixture is the test data: a 2-D three-component mixture with correlated
// covariances.
func mixture(t testing.TB) *diffusion.GaussianMixture {
	g, err := diffusion.NewGaussianMixture(
		[]float64{0.3, 0.5, 0.2},
		[][]float64{{-2, 0}, {1.5, 1}, {0.5, -2}},
		[][]float64{{0.3, 0.1, 0.1, 0.2}, {0.4, -0.15, -0.15, 0.25}, {0.1, 0, 0, 0.5}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func schedule(t testing.TB, name string) diffusion.Schedule {
	s, err := diffusion.NewSchedule(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// energyDistance is metrics.EnergyDistance, the V-statistic of
// 2E|X−Y| − E|X−X'| − E|Y−Y'|.
func energyDistance(a, b []float32, d int) float64 { return metrics.EnergyDistance(a, b, d) }

// slicedW is the sliced 2-Wasserstein distance over 64 projections.
func slicedW(a, b []float32, d int, rng *rand.Rand) float64 {
	return metrics.SlicedWasserstein(a, b, d, 64, rng)
}

func sq(v float64) float64 { return v * v }

// noise is the mean and standard deviation of a metric between two
// independent draws of n data points.
type noise struct{ mean, sd float64 }

// limit returns mean + k·sd.
func (n noise) limit(k float64) float64 { return n.mean + k*n.sd }

// twoSampleNoise measures the energy distance and the sliced Wasserstein
// distance between independent draws of n points from g, reps times.
func twoSampleNoise(g *diffusion.GaussianMixture, n, reps int, rng *rand.Rand) (ed, sw noise) {
	d := g.Dim()
	a, b := make([]float32, n*d), make([]float32, n*d)
	var es, sws []float64
	for range reps {
		g.Sample(a, rng)
		g.Sample(b, rng)
		es = append(es, energyDistance(a, b, d))
		sws = append(sws, slicedW(a, b, d, rng))
	}
	return meanSD(es), meanSD(sws)
}

func meanSD(v []float64) noise {
	var s, ss float64
	for _, x := range v {
		s += x
	}
	m := s / float64(len(v))
	for _, x := range v {
		ss += sq(x - m)
	}
	return noise{m, math.Sqrt(ss / float64(len(v)-1))}
}
