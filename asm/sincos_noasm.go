//go:build !amd64 || !gc || purego || noasm

package asm

func sinCos(s, c, a []float64) { sinCosGeneric(s, c, a) }

func sinusoids(dst []float32, ld int, t []float32, freq []float64) {
	sinusoidsGeneric(dst, ld, len(freq), t, freq)
}
