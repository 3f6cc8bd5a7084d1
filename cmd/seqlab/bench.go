package main

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/seqlab/seqlab/asm"
	"github.com/seqlab/seqlab/diffusion"
	"github.com/seqlab/seqlab/diffusion/dataset"
	"github.com/seqlab/seqlab/seqmodel"
	"github.com/urfave/cli/v2"
)

// benchWorkload is one named workload of `seqlab bench`. The names and the
// printed lines match bench/torch_peer.py, so the two can be run side by
// side and compared line by line.
type benchWorkload struct {
	name  string // as in DESIGN.md's table and the peer script: GEMM, W1, ...
	about string
	// warm and reps are the peer's untimed and timed repetitions (its
	// timeit arguments); --reps overrides reps.
	warm, reps int
	digits     int // decimals of the figure, as the peer prints it
	// run measures the workload and returns the label and figure of its
	// line, e.g. "sgemm-1024", 312.4, "GFLOP/s".
	run func(cfg benchConfig, warm int) (label string, value float64, unit string, err error)
}

// benchConfig is what the flags say about every workload.
type benchConfig struct {
	size  int // matrix size of GEMM
	reps  int // timed repetitions after the warm-up (0: the workload's own)
	batch int // W1's batch
	width int // hidden width of the W1/W5 network
	depth int // hidden layers of the W1/W5 network
	n     int // W5's number of samples
	nfe   int // W5's Euler steps
}

// benchTimeDim is the size of the time embedding of the W1/W5 network.
const benchTimeDim = 64

// benchWorkloads is the table `seqlab bench` runs from, in order. W2..W4 of
// DESIGN.md join it as entries when the packages they measure land.
var benchWorkloads = []benchWorkload{
	{name: "GEMM", about: "C = A·B in float32, size×size×size (asm.Sgemm)", warm: 3, reps: 20, digits: 1, run: benchGEMM},
	{name: "W1", about: "flow-matching training step of the point MLP on checkerboard, Adam", warm: 3, reps: 50, digits: 1, run: benchW1},
	{name: "W5", about: "Euler sampling of the W1 network, no gradients", warm: 1, reps: 3, digits: 0, run: benchW5},
}

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:      "bench",
		Usage:     "measure the reference workloads; prints the lines bench/torch_peer.py prints",
		ArgsUsage: "[WORKLOAD ...]  (default: all of " + strings.Join(benchNames(), ", ") + ")",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "size", Value: 1024, Usage: "matrix size of GEMM", EnvVars: env("size")},
			&cli.IntFlag{Name: "threads", Usage: "threads for the kernels (GOMAXPROCS); 0 keeps the current", EnvVars: env("threads")},
			&cli.IntFlag{Name: "reps", Usage: "timed repetitions after the untimed ones; 0 takes the peer's count (GEMM 20, W1 50, W5 3)", EnvVars: env("reps")},
			&cli.IntFlag{Name: "batch", Value: 1024, Usage: "batch size of W1", EnvVars: env("batch")},
			&cli.IntFlag{Name: "width", Value: 256, Usage: "hidden width of the W1/W5 network", EnvVars: env("width")},
			&cli.IntFlag{Name: "depth", Value: 4, Usage: "hidden layers of the W1/W5 network", EnvVars: env("depth")},
			&cli.IntFlag{Name: "n", Value: 10000, Usage: "samples W5 draws", EnvVars: env("n")},
			&cli.IntFlag{Name: "nfe", Value: 100, Usage: "Euler steps of W5", EnvVars: env("nfe")},
			&cli.StringFlag{Name: "asm", Usage: "kernel implementation (see seqlab cpuinfo); empty keeps the selected one", EnvVars: env("asm")},
			precisionFlag,
		},
		Action: func(c *cli.Context) error {
			cfg := benchConfig{size: c.Int("size"), reps: c.Int("reps"), batch: c.Int("batch"),
				width: c.Int("width"), depth: c.Int("depth"), n: c.Int("n"), nfe: c.Int("nfe")}
			if cfg.size < 1 || cfg.reps < 0 || cfg.batch < 1 || cfg.width < 1 || cfg.depth < 0 || cfg.n < 1 || cfg.nfe < 1 {
				return fmt.Errorf("bench: --size %d, --batch %d, --width %d, --n %d and --nfe %d must be positive, --reps %d and --depth %d not negative",
					cfg.size, cfg.batch, cfg.width, cfg.n, cfg.nfe, cfg.reps, cfg.depth)
			}
			threads := c.Int("threads")
			if threads < 0 {
				return fmt.Errorf("bench: --threads must not be negative (got %d)", threads)
			}
			if threads > 0 {
				runtime.GOMAXPROCS(threads)
			}
			if name := c.String("asm"); name != "" {
				if err := asm.Select(name); err != nil {
					return fmt.Errorf("bench: --asm: %w", err)
				}
			}
			if err := setPrecision(c.String("precision")); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			workloads, err := selectWorkloads(c.Args().Slice())
			if err != nil {
				return err
			}
			matmul := asm.MatmulPrecision()
			if unit, err := asm.BF16Unit(); err == nil && matmul == asm.BF16 {
				matmul += " on " + unit
			}
			fmt.Fprintf(c.App.ErrWriter, "# asm %s, matmul %s, GOMAXPROCS %d\n", asm.Selected(), matmul, runtime.GOMAXPROCS(0))
			for _, w := range workloads {
				wc := cfg
				if wc.reps == 0 {
					wc.reps = w.reps
				}
				label, value, unit, err := w.run(wc, w.warm)
				if err != nil {
					return fmt.Errorf("bench %s: %w", w.name, err)
				}
				fmt.Fprintf(c.App.Writer, "%s %s %.*f %s\n", w.name, label, w.digits, value, unit)
			}
			return nil
		},
	}
}

func benchNames() []string {
	var names []string
	for _, w := range benchWorkloads {
		names = append(names, w.name)
	}
	return names
}

// selectWorkloads returns the workloads named (case-insensitively), or all
// of them when names is empty.
func selectWorkloads(names []string) ([]benchWorkload, error) {
	if len(names) == 0 {
		return benchWorkloads, nil
	}
	var out []benchWorkload
	for _, name := range names {
		if strings.HasPrefix(name, "-") {
			return nil, fmt.Errorf("bench: flag %s after the workloads; flags go first, as in seqlab bench --threads 1 GEMM", name)
		}
		found := false
		for _, w := range benchWorkloads {
			if strings.EqualFold(w.name, name) {
				out = append(out, w)
				found = true
			}
		}
		if !found {
			var valid []string
			for _, w := range benchWorkloads {
				valid = append(valid, w.name+" ("+w.about+")")
			}
			return nil, fmt.Errorf("bench: unknown workload %q; valid: %s", name, strings.Join(valid, "; "))
		}
	}
	return out, nil
}

// timeReps runs f warm times untimed and then reps times, and returns the
// mean time of the timed runs, as the peer script's timeit does. The first
// error f returns stops the timing and is returned.
func timeReps(warm, reps int, f func() error) (time.Duration, error) {
	for range warm {
		if err := f(); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	for range reps {
		if err := f(); err != nil {
			return 0, err
		}
	}
	return time.Since(start) / time.Duration(reps), nil
}

// benchGEMM times C = A·B for size×size float32 matrices with entries from
// a standard normal, like the peer's torch.randn operands.
func benchGEMM(cfg benchConfig, warm int) (string, float64, string, error) {
	n := cfg.size
	if err := checkMemory(fmt.Sprintf("--size %d", n), 12*float64(n)*float64(n)); err != nil {
		return "", 0, "", err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	t, _ := timeReps(warm, cfg.reps, func() error {
		asm.Sgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
		return nil
	})
	return fmt.Sprintf("sgemm-%d", n), 2 * float64(n) * float64(n) * float64(n) / t.Seconds() / 1e9, "GFLOP/s", nil
}

// benchNet builds the network of W1 and W5 (bench/torch_peer.py's MLP): the
// "mlp" backbone on [x, 64-d time embedding] for 2-D points, depth hidden
// layers of width units with SiLU, seeded as `seqlab train --seed 1` is.
func benchNet(cfg benchConfig) (seqmodel.Backbone, error) {
	return seqmodel.NewBackbone(benchNetConfig(cfg), rand.New(newStreams(1).init))
}

// benchNetConfig is the configuration of benchNet's network.
func benchNetConfig(cfg benchConfig) seqmodel.Config {
	return seqmodel.Config{
		Backbone: "mlp", Dim: 2, Width: cfg.width, Depth: cfg.depth,
		Activation: seqmodel.SiLU, TimeDim: benchTimeDim,
	}
}

// benchW1 times one rectified-flow training step as `seqlab train` takes it
// (FlowMatching.Draw, then Trainer.Step), with the peer's settings.
func benchW1(cfg benchConfig, warm int) (string, float64, string, error) {
	step, err := newW1(cfg)
	if err != nil {
		return "", 0, "", err
	}
	dt, err := timeReps(warm, cfg.reps, func() error {
		_, err := step()
		return err
	})
	if err != nil {
		return "", 0, "", err
	}
	return "toy-fm-train", 1 / dt.Seconds(), "steps/s", nil
}

// newW1 returns W1's training step, which returns the batch's loss. As in
// the peer, the optimizer is plain Adam at lr 1e-3 (β = (0.9, 0.999),
// ε = 1e-8, no weight decay, clipping, schedule or EMA) and the clean batch
// x0 (checkerboard points) is drawn once; every step draws fresh times and
// noise.
func newW1(cfg benchConfig) (step func() (float64, error), err error) {
	need := trainMemory(benchNetConfig(cfg), cfg.batch)
	if err := checkMemory(fmt.Sprintf("training with --batch %d, --width %d and --depth %d", cfg.batch, cfg.width, cfg.depth), need); err != nil {
		return nil, err
	}
	net, err := benchNet(cfg)
	if err != nil {
		return nil, err
	}
	adam := seqmodel.OptimConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Steps: 1, MinLR: 1e-3}
	tr, err := seqmodel.NewTrainer(net, cfg.batch, adam)
	if err != nil {
		return nil, err
	}
	toy, err := dataset.New("checkerboard")
	if err != nil {
		return nil, err
	}
	rs := newStreams(1)
	n, d := cfg.batch, net.Dim()
	x0, xt, target, t := make([]float32, n*d), make([]float32, n*d), make([]float32, n*d), make([]float32, n)
	toy.Sample(x0, rand.New(rs.data))
	noise := rand.New(rs.noise)
	var obj diffusion.FlowMatching
	step = func() (float64, error) {
		obj.Draw(xt, t, target, x0, noise)
		return tr.Step(xt, t, target, nil)
	}
	return step, nil
}

// benchW5 times drawing cfg.n samples with the Euler sampler of `seqlab
// sample` through the W1 network, as the peer's W5 does.
func benchW5(cfg benchConfig, warm int) (string, float64, string, error) {
	run, _, _, err := newW5(cfg)
	if err != nil {
		return "", 0, "", err
	}
	dt, err := timeReps(warm, cfg.reps, func() error {
		_, err := run()
		return err
	})
	if err != nil {
		return "", 0, "", err
	}
	return "sample", float64(cfg.n) / dt.Seconds(), "samples/s", nil
}

// newW5 returns W5's sampling run, which draws cfg.n samples into the
// returned slice: the Euler sampler (cfg.nfe uniform steps from t = 1 to 0)
// on the flow-matching model of the W1 network (also returned) at its
// initial weights, without gradients.
func newW5(cfg benchConfig) (run func() (diffusion.Stats, error), x []float32, net seqmodel.Backbone, err error) {
	need := sampleMemory(2, cfg.n) + trainMemory(benchNetConfig(cfg), 0)
	if err := checkMemory(fmt.Sprintf("sampling -n %d with --width %d and --depth %d", cfg.n, cfg.width, cfg.depth), need); err != nil {
		return nil, nil, nil, err
	}
	if net, err = benchNet(cfg); err != nil {
		return nil, nil, nil, err
	}
	opts := diffusion.DefaultOptions()
	opts.Steps, opts.Spacing = cfg.nfe, "uniform"
	smp, err := diffusion.NewSampler("euler", opts)
	if err != nil {
		return nil, nil, nil, err
	}
	model := diffusion.ModelOf(diffusion.FlowMatching{}, net)
	x = make([]float32, cfg.n*net.Dim())
	rng := rand.New(newStreams(1).sample)
	return func() (diffusion.Stats, error) { return smp.Sample(x, model, cfg.n, nil, rng) }, x, net, nil
}
