package diffusion_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/seqlab/seqlab/diffusion"
)

// TestSamplersReachMixture drives every sampler with the exact mixture model
// and compares n samples with n fresh data points by the energy distance and
// the sliced 2-Wasserstein distance (diffusion/metrics): each must lie
// within the two-sample noise of the same n, mean + 6 standard deviations
// over 20 independent data-vs-data draws. (The energy distance's null law
// is a weighted sum of χ²₁ variables, right-skewed: in the worst case of one
// dominant weight, mean + 4 sd is its 99th percentile and mean + 6 sd its
// 99.8th, so with 36 checks 4 sd would fail by chance about once in three
// runs.)
func TestSamplersReachMixture(t *testing.T) {
	n, reps := 2000, 20
	if testing.Short() {
		n = 800
	}
	const noiseSDs = 6
	g := mixture(t)
	rng := rand.New(rand.NewPCG(7, 8))
	edNoise, swNoise := twoSampleNoise(g, n, reps, rng)
	edLimit, swLimit := edNoise.limit(noiseSDs), swNoise.limit(noiseSDs)
	t.Logf("two-sample noise at n=%d: energy distance %.2e ± %.2e, sliced W2 %.2e ± %.2e", n, edNoise.mean, edNoise.sd, swNoise.mean, swNoise.sd)

	condot := g.Model(schedule(t, "condot"), diffusion.PredVelocity)
	linear := g.Model(schedule(t, "linear"), diffusion.PredEps)
	vp := g.Model(schedule(t, "vp"), diffusion.PredEps)
	ve := g.Model(schedule(t, "ve"), diffusion.PredScore)
	subvp := g.Model(schedule(t, "subvp"), diffusion.PredX0)
	cosineV := g.Model(schedule(t, "cosine"), diffusion.PredV)
	gamma := func(m diffusion.Model, steps int, spacing string) *diffusion.GammaTable {
		s := &diffusion.DDIMSampler{Steps: steps, Spacing: spacing}
		ts, err := s.Times(m.Schedule)
		if err != nil {
			t.Fatal(err)
		}
		x0 := make([]float32, 4000*2)
		g.Sample(x0, rng)
		tab, _, err := diffusion.EstimateGamma(m, ts, x0, 0, rng)
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	snHead := &diffusion.MixtureNet{G: g, S: linear.Schedule, P: diffusion.PredEps, Head: "sn"}
	nprHead := &diffusion.MixtureNet{G: g, S: linear.Schedule, P: diffusion.PredEps, Head: "npr"}
	for _, tc := range []struct {
		sampler string
		m       diffusion.Model
		edit    func(*diffusion.Options)
	}{
		{"euler", condot, func(o *diffusion.Options) { o.Steps = 100 }},
		{"heun", condot, func(o *diffusion.Options) { o.Steps = 20 }},
		{"midpoint", cosineV, func(o *diffusion.Options) { o.Steps = 50 }},
		{"rk4", linear, func(o *diffusion.Options) { o.Steps = 20 }},
		{"rk45", vp, nil},
		{"rk45", ve, nil},
		{"ddpm", linear, func(o *diffusion.Options) { o.Steps = 200 }},
		{"ddpm", linear, func(o *diffusion.Options) { o.Steps = 200; o.Variance = "large" }},
		{"ddim", linear, func(o *diffusion.Options) { o.Steps = 50 }},
		{"ddim", condot, func(o *diffusion.Options) { o.Steps = 50; o.Eta = 0.5 }},
		{"analytic-ddpm", linear, func(o *diffusion.Options) {
			o.Steps = 50
			o.Gamma = gamma(linear, 50, o.Spacing)
		}},
		{"analytic-ddim", vp, func(o *diffusion.Options) {
			o.Steps = 50
			o.Gamma = gamma(vp, 50, o.Spacing)
		}},
		{"sn-ddpm", linear, func(o *diffusion.Options) { o.Steps = 50; o.Cov = snHead }},
		{"npr-ddim", linear, func(o *diffusion.Options) { o.Steps = 50; o.Eta = 1; o.Cov = nprHead }},
		{"em", vp, func(o *diffusion.Options) { o.Steps = 500 }},
		{"em", subvp, func(o *diffusion.Options) { o.Steps = 500 }},
		{"pc", ve, func(o *diffusion.Options) { o.Steps = 300 }},
		{"pc", vp, func(o *diffusion.Options) { o.Steps = 200 }},
	} {
		name := tc.sampler + "/" + tc.m.Schedule.Name() + "/" + string(tc.m.Pred)
		t.Run(name, func(t *testing.T) {
			o := diffusion.DefaultOptions()
			if tc.edit != nil {
				tc.edit(&o)
			}
			s, err := diffusion.NewSampler(tc.sampler, o)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, n*2)
			st, err := s.Sample(x, tc.m, n, nil, rng)
			if err != nil {
				t.Fatal(err)
			}
			ref := make([]float32, n*2)
			g.Sample(ref, rng)
			e, w := energyDistance(x, ref, 2), slicedW(x, ref, 2, rng)
			t.Logf("energy distance %.2e (limit %.2e), sliced W2 %.2e (limit %.2e), NFE %d, steps %d, rejected %d", e, edLimit, w, swLimit, st.NFE, st.Steps, st.Rejected)
			if !(e <= edLimit) || !(w <= swLimit) {
				t.Errorf("energy distance %.3e, sliced W2 %.3e to fresh data: above the two-sample limits %.3e, %.3e", e, w, edLimit, swLimit)
			}
		})
	}
	// Negative controls: the same check must reject visibly under-resolved
	// samplers (DDPM with 5 steps, Euler with 3).
	for _, bad := range []struct {
		sampler string
		m       diffusion.Model
		steps   int
	}{
		{"ddpm", linear, 5},
		{"euler", condot, 3},
	} {
		o := diffusion.DefaultOptions()
		o.Steps = bad.steps
		s, err := diffusion.NewSampler(bad.sampler, o)
		if err != nil {
			t.Fatal(err)
		}
		x, ref := make([]float32, n*2), make([]float32, n*2)
		if _, err := s.Sample(x, bad.m, n, nil, rng); err != nil {
			t.Fatal(err)
		}
		g.Sample(ref, rng)
		if e := energyDistance(x, ref, 2); e <= edLimit {
			t.Errorf("negative control %s on %s: energy distance %.2e within the limit %.2e", bad.sampler, bad.m.Schedule.Name(), e, edLimit)
		}
	}
}

// TestSamplerNFE checks the evaluation counts each sampler family reports.
func TestSamplerNFE(t *testing.T) {
	g := mixture(t)
	rng := rand.New(rand.NewPCG(1, 1))
	condot := g.Model(schedule(t, "condot"), diffusion.PredVelocity)
	vp := g.Model(schedule(t, "vp"), diffusion.PredEps)
	const k = 10
	for _, tc := range []struct {
		sampler string
		m       diffusion.Model
		want    int
	}{
		{"euler", condot, k},
		{"heun", condot, 2 * k},
		{"midpoint", vp, 2*k + 1}, // + the final denoising at TMin
		{"rk4", condot, 4 * k},
		{"ddim", vp, k},
		{"ddpm", condot, k},
		{"em", vp, k + 1},
		{"pc", vp, 2*k + 1},
	} {
		o := diffusion.DefaultOptions()
		o.Steps = k
		s, err := diffusion.NewSampler(tc.sampler, o)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 3*2)
		st, err := s.Sample(x, tc.m, 3, nil, rng)
		if err != nil {
			t.Fatal(err)
		}
		if st.NFE != tc.want {
			t.Errorf("%s on %s: NFE %d, want %d", tc.sampler, tc.m.Schedule.Name(), st.NFE, tc.want)
		}
	}
}

// TestUnknownNamesListValid checks that every registry rejects an unknown
// name with a message naming the valid ones.
func TestUnknownNamesListValid(t *testing.T) {
	o := diffusion.DefaultOptions()
	_, errS := diffusion.NewSampler("dpm-solver", o)
	_, errSch := diffusion.NewSchedule("karras")
	_, errO := diffusion.NewObjective("consistency", "")
	_, errOS := diffusion.NewObjective("ddpm", "vp")
	_, errP := diffusion.ParsePrediction("noise")
	o.Spacing = "leading"
	_, errSp := diffusion.NewSampler("ddim", o)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errS, "euler, heun, midpoint, rk4, rk45, ddpm, ddim"},
		{errSch, "condot, cosine, linear"},
		{errO, "ddpm, flow, score"},
		{errOS, "cosine, linear, scaled-linear, sigmoid"},
		{errP, "eps, score, v, velocity, x0"},
		{errSp, "quadratic, trailing, uniform"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("error %v does not list %q", tc.err, tc.want)
		}
	}
	// Options a sampler needs must be present.
	o = diffusion.DefaultOptions()
	for _, name := range []string{"analytic-ddpm", "sn-ddim", "npr-ddpm"} {
		if _, err := diffusion.NewSampler(name, o); err == nil {
			t.Errorf("%s without its table or head: no error", name)
		}
	}
}

// TestEmptyBatch checks that every sampler and the likelihood accept n = 0.
func TestEmptyBatch(t *testing.T) {
	g := mixture(t)
	m := g.Model(schedule(t, "vp"), diffusion.PredEps)
	o := diffusion.DefaultOptions()
	o.Gamma = &diffusion.GammaTable{T: []float64{1}, Gamma: []float64{1}}
	o.Cov = &diffusion.MixtureNet{G: g, S: m.Schedule, P: diffusion.PredEps, Head: "sn"}
	for _, name := range diffusion.SamplerNames() {
		s, err := diffusion.NewSampler(name, o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sample(nil, m, 0, nil, rand.New(rand.NewPCG(1, 1))); err != nil {
			t.Errorf("%s with n = 0: %v", name, err)
		}
	}
	if _, err := diffusion.DefaultLikelihood().LogDensity(nil, nil, m, nil, nil, rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Errorf("likelihood with n = 0: %v", err)
	}
}

// TestBadInputErrors checks that misuse facing data returns errors naming
// the problem: a wrong dst size, a model without a network, a failing
// network (wrapped with the time of the failure).
func TestBadInputErrors(t *testing.T) {
	g := mixture(t)
	m := g.Model(schedule(t, "condot"), diffusion.PredVelocity)
	s, _ := diffusion.NewSampler("heun", diffusion.DefaultOptions())
	rng := rand.New(rand.NewPCG(1, 1))
	failing := diffusion.Model{Schedule: m.Schedule, Pred: m.Pred, Net: diffusion.NetworkFunc{D: 2, F: func(_, _, _ []float32, _ []int32) error {
		return fmt.Errorf("out of memory")
	}}}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := s.Sample(make([]float32, 5), m, 3, nil, rng); return err }(), "dst holds 5 values, want 3 samples × 2"},
		{func() error { _, err := s.Sample(nil, diffusion.Model{}, 0, nil, rng); return err }(), "no network"},
		{func() error { _, err := s.Sample(make([]float32, 2), failing, 1, nil, rng); return err }(), "network at t=1: out of memory"},
		{func() error { _, err := s.Sample(make([]float32, 4), m, 2, []int32{1}, rng); return err }(), "1 condition labels for 2 samples"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", tc.err, tc.want)
		}
	}
}
