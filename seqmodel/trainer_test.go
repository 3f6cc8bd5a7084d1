package seqmodel

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// regressionBatch fills a batch of a smooth 2-D target, y = (sin x₁ + t,
// x₀·x₁) with x ~ N(0, I), t ~ U[0, 1]. Its variance per output,
// averaged, is targetVariance: the loss of the best constant prediction.
func regressionBatch(x, t, y []float32, rng *rand.Rand) {
	for i := range t {
		x0, x1, ti := rng.NormFloat64(), rng.NormFloat64(), rng.Float64()
		x[2*i], x[2*i+1], t[i] = float32(x0), float32(x1), float32(ti)
		y[2*i], y[2*i+1] = float32(math.Sin(x1)+ti), float32(x0*x1)
	}
}

// targetVariance = (Var(sin x₁) + Var(t) + Var(x₀x₁))/2 with
// Var(sin x₁) = (1 − e⁻²)/2 for x₁ ~ N(0, 1).
var targetVariance = ((1-math.Exp(-2))/2 + 1.0/12 + 1) / 2

func TestTrainerLossFalls(t *testing.T) {
	net, err := NewBackbone(Config{Backbone: "mlp", Dim: 2, Width: 64, Depth: 2, Activation: SiLU, TimeDim: 16}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	const steps = 1000
	tr, err := NewTrainer(net, 128, DefaultOptim(steps))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	x, tt, y := make([]float32, 256), make([]float32, 128), make([]float32, 256)
	var first, last float64
	for step := range steps {
		regressionBatch(x, tt, y, rng)
		loss, err := tr.Step(x, tt, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case step < 20:
			first += loss / 20
		case step >= steps-20:
			last += loss / 20
		}
	}
	// A network that learned nothing stays near targetVariance; require it
	// to explain 90% of the variance.
	if !(last < targetVariance/10) {
		t.Fatalf("mean loss of the first 20 steps %.4f, of the last 20 %.4f: want below %.4f (a tenth of the target's variance)",
			first, last, targetVariance/10)
	}
	// Predict (no gradients, EMA weights) agrees with what the graph learned.
	ema, _ := NewBackbone(net.Config(), rand.New(rand.NewPCG(0, 0)))
	if err := ema.Params().CopyFrom(tr.SampleParams()); err != nil {
		t.Fatal(err)
	}
	pred := make([]float32, len(y))
	regressionBatch(x, tt, y, rng)
	if err := ema.Predict(pred, x, tt, nil); err != nil {
		t.Fatal(err)
	}
	var mse float64
	for i := range y {
		mse += float64((pred[i]-y[i])*(pred[i]-y[i])) / float64(len(y))
	}
	if !(mse < targetVariance/10) {
		t.Fatalf("EMA network's error on fresh points %.4f, want below %.4f", mse, targetVariance/10)
	}
}

// TestTrainerHeapStable checks that steps do not accumulate memory: ops reuse
// their output buffers and the TapeMachine's Reset frees its registers.
func TestTrainerHeapStable(t *testing.T) {
	tr := trainedTrainer(t, 1)
	rng := rand.New(rand.NewPCG(3, 3))
	x, tt, y := make([]float32, 32), make([]float32, 16), make([]float32, 32)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	steps := func(n int) {
		for range n {
			regressionBatch(x, tt, y, rng)
			if _, err := tr.Step(x, tt, y, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps(100)
	before := heap()
	steps(2000)
	after := heap()
	// 64 KiB of slack for runtime bookkeeping: any leak of more than 32
	// bytes per step exceeds it over 2000 steps.
	if after > before+64<<10 {
		t.Fatalf("heap grew from %d to %d bytes over 2000 steps", before, after)
	}
}

func TestTrainerNonFiniteKeepsState(t *testing.T) {
	tr := trainedTrainer(t, 3)
	before := tr.Net.Params().Clone()
	beforeEMA := tr.EMA.Clone()
	step := tr.Opt.Step
	x, tt, y := make([]float32, 32), make([]float32, 16), make([]float32, 32)
	y[3] = float32(math.Inf(1))
	_, err := tr.Step(x, tt, y, nil)
	if !errors.Is(err, ErrNonFinite) {
		t.Fatalf("error %v, want ErrNonFinite", err)
	}
	if tr.Opt.Step != step {
		t.Errorf("step advanced from %d to %d", step, tr.Opt.Step)
	}
	for i, p := range tr.Net.Params().All() {
		if !slices.Equal(p.Data, before.All()[i].Data) || !slices.Equal(tr.EMA.All()[i].Data, beforeEMA.All()[i].Data) {
			t.Fatalf("%s changed after a rejected step", p.Name)
		}
	}
	// The next good step works (gradients were cleared).
	if _, err := tr.Step(x, tt, make([]float32, 32), nil); err != nil {
		t.Fatal(err)
	}
}

func TestLearningRateSchedule(t *testing.T) {
	c := OptimConfig{LR: 1, Warmup: 10, Steps: 110, MinLR: 0.1}
	cases := []struct {
		step int
		want float64
	}{
		{0, 0.1}, {9, 1}, {10, 1}, {60, 0.55}, {110, 0.1}, {200, 0.1},
	}
	for _, tc := range cases {
		if got := c.LearningRate(tc.step); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("LearningRate(%d) = %v, want %v", tc.step, got, tc.want)
		}
	}
}

// TestAdamWFirstStep checks one update against the closed form: with zero
// moments, Adam's first bias-corrected step is lr·g/(|g| + ε), so every
// weight moves by ±lr (minus decay).
func TestAdamWFirstStep(t *testing.T) {
	ps := NewParams()
	p := ps.Add("w", []int{3}, 1, 1, Zeros, nil)
	copy(p.Data, []float32{1, -2, 0.5})
	cfg := OptimConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.5, Steps: 10}
	opt, err := NewAdamW(ps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	g := []float32{3, -0.25, 0}
	opt.Update(ps, [][]float32{g}, GradNorm([][]float32{g}))
	want := []float64{1*(1-0.1*0.5) - 0.1, -2*(1-0.1*0.5) + 0.1, 0.5 * (1 - 0.1*0.5)}
	for i, w := range want {
		if math.Abs(float64(p.Data[i])-w) > 1e-6 {
			t.Errorf("w[%d] = %v, want %v", i, p.Data[i], w)
		}
	}
	// Clipping scales the gradient, which Adam's normalisation undoes on
	// the first step, but the second moment then holds the clipped values.
	opt2, _ := NewAdamW(ps, OptimConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Clip: 1, Steps: 10})
	opt2.Update(ps, [][]float32{g}, GradNorm([][]float32{g}))
	norm := GradNorm([][]float32{g})
	if got, want := float64(opt2.V.All()[0].Data[0]), 0.001*math.Pow(3/norm, 2); math.Abs(got-want) > 1e-7 {
		t.Errorf("second moment after clipping %v, want %v", got, want)
	}
}

func TestNewBackboneRejects(t *testing.T) {
	good := Config{Backbone: "mlp", Dim: 2, Width: 8, Depth: 1, Activation: SiLU, TimeDim: 4}
	cases := []func(*Config){
		func(c *Config) { c.Backbone = "nope" },
		func(c *Config) { c.Activation = "swish" },
		func(c *Config) { c.Dim = 0 },
		func(c *Config) { c.Width = maxDim + 1 },
		func(c *Config) { c.Depth = -1 },
	}
	for i, mutate := range cases {
		c := good
		mutate(&c)
		if _, err := NewBackbone(c, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("case %d: %+v accepted", i, c)
		}
	}
}

// TestOptimConfigRejects checks that Validate refuses every setting that
// cannot work, NaN and infinities included (a run's configuration is
// written as JSON, which has neither), and accepts the defaults.
func TestOptimConfigRejects(t *testing.T) {
	good := DefaultOptim(100)
	if err := good.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	nan, inf := math.NaN(), math.Inf(1)
	cases := map[string]func(*OptimConfig){
		"lr 0":             func(c *OptimConfig) { c.LR = 0 },
		"lr NaN":           func(c *OptimConfig) { c.LR = nan },
		"lr Inf":           func(c *OptimConfig) { c.LR = inf },
		"beta1 1":          func(c *OptimConfig) { c.Beta1 = 1 },
		"beta2 NaN":        func(c *OptimConfig) { c.Beta2 = nan },
		"eps Inf":          func(c *OptimConfig) { c.Eps = inf },
		"weight decay NaN": func(c *OptimConfig) { c.WeightDecay = nan },
		"clip -1":          func(c *OptimConfig) { c.Clip = -1 },
		"clip NaN":         func(c *OptimConfig) { c.Clip = nan },
		"clip Inf":         func(c *OptimConfig) { c.Clip = inf },
		"min lr Inf":       func(c *OptimConfig) { c.MinLR = inf },
		"steps 0":          func(c *OptimConfig) { c.Steps = 0 },
		"ema 1":            func(c *OptimConfig) { c.EMADecay = 1 },
		"ema NaN":          func(c *OptimConfig) { c.EMADecay = nan },
	}
	for name, mutate := range cases {
		c := good
		mutate(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// ExampleNewTrainer trains the point MLP to regress a fixed target and
// samples it without gradients.
func ExampleNewTrainer() {
	cfg := Config{Backbone: "mlp", Dim: 2, Width: 32, Depth: 2, Activation: SiLU, TimeDim: 8}
	net, err := NewBackbone(cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	tr, err := NewTrainer(net, 64, DefaultOptim(300))
	if err != nil {
		panic(err)
	}
	x, t, y := make([]float32, 128), make([]float32, 64), make([]float32, 128)
	for i := range y {
		y[i] = 0.5 // every output should become 0.5
	}
	var loss float64
	for range 300 {
		if loss, err = tr.Step(x, t, y, nil); err != nil {
			panic(err)
		}
	}
	out := make([]float32, 2)
	net.Predict(out, []float32{0, 0}, []float32{0}, nil)
	fmt.Printf("loss < 1e-4: %t, prediction ≈ %.2f %.2f\n", loss < 1e-4, out[0], out[1])
	// Output: loss < 1e-4: true, prediction ≈ 0.50 0.50
}
