package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/seqlab/seqlab/diffusion"
	"github.com/seqlab/seqlab/seqmodel"
	"github.com/urfave/cli/v2"
)

// metaHead is the checkpoint metadata key that marks a covariance head and
// holds its kind, sn or npr.
const metaHead = "head"

// headFile is the default file name of a run's covariance head.
func headFile(kind string) string { return "head-" + kind + ".safetensors" }

// headCommand trains Extended Analytic-DPM's covariance head (Bao et al.
// 2022b) for a checkpoint trained with an ε-objective: a second network of
// the backbone's shape regressing ε² (SN-DPM) or (ε − ε̂)² (NPR-DPM) on the
// same noising path, which the sn-* and npr-* samplers read.
func headCommand() *cli.Command {
	return &cli.Command{
		Name:  "head",
		Usage: "train the covariance head of the sn-*/npr-* samplers for a ddpm or score checkpoint",
		Description: "Writes head-<kind>.safetensors beside the checkpoint (or --out). The head has the\n" +
			"backbone's configuration and is trained with AdamW, warmup and cosine decay, and EMA.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "ckpt", Required: true, Usage: "checkpoint of a ddpm or score run", EnvVars: env("ckpt")},
			&cli.StringFlag{Name: "kind", Value: "npr", Usage: "sn (target ε²) or npr (target (ε − ε̂)²)", EnvVars: env("kind")},
			&cli.IntFlag{Name: "steps", Value: 3000, Usage: "training steps", EnvVars: env("steps")},
			&cli.IntFlag{Name: "batch", Value: 512, Usage: "batch size", EnvVars: env("batch")},
			&cli.Float64Flag{Name: "lr", Value: 1e-3, Usage: "peak learning rate", EnvVars: env("lr")},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the head's initialisation and batches", EnvVars: env("seed")},
			&cli.StringFlag{Name: "out", Usage: "output file (default head-<kind>.safetensors beside --ckpt)", EnvVars: env("out")},
			&cli.BoolFlag{Name: "quiet", Usage: "no progress bar", EnvVars: env("quiet")},
			precisionFlag,
		},
		Action: headAction,
	}
}

func headAction(c *cli.Context) error {
	kind := c.String("kind")
	if kind != "sn" && kind != "npr" {
		return fmt.Errorf("--kind %q: valid kinds are sn, npr", kind)
	}
	steps, batch := c.Int("steps"), c.Int("batch")
	if steps <= 0 || batch <= 0 {
		return fmt.Errorf("--steps %d and --batch %d must be positive", steps, batch)
	}
	if err := setPrecision(c.String("precision")); err != nil {
		return err
	}
	r, err := loadRun(c.String("ckpt"))
	if err != nil {
		return err
	}
	if r.model.Pred != diffusion.PredEps {
		return fmt.Errorf("%s: the covariance head needs an ε-objective (ddpm or score), not %s", r.path, r.cfg.Objective)
	}
	out := c.String("out")
	if out == "" {
		out = filepath.Join(filepath.Dir(r.path), headFile(kind))
	}
	obj := &diffusion.CovHead{Base: r.obj}
	if kind == "npr" {
		obj.Eps = &r.model
	}
	nc := r.cfg.Net
	if err := checkMemory(fmt.Sprintf("training with --batch %d, width %d and depth %d", batch, nc.Width, nc.Depth), trainMemory(nc, batch)); err != nil {
		return err
	}
	rs := newStreams(c.Uint64("seed"))
	net, err := seqmodel.NewBackbone(nc, rand.New(rs.init))
	if err != nil {
		return err
	}
	optim := seqmodel.OptimConfig{LR: c.Float64("lr"), Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Clip: 1,
		Warmup: min(100, steps/10), Steps: steps, MinLR: c.Float64("lr") / 10, EMADecay: 0.999}
	tr, err := seqmodel.NewTrainer(net, batch, optim)
	if err != nil {
		return err
	}
	runJSON, err := json.Marshal(r.cfg)
	if err != nil {
		return err
	}
	w := c.App.Writer
	fmt.Fprintf(w, "seqlab head: %s covariance head for %s, %d steps of batch %d → %s\n", kind, r.path, steps, batch, out)
	var progress io.Writer // nil unless a terminal: a nil *os.File would not be a nil Writer
	if !c.Bool("quiet") && isTerminal(os.Stderr) {
		progress = os.Stderr
	}
	bar := newBar(progress, steps)
	d := r.cfg.Net.Dim
	x0, xt, target := make([]float32, batch*d), make([]float32, batch*d), make([]float32, batch*d)
	tt := make([]float32, batch)
	dataRng, noiseRng := rand.New(rs.data), rand.New(rs.noise)
	start := time.Now()
	var loss float64
	for tr.Opt.Step < steps {
		r.toy.Sample(x0, dataRng)
		obj.Draw(xt, tt, target, x0, noiseRng)
		if err := obj.Err(); err != nil {
			return err
		}
		if loss, err = tr.Step(xt, tt, target, nil); err != nil {
			if errors.Is(err, seqmodel.ErrNonFinite) {
				return fmt.Errorf("head training stopped, nothing written: %w", err)
			}
			return err
		}
		if bar != nil {
			bar.Describe(fmt.Sprintf("loss %.4f", loss))
			bar.Add(1)
		}
	}
	if bar != nil {
		bar.Finish()
	}
	if err := seqmodel.SaveCheckpoint(out, tr.Checkpoint(map[string]string{metaRun: string(runJSON), metaHead: kind})); err != nil {
		return err
	}
	fmt.Fprintf(w, "trained in %.1fs, last loss %.4g; use it with --sampler %s-ddpm or %s-ddim\n", time.Since(start).Seconds(), loss, kind, kind)
	return nil
}

// loadHead reads a covariance head of the given kind written by seqlab head
// and checks that it fits the run it is used with.
func loadHead(path, kind string, base *loadedRun) (diffusion.Network, error) {
	h, err := loadRun(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no covariance head at %s: train one with seqlab head --kind %s --ckpt %s", path, kind, base.path)
		}
		return nil, err
	}
	if got := h.ck.Meta[metaHead]; got != kind {
		return nil, fmt.Errorf("%s is not a %s covariance head (metadata %s=%q)", path, kind, metaHead, got)
	}
	if h.cfg.Objective != base.cfg.Objective || h.cfg.Schedule != base.cfg.Schedule || h.cfg.Data != base.cfg.Data {
		return nil, fmt.Errorf("%s was trained for a %s/%s model on %s, not this %s/%s model on %s", path,
			h.cfg.Objective, h.cfg.Schedule, h.cfg.Data, base.cfg.Objective, base.cfg.Schedule, base.cfg.Data)
	}
	return h.model.Net, nil
}
