package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

var testAdam = AdamW{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}

// adamTol bounds |got − want| for one AdamW step between two evaluations of
// the reference loop that differ only in fused multiply-adds. The moments
// carry two and three roundings (each evaluation within γ of the exact
// value, relative to the size of the terms). The update u = step·m/(√v·rc2+ε)
// carries about six more, and inherits the moments' differences: Δu is at
// most step·Δm/(√v·rc2+ε) + u·Δv/(2v). The parameter adds two roundings.
func adamTol(p, m, v, g float32, k adamConsts) (tp, tm, tv float64) {
	f := func(x float32) float64 { return float64(x) }
	tm = 2 * gamma(3) * (math.Abs(f(k.beta1)*f(m)) + math.Abs(f(k.oneMinusBeta1)*f(g)))
	tv = 2 * gamma(4) * (math.Abs(f(k.beta2)*f(v)) + f(k.oneMinusBeta2)*f(g)*f(g))
	mNew := f(k.beta1)*f(m) + f(k.oneMinusBeta1)*f(g)
	vNew := f(k.beta2)*f(v) + f(k.oneMinusBeta2)*f(g)*f(g)
	denom := math.Sqrt(vNew)*f(k.rc2) + f(k.eps)
	u := math.Abs(f(k.step) * mNew / denom)
	du := 2*gamma(6)*u + f(k.step)*tm/denom
	if vNew > 0 {
		du += u * tv / (2 * vNew)
	}
	tp = 2*gamma(2)*(math.Abs(f(p)*f(k.decay))+u) + du
	return tp, tm, tv
}

// adamCase runs one step under the selected implementation and generic on
// the same state, with guarded outputs, and compares them.
func adamCase(t *testing.T, p, m, v, g []float32, off int, c1, c2 float32) {
	t.Helper()
	n := len(p)
	wp, wm, wv := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
	withImpl(Generic, func() { testAdam.Step(wp, wm, wv, g, c1, c2) })
	gp, wholeP := guarded(n, off)
	gm, wholeM := guarded(n, off)
	gv, wholeV := guarded(n, off)
	copy(gp, p)
	copy(gm, m)
	copy(gv, v)
	testAdam.Step(gp, gm, gv, g, c1, c2)
	checkGuard(t, "AdamW p", gp, wholeP, off)
	checkGuard(t, "AdamW m", gm, wholeM, off)
	checkGuard(t, "AdamW v", gv, wholeV, off)
	k := testAdam.consts(c1, c2)
	for i := range gp {
		tp, tm, tv := adamTol(p[i], m[i], v[i], g[i], k)
		for _, c := range []struct {
			name      string
			got, want float32
			tol       float64
		}{{"p", gp[i], wp[i], tp}, {"m", gm[i], wm[i], tm}, {"v", gv[i], wv[i], tv}} {
			if !sameFloat(c.got, c.want) && !(math.Abs(float64(c.got)-float64(c.want)) <= c.tol) {
				t.Fatalf("AdamW n=%d off=%d: %s[%d] = %v, generic %v (p, m, v, g = %v, %v, %v, %v)",
					n, off, c.name, i, c.got, c.want, p[i], m[i], v[i], g[i])
			}
		}
	}
}

func TestAdamW(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(15, 16))
		for _, n := range sweepLengths() {
			offsets := 16
			if n > 70 {
				offsets = 2
			}
			for off := range offsets {
				p, m, g := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(rng.Float64())
					m[i] *= 0.1
				}
				adamCase(t, p, m, v, g, off, 0.19, 0.002)
			}
		}
	})
}

// TestAdamWFirstStep checks the closed form of the first step from zero
// moments: m̂ = g and v̂ = g², so p₁ = p₀·(1 − lr·λ) − lr·g/(|g| + ε).
func TestAdamWFirstStep(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		g := []float32{1, -2, 0.5, 1e-3, -7, 0, 3, 4, 1e-5, -0.25, 100, 6, 0.1, -0.1, 2, 9, -1}
		p := make([]float32, len(g))
		for i := range p {
			p[i] = float32(i) - 8
		}
		p0 := append([]float32(nil), p...)
		m, v := make([]float32, len(g)), make([]float32, len(g))
		o := testAdam
		o.Step(p, m, v, g, 1-o.Beta1, 1-o.Beta2)
		for i := range p {
			gi := float64(g[i])
			want := float64(p0[i])*(1-float64(o.LR)*float64(o.WeightDecay)) - float64(o.LR)*gi/(math.Abs(gi)+float64(o.Eps))
			if d := math.Abs(float64(p[i]) - want); !(d <= 16*eps32*(math.Abs(float64(p0[i]))+float64(o.LR))) {
				t.Errorf("g = %v: p₁ = %v, want %v", g[i], p[i], want)
			}
		}
	})
}

func TestAdamWPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("AdamW.Step with mismatched lengths did not panic")
		}
	}()
	testAdam.Step(make([]float32, 3), make([]float32, 3), make([]float32, 2), make([]float32, 3), 1, 1)
}

func FuzzAdamW(f *testing.F) {
	f.Add([]byte("adam step seeds: p m v g ......"), uint8(1), uint8(1))
	f.Add(make([]byte, 8*40), uint8(7), uint8(30))
	f.Fuzz(func(t *testing.T, data []byte, off, step uint8) {
		n := len(data) / 8
		vals := fuzzFloats(data, 4*n)
		p, m, v, g := vals[:n], vals[n:2*n], vals[2*n:3*n], vals[3*n:]
		for i := range v {
			v[i] = v[i] * v[i] // second moments are non-negative
		}
		t1 := float64(step%100) + 1
		c1 := float32(1 - math.Pow(float64(testAdam.Beta1), t1))
		c2 := float32(1 - math.Pow(float64(testAdam.Beta2), t1))
		forEachImpl(t, func(t *testing.T) { adamCase(t, p, m, v, g, int(off%16), c1, c2) })
	})
}
