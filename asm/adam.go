package asm

import "math"

// AdamW holds the hyper-parameters of the Adam update with decoupled weight
// decay (Kingma & Ba, "Adam", ICLR 2015; Loshchilov & Hutter, "Decoupled
// Weight Decay Regularization", ICLR 2019), as torch.optim.AdamW uses them.
// WeightDecay 0 gives plain Adam.
type AdamW struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
}

// Step applies one AdamW update to the parameters p with gradient g, updating
// the first and second moment estimates m and v in place. The caller passes
// the bias corrections of step t (counting from 1), c1 = 1 − β1ᵗ and
// c2 = 1 − β2ᵗ. With decay = 1 − LR·WeightDecay, step = LR/c1 and
// rc2 = 1/√c2 (computed once, in float64, rounded to float32):
//
//	for i := range p {
//		m[i] = β1*m[i] + (1−β1)*g[i]
//		v[i] = β2*v[i] + (1−β2)*g[i]*g[i]
//		p[i] = p[i]*decay − step*m[i]/(√v[i]*rc2 + ε)
//	}
//
// which is torch.optim.AdamW's update p ← p − lr·λ·p − lr·m̂/(√v̂ + ε) with
// m̂ = m/c1 and v̂ = v/c2, up to float32 rounding. All four slices must have
// the same length and must not overlap.
func (o AdamW) Step(p, m, v, g []float32, c1, c2 float32) {
	checkLen(len(p), len(m))
	checkLen(len(p), len(v))
	checkLen(len(p), len(g))
	k := o.consts(c1, c2)
	adamStep(p, m, v, g, &k)
}

func (o AdamW) consts(c1, c2 float32) adamConsts {
	return adamConsts{
		beta1: o.Beta1, oneMinusBeta1: 1 - o.Beta1,
		beta2: o.Beta2, oneMinusBeta2: 1 - o.Beta2,
		eps:   o.Eps,
		decay: float32(1 - float64(o.LR)*float64(o.WeightDecay)),
		step:  float32(float64(o.LR) / float64(c1)),
		rc2:   float32(1 / math.Sqrt(float64(c2))),
	}
}

// adamConsts are the scalars of one AdamW step as the kernels use them; the
// assembly reads them by offset, so the order is fixed.
type adamConsts struct {
	beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, decay, step, rc2 float32
}
