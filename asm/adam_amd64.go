//go:build amd64 && gc && !purego && !noasm

package asm

// adamImpl is the implementation adamStep runs: its AVX2 kernel serves
// AVX-512 too (see adam_amd64.s).
func adamImpl() impl {
	if active != implGeneric {
		return implAVX2
	}
	return implGeneric
}

func adamStep(p, m, v, g []float32, k *adamConsts) {
	f := adamStepGeneric
	if adamImpl() == implAVX2 {
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
