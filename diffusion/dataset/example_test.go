package dataset_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/seqlab/seqlab/diffusion/dataset"
)

func ExampleNew() {
	toy, err := dataset.New(dataset.Default)
	if err != nil {
		fmt.Println(err)
		return
	}
	const n = 10_000
	pts := make([]float32, 2*n) // row-major (x, y) pairs
	toy.Sample(pts, rand.New(rand.NewPCG(1, 2)))

	// Every point lies in one of the 8 filled squares of side √3/2.
	side := math.Sqrt(3) / 2
	filled := 0
	for i := 0; i < len(pts); i += 2 {
		col := int(math.Floor(float64(pts[i]) / side))
		row := int(math.Floor(float64(pts[i+1]) / side))
		if (col+row)%2 == 0 {
			filled++
		}
	}
	fmt.Println(toy.Name(), n, "points,", filled, "in filled squares")

	_, err = dataset.New("checker")
	fmt.Println(err)
	// Output:
	// checkerboard 10000 points, 10000 in filled squares
	// dataset: unknown toy set "checker" (valid: 2spirals, 8gaussians, checkerboard, circles, moons, pinwheel, rings, swissroll)
}
