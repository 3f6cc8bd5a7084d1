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
//
// # Paths, parameterisations, models
//
// Every Schedule is a Gaussian path x_t = α_t·x0 + σ_t·ε (Coef gives α, σ and
// their derivatives): condot (α = 1 − t, σ = t), the DDPM β schedules linear,
// scaled-linear, cosine and sigmoid over N = 1000 steps (Discrete: step i is
// time i/N, log α interpolated linearly between steps), and the VP, sub-VP
// and VE SDEs of Song et al. (2021). A network's output is one of five
// Predictions — ε, x0, v, the score or the probability-flow velocity — each
// an affine function of (x_t, ε̂) with time-only coefficients, so Convert
// maps any of them to any other exactly and every sampler runs every model:
// a flow-matching network can be sampled by DDIM, a DDPM network by RK45.
// A Model is a Network plus its Schedule plus its Prediction; an Objective
// (NewObjective: flow, ddpm, score) knows both, so a checkpoint that stores
// the objective's and the schedule's names rebuilds the Model with ModelOf.
//
// # Samplers
//
// NewSampler(name, Options) returns, by name: the probability-flow ODE
// solvers euler, heun, midpoint, rk4 and the adaptive rk45 (Dormand–Prince
// 5(4)); ddpm (σ² = β̃ or β) and ddim (η) on any step sub-sequence
// (uniform, quadratic, trailing); analytic-ddpm and analytic-ddim
// (Analytic-DPM's optimal variance from a GammaTable); sn-ddpm, sn-ddim,
// npr-ddpm and npr-ddim (Extended Analytic-DPM's state-dependent diagonal
// covariance from an extra head); em (reverse-SDE Euler–Maruyama) and pc
// (predictor–corrector with the Langevin corrector). Every Sampler draws its
// own prior noise from the caller's *rand.Rand and reports the number of
// network evaluations (Stats.NFE). Every update goes through the integrator
// kernels of package asm.
//
// The extra covariance head of SN-DPM and NPR-DPM is a second Network of the
// data dimension (Options.Cov), trained with the CovHead objective; a
// backbone with a single output of width 2d exposes its second half as that
// Network. The Network interface fixes dst at n·Dim() values, so the head
// is not packed into the model's own output.
//
// # Likelihood
//
// Likelihood computes log p(x) through the instantaneous change of
// variables of the probability-flow ODE (rk45), with the exact divergence
// (d Jacobian–vector products per evaluation, exact for networks that
// implement JVPNetwork, central differences otherwise) or Hutchinson's
// estimator with K Rademacher or Gaussian probes and its standard error;
// BitsPerDim converts, with uniform dequantisation for discrete data.
// Likelihood.Sample returns samples together with their log-densities.
// DDIMSampler.NLL is the discrete-time bound (the negative ELBO) of the
// DDPM-family samplers.
//
// # Oracles
//
// GaussianMixture is data with any means, full covariances and weights
// whose marginals are known for every schedule: it provides the exact
// score, ε, x0, v and velocity as a Network (MixtureNet, also a JVPNetwork
// and, with Head set, the exact SN/NPR covariance head), the exact
// log-density of every marginal, the probability-flow map (closed form for
// one component, float64 Dormand–Prince otherwise) and Analytic-DPM's exact
// Γ_t (Gauss–Hermite quadrature). With one component under VP it is the
// Ornstein–Uhlenbeck process with closed-form marginals. The tests drive
// every sampler and the likelihood with these oracles.
package diffusion
