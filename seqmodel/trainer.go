package seqmodel

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// Trainer fits a Backbone's output to regression targets with the mean
// squared error, AdamW and an EMA of the weights. It compiles the graph once
// for a fixed batch size; each Step runs Let (the feeder) → RunAll → the
// optimizer step → Reset.
type Trainer struct {
	Net Backbone
	Opt *AdamW
	EMA *Params // exponential moving average of the weights; nil without EMA

	batch  int
	vm     G.VM
	loss   *G.Node
	feed   Feeder
	target []float32
	nodes  []*G.Node // gradient-carrying node of each parameter (nil if unused)
	grads  [][]float32
}

// ErrNonFinite reports a NaN or infinite loss or gradient. The step that
// produced it was not applied, so the weights are those of the last good step.
var ErrNonFinite = errors.New("non-finite loss or gradient")

// NewTrainer compiles net's training graph for batches of batch samples.
func NewTrainer(net Backbone, batch int, cfg OptimConfig) (*Trainer, error) {
	if batch <= 0 {
		return nil, fmt.Errorf("batch size %d must be positive", batch)
	}
	opt, err := NewAdamW(net.Params(), cfg)
	if err != nil {
		return nil, err
	}
	g := NewGraph()
	out, feed, err := net.Build(g, batch)
	if err != nil {
		return nil, fmt.Errorf("build %s graph: %w", net.Config().Backbone, err)
	}
	targetNode, targetT := g.Input("target", out.Shape()...)
	loss, err := apply(&mseOp{dims: out.Dims()}, out, targetNode)
	if err != nil {
		return nil, err
	}
	tr := &Trainer{Net: net, Opt: opt, batch: batch, loss: loss, feed: feed, target: f32(targetT)}
	var wrt G.Nodes
	for _, p := range net.Params().All() {
		n := g.Node(p)
		tr.nodes = append(tr.nodes, n)
		if n != nil {
			wrt = append(wrt, n)
		}
	}
	if _, err := G.Grad(loss, wrt...); err != nil {
		return nil, fmt.Errorf("differentiate %s graph: %w", net.Config().Backbone, err)
	}
	tr.vm = G.NewTapeMachine(g.G, G.BindDualValues(wrt...))
	tr.grads = make([][]float32, len(tr.nodes))
	if cfg.EMADecay > 0 {
		tr.EMA = net.Params().Clone()
	}
	return tr, nil
}

// Batch is the batch size the graph was compiled for.
func (tr *Trainer) Batch() int { return tr.batch }

// Step trains on one batch: x and target hold Batch()·Dim values, t holds
// Batch() times, cond is nil or Batch() labels. It returns the batch's mean
// squared error before the update. A non-finite loss or gradient returns an
// error wrapping ErrNonFinite and leaves weights, moments and EMA unchanged.
func (tr *Trainer) Step(x, t, target []float32, cond []int32) (float64, error) {
	if len(target) != len(tr.target) {
		return 0, fmt.Errorf("target has %d values, the graph expects %d", len(target), len(tr.target))
	}
	if err := tr.feed(x, t, cond); err != nil {
		return 0, err
	}
	copy(tr.target, target)
	defer tr.vm.Reset()
	if err := tr.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("step %d: %w", tr.Opt.Step+1, err)
	}
	loss := float64(scalarF32(tr.loss.Value()))
	for i, n := range tr.nodes {
		if n == nil {
			continue
		}
		gv, err := n.Grad()
		if err != nil {
			return 0, fmt.Errorf("gradient of %s: %w", n.Name(), err)
		}
		tr.grads[i] = f32(gv)
	}
	norm := GradNorm(tr.grads)
	if math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(norm) || math.IsInf(norm, 0) {
		tr.zeroGrads()
		return loss, fmt.Errorf("step %d: loss %g, gradient norm %g: %w", tr.Opt.Step+1, loss, norm, ErrNonFinite)
	}
	tr.Opt.Update(tr.Net.Params(), tr.grads, norm)
	tr.zeroGrads()
	if tr.EMA != nil {
		UpdateEMA(tr.EMA, tr.Net.Params(), tr.Opt.Config.EMADecay, tr.Opt.Step-1)
	}
	return loss, nil
}

// zeroGrads clears the gradient accumulators, which gorgonia adds into.
func (tr *Trainer) zeroGrads() {
	for _, g := range tr.grads {
		clear(g)
	}
}

// SampleParams returns the weights to sample with: the EMA when there is one.
func (tr *Trainer) SampleParams() *Params {
	if tr.EMA != nil {
		return tr.EMA
	}
	return tr.Net.Params()
}

// Close releases the compiled graph.
func (tr *Trainer) Close() error { return tr.vm.Close() }
