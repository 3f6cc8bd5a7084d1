package asm

import "math"

// SiLU computes dst[i] = x[i]·σ(x[i]) with σ the logistic function.
// dst may alias x.
func SiLU(dst, x []float32) {
	checkLen(len(dst), len(x))
	for i, v := range x {
		dst[i] = v / (1 + float32(math.Exp(float64(-v))))
	}
}

// SiLUGrad computes the SiLU backward pass
// dst[i] = dy[i]·σ(x[i])·(1 + x[i]·(1 − σ(x[i]))). dst may alias dy.
func SiLUGrad(dst, x, dy []float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(dy))
	for i, v := range x {
		s := 1 / (1 + float32(math.Exp(float64(-v))))
		dst[i] = dy[i] * s * (1 + v*(1-s))
	}
}

// AddBias adds bias to every row of the row-major matrix dst, whose row
// length is len(bias): dst[r*len(bias)+j] += bias[j].
func AddBias(dst, bias []float32) {
	n := len(bias)
	if n == 0 {
		checkLen(len(dst), 0)
		return
	}
	if len(dst)%n != 0 {
		panic("asm: AddBias: len(dst) is not a multiple of len(bias)")
	}
	for r := 0; r < len(dst); r += n {
		row := dst[r : r+n]
		for j, b := range bias {
			row[j] += b
		}
	}
}

// EulerStep computes the explicit Euler update dst[i] = x[i] + h·v[i].
// dst may alias x.
func EulerStep(dst, x, v []float32, h float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(v))
	for i := range dst {
		dst[i] = x[i] + h*v[i]
	}
}

func checkLen(a, b int) {
	if a != b {
		panic("asm: slice length mismatch")
	}
}
