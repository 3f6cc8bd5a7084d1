package asm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var (
	peakOnce, memOnce sync.Once
	peakCore, memCore float64
)

// corePeak returns the FP32 FMA throughput of one core in GFLOP/s, measured
// once by the loop of BenchmarkFMAPeak with the widest vectors the CPU
// has, or 0 where this build has no such loop.
func corePeak() float64 {
	peakOnce.Do(func() { peakCore = measureCorePeak() })
	return peakCore
}

// coreMemory returns the memory bandwidth of one core in GB/s (bytes read
// and written), measured once by BenchmarkMemCopy's loop on 64 MB arrays,
// far larger than the caches, for about 100 ms. The streaming kernels
// report mem-frac, their GB/s as a fraction of it.
func coreMemory() float64 {
	memOnce.Do(func() {
		const size = 64 << 20
		a, b := make([]byte, size), make([]byte, size)
		copyBack(a, b, 1) // touch every page
		start, n := time.Now(), 0
		for time.Since(start) < 100*time.Millisecond {
			copyBack(a, b, 1)
			n++
		}
		memCore = float64(n) * 4 * size / time.Since(start).Seconds() / 1e9
	})
	return memCore
}

// copyBack copies b into a and a back into b, reps times.
func copyBack(a, b []byte, reps int) {
	for range reps {
		copy(a, b)
		copy(b, a)
	}
}

// BenchmarkMemCopy measures memory bandwidth with copyBack (the runtime's
// memmove) on each of one or two goroutines (GOMAXPROCS), from arrays that
// fit the L2 cache to arrays far larger than the L3, copying at least 32 MB
// per goroutine and call so that starting the goroutines does not count.
// GB/s counts the bytes read and written by all goroutines together; the
// 64 MB figure on one goroutine is what coreMemory measures.
func BenchmarkMemCopy(b *testing.B) {
	for _, size := range []int{128 << 10, 1 << 20, 64 << 20} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("bytes=%d/threads=%d", size, threads), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
				reps := max(1, 16<<20/size)
				bufs := make([][2][]byte, threads)
				for g := range bufs {
					bufs[g] = [2][]byte{make([]byte, size), make([]byte, size)}
				}
				for b.Loop() {
					var wg sync.WaitGroup
					for g := range threads {
						wg.Add(1)
						go func() {
							defer wg.Done()
							copyBack(bufs[g][0], bufs[g][1], reps)
						}()
					}
					wg.Wait()
				}
				moved := float64(b.N) * float64(threads) * float64(reps) * 4 * float64(size)
				b.ReportMetric(moved/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

// gemmBench is one product of the benchmark set.
type gemmBench struct {
	what           string
	transA, transB bool
	m, n, k        int
}

// gemmBenches are GEMM 1024³ of DESIGN.md and the products of one W1
// training step (MLP 66 → 4×256 → 2, batch 1024, layers y = x·Wᵀ as in
// seqmodel's linear op): forward x·Wᵀ, input gradients dy·W and weight
// gradients dyᵀ·x.
var gemmBenches = []gemmBench{
	{"square", false, false, 1024, 1024, 1024},
	{"square", false, false, 256, 256, 256},
	{"square", false, false, 64, 64, 64},
	{"w1-fwd-in", false, true, 1024, 256, 66},
	{"w1-fwd-hidden", false, true, 1024, 256, 256},
	{"w1-fwd-out", false, true, 1024, 2, 256},
	{"w1-dx-hidden", false, false, 1024, 256, 256},
	{"w1-dx-out", false, false, 1024, 256, 2},
	{"w1-dw-in", true, false, 256, 66, 1024},
	{"w1-dw-hidden", true, false, 256, 256, 1024},
	{"w1-dw-out", true, false, 2, 256, 1024},
}

func (g gemmBench) name() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s/op=%s%s/m=%d/n=%d/k=%d", g.what, t(g.transA), t(g.transB), g.m, g.n, g.k)
}

// operands returns A, B, C for g with tight leading dimensions.
func (g gemmBench) operands() (a []float32, lda int, b []float32, ldb int, c []float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, b = randSlice(rng, g.m*g.k), randSlice(rng, g.k*g.n)
	lda, ldb = g.k, g.n
	if g.transA {
		lda = g.m
	}
	if g.transB {
		ldb = g.k
	}
	return a, lda, b, ldb, make([]float32, g.m*g.n)
}

func reportGemm(b *testing.B, g gemmBench, threads int) {
	flops := 2 * float64(g.m) * float64(g.n) * float64(g.k) * float64(b.N)
	gf := flops / b.Elapsed().Seconds() / 1e9
	b.ReportMetric(gf, "GFLOP/s")
	if peak := corePeak(); peak > 0 {
		b.ReportMetric(gf/(peak*float64(threads)), "peak-frac")
	}
}

// BenchmarkSgemm runs every product per implementation on one and two
// goroutines (GOMAXPROCS), reporting GFLOP/s and the fraction of the FP32
// peak of the cores used.
func BenchmarkSgemm(b *testing.B) {
	for _, name := range Implementations() {
		for _, g := range gemmBenches {
			for _, threads := range []int{1, 2} {
				if name == Generic && g.m*g.n*g.k > 1<<28 && testing.Short() {
					continue
				}
				b.Run(fmt.Sprintf("impl=%s/%s/threads=%d", name, g.name(), threads), func(b *testing.B) {
					a, lda, bb, ldb, c := g.operands()
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
					withImpl(name, func() {
						for b.Loop() {
							Sgemm(g.transA, g.transB, g.m, g.n, g.k, 1, a, lda, bb, ldb, 0, c, g.n)
						}
					})
					reportGemm(b, g, threads)
				})
			}
		}
	}
}

// BenchmarkSgemmGonum is the baseline: gonum's pure-Go Sgemm, which Sgemm
// replaces in gorgonia's matmuls.
func BenchmarkSgemmGonum(b *testing.B) {
	for _, g := range gemmBenches {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", g.name(), threads), func(b *testing.B) {
				a, lda, bb, ldb, c := g.operands()
				tA, tB := blas.NoTrans, blas.NoTrans
				if g.transA {
					tA = blas.Trans
				}
				if g.transB {
					tB = blas.Trans
				}
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
				for b.Loop() {
					gonum.Implementation{}.Sgemm(tA, tB, g.m, g.n, g.k, 1, a, lda, bb, ldb, 0, c, g.n)
				}
				reportGemm(b, g, threads)
			})
		}
	}
}

// streamSizes are W1's activation size (1024×256) and W5's state (10,000
// points in 2-D).
var streamSizes = []int{1024 * 256, 10000 * 2}

// benchStream runs f per implementation and size; bytes is the memory one
// call reads and writes per element.
func benchStream(b *testing.B, bytes int, f func(n int) func()) {
	for _, name := range Implementations() {
		for _, n := range streamSizes {
			b.Run(fmt.Sprintf("impl=%s/n=%d", name, n), func(b *testing.B) {
				run := f(n)
				withImpl(name, func() {
					for b.Loop() {
						run()
					}
				})
				gbs := float64(bytes*n) * float64(b.N) / b.Elapsed().Seconds() / 1e9
				b.ReportMetric(gbs, "GB/s")
				b.ReportMetric(gbs/coreMemory(), "mem-frac")
			})
		}
	}
}

func benchSlices(n, count int) [][]float32 {
	rng := rand.New(rand.NewPCG(3, 4))
	s := make([][]float32, count)
	for i := range s {
		s[i] = randSlice(rng, n)
	}
	return s
}

func BenchmarkSiLU(b *testing.B) {
	benchStream(b, 8, func(n int) func() {
		s := benchSlices(n, 2)
		return func() { SiLU(s[0], s[1]) }
	})
}

func BenchmarkSiLUGrad(b *testing.B) {
	benchStream(b, 12, func(n int) func() {
		s := benchSlices(n, 3)
		return func() { SiLUGrad(s[0], s[1], s[2]) }
	})
}

// benchRows runs a row kernel per implementation on W1's matrices, a
// 1024×256 hidden activation and the 1024×2 output, and on 100-wide rows,
// which end in a partial vector; bytes is the memory one call reads and
// writes per element of the matrix.
func benchRows(b *testing.B, bytes int, f func(x, row []float32)) {
	for _, name := range Implementations() {
		for _, s := range [][2]int{{1024, 256}, {1024, 100}, {1024, 2}} {
			b.Run(fmt.Sprintf("impl=%s/rows=%d/cols=%d", name, s[0], s[1]), func(b *testing.B) {
				x, row := benchSlices(s[0]*s[1], 1)[0], benchSlices(s[1], 1)[0]
				withImpl(name, func() {
					for b.Loop() {
						f(x, row)
					}
				})
				gbs := float64(bytes*s[0]*s[1]) * float64(b.N) / b.Elapsed().Seconds() / 1e9
				b.ReportMetric(gbs, "GB/s")
				b.ReportMetric(gbs/coreMemory(), "mem-frac")
			})
		}
	}
}

func BenchmarkAddBias(b *testing.B) {
	benchRows(b, 8, func(x, row []float32) { AddBias(x, row) })
}

// BenchmarkAddBiasSiLU alternates the bias with its negation so that the
// pre-activations stay where they started instead of drifting by the bias
// at every call.
func BenchmarkAddBiasSiLU(b *testing.B) {
	var h, neg []float32
	flip := false
	benchRows(b, 12, func(x, row []float32) {
		if len(h) != len(x) || len(neg) != len(row) {
			h, neg = make([]float32, len(x)), make([]float32, len(row))
			for j, v := range row {
				neg[j] = -v
			}
		}
		if flip {
			row = neg
		}
		flip = !flip
		AddBiasSiLU(h, x, row)
	})
}

// BenchmarkLinearSiLU runs W5's first layer on one goroutine (1024 2-D
// points, 256 units) fused, and as the Sgemm and AddBiasSiLU it replaces;
// Gout/s counts outputs, and GB/s the memory the fused kernel reads and
// writes (x and h).
func BenchmarkLinearSiLU(b *testing.B) {
	const rows, in, out = 1024, 2, 256
	for _, name := range Implementations() {
		for _, op := range []string{"fused", "sgemm+addbiassilu"} {
			b.Run(fmt.Sprintf("impl=%s/rows=%d/in=%d/out=%d/op=%s", name, rows, in, out, op), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(3, 4))
				x, w, bias := randSlice(rng, rows*in), randSlice(rng, in*out), randSlice(rng, out)
				h, pre := make([]float32, rows*out), make([]float32, rows*out)
				withImpl(name, func() {
					for b.Loop() {
						if op == "fused" {
							LinearSiLU(h, x, w, bias)
						} else {
							Sgemm(false, false, rows, out, in, 1, x, in, w, out, 0, pre, out)
							AddBiasSiLU(h, pre, bias)
						}
					}
				})
				per := float64(b.N) / b.Elapsed().Seconds()
				gbs := float64(4*(rows*in+rows*out)) * per / 1e9
				b.ReportMetric(float64(rows*out)*per/1e9, "Gout/s")
				b.ReportMetric(gbs, "GB/s")
				b.ReportMetric(gbs/coreMemory(), "mem-frac")
			})
		}
	}
}

func BenchmarkSumRows(b *testing.B) {
	benchRows(b, 4, func(x, row []float32) { SumRows(row, x) })
}

func BenchmarkEulerStep(b *testing.B) {
	benchStream(b, 12, func(n int) func() {
		s := benchSlices(n, 3)
		return func() { EulerStep(s[0], s[1], s[2], 0.01) }
	})
}

func BenchmarkHeunStep(b *testing.B) {
	benchStream(b, 16, func(n int) func() {
		s := benchSlices(n, 4)
		return func() { HeunStep(s[0], s[1], s[2], s[3], 0.01) }
	})
}

func BenchmarkRK4Step(b *testing.B) {
	benchStream(b, 24, func(n int) func() {
		s := benchSlices(n, 6)
		return func() { RK4Step(s[0], s[1], s[2], s[3], s[4], s[5], 0.01) }
	})
}

func BenchmarkCombine(b *testing.B) {
	benchStream(b, 4*(2+len(dp5A[5])), func(n int) func() {
		s := benchSlices(n, 2+len(dp5A[5]))
		return func() { Combine(s[0], s[1], 0.01, dp5A[5], s[2:]) }
	})
}

func BenchmarkDormandPrince5(b *testing.B) {
	benchStream(b, 40, func(n int) func() {
		s := benchSlices(n, 10)
		return func() { DormandPrince5(s[0], s[1], s[2], (*[7][]float32)(s[3:]), 0.01) }
	})
}

func BenchmarkEulerMaruyama(b *testing.B) {
	benchStream(b, 16, func(n int) func() {
		s := benchSlices(n, 4)
		return func() { EulerMaruyama(s[0], s[1], s[2], s[3], 0.01, 0.1) }
	})
}

// BenchmarkAdamW's size is W1's parameter count (66·256 + 3·256² + 256·2
// weights and 4·256 + 2 biases).
func BenchmarkAdamW(b *testing.B) {
	const n = 66*256 + 3*256*256 + 256*2 + 4*256 + 2
	for _, name := range Implementations() {
		b.Run(fmt.Sprintf("impl=%s/n=%d", name, n), func(b *testing.B) {
			s := benchSlices(n, 4)
			for i := range s[2] {
				s[2][i] *= s[2][i]
			}
			withImpl(name, func() {
				for b.Loop() {
					testAdam.Step(s[0], s[1], s[2], s[3], 0.5, 0.01)
				}
			})
			gbs := float64(28*n) * float64(b.N) / b.Elapsed().Seconds() / 1e9
			b.ReportMetric(gbs, "GB/s")
			b.ReportMetric(gbs/coreMemory(), "mem-frac")
		})
	}
}
