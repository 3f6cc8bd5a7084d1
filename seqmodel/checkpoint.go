package seqmodel

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Checkpoint is everything needed to sample from a model or resume its
// training: the backbone configuration and weights, the EMA weights, the
// optimizer state and step, and the caller's metadata (run configuration,
// random-number-generator states).
//
// On disk it is one safetensors file: the weights under their own names
// ("net.0.weight", … as PyTorch names nn.Linear parameters), the EMA under
// "ema.<name>", Adam's moments under "adam_m.<name>" and "adam_v.<name>", and
// the rest as JSON strings in the safetensors metadata.
type Checkpoint struct {
	Config Config
	Optim  OptimConfig
	Step   int
	Params *Params
	EMA    *Params // nil when training kept no EMA
	M, V   *Params // Adam moments; nil in a weights-only checkpoint
	// Meta holds the caller's entries; keys starting with "seqlab." are
	// reserved.
	Meta map[string]string
}

const (
	emaPrefix = "ema."
	mPrefix   = "adam_m."
	vPrefix   = "adam_v."

	metaFormat = "seqlab.format"
	metaConfig = "seqlab.config"
	metaOptim  = "seqlab.optim"
	metaStep   = "seqlab.step"
	// checkpointFormat is incremented whenever the layout changes
	// incompatibly.
	checkpointFormat = "1"
)

// Checkpoint captures the trainer's current state with meta.
func (tr *Trainer) Checkpoint(meta map[string]string) *Checkpoint {
	return &Checkpoint{
		Config: tr.Net.Config(), Optim: tr.Opt.Config, Step: tr.Opt.Step,
		Params: tr.Net.Params(), EMA: tr.EMA, M: tr.Opt.M, V: tr.Opt.V, Meta: meta,
	}
}

// Restore sets the trainer's weights, EMA, moments and step from ck, which
// must come from the same backbone configuration.
func (tr *Trainer) Restore(ck *Checkpoint) error {
	if ck.Config != tr.Net.Config() {
		return fmt.Errorf("checkpoint is for %+v, the trainer for %+v", ck.Config, tr.Net.Config())
	}
	if ck.M == nil || ck.V == nil {
		return fmt.Errorf("checkpoint holds no optimizer state: it cannot resume training")
	}
	if (ck.EMA == nil) != (tr.EMA == nil) {
		return fmt.Errorf("checkpoint has EMA %t, the trainer %t", ck.EMA != nil, tr.EMA != nil)
	}
	for _, c := range []struct{ dst, src *Params }{{tr.Net.Params(), ck.Params}, {tr.Opt.M, ck.M}, {tr.Opt.V, ck.V}, {tr.EMA, ck.EMA}} {
		if c.dst == nil {
			continue
		}
		if err := c.dst.CopyFrom(c.src); err != nil {
			return err
		}
	}
	tr.Opt.Step = ck.Step
	return nil
}

// SaveCheckpoint writes ck to path atomically (see WriteSafetensors).
func SaveCheckpoint(path string, ck *Checkpoint) error {
	meta := map[string]string{metaFormat: checkpointFormat, metaStep: strconv.Itoa(ck.Step)}
	for k, v := range ck.Meta {
		if strings.HasPrefix(k, "seqlab.") {
			return fmt.Errorf("write %s: metadata key %q is reserved", path, k)
		}
		meta[k] = v
	}
	for key, v := range map[string]any{metaConfig: ck.Config, metaOptim: ck.Optim} {
		js, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		meta[key] = string(js)
	}
	var ts []Tensor
	for _, set := range []struct {
		prefix string
		ps     *Params
	}{{"", ck.Params}, {emaPrefix, ck.EMA}, {mPrefix, ck.M}, {vPrefix, ck.V}} {
		if set.ps == nil {
			continue
		}
		for _, p := range set.ps.All() {
			ts = append(ts, Tensor{Name: set.prefix + p.Name, Shape: p.Shape, Data: p.Data})
		}
	}
	return WriteSafetensors(path, ts, meta)
}

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint. Besides the
// safetensors validation it checks that the configuration builds a known
// backbone and that every weight it needs is present with the right shape;
// every error names the file.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	ts, meta, err := ReadSafetensors(path)
	if err != nil {
		return nil, err
	}
	ck, err := checkpointFrom(ts, meta)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ck, nil
}

func checkpointFrom(ts []Tensor, meta map[string]string) (*Checkpoint, error) {
	if f := meta[metaFormat]; f != checkpointFormat {
		return nil, fmt.Errorf("not a seqlab checkpoint of format %s (metadata %s = %q)", checkpointFormat, metaFormat, f)
	}
	ck := &Checkpoint{Meta: map[string]string{}}
	if err := json.Unmarshal([]byte(meta[metaConfig]), &ck.Config); err != nil {
		return nil, fmt.Errorf("metadata %s: %w", metaConfig, err)
	}
	if err := json.Unmarshal([]byte(meta[metaOptim]), &ck.Optim); err != nil {
		return nil, fmt.Errorf("metadata %s: %w", metaOptim, err)
	}
	step, err := strconv.Atoi(meta[metaStep])
	if err != nil || step < 0 {
		return nil, fmt.Errorf("metadata %s = %q is not a step count", metaStep, meta[metaStep])
	}
	ck.Step = step
	for k, v := range meta {
		if !strings.HasPrefix(k, "seqlab.") {
			ck.Meta[k] = v
		}
	}
	// Check the configuration's parameter layout against the file before
	// building anything of the configured size.
	layout, err := Layout(ck.Config)
	if err != nil {
		return nil, fmt.Errorf("metadata %s: %w", metaConfig, err)
	}
	byName := map[string]Tensor{}
	for _, t := range ts {
		byName[t.Name] = t
	}
	for _, p := range layout.All() {
		t, ok := byName[p.Name]
		if !ok {
			return nil, fmt.Errorf("tensor %q is missing", p.Name)
		}
		if !slices.Equal(t.Shape, p.Shape) {
			return nil, fmt.Errorf("tensor %q has shape %v, the %s backbone needs %v", t.Name, t.Shape, ck.Config.Backbone, p.Shape)
		}
	}
	net, err := NewBackbone(ck.Config, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, fmt.Errorf("metadata %s: %w", metaConfig, err)
	}
	used := 0
	fill := func(prefix string, required bool) (*Params, error) {
		ps := net.Params().Clone()
		found := 0
		for _, p := range ps.All() {
			t, ok := byName[prefix+p.Name]
			if !ok {
				continue
			}
			if !slices.Equal(t.Shape, p.Shape) {
				return nil, fmt.Errorf("tensor %q has shape %v, the %s backbone needs %v", t.Name, t.Shape, ck.Config.Backbone, p.Shape)
			}
			copy(p.Data, t.Data)
			found++
		}
		switch {
		case found == 0 && !required:
			return nil, nil
		case found < len(ps.All()):
			for _, p := range ps.All() {
				if _, ok := byName[prefix+p.Name]; !ok {
					return nil, fmt.Errorf("tensor %q is missing", prefix+p.Name)
				}
			}
		}
		used += found
		return ps, nil
	}
	if ck.Params, err = fill("", true); err != nil {
		return nil, err
	}
	if ck.EMA, err = fill(emaPrefix, false); err != nil {
		return nil, err
	}
	if ck.M, err = fill(mPrefix, false); err != nil {
		return nil, err
	}
	if ck.V, err = fill(vPrefix, false); err != nil {
		return nil, err
	}
	if (ck.M == nil) != (ck.V == nil) {
		return nil, fmt.Errorf("only one of Adam's two moment sets is present")
	}
	if used != len(ts) {
		for _, t := range ts {
			if !isCheckpointTensor(net.Params(), t.Name) {
				return nil, fmt.Errorf("tensor %q is not part of a %s backbone", t.Name, ck.Config.Backbone)
			}
		}
	}
	return ck, nil
}

func isCheckpointTensor(ps *Params, name string) bool {
	for _, prefix := range []string{"", emaPrefix, mPrefix, vPrefix} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && ps.Get(rest) != nil {
			return true
		}
	}
	return false
}

// Backbone returns the checkpoint's network with the weights to sample
// with: the EMA when the checkpoint has one, else the trained weights.
func (ck *Checkpoint) Backbone() (Backbone, error) {
	net, err := NewBackbone(ck.Config, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, err
	}
	src := ck.Params
	if ck.EMA != nil {
		src = ck.EMA
	}
	if err := net.Params().CopyFrom(src); err != nil {
		return nil, err
	}
	return net, nil
}
