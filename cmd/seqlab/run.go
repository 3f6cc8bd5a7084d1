package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"

	"github.com/sbinet/npyio"
	"github.com/seqlab/seqlab/diffusion"
	"github.com/seqlab/seqlab/diffusion/dataset"
	"github.com/seqlab/seqlab/seqmodel"
)

// runConfig is everything that determines a training run. It is written to
// the run directory as config.json and into the checkpoint's metadata, so
// sample and eval rebuild the model from the checkpoint alone.
type runConfig struct {
	Data      string               `json:"data"`
	Objective string               `json:"objective"`
	Schedule  string               `json:"schedule"`
	Net       seqmodel.Config      `json:"net"`
	Optim     seqmodel.OptimConfig `json:"optim"`
	Batch     int                  `json:"batch"`
	Seed      uint64               `json:"seed"`
	// Precision is the matmul precision of training (asm.FP32 when empty).
	Precision string `json:"precision,omitempty"`
}

// flags returns the train flags that rebuild rc, so that a run's
// config.json can be passed back to train as --config. A setting no flag
// expresses (a hand-edited β or ε, a data dimension other than 2) is an
// error rather than silently dropped.
func (rc runConfig) flags() (map[string]any, error) {
	o, n := rc.Optim, rc.Net
	if want := trainOptim(o.LR, o.WeightDecay, o.Clip, o.Warmup, o.Steps, o.EMADecay); o != want {
		return nil, fmt.Errorf("optim %+v: beta1, beta2, eps and min_lr must be those train sets (%v, %v, %v, lr/10)", o, want.Beta1, want.Beta2, want.Eps)
	}
	if n.Dim != 2 {
		return nil, fmt.Errorf("net.dim %d: train's data sets are 2-D", n.Dim)
	}
	return map[string]any{
		"data": rc.Data, "objective": rc.Objective, "schedule": rc.Schedule, "batch": rc.Batch, "seed": rc.Seed, "precision": rc.Precision,
		"backbone": n.Backbone, "width": n.Width, "depth": n.Depth, "activation": string(n.Activation), "time-dim": n.TimeDim,
		"lr": o.LR, "weight-decay": o.WeightDecay, "clip": o.Clip, "warmup": o.Warmup, "steps": o.Steps, "ema": o.EMADecay,
	}, nil
}

// metaRun is the checkpoint metadata key holding the run configuration.
const metaRun = "run"

// streams are the run's independent random streams, all derived from the
// seed, so changing how one is consumed never shifts another.
type streams struct {
	init, data, noise, sample, eval *rand.PCG
}

func newStreams(seed uint64) streams {
	return streams{
		init:   rand.NewPCG(seed, 1),
		data:   rand.NewPCG(seed, 2),
		noise:  rand.NewPCG(seed, 3),
		sample: rand.NewPCG(seed, 4),
		eval:   rand.NewPCG(seed, 5),
	}
}

// save records the training streams' states in checkpoint metadata.
func (s streams) save(meta map[string]string) error {
	for name, p := range map[string]*rand.PCG{"rng.data": s.data, "rng.noise": s.noise} {
		b, err := p.MarshalBinary()
		if err != nil {
			return err
		}
		meta[name] = base64.StdEncoding.EncodeToString(b)
	}
	return nil
}

// restore sets the training streams from checkpoint metadata.
func (s streams) restore(meta map[string]string) error {
	for name, p := range map[string]*rand.PCG{"rng.data": s.data, "rng.noise": s.noise} {
		b, err := base64.StdEncoding.DecodeString(meta[name])
		if err == nil {
			err = p.UnmarshalBinary(b)
		}
		if err != nil {
			return fmt.Errorf("metadata %s: %w", name, err)
		}
	}
	return nil
}

// loadedRun is a checkpoint together with the run that wrote it.
type loadedRun struct {
	path  string
	cfg   runConfig
	ck    *seqmodel.Checkpoint
	obj   diffusion.Objective
	toy   dataset.Toy
	model diffusion.Model // the network with its sampling (EMA) weights
}

// loadRun reads a checkpoint written by seqlab train.
func loadRun(path string) (*loadedRun, error) {
	ck, err := seqmodel.LoadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	r := &loadedRun{path: path, ck: ck}
	if err := json.Unmarshal([]byte(ck.Meta[metaRun]), &r.cfg); err != nil {
		return nil, fmt.Errorf("%s: metadata %q: %w", path, metaRun, err)
	}
	if r.obj, err = diffusion.NewObjective(r.cfg.Objective, r.cfg.Schedule); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.toy, err = dataset.New(r.cfg.Data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	net, err := ck.Backbone()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.model = diffusion.ModelOf(r.obj, net)
	return r, nil
}

// writeNpy writes n rows of d float32 values as an (n, d) .npy array,
// atomically.
func writeNpy(path string, x []float32, d int) error {
	// npyio takes the shape from the Go type: a slice of [d]float32 arrays
	// is written as (n, d).
	n := len(x) / d
	rows := reflect.MakeSlice(reflect.SliceOf(reflect.ArrayOf(d, reflect.TypeFor[float32]())), n, n)
	for i := range n {
		reflect.Copy(rows.Index(i), reflect.ValueOf(x[i*d:(i+1)*d]))
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = npyio.Write(f, rows.Interface())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeJSON writes v as indented JSON, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// freshRunDir returns base, or base-2, base-3, … : the first that does not
// exist, so a new run never overwrites an old one.
func freshRunDir(base string) string {
	dir := base
	for i := 2; ; i++ {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return dir
		}
		dir = base + "-" + strconv.Itoa(i)
	}
}

// sampleData draws n fresh points of the toy set from rng.
func sampleData(toy dataset.Toy, n int, rng *rand.Rand) []float32 {
	x := make([]float32, 2*n)
	toy.Sample(x, rng)
	return x
}
