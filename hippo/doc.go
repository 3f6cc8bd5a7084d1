// Package hippo is HiPPO theory in float64: the measures and their (A, B)
// matrices, rank corrections and the NPLR/DPLR form of S4, the S4D and
// Mamba initialisations, discretisations, SSM convolution kernels and
// online function approximation. It is the ground truth seqmodel's SSM
// layers are initialised from and tested against.
//
// # Contract
//
// Conventions are those of the reference implementations, state-spaces/s4
// (src/models/hippo/hippo.py, src/models/sequence/kernels/) and
// HazyResearch/hippo-code (model/op.py, model/hippo.py, csrc/): every A
// already carries its minus sign, so the dynamics are x' = Ax + Bu (or
// x' = (1/t)(Ax + Bu) for scaled LegS) with A Hurwitz; B and C are vectors;
// diagonal (S4D) and DPLR (S4) systems store one mode per conjugate pair
// with Im A ≤ 0, the real output being 2·Re of the complex one.
//
//   - Measures: Transition, RankCorrection, InitialC, Measures.
//   - NPLR/DPLR: NPLR, DPLR.Dense.
//   - Initialisations: NewSSMInit (the command line's --ssm-init),
//     LogUniformDt, MambaALog, MambaDtBias, and the float32/complex64
//     converters Float32s, Complex64s, SplitComplex32 for seqmodel.
//   - Discretisations: DiscretizeGBT, DiscretizeZOH, Discretize,
//     DiscretizeScaled, DiscretizeDiag, and the O(N) LegSStep.
//   - Kernels K_l = C Ā^l B̄: KernelDense, KernelDiag (Vandermonde),
//     KernelDPLR (Cauchy + Woodbury at FFT nodes).
//   - Function approximation: Online, WhiteSignal.
//
// Everything is float64 (gonum mat and dsp/fourier). Functions that take
// names, sizes or other data a user supplies return errors, and an unknown
// name's error lists the valid ones; the kernels and in-place steps, which
// take caller-supplied dst slices, panic when lengths disagree (a
// programmer error). Random draws come only from the *rand.Rand passed in,
// so a seed fixes every result.
package hippo
