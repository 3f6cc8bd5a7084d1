package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/seqlab/seqlab/asm"
)

// SDESampler integrates the reverse-time SDE of the model's schedule,
//
//	dx = [f(t)·x − g(t)²·∇log p_t(x)] dt + g(t) dW̄,
//
// with f = d log α/dt and g² = dσ²/dt − 2fσ² (Coef.Drift, Coef.Diffusion2),
// by Euler–Maruyama from the prior N(0, σ_T²) at T = 1 (T = 1 − 1e-3 on
// condot, whose drift is singular at 1) down to the schedule's TMin over
// Steps steps spaced by Spacing, and outputs the model's x̂0 at TMin when
// TMin > 0 (score_sde's noise removal). With Corrector > 0 it is the
// predictor–corrector sampler of Song et al. (2021, Algorithm 2 with the
// Langevin corrector, as score_sde's LangevinCorrector): before each
// predictor step at time t, Corrector Langevin steps
//
//	x ← x + ε·s(x, t) + √(2ε)·z,   ε = 2·a_t·(SNR·‖z‖/‖s(x, t)‖)²,
//
// with a_t = exp(2f(t)·|h|) (score_sde's α_i = 1 − β_i on VP, 1 on VE) and,
// as in score_sde, ‖z‖ and ‖s‖ the means over the batch of the per-sample
// norms. (Per-sample norms make the step explode in low dimension where
// ‖s‖ → 0 near a mode; the batch mean means a sample depends on its
// batch-mates, so draw batches of the same size to reproduce a run.)
type SDESampler struct {
	Steps     int
	Spacing   string
	SNR       float64
	Corrector int
}

// Name implements Sampler.
func (s *SDESampler) Name() string {
	if s.Corrector > 0 {
		return "pc"
	}
	return "em"
}

// Sample implements Sampler.
func (s *SDESampler) Sample(dst []float32, m Model, n int, cond []int32, rng *rand.Rand) (Stats, error) {
	if err := checkSample(dst, m, n); err != nil {
		return Stats{}, err
	}
	T := sdeStart(m.Schedule)
	grid, err := TimeGrid(m.Schedule, s.Spacing, s.Steps, T)
	if err != nil {
		return Stats{}, err
	}
	e, err := newEvaluator(m, n, cond)
	if err != nil {
		return Stats{}, err
	}
	x := dst
	drawPrior(x, m.Schedule.At(T).Sigma, rng)
	d := m.Net.Dim()
	score := make([]float32, len(x))
	drift := make([]float32, len(x))
	z := make([]float32, len(x))
	var st Stats
	for j := 0; j+1 < len(grid); j++ {
		t, h := grid[j], grid[j+1]-grid[j]
		for range s.Corrector {
			k, err := e.eval(PredScore, score, x, t)
			if err != nil {
				return st, err
			}
			a := math.Exp(2 * k.Drift() * math.Abs(h))
			for i := range z {
				z[i] = float32(rng.NormFloat64())
			}
			// score_sde: the mean over the batch of the per-sample norms.
			var gn, zn float64
			for r := range n {
				var g2, z2 float64
				for i := r * d; i < (r+1)*d; i++ {
					g2 += sq(float64(score[i]))
					z2 += sq(float64(z[i]))
				}
				gn += math.Sqrt(g2)
				zn += math.Sqrt(z2)
			}
			eps := 0.0
			if gn > 0 {
				eps = 2 * a * sq(s.SNR*zn/gn)
			}
			asm.EulerMaruyama(x, x, score, z, float32(eps), float32(math.Sqrt(2*eps)))
		}
		k, err := e.eval(PredScore, score, x, t)
		if err != nil {
			return st, err
		}
		f, g2 := k.Drift(), k.Diffusion2()
		for i := range drift {
			drift[i] = float32(f*float64(x[i]) - g2*float64(score[i]))
			z[i] = float32(rng.NormFloat64())
		}
		asm.EulerMaruyama(x, x, drift, z, float32(h), float32(math.Sqrt(g2*math.Abs(h))))
		st.Steps++
	}
	if tmin := grid[len(grid)-1]; tmin > 0 {
		if _, err := e.eval(PredX0, x, x, tmin); err != nil {
			return st, err
		}
	}
	st.NFE = e.nfe
	if !finite(x) {
		return st, fmt.Errorf("diffusion: %s produced a non-finite value", s.Name())
	}
	return st, nil
}
