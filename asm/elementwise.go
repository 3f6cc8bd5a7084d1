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

// HeunStep computes Heun's (explicit trapezoid) update from the two stage
// slopes: dst[i] = x[i] + h/2·(k1[i] + k2[i]). dst may alias x.
func HeunStep(dst, x, k1, k2 []float32, h float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(k1))
	checkLen(len(dst), len(k2))
	for i := range dst {
		dst[i] = x[i] + h/2*(k1[i]+k2[i])
	}
}

// RK4Step computes the classical Runge–Kutta update from its four stage
// slopes: dst[i] = x[i] + h/6·(k1[i] + 2·k2[i] + 2·k3[i] + k4[i]).
// dst may alias x.
func RK4Step(dst, x, k1, k2, k3, k4 []float32, h float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(k1))
	checkLen(len(dst), len(k2))
	checkLen(len(dst), len(k3))
	checkLen(len(dst), len(k4))
	for i := range dst {
		dst[i] = x[i] + h/6*(k1[i]+2*k2[i]+2*k3[i]+k4[i])
	}
}

// Combine computes a Runge–Kutta stage input or update with any tableau row:
// dst[i] = x[i] + h·Σ_j c[j]·k[j][i]. len(c) must equal len(k). dst may alias x
// but no k[j].
func Combine(dst, x []float32, h float32, c []float32, k [][]float32) {
	checkLen(len(dst), len(x))
	checkLen(len(c), len(k))
	for _, kj := range k {
		checkLen(len(dst), len(kj))
	}
	for i := range dst {
		var s float32
		for j, kj := range k {
			s += c[j] * kj[i]
		}
		dst[i] = x[i] + h*s
	}
}

// DormandPrince5 combines the seven stage slopes of the Dormand–Prince 5(4)
// pair (the last stage is FSAL, evaluated at the new point): the fifth-order
// solution dst[i] = x[i] + h·Σ_j b[j]·k[j][i], and the embedded error estimate
// errEst[i] = h·Σ_j (b[j] − b̂[j])·k[j][i], with b and b̂ the fifth- and
// fourth-order weights of Dormand & Prince (1980). dst may alias x.
func DormandPrince5(dst, errEst, x []float32, k *[7][]float32, h float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(errEst))
	for _, kj := range k {
		checkLen(len(dst), len(kj))
	}
	for i := range dst {
		var s, e float32
		for j, kj := range k {
			s += dp5B[j] * kj[i]
			e += dp5E[j] * kj[i]
		}
		dst[i] = x[i] + h*s
		errEst[i] = h * e
	}
}

// Dormand–Prince 5(4) weights: dp5B are the fifth-order weights b, dp5E the
// differences b − b̂ with the fourth-order weights b̂.
var (
	dp5B = [7]float32{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0}
	dp5E = [7]float32{
		35.0/384 - 5179.0/57600, 0, 500.0/1113 - 7571.0/16695, 125.0/192 - 393.0/640,
		-2187.0/6784 + 92097.0/339200, 11.0/84 - 187.0/2100, -1.0 / 40,
	}
)

// EulerMaruyama computes one Euler–Maruyama step with supplied standard
// Gaussian noise: dst[i] = x[i] + h·drift[i] + s·noise[i], where the caller
// passes s = g(t)·√|h| for diffusion coefficient g. dst may alias x.
func EulerMaruyama(dst, x, drift, noise []float32, h, s float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(drift))
	checkLen(len(dst), len(noise))
	for i := range dst {
		dst[i] = x[i] + h*drift[i] + s*noise[i]
	}
}

func checkLen(a, b int) {
	if a != b {
		panic("asm: slice length mismatch")
	}
}
