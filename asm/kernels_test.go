package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// streamKernel describes an element-wise kernel whose inputs and outputs
// all have the same length, for the sweep and fuzz drivers below.
type streamKernel struct {
	name    string
	inputs  int // input slices
	outputs int // output slices
	// run calls the exported kernel.
	run func(out, in [][]float32, h float32)
	// tol returns, for element i, the largest |got − want| allowed between
	// an implementation and generic (want is generic's output o).
	tol func(o, i int, in [][]float32, h float32, want float32) float64
}

// Named tolerances of the element-wise kernels.
const (
	// siluUlps bounds |SiLU − exact|/|exact| in units of u = 2⁻²⁴ for
	// x ≥ expMin (measured 2.89 by TestSiLUAccuracy's sweep).
	siluUlps = 5
	// siluGradUlps bounds |SiLUGrad − exact| in units of u times the size
	// of its terms, |dy|·σ(x)·(1 + |x|·(1 − σ(x))) (measured 4.75).
	siluGradUlps = 6
	// expUlps bounds the relative error of expNeg in units of u
	// (measured 1.63; 1.20 where the compiler fuses multiply-adds).
	expUlps = 2
)

// stepTol is the tolerance of an update x + h·Σ c_j·k_j evaluated with r
// roundings in the reference loop: two evaluations (one fused, one not)
// each within γ(r) of the exact value, relative to the size of the terms.
func stepTol(r int, x float32, h float32, c []float32, k []float32) float64 {
	mag := math.Abs(float64(x))
	for j := range c {
		mag += math.Abs(float64(h) * float64(c[j]) * float64(k[j]))
	}
	return 2 * gamma(r) * mag
}

// sigmoidTerms returns σ(x) and the size of the SiLU gradient's terms in
// float64.
func sigmoidTerms(x float32) (s, terms float64) {
	s = 1 / (1 + math.Exp(-float64(x)))
	return s, s * (1 + math.Abs(float64(x))*(1-s))
}

var streamKernels = []streamKernel{
	{
		name: "SiLU", inputs: 1, outputs: 1,
		run: func(out, in [][]float32, _ float32) { SiLU(out[0], in[0]) },
		tol: func(_, i int, in [][]float32, _ float32, want float32) float64 {
			return 2 * siluUlps * eps32 * math.Abs(float64(want))
		},
	},
	{
		name: "SiLUGrad", inputs: 2, outputs: 1,
		run: func(out, in [][]float32, _ float32) { SiLUGrad(out[0], in[0], in[1]) },
		tol: func(_, i int, in [][]float32, _ float32, _ float32) float64 {
			_, terms := sigmoidTerms(in[0][i])
			return 2 * siluGradUlps * eps32 * terms * math.Abs(float64(in[1][i]))
		},
	},
	{
		name: "EulerStep", inputs: 2, outputs: 1,
		run: func(out, in [][]float32, h float32) { EulerStep(out[0], in[0], in[1], h) },
		tol: func(_, i int, in [][]float32, h float32, _ float32) float64 {
			return stepTol(2, in[0][i], h, []float32{1}, []float32{in[1][i]})
		},
	},
	{
		name: "HeunStep", inputs: 3, outputs: 1,
		run: func(out, in [][]float32, h float32) { HeunStep(out[0], in[0], in[1], in[2], h) },
		tol: func(_, i int, in [][]float32, h float32, _ float32) float64 {
			return stepTol(3, in[0][i], h, []float32{0.5, 0.5}, []float32{in[1][i], in[2][i]})
		},
	},
	{
		name: "RK4Step", inputs: 5, outputs: 1,
		run: func(out, in [][]float32, h float32) { RK4Step(out[0], in[0], in[1], in[2], in[3], in[4], h) },
		tol: func(_, i int, in [][]float32, h float32, _ float32) float64 {
			return stepTol(6, in[0][i], h, []float32{1. / 6, 1. / 3, 1. / 3, 1. / 6}, []float32{in[1][i], in[2][i], in[3][i], in[4][i]})
		},
	},
	{
		name: "EulerMaruyama", inputs: 3, outputs: 1,
		run: func(out, in [][]float32, h float32) { EulerMaruyama(out[0], in[0], in[1], in[2], h, 0.3) },
		tol: func(_, i int, in [][]float32, h float32, _ float32) float64 {
			return stepTol(4, in[0][i], 1, []float32{h, 0.3}, []float32{in[1][i], in[2][i]})
		},
	},
	{
		name: "Combine", inputs: 4, outputs: 1,
		run: func(out, in [][]float32, h float32) { Combine(out[0], in[0], h, combineC, in[1:]) },
		tol: func(_, i int, in [][]float32, h float32, _ float32) float64 {
			return stepTol(len(combineC)+2, in[0][i], h, combineC, []float32{in[1][i], in[2][i], in[3][i]})
		},
	},
	{
		name: "DormandPrince5", inputs: 8, outputs: 2,
		run: func(out, in [][]float32, h float32) {
			DormandPrince5(out[0], out[1], in[0], (*[7][]float32)(in[1:]), h)
		},
		tol: func(o, i int, in [][]float32, h float32, _ float32) float64 {
			k := make([]float32, 7)
			for j := range k {
				k[j] = in[1+j][i]
			}
			if o == 0 {
				return stepTol(9, in[0][i], h, dp5B[:], k)
			}
			return stepTol(9, 0, h, dp5E[:], k)
		},
	},
}

// combineC is the tableau row the Combine tests use (RK4's third stage
// input has one weight; this one has three, one of them negative).
var combineC = []float32{0.25, -1.5, 0.75}

// checkStream runs kernel k under the selected implementation and under
// generic on the same inputs, with outputs surrounded by guards and placed
// off elements past the start of their allocation, and reports any element
// further from generic than k.tol allows or any write outside the outputs.
func checkStream(t *testing.T, k streamKernel, in [][]float32, off int, h float32) {
	t.Helper()
	n := len(in[0])
	want := make([][]float32, k.outputs)
	for o := range want {
		want[o] = make([]float32, n)
	}
	withImpl(Generic, func() { k.run(want, in, h) })
	got := make([][]float32, k.outputs)
	whole := make([][]float32, k.outputs)
	for o := range got {
		got[o], whole[o] = guarded(n, off)
	}
	k.run(got, in, h)
	for o := range got {
		checkGuard(t, fmt.Sprintf("%s output %d", k.name, o), got[o], whole[o], off)
		for i := range got[o] {
			g, w := got[o][i], want[o][i]
			if sameFloat(g, w) {
				continue
			}
			if d := math.Abs(float64(g) - float64(w)); !(d <= k.tol(o, i, in, h, w)) {
				t.Fatalf("%s n=%d off=%d: output %d element %d = %v, generic %v (inputs %v)",
					k.name, n, off, o, i, g, w, column(in, i))
			}
		}
	}
}

func column(in [][]float32, i int) []float32 {
	var c []float32
	for _, s := range in {
		c = append(c, s[i])
	}
	return c
}

// sweepLengths are the lengths every element-wise kernel is run at: all
// of 0..70 (several vectors and every tail), and sizes around the chunk
// boundary where the Go loop splits the work between assembly calls.
func sweepLengths() []int {
	var ls []int
	for n := 0; n <= 70; n++ {
		ls = append(ls, n)
	}
	return append(ls, 255, 1000, chunk-1, chunk, chunk+1, 2*chunk+17)
}

func TestStreamKernels(t *testing.T) {
	for _, k := range streamKernels {
		t.Run(k.name, func(t *testing.T) {
			forEachImpl(t, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(5, 6))
				for _, n := range sweepLengths() {
					offsets := 16
					if n > 70 {
						offsets = 2
					}
					for off := range offsets {
						in := make([][]float32, k.inputs)
						for j := range in {
							// Inputs start off elements into their allocation too.
							in[j] = randSlice(rng, n+off)[off:]
							for i := range in[j] {
								in[j][i] *= 8
							}
						}
						checkStream(t, k, in, off, float32(rng.Float64()*2-0.5))
					}
				}
			})
		})
	}
}

// TestStreamKernelsSpecial runs every kernel on special values: ±0, ±Inf,
// NaN, the largest and smallest normals, subnormals and the SiLU range
// ends, so that every implementation agrees with generic on them too.
func TestStreamKernelsSpecial(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	special := []float32{0, float32(math.Copysign(0, -1)), inf, -inf, nan, math.MaxFloat32, -math.MaxFloat32,
		0x1p-126, -0x1p-126, 0x1p-140, -0x1p-149, expMin, expMin - 0.01, -88.8, -103, -200, 88.8, 1e-7, -1e-7}
	for _, k := range streamKernels {
		t.Run(k.name, func(t *testing.T) {
			forEachImpl(t, func(t *testing.T) {
				for j := 0; j < k.inputs; j++ {
					// special values in input j, ones elsewhere
					in := make([][]float32, k.inputs)
					for q := range in {
						in[q] = make([]float32, len(special))
						for i := range in[q] {
							in[q][i] = 1
						}
					}
					copy(in[j], special)
					checkStream(t, k, in, 1, 0.5)
				}
			})
		})
	}
}

// fuzzStream is the body of the per-kernel fuzz targets: the fuzzer's bytes
// become the inputs (bounded, see fuzzFloats), h a step in [-8, 8).
func fuzzStream(t *testing.T, k streamKernel, data []byte, off uint8, h int8) {
	n := len(data) / (2 * k.inputs)
	vals := fuzzFloats(data, n*k.inputs)
	in := make([][]float32, k.inputs)
	for j := range in {
		in[j] = vals[j*n : (j+1)*n]
	}
	prev := Selected()
	defer Select(prev)
	for _, name := range Implementations() {
		Select(name)
		checkStream(t, k, in, int(off%16), float32(h)/16)
	}
}

func streamKernelNamed(name string) streamKernel {
	for _, k := range streamKernels {
		if k.name == name {
			return k
		}
	}
	panic("no stream kernel " + name)
}

// addStreamSeeds gives a fuzz target seeds of several lengths, including
// empty input and one chunk plus a tail of 16-element vectors.
func addStreamSeeds(f *testing.F, k streamKernel) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 15, 17, 100} {
		data := make([]byte, 2*n*k.inputs)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		f.Add(data, uint8(n), int8(n-50))
	}
}

func fuzzStreamTarget(f *testing.F, name string) {
	k := streamKernelNamed(name)
	addStreamSeeds(f, k)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, h int8) { fuzzStream(t, k, data, off, h) })
}

func FuzzSiLU(f *testing.F)           { fuzzStreamTarget(f, "SiLU") }
func FuzzSiLUGrad(f *testing.F)       { fuzzStreamTarget(f, "SiLUGrad") }
func FuzzEulerStep(f *testing.F)      { fuzzStreamTarget(f, "EulerStep") }
func FuzzHeunStep(f *testing.F)       { fuzzStreamTarget(f, "HeunStep") }
func FuzzRK4Step(f *testing.F)        { fuzzStreamTarget(f, "RK4Step") }
func FuzzEulerMaruyama(f *testing.F)  { fuzzStreamTarget(f, "EulerMaruyama") }
func FuzzCombine(f *testing.F)        { fuzzStreamTarget(f, "Combine") }
func FuzzDormandPrince5(f *testing.F) { fuzzStreamTarget(f, "DormandPrince5") }

// FuzzAddBiasSiLU checks every implementation of the fused bias and SiLU
// pass against AddBias then SiLU (bits) and against generic (tolerance) on
// fuzzed shapes, entries and offsets.
func FuzzAddBiasSiLU(f *testing.F) {
	f.Add([]byte("bias, then SiLU, in one pass over the rows"), uint8(5), uint8(3))
	f.Add(make([]byte, 600), uint8(16), uint8(0))
	f.Add(make([]byte, 900), uint8(36), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, n, off uint8) { fuzzAddBiasSiLU(t, data, n, off) })
}
