package diffusion_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/seqlab/seqlab/diffusion"
)

// A sampler by name, driven by an exact model: a Gaussian in 2-D along the
// flow-matching path, whose velocity field is known in closed form.
func ExampleNewSampler() {
	g, _ := diffusion.NewGaussianMixture([]float64{1}, [][]float64{{3, -1}}, [][]float64{{0.25, 0, 0, 0.25}})
	m := g.Model(diffusion.CondOT{}, diffusion.PredVelocity)
	o := diffusion.DefaultOptions()
	o.Steps = 10
	s, err := diffusion.NewSampler("heun", o)
	if err != nil {
		fmt.Println(err)
		return
	}
	const n = 1000
	x := make([]float32, n*2)
	st, err := s.Sample(x, m, n, nil, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	var mx, my float64
	for i := 0; i < n; i++ {
		mx += float64(x[2*i]) / n
		my += float64(x[2*i+1]) / n
	}
	fmt.Printf("%s: NFE %d, sample mean (%.1f, %.1f)\n", s.Name(), st.NFE, mx, my)
	_, err = diffusion.NewSampler("dpm-solver", o)
	fmt.Println(err)
	// Output:
	// heun: NFE 20, sample mean (3.0, -1.0)
	// diffusion: unknown sampler "dpm-solver" (valid: euler, heun, midpoint, rk4, rk45, ddpm, ddim, analytic-ddpm, analytic-ddim, sn-ddpm, sn-ddim, npr-ddpm, npr-ddim, em, pc, ode-euler)
}

// An objective by name knows its path and what its network predicts, so a
// checkpoint needs only the two names to rebuild the model.
func ExampleNewObjective() {
	for _, spec := range [][2]string{{"flow", ""}, {"ddpm", "cosine"}, {"score", "ve"}} {
		o, err := diffusion.NewObjective(spec[0], spec[1])
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: schedule %s, predicts %s\n", o.Name(), o.Schedule().Name(), o.Prediction())
	}
	// Output:
	// flow: schedule condot, predicts velocity
	// ddpm: schedule cosine, predicts eps
	// score: schedule ve, predicts eps
}

// Any parameterisation converts exactly to any other on any schedule: here
// a noise prediction on the VP SDE becomes the x0 prediction and the
// probability-flow velocity.
func ExampleConvert() {
	k := diffusion.VP{BetaMin: 0.1, BetaMax: 20}.At(0.5)
	x := []float32{0.5}
	eps := []float32{0.8}
	x0, v := make([]float32, 1), make([]float32, 1)
	diffusion.Convert(x0, diffusion.PredX0, eps, diffusion.PredEps, x, k)
	diffusion.Convert(v, diffusion.PredVelocity, eps, diffusion.PredEps, x, k)
	fmt.Printf("α=%.4f σ=%.4f: x0 = %.4f, velocity = %.4f\n", k.Alpha, k.Sigma, x0[0], v[0])
	// Output:
	// α=0.2812 σ=0.9597: x0 = -0.9521, velocity = 1.6765
}

// The exact log-density of data through the probability-flow ODE of an
// exact model, and the same in bits per dimension.
func ExampleLikelihood_LogDensity() {
	g, _ := diffusion.NewGaussianMixture([]float64{1}, [][]float64{{0, 0}}, [][]float64{{1, 0, 0, 1}})
	m := g.Model(diffusion.CondOT{}, diffusion.PredVelocity)
	x := []float32{0, 0, 1, -1}
	logp := make([]float64, 2)
	st, err := diffusion.DefaultLikelihood().LogDensity(logp, nil, m, x, nil, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("log p = %.4f, %.4f (exact −1.8379, −2.8379); %.3f bits/dim; %d JVPs\n",
		logp[0], logp[1], diffusion.BitsPerDim(logp[0], 2, 0), st.JVP)
	// Output:
	// log p = -1.8379, -2.8379 (exact −1.8379, −2.8379); 1.326 bits/dim; 74 JVPs
}

// Analytic-DPM: estimate Γ_t = E‖ε̂‖²/d at the sampler's times from data,
// then sample with the optimal reverse variance. The exact mixture model
// also knows Γ_t exactly.
func ExampleEstimateGamma() {
	g, _ := diffusion.NewGaussianMixture([]float64{0.5, 0.5}, [][]float64{{-1}, {1}}, [][]float64{{0.1}, {0.1}})
	sch, _ := diffusion.NewSchedule("linear")
	m := g.Model(sch, diffusion.PredEps)
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]float32, 20000)
	g.Sample(data, rng)

	o := diffusion.DefaultOptions()
	o.Steps, o.Spacing = 10, "uniform"
	times, _ := diffusion.GammaTimes(sch, o)
	tab, _, err := diffusion.EstimateGamma(m, times, data, 0, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	i := len(tab.T) / 2
	fmt.Printf("t=%.3f: Γ ≈ %.2f (exact %.2f)\n", tab.T[i], tab.Gamma[i], g.Gamma(sch, tab.T[i], 40))

	o.Gamma = tab
	s, _ := diffusion.NewSampler("analytic-ddpm", o)
	x := make([]float32, 1000)
	st, err := s.Sample(x, m, 1000, nil, rng)
	fmt.Println(s.Name(), "NFE", st.NFE, err)
	// Output:
	// t=0.556: Γ ≈ 0.95 (exact 0.95)
	// analytic-ddpm NFE 10 <nil>
}
