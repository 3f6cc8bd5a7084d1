package asm_test

import (
	"fmt"
	"math"

	"github.com/seqlab/seqlab/asm"
)

// A linear layer's forward pass in PyTorch's layout: y = x·Wᵀ + b for a
// batch of two inputs with three features and two outputs.
func ExampleSgemm() {
	x := []float32{ // 2×3
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{ // 2×3, one row per output
		1, 0, -1,
		0.5, 0.5, 0.5,
	}
	b := []float32{10, 20}
	y := make([]float32, 2*2)
	asm.Sgemm(false, true, 2, 2, 3, 1, x, 3, w, 3, 0, y, 2)
	asm.AddBias(y, b)
	fmt.Println(y)
	// Output: [8 23 8 27.5]
}

func ExampleSiLU() {
	x := []float32{-2, -1, 0, 1, 2}
	y := make([]float32, len(x))
	asm.SiLU(y, x)
	fmt.Printf("%.5f\n", y)
	// Output: [-0.23841 -0.26894 0.00000 0.73106 1.76159]
}

// The first layer of a network on 2-D points: two points through three
// SiLU units, with the layer's weights given transposed (one row per input).
func ExampleLinearSiLU() {
	x := []float32{ // 2 points × 2 coordinates
		1, 0,
		0.5, -1,
	}
	wt := []float32{ // Wᵀ: 2 inputs × 3 units
		1, 0, 2,
		0, 1, 1,
	}
	b := []float32{0, 1, -1}
	h := make([]float32, 2*3)
	asm.LinearSiLU(h, x, wt, b)
	fmt.Printf("%.5f\n", h)
	// Output: [0.73106 0.73106 0.73106 0.31123 0.00000 -0.26894]
}

// Integrating dx/dt = −x from t = 1 back to t = 0 (the direction samplers
// run in) with 100 Euler steps; the exact answer is x(1)·e.
func ExampleEulerStep() {
	x := []float32{1, -2}
	v := make([]float32, 2)
	const steps = 100
	for range steps {
		for i := range x {
			v[i] = -x[i]
		}
		asm.EulerStep(x, x, v, -1.0/steps) // dt = −1/steps
	}
	fmt.Printf("%.4f (exact %.4f)\n", x, []float64{math.E, -2 * math.E})
	// Output: [2.7048 -5.4096] (exact [2.7183 -5.4366])
}

// Three AdamW steps on a constant gradient: the bias-corrected moments are
// then g and g², so every step moves each parameter by lr against the sign
// of its gradient, after the decoupled decay p·(1 − lr·λ).
func ExampleAdamW_Step() {
	opt := asm.AdamW{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
	p := []float32{1, -1}
	g := []float32{0.5, -2}
	m, v := make([]float32, 2), make([]float32, 2)
	for t := 1; t <= 3; t++ {
		c1 := 1 - float32(math.Pow(float64(opt.Beta1), float64(t)))
		c2 := 1 - float32(math.Pow(float64(opt.Beta2), float64(t)))
		opt.Step(p, m, v, g, c1, c2)
	}
	fmt.Printf("%.4f %.4f\n", p[0], p[1])
	// Output: 0.6973 -0.6973
}

// SetMatmulPrecision switches Sgemm's large products to bfloat16 where the
// CPU has AVX512-BF16; it refuses unknown names, and fails with the reason
// on other CPUs, leaving float32 in place.
func ExampleSetMatmulPrecision() {
	fmt.Println(asm.SetMatmulPrecision("fp16"))
	if err := asm.SetMatmulPrecision(asm.BF16); err == nil {
		// Products with m, n, k ≥ 16 now round their operands to bfloat16.
		defer asm.SetMatmulPrecision(asm.FP32)
	}
	fmt.Println(asm.FP32, asm.BF16)
	// Output:
	// matmul precision "fp16" is unknown (valid: fp32, bf16)
	// fp32 bf16
}

// A layer applied to many small batches packs its weights once. Where
// PackBF16Weights declines (float32 precision, or a CPU without
// AVX512-BF16), the product belongs to Sgemm. The entries here are small
// integers, exact in bfloat16, so both print the same.
func ExampleMulBF16() {
	const out, in, rows = 32, 48, 3
	w, x := make([]float32, out*in), make([]float32, rows*in)
	for i := range w {
		w[i] = float32(i%5 - 2)
	}
	for i := range x {
		x[i] = float32(i % 7)
	}
	if err := asm.SetMatmulPrecision(asm.BF16); err == nil {
		defer asm.SetMatmulPrecision(asm.FP32)
	}
	var packed asm.BF16Weights
	y := make([]float32, rows*out)
	if asm.PackBF16Weights(&packed, w, out, in, in) {
		asm.MulBF16(y, x, &packed)
	} else {
		asm.Sgemm(false, true, rows, out, in, 1, x, in, w, in, 0, y, out)
	}
	fmt.Println(y[:4], y[out:out+4])
	// Output:
	// [-11 12 -5 -7] [-22 4 -5 1]
}
