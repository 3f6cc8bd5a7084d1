// Package asm holds seqlab's hot loops: SGEMM, integrator steps, element-wise
// activations (alone, after a bias, or after a linear layer of a few inputs:
// LinearSiLU), row sums and the AdamW update, each with AVX-512 and AVX2+FMA
// assembly and a pure-Go twin (the AdamW update runs its AVX2 kernel under
// both, which is as fast; see adam_amd64.s).
//
// # Contract
//
// Every exported kernel's doc comment shows the reference loop it computes;
// the pure-Go versions (files *_generic.go) are always compiled, are those
// loops, and are the oracle the assembly is tested against. The assembly
// sums in the reference's order but fuses multiply-adds, so results agree
// with the reference to within a few roundings; the tests state the bound
// of each kernel. SiLU and SiLUGrad evaluate exp with a polynomial (relative
// error below 2·2⁻²⁴) in every implementation. SinCos and Sinusoids are the
// exception: they use no fused multiply-adds and give the same bits on every
// implementation, so time embeddings reproduce on any CPU.
//
// Kernels write to a caller-supplied dst and never allocate (Sgemm keeps its
// packing buffers in a sync.Pool). They panic when slice lengths disagree (a
// programmer error), never on data: NaN and Inf flow through as IEEE
// arithmetic says. dst may alias an input only where the doc comment says so.
// Long slices are processed in calls of at most 32768 elements so that the
// garbage collector can preempt between them.
//
// # Implementations
//
// The implementation is chosen once at start from cpuid: "avx512" needs
// AVX-512 F, VL, DQ and BW; "avx2" needs AVX2 and FMA3; "generic" runs
// anywhere. The environment variable SEQLAB_ASM forces one of these names; the
// build tags purego and noasm compile the pure-Go path only. Implementations
// lists what this CPU can run, whatever is selected; Kernels lists the
// implementation each operation runs now (`seqlab cpuinfo` prints it); Select
// switches at run time (for tests and benchmarks; it is not safe to call
// concurrently with kernels). Every kernel reads the selection on every call.
//
// # SGEMM
//
// Sgemm is a packed, cache-blocked GEMM (Goto & van de Geijn 2008): the
// micro-kernels keep a 12×32 (AVX-512), 6×16 (AVX2) or 4×4 (generic) tile of
// C in registers; op(A) and op(B) are packed by assembly with Go twins.
// Products with at most four columns (or rows) are computed as dot
// products, and products with few rows read B in place instead of packing
// it. BLAS plugs Sgemm into gonum's BLAS interface, which seqmodel installs
// into gorgonia; asm imports no gorgonia.
//
// # bfloat16 products
//
// SetMatmulPrecision(BF16) makes Sgemm round the operands of products with
// m, n, k ≥ 16 to bfloat16 and multiply them accumulating in float32, as
// PyTorch's bfloat16 autocast does: on the AMX tile units where the CPU has
// them (Intel Sapphire Rapids and later), and with AVX512-BF16's VDPBF16PS
// elsewhere (AMD Zen 4, Intel Cooper Lake), at twice the float32 FMA rate
// there. The precision is a process-wide setting like the implementation;
// FP32 is the default. Operands are packed into 16×32 tiles by
// AVX512-BF16 assembly (bit-identical to the Go twins); a 2×2-tile AMX
// kernel, or an 8×32 register-blocked VDPBF16PS kernel on the same tiles,
// computes each 32×32 block of C. The Go twins of every kernel run the same
// blocked product on any machine; only the order of summation inside a dot
// product, which the instructions leave open, can make the two differ, by
// float32 rounding. A weight matrix used for many products can be packed
// once (PackBF16Weights) and multiplied with MulBF16, which gives Sgemm's
// bits for any number of rows and runs on the calling goroutine, so that a
// network can push small panels of rows through all its layers while they
// stay in cache. Linux grants the tile state on first use (arch_prctl
// ARCH_REQ_XCOMP_PERM); tiles are configured and released within each
// assembly call, so goroutine switches never see them.
//
// # Threads
//
// Products large enough to pay for it are split over up to GOMAXPROCS
// goroutines: the caller and persistent workers that poll briefly for the
// next product before they park, since waking a parked goroutine costs
// tens of microseconds, a large part of a training step's product. A
// caller that runs several goroutines, each calling Sgemm, reserves the
// processors of the others (ReserveProcs), so that no product splits onto
// a processor that is busy with other work.
package asm
