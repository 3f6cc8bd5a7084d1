//go:build amd64 && gc && !purego && !noasm

package asm

func eulerStep(dst, x, v []float32, h float32) {
	f := eulerStepGeneric
	switch active {
	case implAVX512:
		f = eulerStepAVX512
	case implAVX2:
		f = eulerStepAVX2
	}
	for len(dst) > chunk {
		f(dst[:chunk], x[:chunk], v[:chunk], h)
		dst, x, v = dst[chunk:], x[chunk:], v[chunk:]
	}
	f(dst, x, v, h)
}

func heunStep(dst, x, k1, k2 []float32, h float32) {
	if active == implGeneric {
		heunStepGeneric(dst, x, k1, k2, h)
		return
	}
	f := heunStepAVX2
	if active == implAVX512 {
		f = heunStepAVX512
	}
	for len(dst) > chunk {
		f(dst[:chunk], x[:chunk], k1[:chunk], k2[:chunk], h/2)
		dst, x, k1, k2 = dst[chunk:], x[chunk:], k1[chunk:], k2[chunk:]
	}
	f(dst, x, k1, k2, h/2)
}

func rk4Step(dst, x, k1, k2, k3, k4 []float32, h float32) {
	if active == implGeneric {
		rk4StepGeneric(dst, x, k1, k2, k3, k4, h)
		return
	}
	f := rk4StepAVX2
	if active == implAVX512 {
		f = rk4StepAVX512
	}
	for len(dst) > chunk {
		f(dst[:chunk], x[:chunk], k1[:chunk], k2[:chunk], k3[:chunk], k4[:chunk], h/6)
		dst, x, k1, k2, k3, k4 = dst[chunk:], x[chunk:], k1[chunk:], k2[chunk:], k3[chunk:], k4[chunk:]
	}
	f(dst, x, k1, k2, k3, k4, h/6)
}

func combine(dst, x []float32, h float32, c []float32, k [][]float32) {
	if active == implGeneric {
		combineGeneric(dst, x, h, c, k)
		return
	}
	f := combineAVX2
	if active == implAVX512 {
		f = combineAVX512
	}
	for off := 0; off < len(dst); off += chunk {
		end := min(off+chunk, len(dst))
		f(dst[off:end], x[off:end], h, c, k, off)
	}
}

func dormandPrince5(dst, errEst, x []float32, k *[7][]float32, h float32) {
	if active == implGeneric {
		dormandPrince5Generic(dst, errEst, x, k, h)
		return
	}
	f := dormandPrince5AVX2
	if active == implAVX512 {
		f = dormandPrince5AVX512
	}
	for off := 0; off < len(dst); off += chunk {
		end := min(off+chunk, len(dst))
		f(dst[off:end], errEst[off:end], x[off:end], k, h, off)
	}
}

func eulerMaruyama(dst, x, drift, noise []float32, h, s float32) {
	f := eulerMaruyamaGeneric
	switch active {
	case implAVX512:
		f = eulerMaruyamaAVX512
	case implAVX2:
		f = eulerMaruyamaAVX2
	}
	for len(dst) > chunk {
		f(dst[:chunk], x[:chunk], drift[:chunk], noise[:chunk], h, s)
		dst, x, drift, noise = dst[chunk:], x[chunk:], drift[chunk:], noise[chunk:]
	}
	f(dst, x, drift, noise, h, s)
}

// The assembly kernels compute the reference loops with fused multiply-adds.
// heunStep's take hh = h/2 and rk4Step's h6 = h/6, evaluated as the
// reference does; combine's and dormandPrince5's process elements
// [off, off+len(dst)) of every k[j].

//go:noescape
func eulerStepAVX512(dst, x, v []float32, h float32)

//go:noescape
func heunStepAVX512(dst, x, k1, k2 []float32, hh float32)

//go:noescape
func rk4StepAVX512(dst, x, k1, k2, k3, k4 []float32, h6 float32)

//go:noescape
func combineAVX512(dst, x []float32, h float32, c []float32, k [][]float32, off int)

//go:noescape
func dormandPrince5AVX512(dst, errEst, x []float32, k *[7][]float32, h float32, off int)

//go:noescape
func eulerMaruyamaAVX512(dst, x, drift, noise []float32, h, s float32)

//go:noescape
func eulerStepAVX2(dst, x, v []float32, h float32)

//go:noescape
func heunStepAVX2(dst, x, k1, k2 []float32, hh float32)

//go:noescape
func rk4StepAVX2(dst, x, k1, k2, k3, k4 []float32, h6 float32)

//go:noescape
func combineAVX2(dst, x []float32, h float32, c []float32, k [][]float32, off int)

//go:noescape
func dormandPrince5AVX2(dst, errEst, x []float32, k *[7][]float32, h float32, off int)

//go:noescape
func eulerMaruyamaAVX2(dst, x, drift, noise []float32, h, s float32)
