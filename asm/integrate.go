package asm

// EulerStep computes the explicit Euler update:
//
//	for i := range dst {
//		dst[i] = x[i] + h*v[i]
//	}
//
// dst may alias x.
func EulerStep(dst, x, v []float32, h float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(v))
	eulerStep(dst, x, v, h)
}

// HeunStep computes Heun's (explicit trapezoid) update from the two stage
// slopes:
//
//	for i := range dst {
//		dst[i] = x[i] + h/2*(k1[i]+k2[i])
//	}
//
// dst may alias x.
func HeunStep(dst, x, k1, k2 []float32, h float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(k1))
	checkLen(len(dst), len(k2))
	heunStep(dst, x, k1, k2, h)
}

// RK4Step computes the classical Runge–Kutta update from its four stage
// slopes:
//
//	for i := range dst {
//		dst[i] = x[i] + h/6*(k1[i]+2*k2[i]+2*k3[i]+k4[i])
//	}
//
// dst may alias x.
func RK4Step(dst, x, k1, k2, k3, k4 []float32, h float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(k1))
	checkLen(len(dst), len(k2))
	checkLen(len(dst), len(k3))
	checkLen(len(dst), len(k4))
	rk4Step(dst, x, k1, k2, k3, k4, h)
}

// Combine computes a Runge–Kutta stage input or update with any tableau row:
//
//	for i := range dst {
//		var s float32
//		for j, kj := range k {
//			s += c[j] * kj[i]
//		}
//		dst[i] = x[i] + h*s
//	}
//
// len(c) must equal len(k). dst may alias x but no k[j].
func Combine(dst, x []float32, h float32, c []float32, k [][]float32) {
	checkLen(len(dst), len(x))
	checkLen(len(c), len(k))
	for _, kj := range k {
		checkLen(len(dst), len(kj))
	}
	combine(dst, x, h, c, k)
}

// DormandPrince5 combines the seven stage slopes of the Dormand–Prince 5(4)
// pair (Dormand & Prince 1980; the last stage is FSAL, evaluated at the new
// point) into the fifth-order solution and the embedded error estimate:
//
//	for i := range dst {
//		var s, e float32
//		for j, kj := range k {
//			s += dp5B[j] * kj[i]
//			e += dp5E[j] * kj[i]
//		}
//		dst[i] = x[i] + h*s
//		errEst[i] = h * e
//	}
//
// where dp5B are the fifth-order weights b and dp5E the differences b − b̂
// with the fourth-order weights b̂. dst may alias x; neither output may alias
// a k[j].
func DormandPrince5(dst, errEst, x []float32, k *[7][]float32, h float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(errEst))
	for _, kj := range k {
		checkLen(len(dst), len(kj))
	}
	dormandPrince5(dst, errEst, x, k, h)
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
// Gaussian noise:
//
//	for i := range dst {
//		dst[i] = x[i] + h*drift[i] + s*noise[i]
//	}
//
// where the caller passes s = g(t)·√|h| for diffusion coefficient g. dst may
// alias x.
func EulerMaruyama(dst, x, drift, noise []float32, h, s float32) {
	checkLen(len(dst), len(x))
	checkLen(len(dst), len(drift))
	checkLen(len(dst), len(noise))
	eulerMaruyama(dst, x, drift, noise, h, s)
}
