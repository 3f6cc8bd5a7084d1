//go:build amd64 && gc && !purego && !noasm

package asm

func adamStep(p, m, v, g []float32, k *adamConsts) {
	f := adamStepGeneric
	switch active {
	case implAVX512:
		f = adamStepAVX512
	case implAVX2:
		f = adamStepAVX2
	}
	for len(p) > chunk {
		f(p[:chunk], m[:chunk], v[:chunk], g[:chunk], k)
		p, m, v, g = p[chunk:], m[chunk:], v[chunk:], g[chunk:]
	}
	f(p, m, v, g, k)
}

//go:noescape
func adamStepAVX512(p, m, v, g []float32, k *adamConsts)

//go:noescape
func adamStepAVX2(p, m, v, g []float32, k *adamConsts)
