// Package asm holds seqlab's hot loops: SGEMM, integrator steps, element-wise
// activations and optimizer updates, each with AVX-512 and AVX2+FMA assembly and
// a pure-Go twin.
//
// # Contract
//
// Every exported kernel's doc comment shows the reference loop it computes; the
// pure-Go version (files *_generic.go) is always compiled and is the oracle the
// assembly is tested against.
//
// Kernels write to a caller-supplied dst and never allocate. They panic when
// slice lengths disagree (a programmer error), never on data: NaN and Inf flow
// through as IEEE arithmetic says. dst may alias an input only where the doc
// comment says so.
//
// The implementation is chosen once at start from cpuid: "avx512" needs
// AVX-512 F, VL, DQ and BW; "avx2" needs AVX2 and FMA3; "generic" runs
// anywhere. The environment variable SEQLAB_ASM forces one of these names; the
// build tags purego and noasm compile the pure-Go path only. Implementations
// lists what this CPU can run and Select switches at run time (for tests and
// benchmarks; it is not safe to call concurrently with kernels).
//
// asm imports no gorgonia; BLAS plugs Sgemm into gonum's BLAS interface, which
// seqmodel installs into gorgonia.
package asm
