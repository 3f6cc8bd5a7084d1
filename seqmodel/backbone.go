package seqmodel

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/seqlab/seqlab/asm"

	G "gorgonia.org/gorgonia"
)

// Config describes a backbone completely: the same Config gives the same
// architecture and parameter names. It is stored in checkpoints as JSON.
type Config struct {
	Backbone   string     `json:"backbone"`   // a name from Backbones
	Dim        int        `json:"dim"`        // values per sample (input and output)
	Width      int        `json:"width"`      // hidden width
	Depth      int        `json:"depth"`      // number of hidden layers or blocks
	Activation Activation `json:"activation"` // hidden nonlinearity
	TimeDim    int        `json:"time_dim"`   // size of the sinusoidal time embedding
}

// Backbone is a network seqlab trains and samples: it owns its parameters,
// builds its training graph, and predicts without gradients (it meets
// diffusion.Network).
type Backbone interface {
	// Config returns the configuration the backbone was built from.
	Config() Config
	// Params returns the backbone's parameters; Predict reads their
	// current values.
	Params() *Params
	// Build adds the network for a batch of n samples to g and returns its
	// output node (n·Dim values) and a Feeder that writes a batch into the
	// graph's inputs.
	Build(g *Graph, n int) (*G.Node, Feeder, error)
	// Dim is the number of values per sample.
	Dim() int
	// Predict writes the output for n = len(t) samples without gradients;
	// see diffusion.Network. It is not safe for concurrent use.
	Predict(dst, x, t []float32, cond []int32) error
}

// Feeder writes a batch (x: n·Dim values, t: n times, cond: nil or n labels)
// into a built graph's inputs.
type Feeder func(x, t []float32, cond []int32) error

// backbones maps each backbone name to its constructor, which adds the
// backbone's parameters to ps.
var backbones = map[string]func(Config, *Params, *rand.Rand) (Backbone, error){
	"mlp": newPointMLP,
}

// Backbones lists the valid backbone names, sorted.
func Backbones() []string {
	names := make([]string, 0, len(backbones))
	for n := range backbones {
		names = append(names, n)
	}
	return sortedStrings(names)
}

// NewBackbone builds the backbone cfg describes, initialising its parameters
// from rng. An unknown backbone name or an impossible configuration is an
// error naming the valid choices.
func NewBackbone(cfg Config, rng *rand.Rand) (Backbone, error) {
	return newBackbone(cfg, NewParams(), rng)
}

// Limits on configuration sizes, far above anything a CPU trains, so that a
// corrupted configuration fails cleanly instead of exhausting memory.
const (
	maxDim   = 1 << 20
	maxDepth = 1 << 12
)

func newBackbone(cfg Config, ps *Params, rng *rand.Rand) (Backbone, error) {
	mk, ok := backbones[cfg.Backbone]
	if !ok {
		return nil, fmt.Errorf("unknown backbone %q (valid: %s)", cfg.Backbone, strings.Join(Backbones(), ", "))
	}
	if _, err := ParseActivation(string(cfg.Activation)); err != nil {
		return nil, err
	}
	if cfg.Dim <= 0 || cfg.Width <= 0 || cfg.Depth < 0 || cfg.TimeDim < 0 ||
		cfg.Dim > maxDim || cfg.Width > maxDim || cfg.TimeDim > maxDim || cfg.Depth > maxDepth {
		return nil, fmt.Errorf("backbone %s: dim %d, width %d, depth %d, time_dim %d: need 0 < dim, width ≤ %d, 0 ≤ time_dim ≤ %d, 0 ≤ depth ≤ %d",
			cfg.Backbone, cfg.Dim, cfg.Width, cfg.Depth, cfg.TimeDim, maxDim, maxDim, maxDepth)
	}
	return mk(cfg, ps, rng)
}

// Layout returns the names and shapes of the parameters cfg's backbone has,
// without allocating their values.
func Layout(cfg Config) (*Params, error) {
	ps := NewParams()
	ps.layoutOnly = true
	if _, err := newBackbone(cfg, ps, nil); err != nil {
		return nil, err
	}
	return ps, nil
}

// pointMLP is the "mlp" backbone for points in R^Dim: an MLP on the
// concatenation [x, TimeEmbedding(t)], the standard network of 2-D flow
// matching and diffusion experiments.
type pointMLP struct {
	cfg  Config
	ps   *Params
	mlp  *MLP
	work []*predictWork // Predict's workspace, one per goroutine

	// Under bfloat16 precision, Predict packs the weights of every layer
	// whose products run in bfloat16 once per call (packed; use[i] points
	// to layer i's, or is nil where the layer stays with Sgemm), and the
	// x columns of the first layer likewise (xPart, useX). When it packed
	// any layer (panels), its goroutines push rows through the whole MLP
	// predictPanel at a time, which keeps their activations in cache.
	// Under bfloat16 a row's result then never depends on the rows around
	// it, as it can through Sgemm, which keeps products of fewer than 16
	// rows in float32.
	packed []asm.BF16Weights
	use    []*asm.BF16Weights
	xPart  asm.BF16Weights
	useX   *asm.BF16Weights
	panels bool

	// wx is W_xᵀ, the x columns of the first layer transposed (Dim rows
	// of Width), when Predict takes that layer and its SiLU in one pass
	// (asm.LinearSiLU) for rows of equal times; empty otherwise.
	wx []float32
}

// predictWork is the workspace of one Predict goroutine for one chunk.
type predictWork struct {
	in      []float32 // input rows [x, TimeEmbedding(t)]
	emb     []float32 // time embeddings
	shift   []float32 // the time part of the first layer, TimeEmbedding(t)·W_tᵀ + b
	scratch []float32 // hidden activations
}

// predictChunk is the number of rows whose first layer Predict sets up
// together (whether their times are all equal decides how), and the most
// rows a goroutine takes at once. In float32 each layer multiplies a
// goroutine's whole piece of a chunk, so that Sgemm packs its weights once
// per piece while the hidden activations stay in the second-level cache.
const predictChunk = 1024

// linearSiLUMaxDim is the largest Dim for which Predict computes the first
// layer of rows of equal times with asm.LinearSiLU. On W5's layer (Zen 5,
// BenchmarkLinearSiLU, 1024 rows of 256 units) it took 61 µs against 72 µs
// for Sgemm and AddBiasSiLU with 2 inputs, was level with 4 and slower
// with 8.
const linearSiLUMaxDim = 2

// predictPanel is the number of rows that go through the whole network
// together when the weights are packed for bfloat16: four 32-row panels of
// the bfloat16 product. On W5's batch (Zen 5) it was faster than one panel
// and than whole chunks (BENCHMARKS.md).
const predictPanel = 128

func newPointMLP(cfg Config, ps *Params, rng *rand.Rand) (Backbone, error) {
	m := NewMLP(ps, "net", cfg.Dim+cfg.TimeDim, cfg.Width, cfg.Depth, cfg.Dim, cfg.Activation, rng)
	return &pointMLP{cfg: cfg, ps: ps, mlp: m}, nil
}

func (b *pointMLP) Config() Config  { return b.cfg }
func (b *pointMLP) Params() *Params { return b.ps }
func (b *pointMLP) Dim() int        { return b.cfg.Dim }

// fillInput writes rows [x_i, TimeEmbedding(t_i)] into in, using emb
// (len(t)·TimeDim values) for the embeddings.
func (b *pointMLP) fillInput(in, emb, x, t []float32) {
	d, k := b.cfg.Dim, b.cfg.TimeDim
	TimeEmbedding(emb, t, k)
	for i := range t {
		row := in[i*(d+k) : (i+1)*(d+k)]
		copy(row[:d], x[i*d:(i+1)*d])
		copy(row[d:], emb[i*k:(i+1)*k])
	}
}

func (b *pointMLP) Build(g *Graph, n int) (*G.Node, Feeder, error) {
	inNode, inT := g.Input("input", n, b.cfg.Dim+b.cfg.TimeDim)
	out, err := b.mlp.Apply(g, inNode, false)
	if err != nil {
		return nil, nil, err
	}
	in, emb := f32(inT), make([]float32, n*b.cfg.TimeDim)
	feed := func(x, t []float32, _ []int32) error {
		if len(t) != n || len(x) != n*b.cfg.Dim {
			return fmt.Errorf("batch of %d points (%d values) for a graph of %d points of dimension %d", len(t), len(x), n, b.cfg.Dim)
		}
		b.fillInput(in, emb, x, t)
		return nil
	}
	return out, feed, nil
}

// Predict implements Backbone. Rows are shared out among up to GOMAXPROCS
// goroutines in contiguous runs of whole predictPanel-row panels, and each
// run is cut where the chunks of predictChunk rows end. When all times of a
// chunk are equal (as in every step of a sampler), the time embedding's
// contribution to the first layer, TimeEmbedding(t)·W_tᵀ + b, is one row
// computed once and added to x·W_xᵀ, instead of a product over the
// concatenated input. Every product computes a row the same way whatever
// rows share it (Sgemm does so from 5 rows on, and pieces shorter than a
// panel occur only at the end of the data, as they would on one
// goroutine), so results do not depend on the number of goroutines. Under bfloat16 precision the weights are packed once
// per call and each goroutine takes its rows through the network
// predictPanel at a time.
func (b *pointMLP) Predict(dst, x, t []float32, _ []int32) error {
	d := b.cfg.Dim
	n := len(t)
	if len(x) != n*d || len(dst) != n*d {
		return fmt.Errorf("mlp: %d times but %d inputs and %d outputs for dimension %d", n, len(x), len(dst), d)
	}
	b.prepare()
	chunks := (n + predictChunk - 1) / predictChunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	for len(b.work) < workers {
		b.work = append(b.work, b.newPredictWork())
	}
	panels := (n + predictPanel - 1) / predictPanel
	run := func(w int) {
		// Goroutine w's rows [lo, end): whole panels, cut where chunks end.
		lo, end := w*panels/workers*predictPanel, min((w+1)*panels/workers*predictPanel, n)
		for lo < end {
			c0 := lo / predictChunk * predictChunk
			c1 := min(c0+predictChunk, n)
			hi := min(end, c1)
			b.predictRows(b.work[w], dst[lo*d:hi*d], x[lo*d:hi*d], t[lo:hi], allEqual(t[c0:c1]))
			lo = hi
		}
	}
	defer asm.ReserveProcs(workers - 1)()
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(w)
		}()
	}
	run(0)
	wg.Wait()
	return nil
}

// prepare sets up this call's first layer (wx) and, under bfloat16
// precision, packs the weights for its products (see pointMLP).
func (b *pointMLP) prepare() {
	layers := b.mlp.Layers
	if b.packed == nil {
		b.packed = make([]asm.BF16Weights, len(layers))
		b.use = make([]*asm.BF16Weights, len(layers))
	}
	b.panels = b.mlp.packBF16(b.packed, b.use)
	l0, d := layers[0], b.cfg.Dim
	b.useX = nil
	if asm.PackBF16Weights(&b.xPart, l0.W.Data, l0.Out, d, l0.In) {
		b.useX = &b.xPart
	}
	b.wx = b.wx[:0]
	if b.mlp.Act == SiLU && len(layers) > 1 && d <= linearSiLUMaxDim {
		b.wx = slices.Grow(b.wx, d*l0.Out)[:d*l0.Out]
		for j := range l0.Out {
			for c := range d {
				b.wx[c*l0.Out+j] = l0.W.Data[j*l0.In+c]
			}
		}
	}
}

func (b *pointMLP) newPredictWork() *predictWork {
	k := b.cfg.TimeDim
	return &predictWork{
		in:      make([]float32, predictChunk*(b.cfg.Dim+k)),
		emb:     make([]float32, predictChunk*k),
		shift:   make([]float32, b.mlp.Layers[0].Out),
		scratch: make([]float32, b.mlp.ScratchSize(predictChunk)),
	}
}

// predictRows computes the output of at most predictChunk rows of one
// chunk, shifted when all times of the chunk are equal: all at once in
// float32, predictPanel at a time when the weights are packed.
func (b *pointMLP) predictRows(w *predictWork, dst, x, t []float32, shifted bool) {
	d, k := b.cfg.Dim, b.cfg.TimeDim
	rows := len(t)
	layers := b.mlp.Layers
	l0 := layers[0]
	w0, width := l0.W.Data, l0.Out
	// With equal times the first layer is y = x·W_xᵀ + (e·W_tᵀ + b) with
	// W = [W_x W_t] (width×(d+k)); otherwise y = [x, e]·Wᵀ + b.
	bias := l0.B.Data
	if shifted {
		emb := w.emb[:k]
		TimeEmbedding(emb, t[:1], k)
		if k > 0 {
			asm.Sgemm(false, true, 1, width, k, 1, emb, k, w0[d:], d+k, 0, w.shift, width)
		} else {
			clear(w.shift)
		}
		asm.AddBias(w.shift, l0.B.Data)
		bias = w.shift
	} else {
		b.fillInput(w.in[:rows*(d+k)], w.emb[:rows*k], x, t)
	}
	step := rows
	if b.panels {
		step = predictPanel
	}
	for lo := 0; lo < rows; lo += step {
		n := min(step, rows-lo)
		out := dst[lo*d : (lo+n)*d]
		h := out
		if len(layers) > 1 {
			h = w.scratch[:n*width]
		}
		switch {
		case shifted && len(b.wx) > 0:
			// Layer and SiLU in one pass, h = SiLU(x·W_xᵀ + shift).
			asm.LinearSiLU(h, x[lo*d:(lo+n)*d], b.wx, bias)
			b.mlp.forwardRest(out, h, w.scratch, b.use)
			continue
		case shifted && b.useX != nil:
			asm.MulBF16(h, x[lo*d:(lo+n)*d], b.useX)
		case shifted:
			asm.Sgemm(false, true, n, width, d, 1, x[lo*d:], d, w0, d+k, 0, h, width)
		default:
			b.mlp.product(0, h, w.in[lo*(d+k):(lo+n)*(d+k)], b.use[0])
		}
		if len(layers) == 1 {
			asm.AddBias(h, bias)
			continue
		}
		b.mlp.Act.addBiasApply(h, h, bias)
		b.mlp.forwardRest(out, h, w.scratch, b.use)
	}
}

// allEqual reports whether every value of t equals the first.
func allEqual(t []float32) bool {
	for _, v := range t {
		if v != t[0] {
			return false
		}
	}
	return true
}
