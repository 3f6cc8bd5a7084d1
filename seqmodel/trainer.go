package seqmodel

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/seqlab/seqlab/asm"
	G "gorgonia.org/gorgonia"
)

// Trainer fits a Backbone's output to regression targets with the mean
// squared error, AdamW and an EMA of the weights. It builds the graph once
// for a fixed batch size; each Step feeds the batch into the graph's inputs,
// runs its program (program.go) and takes the optimizer step.
//
// A batch of at least 2·minPartRows samples is split into trainParts fixed
// parts (samples [0, n/2) and [n/2, n)), each with its own compiled graph
// over the shared parameters; with GOMAXPROCS ≥ 2 the parts run on their own
// goroutines. Each part's loss divides by the whole batch's size, so the
// parts' losses and gradients add up to the batch's. The split and the order
// of that sum do not depend on GOMAXPROCS or on scheduling, so a seed gives
// the same bits on any number of threads.
type Trainer struct {
	Net Backbone
	Opt *AdamW
	EMA *Params // exponential moving average of the weights; nil without EMA

	batch  int
	dim    int // input values per sample
	outDim int // output (and target) values per sample
	parts  []*trainPart
	grads  [][]float32 // whole-batch gradient of each parameter (nil if unused)
	sq     []float64   // Σ g² of each parameter's gradient

	// spans splits the parameters for the optimizer's goroutines:
	// goroutine w updates parameters [spans[w], spans[w+1]).
	spans   []int
	scratch [][]float32 // each goroutine's clipped-gradient buffer
}

// trainPart is the compiled graph of samples [lo, hi) of a batch.
type trainPart struct {
	lo, hi int
	prog   *program
	loss   *G.Node
	feed   Feeder
	target []float32
	// gradNodes holds the node computing each parameter's gradient (nil
	// if the graph does not use the parameter).
	gradNodes []*G.Node
	grads     [][]float32
	lossV     float64 // the part's loss of the last run
}

// trainParts is the number of parts a large batch is split into: one per
// core of the machines seqlab targets. minPartRows is the smallest part
// worth its own graph.
const (
	trainParts  = 2
	minPartRows = 64
)

// partsFor is how many parts NewTrainer splits a batch of n samples into.
func partsFor(n int) int {
	if n >= trainParts*minPartRows {
		return trainParts
	}
	return 1
}

// ErrNonFinite reports a NaN or infinite loss or gradient. The step that
// produced it was not applied, so the weights are those of the last good step.
var ErrNonFinite = errors.New("non-finite loss or gradient")

// NewTrainer compiles net's training graph for batches of batch samples.
func NewTrainer(net Backbone, batch int, cfg OptimConfig) (*Trainer, error) {
	return newTrainer(net, batch, cfg, partsFor(batch))
}

// newTrainer is NewTrainer with the number of parts given.
func newTrainer(net Backbone, batch int, cfg OptimConfig, parts int) (*Trainer, error) {
	if batch <= 0 {
		return nil, fmt.Errorf("batch size %d must be positive", batch)
	}
	opt, err := NewAdamW(net.Params(), cfg)
	if err != nil {
		return nil, err
	}
	tr := &Trainer{Net: net, Opt: opt, batch: batch, dim: net.Dim()}
	for p := range parts {
		part, err := tr.compilePart(p*batch/parts, (p+1)*batch/parts)
		if err != nil {
			return nil, err
		}
		tr.parts = append(tr.parts, part)
	}
	all := net.Params().All()
	tr.grads, tr.sq = make([][]float32, len(all)), make([]float64, len(all))
	tr.spans = paramSpans(all, trainParts)
	tr.scratch = make([][]float32, len(tr.spans)-1)
	if cfg.EMADecay > 0 {
		tr.EMA = net.Params().Clone()
	}
	return tr, nil
}

// paramSpans splits ps into at most n contiguous runs of about equal total
// size and returns their bounds.
func paramSpans(ps []*Param, n int) []int {
	total := 0
	for _, p := range ps {
		total += p.Size()
	}
	spans, acc := []int{0}, 0
	for i, p := range ps {
		acc += p.Size()
		if len(spans) < n && acc*n >= total*len(spans) && i+1 < len(ps) {
			spans = append(spans, i+1)
		}
	}
	return append(spans, len(ps))
}

// compilePart builds and compiles the graph of samples [lo, hi) of a batch
// of tr.batch.
func (tr *Trainer) compilePart(lo, hi int) (*trainPart, error) {
	net := tr.Net
	g := NewGraph()
	out, feed, err := net.Build(g, hi-lo)
	if err != nil {
		return nil, fmt.Errorf("build %s graph: %w", net.Config().Backbone, err)
	}
	tr.outDim = out.Shape().TotalSize() / (hi - lo)
	targetNode, targetT := g.Input("target", out.Shape()...)
	loss, err := apply(&mseOp{dims: out.Dims(), of: tr.batch * tr.outDim}, out, targetNode)
	if err != nil {
		return nil, err
	}
	part := &trainPart{lo: lo, hi: hi, loss: loss, feed: feed, target: f32(targetT)}
	var nodes, wrt G.Nodes
	for _, p := range net.Params().All() {
		n := g.Node(p)
		nodes = append(nodes, n)
		if n != nil {
			wrt = append(wrt, n)
		}
	}
	grads, err := G.Grad(loss, wrt...)
	if err != nil {
		return nil, fmt.Errorf("differentiate %s graph: %w", net.Config().Backbone, err)
	}
	// The gradients are the values the program leaves at their nodes.
	for _, n := range nodes {
		var gn *G.Node
		if n != nil {
			gn, grads = grads[0], grads[1:]
		}
		part.gradNodes = append(part.gradNodes, gn)
	}
	if part.prog, err = newProgram(g.G); err != nil {
		return nil, fmt.Errorf("%s graph: %w", net.Config().Backbone, err)
	}
	part.grads = make([][]float32, len(nodes))
	return part, nil
}

// Batch is the batch size the graph was compiled for.
func (tr *Trainer) Batch() int { return tr.batch }

// Step trains on one batch: x and target hold Batch()·Dim values, t holds
// Batch() times, cond is nil or Batch() labels. It returns the batch's mean
// squared error before the update. A non-finite loss or gradient returns an
// error wrapping ErrNonFinite and leaves weights, moments and EMA unchanged.
func (tr *Trainer) Step(x, t, target []float32, cond []int32) (float64, error) {
	n := tr.batch
	if len(target) != n*tr.outDim {
		return 0, fmt.Errorf("target has %d values, the graph expects %d", len(target), n*tr.outDim)
	}
	if len(x) != n*tr.dim || len(t) != n || cond != nil && len(cond) != n {
		return 0, fmt.Errorf("batch of %d points (%d values, %d labels) for a graph of %d points of dimension %d",
			len(t), len(x), len(cond), n, tr.dim)
	}
	loss, norm, err := tr.backward(x, t, target, cond)
	if err != nil {
		return 0, fmt.Errorf("step %d: %w", tr.Opt.Step+1, err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return loss, fmt.Errorf("step %d: loss %g, gradient norm %g: %w", tr.Opt.Step+1, loss, norm, ErrNonFinite)
	}
	params := tr.Net.Params().All()
	u := tr.Opt.begin(norm)
	var d float32
	if tr.EMA != nil {
		d = emaDecay(tr.Opt.Config.EMADecay, tr.Opt.Step-1)
	}
	tr.forParams(func(w, i int) {
		p := params[i].Data
		u.apply(p, tr.Opt.M.list[i].Data, tr.Opt.V.list[i].Data, tr.grads[i], &tr.scratch[w])
		if tr.EMA != nil {
			emaStep(tr.EMA.list[i].Data, p, d)
		}
	})
	return loss, nil
}

// backward runs the parts' graphs on a batch (concurrently when GOMAXPROCS
// allows) and leaves the batch's gradient in tr.grads: the parts'
// gradients summed in part order, into the first part's buffers. It
// returns the loss and the gradient's norm.
func (tr *Trainer) backward(x, t, target []float32, cond []int32) (loss, norm float64, err error) {
	errs := make([]error, len(tr.parts))
	run := func(i int) { errs[i] = tr.parts[i].run(x, t, target, cond, tr.dim, tr.outDim) }
	if runtime.GOMAXPROCS(0) > 1 && len(tr.parts) > 1 {
		defer asm.ReserveProcs(len(tr.parts) - 1)()
		var wg sync.WaitGroup
		for i := 1; i < len(tr.parts); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(i)
			}()
		}
		run(0)
		wg.Wait()
	} else {
		for i := range tr.parts {
			run(i)
		}
	}
	for i, p := range tr.parts {
		if errs[i] != nil {
			return 0, 0, errs[i]
		}
		loss += p.lossV
	}
	tr.forParams(func(_, i int) {
		g := tr.parts[0].grads[i]
		for _, p := range tr.parts[1:] {
			addTo(g, p.grads[i])
		}
		tr.grads[i] = g
		tr.sq[i] = sumSquares(g)
	})
	var sq float64
	for _, s := range tr.sq {
		sq += s
	}
	return loss, math.Sqrt(sq), nil
}

// forParams calls f(w, i) for every parameter i, sharing the parameters out
// among up to len(tr.spans) goroutines w (contiguous runs of about equal
// size). The calls for different parameters must be independent.
func (tr *Trainer) forParams(f func(w, i int)) {
	run := func(w int) {
		for i := tr.spans[w]; i < tr.spans[w+1]; i++ {
			f(w, i)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(tr.spans)-1)
	if workers == 1 {
		for w := range len(tr.spans) - 1 {
			run(w)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < len(tr.spans)-1; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(w)
		}()
	}
	run(0)
	wg.Wait()
}

// run feeds the part's samples of the batch, runs its graph and collects its
// loss and gradients.
func (p *trainPart) run(x, t, target []float32, cond []int32, dim, outDim int) error {
	var c []int32
	if cond != nil {
		c = cond[p.lo:p.hi]
	}
	if err := p.feed(x[p.lo*dim:p.hi*dim], t[p.lo:p.hi], c); err != nil {
		return err
	}
	copy(p.target, target[p.lo*outDim:p.hi*outDim])
	if err := p.prog.run(); err != nil {
		return err
	}
	p.lossV = float64(scalarF32(p.prog.value(p.loss)))
	for i, n := range p.gradNodes {
		if n != nil {
			p.grads[i] = f32(p.prog.value(n))
		}
	}
	return nil
}

// addTo sets dst[i] += src[i].
func addTo(dst, src []float32) {
	for i, v := range src[:len(dst)] {
		dst[i] += v
	}
}

// SampleParams returns the weights to sample with: the EMA when there is one.
func (tr *Trainer) SampleParams() *Params {
	if tr.EMA != nil {
		return tr.EMA
	}
	return tr.Net.Params()
}
