//go:build !amd64 || !gc || purego || noasm

package asm

func eulerStep(dst, x, v []float32, h float32) { eulerStepGeneric(dst, x, v, h) }

func heunStep(dst, x, k1, k2 []float32, h float32) { heunStepGeneric(dst, x, k1, k2, h) }

func rk4Step(dst, x, k1, k2, k3, k4 []float32, h float32) {
	rk4StepGeneric(dst, x, k1, k2, k3, k4, h)
}

func combine(dst, x []float32, h float32, c []float32, k [][]float32) {
	combineGeneric(dst, x, h, c, k)
}

func dormandPrince5(dst, errEst, x []float32, k *[7][]float32, h float32) {
	dormandPrince5Generic(dst, errEst, x, k, h)
}

func eulerMaruyama(dst, x, drift, noise []float32, h, s float32) {
	eulerMaruyamaGeneric(dst, x, drift, noise, h, s)
}
