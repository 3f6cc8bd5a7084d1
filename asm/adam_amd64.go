//go:build amd64 && gc && !purego && !noasm

package asm

func adamStep(p, m, v, g []float32, k *adamConsts) {
	f := adamStepGeneric
	if active != implGeneric {
		// AVX-512 included: see adam_amd64.s.
		f = adamStepAVX2
	}
	for len(p) > chunk {
		f(p[:chunk], m[:chunk], v[:chunk], g[:chunk], k)
		p, m, v, g = p[chunk:], m[chunk:], v[chunk:], g[chunk:]
	}
	f(p, m, v, g, k)
}

//go:noescape
func adamStepAVX2(p, m, v, g []float32, k *adamConsts)
