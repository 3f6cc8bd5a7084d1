// Package diffusion holds generative paths, objectives, samplers and metrics
// for diffusion and flow-matching models, and the small interface a network
// must meet to be trained and sampled by them.
//
// # Conventions
//
// Time runs over [0, 1] with data at t = 0 and noise at t = 1 (the
// rectified-flow convention). The conditional-OT path is
// x_t = (1−t)·x0 + t·x1 with x0 data and x1 ~ N(0, I); its velocity target is
// x1 − x0, so sampling integrates dx/dt = v(x, t) from t = 1 down to t = 0.
//
// Batches are row-major float32: n samples of dimension d occupy n·d values,
// with per-sample times in a slice of length n. Hot functions write to a
// caller-supplied dst. Functions facing data return errors wrapped with
// context; shape mismatches between caller-owned buffers are programmer
// errors and panic.
//
// diffusion never imports seqmodel: backbones meet Network.
package diffusion
