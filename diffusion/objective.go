package diffusion

import "math/rand/v2"

// Objective turns a batch of clean data into a regression problem for the
// network: the input x_t, the times t and the target the network output is
// trained towards with the mean squared error.
type Objective interface {
	// Name is the objective's name as the command line spells it.
	Name() string
	// Draw fills xt and target (n·d values) and t (n values) for the clean
	// batch x0 (n·d values), drawing times and noise from rng.
	Draw(xt, t, target, x0 []float32, rng *rand.Rand)
}

// FlowMatching is the rectified-flow / conditional-OT objective:
// x_t = (1−t)·x0 + t·x1 with x1 ~ N(0, I) and t ~ U[0, 1), target x1 − x0.
// A network trained on it predicts the velocity dx/dt of the path.
type FlowMatching struct{}

// Name implements Objective.
func (FlowMatching) Name() string { return "flow" }

// Draw implements Objective.
func (FlowMatching) Draw(xt, t, target, x0 []float32, rng *rand.Rand) {
	n := len(t)
	if n == 0 {
		return
	}
	d := len(x0) / n
	if len(x0) != n*d || len(xt) != len(x0) || len(target) != len(x0) {
		panic("diffusion: FlowMatching.Draw: buffer sizes disagree")
	}
	for i := range n {
		ti := float32(rng.Float64())
		t[i] = ti
		for j := i * d; j < (i+1)*d; j++ {
			x1 := float32(rng.NormFloat64())
			xt[j] = (1-ti)*x0[j] + ti*x1
			target[j] = x1 - x0[j]
		}
	}
}
