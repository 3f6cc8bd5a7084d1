package metrics_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/seqlab/seqlab/diffusion/dataset"
	"github.com/seqlab/seqlab/diffusion/metrics"
)

func ExampleSlicedWasserstein() {
	// In 1-D the sliced distance is the exact 2-Wasserstein distance.
	rng := rand.New(rand.NewPCG(1, 2))
	a := []float32{0, 1, 2}
	b := []float32{3, 1, 2} // a shifted by 1, in another order
	fmt.Printf("%.4f\n", metrics.SlicedWasserstein(a, b, 1, 8, rng))
	// δ₀ against ½δ₀ + ½δ₁: W₂² = ½.
	fmt.Printf("%.4f\n", metrics.SlicedWasserstein([]float32{0}, []float32{0, 1}, 1, 8, rng))
	// Output:
	// 1.0000
	// 0.7071
}

func ExampleEnergyDistance() {
	// Two single points at distance 1 in 2-D: 2·1 − 0 − 0.
	fmt.Println(metrics.EnergyDistance([]float32{0, 0}, []float32{1, 0}, 2))
	// Output: 2
}

// The baseline for a sample size is the distance between two fresh data
// sets of that size; samples from a model are judged against it.
func ExampleCompare() {
	const n = 2000
	toy, _ := dataset.New(dataset.Default)
	data := make([]float32, 2*n)
	fresh := make([]float32, 2*n)
	toy.Sample(data, rand.New(rand.NewPCG(1, 1)))
	toy.Sample(fresh, rand.New(rand.NewPCG(2, 1)))

	// A poor "model": standard normal noise with the data's second moment.
	noise := make([]float32, 2*n)
	rng := rand.New(rand.NewPCG(3, 1))
	for i := range noise {
		noise[i] = float32(rng.NormFloat64())
	}

	baseline := metrics.Compare(data, fresh, 2, rand.New(rand.NewPCG(4, 1)))
	model := metrics.Compare(data, noise, 2, rand.New(rand.NewPCG(4, 1)))
	fmt.Println("baseline:", baseline)
	fmt.Println("noise:   ", model)
	// Output:
	// baseline: sw2=0.06963 energy=0.003804 mmd2=0.001444
	// noise:    sw2=0.1865 energy=0.01502 mmd2=0.05196
}
