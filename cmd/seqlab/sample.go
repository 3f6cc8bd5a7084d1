package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
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
	nfe  int    // network evaluations to spend
	n    int    // number of samples
	head string // covariance head of sn-*/npr-* ("": head-<sn|npr>.safetensors beside the checkpoint)
}

// gammaPoints is the number of fresh data points the analytic samplers
// estimate Γ_t = E‖ε̂(x_t)‖²/d from, at each of their times.
const gammaPoints = 4000

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
		&cli.Float64Flag{Name: "rtol", Value: def.RTol, Usage: "relative tolerance (rk45, likelihood)", EnvVars: env("rtol")},
		&cli.Float64Flag{Name: "atol", Value: def.ATol, Usage: "absolute tolerance (rk45, likelihood)", EnvVars: env("atol")},
		&cli.StringFlag{Name: "head", Usage: "covariance head for sn-*/npr-* (default: head-<sn|npr>.safetensors beside the checkpoint; see seqlab head)", EnvVars: env("head")},
		precisionFlag,
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

// denoises reports whether the sampler spends one more evaluation after its
// last step, to output x̂0 at a schedule's TMin > 0.
func denoises(name string) bool {
	switch name {
	case "euler", "ode-euler", "heun", "midpoint", "rk4", "em", "pc":
		return true
	}
	return false
}

// sampleSettingsFrom reads the sampler flags and checks the sampler name.
func sampleSettingsFrom(c *cli.Context) (sampleSettings, error) {
	s := sampleSettings{name: c.String("sampler"), n: c.Int("n"), nfe: c.Int("nfe"), head: c.String("head"), opts: diffusion.DefaultOptions()}
	o := &s.opts
	o.Spacing, o.Eta, o.Variance = c.String("spacing"), c.Float64("eta"), c.String("variance")
	o.SNR, o.Corrector, o.RTol, o.ATol = c.Float64("snr"), c.Int("corrector"), c.Float64("rtol"), c.Float64("atol")
	if s.n <= 0 {
		return s, fmt.Errorf("--n %d must be positive", s.n)
	}
	return s, s.check()
}

// check validates the sampler configuration before anything is loaded: the
// name, the budget and the options (with stand-ins for what comes from the
// model: Γ and the covariance head).
func (s sampleSettings) check() error {
	if s.nfe <= 0 {
		return fmt.Errorf("--nfe %d must be positive", s.nfe)
	}
	if s.name == "pc" && (s.opts.Corrector < 1 || s.opts.Corrector >= s.nfe) {
		return fmt.Errorf("pc: --corrector %d must be at least 1 and below --nfe %d (a step spends 1 + corrector network evaluations)", s.opts.Corrector, s.nfe)
	}
	o := s.opts
	o.Steps = max(1, s.nfe/stages(s.name, o.Corrector))
	o.Gamma = &diffusion.GammaTable{T: []float64{1}, Gamma: []float64{1}, SE: []float64{0}}
	o.Cov = diffusion.NetworkFunc{D: 1}
	_, err := diffusion.NewSampler(s.name, o)
	return err
}

// family is the Analytic-DPM family of the sampler: "analytic", "sn", "npr"
// or "".
func (s sampleSettings) family() string {
	f, _, ok := strings.Cut(s.name, "-")
	if ok && (f == "analytic" || f == "sn" || f == "npr") {
		return f
	}
	return ""
}

// sampler builds the sampler for the run's model: the step count from the
// budget, and what the analytic family needs: Γ estimated from fresh data
// drawn from rng (its evaluations returned in Stats), or the covariance head.
func (s sampleSettings) sampler(r *loadedRun, rng *rand.Rand) (diffusion.Sampler, diffusion.Stats, error) {
	o := s.opts
	budget := s.nfe
	if denoises(s.name) && r.model.Schedule.TMin() > 0 {
		budget--
	}
	o.Steps = max(1, budget/stages(s.name, o.Corrector))
	var st diffusion.Stats
	switch f := s.family(); f {
	case "analytic":
		times, err := diffusion.GammaTimes(r.model.Schedule, o)
		if err != nil {
			return nil, st, err
		}
		x0 := sampleData(r.toy, gammaPoints, rng)
		if o.Gamma, st, err = diffusion.EstimateGamma(r.model, times, x0, 0, rng); err != nil {
			return nil, st, fmt.Errorf("%s: estimating Γ: %w", s.name, err)
		}
	case "sn", "npr":
		h, err := loadHead(s.headPath(r), f, r)
		if err != nil {
			return nil, st, err
		}
		o.Cov = h
	}
	smp, err := diffusion.NewSampler(s.name, o)
	return smp, st, err
}

// headPath is the covariance head an sn/npr sampler reads: --head, or the
// default file of its kind beside the run's checkpoint.
func (s sampleSettings) headPath(r *loadedRun) string {
	if s.head != "" {
		return s.head
	}
	return filepath.Join(filepath.Dir(r.path), headFile(s.family()))
}

// draw samples s.n points from the run's model with smp (built by
// s.sampler); the Stats count the sampler's network evaluations.
func (s sampleSettings) draw(smp diffusion.Sampler, r *loadedRun, rng *rand.Rand) ([]float32, diffusion.Stats, error) {
	if err := checkMemory(fmt.Sprintf("sampling -n %d", s.n), sampleMemory(r.model.Net.Dim(), s.n)); err != nil {
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
			&cli.BoolFlag{Name: "logp", Usage: "sample by the probability-flow ODE (rk45, --rtol/--atol) and write each sample's exact log-density to <out>-logp.npy", EnvVars: env("logp")},
		),
		Action: func(c *cli.Context) error {
			s, err := sampleSettingsFrom(c)
			if err != nil {
				return err
			}
			if err := setPrecision(c.String("precision")); err != nil {
				return err
			}
			r, err := loadRun(c.String("ckpt"))
			if err != nil {
				return err
			}
			name := s.name
			if c.Bool("logp") {
				name = "rk45-logp"
			}
			out := c.String("out")
			if out == "" {
				out = filepath.Join(filepath.Dir(r.path), "samples-"+name)
			}
			rng := rand.New(rand.NewPCG(c.Uint64("seed"), 4))
			start := time.Now()
			var x []float32
			var st diffusion.Stats
			var logp []float64
			if c.Bool("logp") {
				l := diffusion.DefaultLikelihood()
				l.RTol, l.ATol = s.opts.RTol, s.opts.ATol
				x, logp = make([]float32, s.n*r.model.Net.Dim()), make([]float64, s.n)
				st, err = l.Sample(x, logp, r.model, s.n, nil, rng)
			} else {
				var smp diffusion.Sampler
				if smp, _, err = s.sampler(r, rng); err == nil {
					x, st, err = s.draw(smp, r, rng)
				}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "%d samples with %s, %d network evaluations, %.2fs\n", s.n, name, st.NFE, time.Since(start).Seconds())
			data := sampleData(r.toy, s.n, rand.New(rand.NewPCG(c.Uint64("seed"), 5)))
			if err := writeNpy(out+".npy", x, r.model.Net.Dim()); err != nil {
				return err
			}
			if logp != nil {
				lp := make([]float32, len(logp))
				for i, v := range logp {
					lp[i] = float32(v)
				}
				if err := writeNpy(out+"-logp.npy", lp, 1); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "wrote %s-logp.npy (log-density in nats of each sample)\n", out)
			}
			if err := saveScatterPanels(out+".png", panel{"data: " + r.cfg.Data, data}, panel{fmt.Sprintf("%s, NFE %d", name, st.NFE), x}); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "wrote %s.npy and %s.png\n", out, out)
			return nil
		},
	}
}

// evalResult is what eval.json records of one sampler.
type evalResult struct {
	Sampler string  `json:"sampler"`
	NFE     int     `json:"nfe"`
	Steps   int     `json:"steps"`
	Seconds float64 `json:"seconds"`
	// PrepNFE counts evaluations spent before sampling (estimating Γ).
	PrepNFE  int            `json:"prep_nfe,omitempty"`
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
	res, x, _, err := evaluate(r, s, rand.New(rs.sample), rand.New(rs.eval))
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
// directions come from evalRng. It returns the sampler it built, so that a
// likelihood bound uses the same one (the same Γ table).
func evaluate(r *loadedRun, s sampleSettings, sampleRng, evalRng *rand.Rand) (evalResult, []float32, diffusion.Sampler, error) {
	if err := checkEvalN(s.n); err != nil {
		return evalResult{}, nil, nil, err
	}
	start := time.Now()
	smp, prep, err := s.sampler(r, sampleRng)
	if err != nil {
		return evalResult{}, nil, nil, err
	}
	x, st, err := s.draw(smp, r, sampleRng)
	if err != nil {
		return evalResult{}, nil, nil, err
	}
	res := evalResult{Sampler: s.name, NFE: st.NFE, Steps: st.Steps, PrepNFE: prep.NFE, Seconds: time.Since(start).Seconds()}
	d := r.model.Net.Dim()
	a, b := sampleData(r.toy, s.n, evalRng), sampleData(r.toy, s.n, evalRng)
	res.Samples = metrics.Compare(x, a, d, evalRng)
	res.Baseline = metrics.Compare(b, a, d, evalRng)
	return res, x, smp, nil
}

// checkEvalN returns an error unless n samples are enough to evaluate: the
// unbiased MMD needs two in each set.
func checkEvalN(n int) error {
	if n < 2 {
		return fmt.Errorf("-n %d: the evaluation compares at least 2 samples with data", n)
	}
	return nil
}

// elboSampler is a sampler whose reverse process has a likelihood bound
// (the DDPM/DDIM family with η > 0).
type elboSampler interface {
	NLL(dst []float64, m diffusion.Model, x0 []float32, binWidth float64, rng *rand.Rand) (diffusion.Stats, error)
}

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "compare samplers on a checkpoint: sliced Wasserstein, energy distance and MMD against fresh data, with NFE; --nll adds likelihoods",
		Flags: append(sampleFlags(),
			&cli.StringFlag{Name: "ckpt", Required: true, Usage: "checkpoint written by seqlab train", EnvVars: env("ckpt")},
			&cli.StringFlag{Name: "samplers", Usage: "comma-separated samplers to compare (default: --sampler)", EnvVars: env("samplers")},
			&cli.StringFlag{Name: "nfes", Usage: "comma-separated budgets to run each sampler at (default: --nfe)", EnvVars: env("nfes")},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the sampling noise and the fresh data", EnvVars: env("seed")},
			&cli.BoolFlag{Name: "nll", Usage: "also report −log p of fresh data: the probability-flow ODE's exact likelihood (rk45, --rtol/--atol) and, for the DDPM/DDIM family with η > 0, the negative ELBO", EnvVars: env("nll")},
			&cli.IntFlag{Name: "nll-n", Value: 1000, Usage: "fresh data points the likelihoods average over", EnvVars: env("nll_n")},
			&cli.IntFlag{Name: "probes", Value: 0, Usage: "Hutchinson probes for the ODE likelihood's divergence (0: exact)", EnvVars: env("probes")},
		),
		Action: evalAction,
	}
}

func evalAction(c *cli.Context) error {
	s, err := sampleSettingsFrom(c)
	if err != nil {
		return err
	}
	if err := setPrecision(c.String("precision")); err != nil {
		return err
	}
	names := []string{s.name}
	if list := c.String("samplers"); list != "" {
		names = strings.Split(list, ",")
	}
	nfes := []int{s.nfe}
	if list := c.String("nfes"); list != "" {
		nfes = nil
		for _, f := range strings.Split(list, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return fmt.Errorf("--nfes: %q is not a number", f)
			}
			nfes = append(nfes, v)
		}
	}
	var settings []sampleSettings
	for _, nfe := range nfes {
		for _, name := range names {
			st := s
			st.name, st.nfe = strings.TrimSpace(name), nfe
			if err := st.check(); err != nil {
				return err
			}
			settings = append(settings, st)
		}
	}
	nllN := c.Int("nll-n")
	if c.Bool("nll") && nllN <= 0 {
		return fmt.Errorf("--nll-n %d must be positive", nllN)
	}
	l := diffusion.DefaultLikelihood()
	l.RTol, l.ATol, l.Probes = s.opts.RTol, s.opts.ATol, c.Int("probes")
	if c.Bool("nll") {
		if err := l.Validate(); err != nil {
			return err
		}
	}
	r, err := loadRun(c.String("ckpt"))
	if err != nil {
		return err
	}
	for _, st := range settings {
		if f := st.family(); f == "sn" || f == "npr" {
			if _, err := loadHead(st.headPath(r), f, r); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
		}
	}
	seed := c.Uint64("seed")
	d := r.model.Net.Dim()
	var nllData []float32
	if c.Bool("nll") {
		nllData = sampleData(r.toy, nllN, rand.New(rand.NewPCG(seed, 7)))
	}
	w := c.App.Writer
	fmt.Fprintf(w, "%s (%s objective), step %d, %d samples per sampler\n\n", r.path, r.cfg.Objective, r.ck.Step, s.n)
	header := fmt.Sprintf("%-14s %5s %5s %9s %9s %10s %8s %6s", "sampler", "steps", "NFE", "sw2", "energy", "mmd2", "seconds", "prep")
	if nllData != nil {
		header += fmt.Sprintf(" %16s", "-ELBO nats")
	}
	fmt.Fprintln(w, header)
	var base metrics.Report
	for _, st := range settings {
		res, _, smp, err := evaluate(r, st, rand.New(rand.NewPCG(seed, 4)), rand.New(rand.NewPCG(seed, 5)))
		if err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		base = res.Baseline
		line := fmt.Sprintf("%-14s %5d %5d %9.4f %9.4f %10.2e %8.2f %6d", st.name, res.Steps, res.NFE, res.Samples.SlicedW2, res.Samples.Energy, res.Samples.MMD2, res.Seconds, res.PrepNFE)
		if nllData != nil {
			line += fmt.Sprintf(" %16s", elboCell(r, st, smp, nllData, rand.New(rand.NewPCG(seed, 8))))
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "%-14s %5s %5s %9.4f %9.4f %10.2e\n", "data vs data", "-", "-", base.SlicedW2, base.Energy, base.MMD2)
	fmt.Fprintf(w, "\nprep: evaluations before sampling (Γ estimates of the analytic samplers); sn/npr also evaluate their head once per step.\n")
	if nllData == nil {
		return nil
	}
	logp := make([]float64, nllN)
	start := time.Now()
	st, err := l.LogDensity(logp, nil, r.model, nllData, nil, rand.New(rand.NewPCG(seed, 9)))
	if err != nil {
		return fmt.Errorf("likelihood: %w", err)
	}
	for i := range logp {
		logp[i] = -logp[i]
	}
	m, se := diffusion.MeanSE(logp)
	div := "exact divergence"
	if l.Probes > 0 {
		div = fmt.Sprintf("Hutchinson, %d probes", l.Probes)
	}
	fmt.Fprintf(w, "probability-flow ODE (rk45, %s): −log p = %.4f ± %.4f nats (%.4f bits/dim) over %d fresh points, NFE %d, %.1fs\n",
		div, m, se, diffusion.BitsPerDim(-m, d, 0), nllN, st.NFE, time.Since(start).Seconds())
	return nil
}

// elboCell is the table cell of the negative ELBO of sampler smp (built
// from s) on x0: mean ± standard error, or "-" for samplers without a bound
// (ODE and SDE solvers, the DDIM family at η = 0).
func elboCell(r *loadedRun, s sampleSettings, smp diffusion.Sampler, x0 []float32, rng *rand.Rand) string {
	if strings.HasSuffix(s.name, "ddim") && s.opts.Eta == 0 {
		return "-"
	}
	e, ok := smp.(elboSampler)
	if !ok {
		return "-"
	}
	nll := make([]float64, len(x0)/r.model.Net.Dim())
	if _, err := e.NLL(nll, r.model, x0, 0, rng); err != nil {
		return "error: " + err.Error()
	}
	m, se := diffusion.MeanSE(nll)
	if math.IsInf(m, 1) {
		return "inf (σ²=0)"
	}
	return fmt.Sprintf("%.3f ± %.3f", m, se)
}

func joinNames(names []string) string { return strings.Join(names, ", ") }
