package asm

import "math"

// adamStepGeneric is the reference loop of AdamW.Step.
func adamStepGeneric(p, m, v, g []float32, k *adamConsts) {
	m, v, g = m[:len(p)], v[:len(p)], g[:len(p)]
	for i := range p {
		m[i] = k.beta1*m[i] + k.oneMinusBeta1*g[i]
		v[i] = k.beta2*v[i] + k.oneMinusBeta2*g[i]*g[i]
		p[i] = p[i]*k.decay - k.step*m[i]/(float32(math.Sqrt(float64(v[i])))*k.rc2+k.eps)
	}
}
