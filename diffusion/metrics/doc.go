// Package metrics measures how far a set of generated points is from a set of
// data points: sample-based distances between two empirical distributions.
//
// # Inputs
//
// A point set of dimension d is a row-major []float32 of length n·d (the
// batch layout of package diffusion); the two sets compared may have
// different sizes n and m. Coordinates are widened to float64 and every sum
// is accumulated in float64.
//
// # Distances
//
//   - SlicedWasserstein: the sliced 2-Wasserstein distance, by sorting
//     projections on random directions. O(P·(n log n + m log m)) for P
//     directions.
//   - EnergyDistance: the energy distance of Székely & Rizzo, a V-statistic
//     over all pairs. O((n + m)²·d).
//   - MMD: the unbiased squared maximum mean discrepancy of Gretton et al.
//     with a mixture of Gaussian (RBF) kernels. O((n + m)²·d).
//
// Compare computes all three with the defaults the command line reports, and
// its doc says how to get the baseline (noise floor) for a sample size.
//
// # Parallelism and reproducibility
//
// The pairwise sums and the projections are split into fixed blocks that run
// on up to GOMAXPROCS goroutines; block results are added in block order, so
// a result depends only on the inputs (and, for SlicedWasserstein, the
// random generator's state), not on GOMAXPROCS or scheduling.
//
// # Errors
//
// The functions panic on programmer errors: d ≤ 0, a length that is not a
// multiple of d, an empty set (MMD: fewer than 2 points), projections < 1 or
// a bandwidth that is not positive and finite. Callers facing user input
// validate it first.
package metrics
