package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/seqlab/seqlab/diffusion"
	"github.com/seqlab/seqlab/diffusion/dataset"
	"github.com/seqlab/seqlab/seqmodel"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// Files of a run directory.
const (
	fileConfig     = "config.json"
	fileMetrics    = "metrics.jsonl"
	fileCheckpoint = "checkpoint.safetensors"
	fileSamples    = "samples.png"
	fileSamplesNpy = "samples.npy"
	fileLoss       = "loss.png"
	fileEval       = "eval.json"
)

func trainCommand() *cli.Command {
	return &cli.Command{
		Name:  "train",
		Usage: "train a backbone as a generative model; with no flags, a flow-matching MLP on the 2-D checkerboard",
		Description: "Writes a run directory with config.json, metrics.jsonl, checkpoint.safetensors (written\n" +
			"atomically every --ckpt-every steps), loss.png, samples.png/.npy and eval.json.",
		Flags: append(sampleFlags(),
			&cli.StringFlag{Name: "data", Value: dataset.Default, Usage: "toy data set: " + joinNames(dataset.Names()), EnvVars: env("data")},
			&cli.StringFlag{Name: "backbone", Value: "mlp", Usage: "network: " + joinNames(seqmodel.Backbones()), EnvVars: env("backbone")},
			&cli.StringFlag{Name: "objective", Value: "flow", Usage: "training objective: flow, ddpm or score", EnvVars: env("objective")},
			&cli.StringFlag{Name: "schedule", Usage: "noise schedule of the objective (default: the objective's own)", EnvVars: env("schedule")},
			&cli.IntFlag{Name: "steps", Value: 15000, Usage: "training steps", EnvVars: env("steps")},
			&cli.IntFlag{Name: "batch", Value: 512, Usage: "batch size", EnvVars: env("batch")},
			&cli.Float64Flag{Name: "lr", Value: 2e-3, Usage: "peak learning rate (AdamW)", EnvVars: env("lr")},
			&cli.Float64Flag{Name: "weight-decay", Value: 0, Usage: "decoupled weight decay", EnvVars: env("weight_decay")},
			&cli.Float64Flag{Name: "clip", Value: 1, Usage: "gradient-norm clip (0: none)", EnvVars: env("clip")},
			&cli.IntFlag{Name: "warmup", Value: 100, Usage: "learning-rate warmup steps (then cosine decay to lr/10)", EnvVars: env("warmup")},
			&cli.Float64Flag{Name: "ema", Value: 0.999, Usage: "EMA decay of the sampling weights (0: none)", EnvVars: env("ema")},
			&cli.IntFlag{Name: "width", Value: 256, Usage: "hidden width", EnvVars: env("width")},
			&cli.IntFlag{Name: "depth", Value: 4, Usage: "hidden layers", EnvVars: env("depth")},
			&cli.StringFlag{Name: "activation", Value: string(seqmodel.SiLU), Usage: "silu, gelu, relu or tanh", EnvVars: env("activation")},
			&cli.IntFlag{Name: "time-dim", Value: 64, Usage: "size of the sinusoidal time embedding", EnvVars: env("time_dim")},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of every random stream", EnvVars: env("seed")},
			&cli.StringFlag{Name: "out", Usage: "run directory (default runs/<data>-<backbone>, numbered if it exists)", EnvVars: env("out")},
			&cli.BoolFlag{Name: "resume", Usage: "continue the run in --out from its checkpoint up to --steps", EnvVars: env("resume")},
			&cli.IntFlag{Name: "stop-after", Usage: "stop (with a checkpoint) after this many steps of this invocation, keeping the schedule of --steps; continue with --resume", EnvVars: env("stop_after")},
			&cli.IntFlag{Name: "ckpt-every", Value: 1000, Usage: "checkpoint interval in steps", EnvVars: env("ckpt_every")},
			&cli.IntFlag{Name: "log-every", Value: 50, Usage: "metrics.jsonl interval in steps", EnvVars: env("log_every")},
			&cli.BoolFlag{Name: "quiet", Usage: "no progress bar", EnvVars: env("quiet")},
			configFlag,
		),
		Before: applyConfig,
		Action: trainAction,
	}
}

// trainOptions are the settings of one invocation that are not part of the
// run's identity.
type trainOptions struct {
	dir       string
	resume    bool
	ckptEvery int
	logEvery  int
	stopAfter int       // 0: run to the end
	progress  io.Writer // nil: no progress bar
	sample    sampleSettings
}

func trainAction(c *cli.Context) error {
	steps := c.Int("steps")
	optim := trainOptim(c.Float64("lr"), c.Float64("weight-decay"), c.Float64("clip"), c.Int("warmup"), steps, c.Float64("ema"))
	rc := runConfig{
		Data: c.String("data"), Objective: c.String("objective"), Schedule: c.String("schedule"),
		Net: seqmodel.Config{
			Backbone: c.String("backbone"), Dim: 2, Width: c.Int("width"), Depth: c.Int("depth"),
			Activation: seqmodel.Activation(c.String("activation")), TimeDim: c.Int("time-dim"),
		},
		Optim: optim, Batch: c.Int("batch"), Seed: c.Uint64("seed"), Precision: c.String("precision"),
	}
	opts := trainOptions{dir: c.String("out"), resume: c.Bool("resume"), ckptEvery: c.Int("ckpt-every"), logEvery: c.Int("log-every"), stopAfter: c.Int("stop-after")}
	var err error
	if opts.sample, err = sampleSettingsFrom(c); err != nil {
		return err
	}
	if opts.resume {
		if opts.dir == "" {
			return fmt.Errorf("--resume needs --out, the run directory to continue")
		}
		prev, err := loadRun(filepath.Join(opts.dir, fileCheckpoint))
		if err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		// The run's identity comes from the checkpoint; only the length of
		// the schedule may grow.
		rc, rc.Optim.Steps = prev.cfg, steps
	} else if opts.dir == "" {
		opts.dir = freshRunDir(filepath.Join("runs", rc.Data+"-"+rc.Net.Backbone))
	} else if _, err := os.Stat(filepath.Join(opts.dir, fileCheckpoint)); err == nil {
		return fmt.Errorf("%s already holds a run; pass --resume to continue it or choose another --out", opts.dir)
	}
	if !c.Bool("quiet") && isTerminal(os.Stderr) {
		opts.progress = os.Stderr
	}
	return train(c.App.Writer, rc, opts)
}

// trainOptim is the AdamW setting train builds from its flags: the fixed
// moments and ε, and a cosine that ends at lr/10.
func trainOptim(lr, weightDecay, clip float64, warmup, steps int, ema float64) seqmodel.OptimConfig {
	return seqmodel.OptimConfig{
		LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay,
		Clip: clip, Warmup: warmup, Steps: steps, MinLR: lr / 10, EMADecay: ema,
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// metricsLine is one line of metrics.jsonl.
type metricsLine struct {
	Step      int     `json:"step"`
	Loss      float64 `json:"loss"`
	LR        float64 `json:"lr"`
	StepsPerS float64 `json:"steps_per_s"`
}

// train runs (or resumes) the training described by rc in opts.dir. Every
// name is checked before anything is written.
func train(w io.Writer, rc runConfig, opts trainOptions) error {
	toy, err := dataset.New(rc.Data)
	if err != nil {
		return err
	}
	obj, err := diffusion.NewObjective(rc.Objective, rc.Schedule)
	if err != nil {
		return err
	}
	if rc.Batch <= 0 || opts.ckptEvery <= 0 || opts.logEvery <= 0 || opts.stopAfter < 0 {
		return fmt.Errorf("--batch %d, --ckpt-every %d and --log-every %d must be positive, --stop-after %d not negative",
			rc.Batch, opts.ckptEvery, opts.logEvery, opts.stopAfter)
	}
	if err := setPrecision(rc.Precision); err != nil {
		return err
	}
	if err := checkEvalN(opts.sample.n); err != nil {
		return err
	}
	nc := rc.Net
	if err := checkMemory(fmt.Sprintf("training with --batch %d, --width %d and --depth %d", rc.Batch, nc.Width, nc.Depth), trainMemory(nc, rc.Batch)); err != nil {
		return err
	}
	if err := checkMemory(fmt.Sprintf("sampling -n %d", opts.sample.n), sampleMemory(nc.Dim, opts.sample.n)); err != nil {
		return err
	}
	if rc.Optim.Warmup >= rc.Optim.Steps {
		rc.Optim.Warmup = rc.Optim.Steps / 10
	}
	rs := newStreams(rc.Seed)
	net, err := seqmodel.NewBackbone(rc.Net, rand.New(rs.init))
	if err != nil {
		return err
	}
	tr, err := seqmodel.NewTrainer(net, rc.Batch, rc.Optim)
	if err != nil {
		return err
	}
	ckPath := filepath.Join(opts.dir, fileCheckpoint)
	if opts.resume {
		ck, err := seqmodel.LoadCheckpoint(ckPath)
		if err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		ck.Optim.Steps = rc.Optim.Steps
		if err := tr.Restore(ck); err != nil {
			return fmt.Errorf("resume %s: %w", ckPath, err)
		}
		if err := rs.restore(ck.Meta); err != nil {
			return fmt.Errorf("resume %s: %w", ckPath, err)
		}
	} else if err := os.MkdirAll(opts.dir, 0o755); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(opts.dir, fileConfig), rc); err != nil {
		return err
	}
	runJSON, err := json.Marshal(rc)
	if err != nil {
		return err
	}
	save := func() error {
		meta := map[string]string{metaRun: string(runJSON)}
		if err := rs.save(meta); err != nil {
			return err
		}
		return seqmodel.SaveCheckpoint(ckPath, tr.Checkpoint(meta))
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if opts.resume {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	mf, err := os.OpenFile(filepath.Join(opts.dir, fileMetrics), flags, 0o644)
	if err != nil {
		return err
	}
	defer mf.Close()
	enc := json.NewEncoder(mf)

	fmt.Fprintf(w, "seqlab train: %s on %s, %s objective, %d parameters, %d steps of batch %d → %s\n",
		rc.Net.Backbone, rc.Data, rc.Objective, net.Params().Count(), rc.Optim.Steps, rc.Batch, opts.dir)
	end := rc.Optim.Steps
	if opts.stopAfter > 0 {
		end = min(end, tr.Opt.Step+opts.stopAfter)
	}
	bar := newBar(opts.progress, end-tr.Opt.Step)

	d := rc.Net.Dim
	x0, xt := make([]float32, rc.Batch*d), make([]float32, rc.Batch*d)
	tt, target := make([]float32, rc.Batch), make([]float32, rc.Batch*d)
	dataRng, noiseRng := rand.New(rs.data), rand.New(rs.noise)
	var window float64
	var windowN int
	start, windowStart := time.Now(), time.Now()
	for tr.Opt.Step < end {
		toy.Sample(x0, dataRng)
		obj.Draw(xt, tt, target, x0, noiseRng)
		loss, err := tr.Step(xt, tt, target, nil)
		if err != nil {
			if errors.Is(err, seqmodel.ErrNonFinite) {
				msg := fmt.Sprintf("training stopped: %v", err)
				if _, serr := os.Stat(ckPath); serr == nil {
					msg += "; " + ckPath + " holds the last good checkpoint"
				}
				return errors.New(msg)
			}
			return err
		}
		step := tr.Opt.Step
		window += loss
		windowN++
		if step%opts.logEvery == 0 || step == end {
			el := time.Since(windowStart).Seconds()
			line := metricsLine{Step: step, Loss: window / float64(windowN), LR: rc.Optim.LearningRate(step - 1), StepsPerS: float64(windowN) / el}
			if err := enc.Encode(line); err != nil {
				return fmt.Errorf("write %s: %w", fileMetrics, err)
			}
			if bar != nil {
				bar.Describe(fmt.Sprintf("loss %.4f", line.Loss))
			}
			window, windowN, windowStart = 0, 0, time.Now()
		}
		if step%opts.ckptEvery == 0 || step == end {
			if err := save(); err != nil {
				return err
			}
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	if bar != nil {
		bar.Finish()
	}
	fmt.Fprintf(w, "trained to step %d of %d in %.1fs; checkpoint %s\n", end, rc.Optim.Steps, time.Since(start).Seconds(), ckPath)
	if end < rc.Optim.Steps {
		fmt.Fprintf(w, "continue with: seqlab train --resume --out %s --steps %d\n", opts.dir, rc.Optim.Steps)
		return nil
	}
	if err := plotLoss(opts.dir); err != nil {
		return err
	}
	return evaluateRun(w, opts.dir, opts.sample)
}

// plotLoss draws metrics.jsonl's loss against step into loss.png.
func plotLoss(dir string) error {
	f, err := os.Open(filepath.Join(dir, fileMetrics))
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	var s series
	for {
		var m metricsLine
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
		if !math.IsNaN(m.Loss) && !math.IsInf(m.Loss, 0) {
			s.X, s.Y = append(s.X, float64(m.Step)), append(s.Y, m.Loss)
		}
	}
	return saveLines(filepath.Join(dir, fileLoss), "training loss", "step", "mean squared error", true, s)
}

// newBar returns a progress bar of n steps on w, or nil when w is nil.
func newBar(w io.Writer, n int) *progressbar.ProgressBar {
	if w == nil {
		return nil
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(w),
		progressbar.OptionShowIts(), progressbar.OptionSetItsString("steps"), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(), progressbar.OptionFullWidth())
}
