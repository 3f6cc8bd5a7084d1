package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/seqlab/seqlab/diffusion"
	"github.com/seqlab/seqlab/diffusion/metrics"
	"github.com/urfave/cli/v2"
)

// sampleSettings selects and configures a sampler.
type sampleSettings struct {
	name string
	opts diffusion.Options
	n    int // number of samples
}

// sampleFlags are the sampler flags shared by train (for its final
// evaluation), sample and eval.
func sampleFlags() []cli.Flag {
	def := diffusion.DefaultOptions()
	return []cli.Flag{
		&cli.StringFlag{Name: "sampler", Value: "heun", Usage: "sampler: " + joinNames(diffusion.SamplerNames()), EnvVars: env("sampler")},
		&cli.IntFlag{Name: "nfe", Value: 100, Usage: "network evaluations to spend (fixed-step samplers take nfe/stages steps)", EnvVars: env("nfe")},
		&cli.IntFlag{Name: "n", Value: 10000, Usage: "number of samples", EnvVars: env("n")},
		&cli.StringFlag{Name: "spacing", Value: def.Spacing, Usage: "time grid: uniform, quadratic or trailing", EnvVars: env("spacing")},
		&cli.Float64Flag{Name: "eta", Value: def.Eta, Usage: "DDIM η (0: deterministic)", EnvVars: env("eta")},
		&cli.StringFlag{Name: "variance", Value: def.Variance, Usage: "ddpm reverse variance: small (β̃) or large (β)", EnvVars: env("variance")},
		&cli.Float64Flag{Name: "snr", Value: def.SNR, Usage: "Langevin corrector signal-to-noise ratio (pc)", EnvVars: env("snr")},
		&cli.IntFlag{Name: "corrector", Value: def.Corrector, Usage: "Langevin corrector steps per step (pc)", EnvVars: env("corrector")},
		&cli.Float64Flag{Name: "rtol", Value: def.RTol, Usage: "relative tolerance (rk45)", EnvVars: env("rtol")},
		&cli.Float64Flag{Name: "atol", Value: def.ATol, Usage: "absolute tolerance (rk45)", EnvVars: env("atol")},
	}
}

// stages is the number of network evaluations per step of each sampler.
func stages(name string, corrector int) int {
	switch name {
	case "heun", "midpoint":
		return 2
	case "rk4":
		return 4
	case "pc":
		return 1 + corrector
	}
	return 1
}

// sampleSettingsFrom reads the sampler flags and checks the sampler name.
func sampleSettingsFrom(c *cli.Context) (sampleSettings, error) {
	s := sampleSettings{name: c.String("sampler"), n: c.Int("n"), opts: diffusion.DefaultOptions()}
	o := &s.opts
	o.Spacing, o.Eta, o.Variance = c.String("spacing"), c.Float64("eta"), c.String("variance")
	o.SNR, o.Corrector, o.RTol, o.ATol = c.Float64("snr"), c.Int("corrector"), c.Float64("rtol"), c.Float64("atol")
	if s.n <= 0 {
		return s, fmt.Errorf("--n %d must be positive", s.n)
	}
	return s, s.withNFE(c.Int("nfe"))
}

// withNFE sets the step count from an evaluation budget and validates the
// sampler configuration.
func (s *sampleSettings) withNFE(nfe int) error {
	if nfe <= 0 {
		return fmt.Errorf("--nfe %d must be positive", nfe)
	}
	s.opts.Steps = max(1, nfe/stages(s.name, s.opts.Corrector))
	_, err := diffusion.NewSampler(s.name, s.opts)
	return err
}

// draw samples s.n points from the run's model.
func (s sampleSettings) draw(r *loadedRun, rng *rand.Rand) ([]float32, diffusion.Stats, error) {
	smp, err := diffusion.NewSampler(s.name, s.opts)
	if err != nil {
		return nil, diffusion.Stats{}, err
	}
	x := make([]float32, s.n*r.model.Net.Dim())
	st, err := smp.Sample(x, r.model, s.n, nil, rng)
	return x, st, err
}

func sampleCommand() *cli.Command {
	return &cli.Command{
		Name:  "sample",
		Usage: "draw samples from a checkpoint: writes .npy and a PNG scatter beside the data",
		Flags: append(sampleFlags(),
			&cli.StringFlag{Name: "ckpt", Required: true, Usage: "checkpoint written by seqlab train", EnvVars: env("ckpt")},
			&cli.StringFlag{Name: "out", Usage: "output prefix (default <checkpoint dir>/samples-<sampler>)", EnvVars: env("out")},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the sampling noise", EnvVars: env("seed")},
		),
		Action: func(c *cli.Context) error {
			s, err := sampleSettingsFrom(c)
			if err != nil {
				return err
			}
			r, err := loadRun(c.String("ckpt"))
			if err != nil {
				return err
			}
			out := c.String("out")
			if out == "" {
				out = filepath.Join(filepath.Dir(c.String("ckpt")), "samples-"+s.name)
			}
			start := time.Now()
			x, st, err := s.draw(r, rand.New(rand.NewPCG(c.Uint64("seed"), 4)))
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "%d samples with %s, %d network evaluations, %.2fs\n", s.n, s.name, st.NFE, time.Since(start).Seconds())
			data := sampleData(r.toy, s.n, rand.New(rand.NewPCG(c.Uint64("seed"), 5)))
			if err := writeNpy(out+".npy", x, r.model.Net.Dim()); err != nil {
				return err
			}
			if err := saveScatterPanels(out+".png", panel{"data: " + r.cfg.Data, data}, panel{fmt.Sprintf("%s, NFE %d", s.name, st.NFE), x}); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "wrote %s.npy and %s.png\n", out, out)
			return nil
		},
	}
}

// evalResult is what eval.json records of one sampler.
type evalResult struct {
	Sampler  string         `json:"sampler"`
	NFE      int            `json:"nfe"`
	Seconds  float64        `json:"seconds"`
	Samples  metrics.Report `json:"samples_vs_data"`
	Baseline metrics.Report `json:"data_vs_data"`
}

// evaluateRun samples from the run's final checkpoint, compares the samples
// with fresh data and with the distance between two fresh data sets of the
// same size, and writes samples.npy, samples.png and eval.json.
func evaluateRun(w io.Writer, dir string, s sampleSettings) error {
	r, err := loadRun(filepath.Join(dir, fileCheckpoint))
	if err != nil {
		return err
	}
	rs := newStreams(r.cfg.Seed)
	res, x, err := evaluate(r, s, rand.New(rs.sample), rand.New(rs.eval))
	if err != nil {
		return err
	}
	if err := writeNpy(filepath.Join(dir, fileSamplesNpy), x, r.model.Net.Dim()); err != nil {
		return err
	}
	data := sampleData(r.toy, s.n, rand.New(rand.NewPCG(r.cfg.Seed, 6)))
	title := fmt.Sprintf("%s samples (%s, NFE %d)", r.cfg.Net.Backbone, s.name, res.NFE)
	if err := saveScatterPanels(filepath.Join(dir, fileSamples), panel{"data: " + r.cfg.Data, data}, panel{title, x}); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, fileEval), res); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d samples with %s (NFE %d) vs %d fresh points: %v\n", s.n, s.name, res.NFE, s.n, res.Samples)
	fmt.Fprintf(w, "two fresh data sets of %d points (baseline):  %v\n", s.n, res.Baseline)
	fmt.Fprintf(w, "wrote %s\n", filepath.Join(dir, fileSamples))
	return nil
}

// evaluate draws s.n samples and reports their distances to fresh data,
// beside the baseline distance between two fresh data sets. Data and metric
// directions come from evalRng.
func evaluate(r *loadedRun, s sampleSettings, sampleRng, evalRng *rand.Rand) (evalResult, []float32, error) {
	start := time.Now()
	x, st, err := s.draw(r, sampleRng)
	if err != nil {
		return evalResult{}, nil, err
	}
	res := evalResult{Sampler: s.name, NFE: st.NFE, Seconds: time.Since(start).Seconds()}
	d := r.model.Net.Dim()
	a, b := sampleData(r.toy, s.n, evalRng), sampleData(r.toy, s.n, evalRng)
	res.Samples = metrics.Compare(x, a, d, evalRng)
	res.Baseline = metrics.Compare(b, a, d, evalRng)
	return res, x, nil
}

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "compare samplers on a checkpoint: sliced Wasserstein, energy distance and MMD against fresh data, with NFE",
		Flags: append(sampleFlags(),
			&cli.StringFlag{Name: "ckpt", Required: true, Usage: "checkpoint written by seqlab train", EnvVars: env("ckpt")},
			&cli.StringFlag{Name: "samplers", Usage: "comma-separated samplers to compare (default: --sampler)", EnvVars: env("samplers")},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the sampling noise and the fresh data", EnvVars: env("seed")},
		),
		Action: func(c *cli.Context) error {
			s, err := sampleSettingsFrom(c)
			if err != nil {
				return err
			}
			names := []string{s.name}
			if list := c.String("samplers"); list != "" {
				names = strings.Split(list, ",")
			}
			settings := make([]sampleSettings, len(names))
			for i, name := range names {
				settings[i] = s
				settings[i].name = strings.TrimSpace(name)
				if err := settings[i].withNFE(c.Int("nfe")); err != nil {
					return err
				}
			}
			r, err := loadRun(c.String("ckpt"))
			if err != nil {
				return err
			}
			w := c.App.Writer
			fmt.Fprintf(w, "%s, step %d, %d samples per sampler\n\n", c.String("ckpt"), r.ck.Step, s.n)
			fmt.Fprintf(w, "%-14s %5s %9s %9s %10s %8s\n", "sampler", "NFE", "sw2", "energy", "mmd2", "seconds")
			var base metrics.Report
			for _, st := range settings {
				seed := c.Uint64("seed")
				res, _, err := evaluate(r, st, rand.New(rand.NewPCG(seed, 4)), rand.New(rand.NewPCG(seed, 5)))
				if err != nil {
					return fmt.Errorf("%s: %w", st.name, err)
				}
				base = res.Baseline
				fmt.Fprintf(w, "%-14s %5d %9.4f %9.4f %10.2e %8.2f\n", st.name, res.NFE, res.Samples.SlicedW2, res.Samples.Energy, res.Samples.MMD2, res.Seconds)
			}
			fmt.Fprintf(w, "%-14s %5s %9.4f %9.4f %10.2e\n", "data vs data", "-", base.SlicedW2, base.Energy, base.MMD2)
			return nil
		},
	}
}

func joinNames(names []string) string { return strings.Join(names, ", ") }
