// Package dataset provides the data that seqlab's generative models learn.
//
// # Toy data
//
// Toy is a seeded sampler of 2-D points: the toy set of FFJORD
// (rtqichen/ffjord, lib/toy_data.py) also used by TorchCFM —
// checkerboard, moons, 8gaussians, 2spirals, swissroll, pinwheel, rings and
// circles. Each set keeps the shape, noise level and mixture weights of that
// reference but is centred and scaled isotropically so that its points have
// mean 0 and E|x|² = 2, the second moment of the N(0, I) noise the models
// start from: the root-mean-square of the two per-axis standard deviations is
// exactly 1. The doc comment of each set (see New) states its construction,
// the scale factor and the resulting per-axis standard deviations; the tests
// check them.
//
// The sets are distributions, not fixed arrays: where the reference lays
// points on an evenly spaced grid (sklearn's moons and circles, FFJORD's
// rings) or fills classes in equal counts, seqlab draws the position and the
// component at random, which has the same distribution. A generator is the
// embedded data: nothing is read from disk, and Default names the set a bare
// run trains on.
//
// # Reproducibility
//
// Sample draws every point from the caller's math/rand/v2 generator, one
// point after another, so the same generator state gives the same bits, and
// filling a buffer in several calls gives the same points as one call.
//
// # Errors
//
// New returns an error naming the valid sets for an unknown name. Sample
// panics if its buffer has an odd length (a programmer error).
package dataset
