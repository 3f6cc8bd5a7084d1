package metrics

import (
	"fmt"
	"math/rand/v2"
)

// Report holds the distances seqlab prints between generated and data points.
type Report struct {
	SlicedW2 float64 `json:"sliced_w2"` // SlicedWasserstein with DefaultProjections directions
	Energy   float64 `json:"energy"`    // EnergyDistance
	MMD2     float64 `json:"mmd2"`      // MMD with DefaultBandwidths
}

// Compare returns the three distances between the point sets a and b
// (row-major, dimension d), drawing the sliced-Wasserstein directions from
// rng.
//
// The distances are biased upwards at finite sample size (MMD2 scatters
// around 0), so read them against a baseline: Compare two fresh data sets of
// the same sizes, drawn from the data generator with independent streams.
// Samples whose distances to the data are close to that baseline cannot be
// told apart from data by these metrics at that sample size.
func Compare(a, b []float32, d int, rng *rand.Rand) Report {
	return Report{
		SlicedW2: SlicedWasserstein(a, b, d, DefaultProjections, rng),
		Energy:   EnergyDistance(a, b, d),
		MMD2:     MMD(a, b, d, nil),
	}
}

// String formats r as "sw2=… energy=… mmd2=…" with 4 significant digits.
func (r Report) String() string {
	return fmt.Sprintf("sw2=%.4g energy=%.4g mmd2=%.4g", r.SlicedW2, r.Energy, r.MMD2)
}
