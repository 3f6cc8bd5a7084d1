package asm

// The generic integrator kernels are the reference loops of the exported
// functions' doc comments.

func eulerStepGeneric(dst, x, v []float32, h float32) {
	x, v = x[:len(dst)], v[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + h*v[i]
	}
}

func heunStepGeneric(dst, x, k1, k2 []float32, h float32) {
	x, k1, k2 = x[:len(dst)], k1[:len(dst)], k2[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + h/2*(k1[i]+k2[i])
	}
}

func rk4StepGeneric(dst, x, k1, k2, k3, k4 []float32, h float32) {
	x, k1, k2, k3, k4 = x[:len(dst)], k1[:len(dst)], k2[:len(dst)], k3[:len(dst)], k4[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + h/6*(k1[i]+2*k2[i]+2*k3[i]+k4[i])
	}
}

func combineGeneric(dst, x []float32, h float32, c []float32, k [][]float32) {
	for i := range dst {
		var s float32
		for j, kj := range k {
			s += c[j] * kj[i]
		}
		dst[i] = x[i] + h*s
	}
}

func dormandPrince5Generic(dst, errEst, x []float32, k *[7][]float32, h float32) {
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

func eulerMaruyamaGeneric(dst, x, drift, noise []float32, h, s float32) {
	x, drift, noise = x[:len(dst)], drift[:len(dst)], noise[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + h*drift[i] + s*noise[i]
	}
}
