package seqmodel

import (
	"fmt"
	"math/rand/v2"
	"strings"

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
	cfg     Config
	ps      *Params
	mlp     *MLP
	in      []float32 // Predict's workspace for one chunk: input rows,
	emb     []float32 // time embeddings
	scratch []float32 // and hidden activations
}

// predictChunk is the number of rows Predict pushes through the MLP at once,
// so that hidden activations stay in cache.
const predictChunk = 1024

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

func (b *pointMLP) Predict(dst, x, t []float32, _ []int32) error {
	d := b.cfg.Dim
	n := len(t)
	if len(x) != n*d || len(dst) != n*d {
		return fmt.Errorf("mlp: %d times but %d inputs and %d outputs for dimension %d", n, len(x), len(dst), d)
	}
	width := d + b.cfg.TimeDim
	if b.in == nil {
		b.in = make([]float32, predictChunk*width)
		b.emb = make([]float32, predictChunk*b.cfg.TimeDim)
		b.scratch = make([]float32, b.mlp.ScratchSize(predictChunk))
	}
	for lo := 0; lo < n; lo += predictChunk {
		hi := min(lo+predictChunk, n)
		in := b.in[:(hi-lo)*width]
		b.fillInput(in, b.emb[:(hi-lo)*b.cfg.TimeDim], x[lo*d:hi*d], t[lo:hi])
		b.mlp.Forward(dst[lo*d:hi*d], in, b.scratch)
	}
	return nil
}
