package seqmodel

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/seqlab/seqlab/asm"
	G "gorgonia.org/gorgonia"
)

// Linear is y = x·Wᵀ + b over the last axis, with W stored (out, in) and b
// (out), named "<name>.weight" and "<name>.bias" as in PyTorch's nn.Linear, so
// checkpoints load into PyTorch unchanged.
type Linear struct {
	In, Out int
	W, B    *Param
}

// NewLinear adds a linear layer's parameters to ps: the weight drawn by init,
// the bias zero.
func NewLinear(ps *Params, name string, in, out int, init Init, rng *rand.Rand) *Linear {
	return &Linear{
		In: in, Out: out,
		W: ps.Add(name+".weight", []int{out, in}, in, out, init, rng),
		B: ps.Add(name+".bias", []int{out}, in, out, Zeros, rng),
	}
}

// Apply adds the layer to g. inputGrad says whether gradients must flow back
// into x (false for a layer reading the data directly).
func (l *Linear) Apply(g *Graph, x *G.Node, inputGrad bool) (*G.Node, error) {
	return apply(&linearOp{dims: x.Dims(), inputGrad: inputGrad}, x, g.Param(l.W), g.Param(l.B))
}

// applyActivation adds the layer followed by act to g as one node; the
// bias add and act share a pass (linearActOp).
func (l *Linear) applyActivation(g *Graph, x *G.Node, inputGrad bool, act Activation) (*G.Node, error) {
	return apply(&linearActOp{act: act, dims: x.Dims(), inputGrad: inputGrad}, x, g.Param(l.W), g.Param(l.B))
}

// Forward computes dst = x·Wᵀ + b without gradients for len(x)/In rows.
func (l *Linear) Forward(dst, x []float32) {
	l.product(dst, x)
	asm.AddBias(dst, l.B.Data)
}

// product computes dst = x·Wᵀ, the layer without its bias, for len(x)/In
// rows.
func (l *Linear) product(dst, x []float32) {
	rows := len(x) / l.In
	if len(x) != rows*l.In || len(dst) != rows*l.Out {
		panic(fmt.Sprintf("seqmodel: Linear(%d→%d).Forward: len(x)=%d len(dst)=%d", l.In, l.Out, len(x), len(dst)))
	}
	matmulWT(dst, x, l.W.Data, l.Out)
}

// MLP is a multilayer perceptron: hidden layers with activation Act between
// them and a linear output layer. Its linear layers are named "<name>.0",
// "<name>.2", "<name>.4", …: the names PyTorch gives them in
// nn.Sequential(Linear, act, Linear, act, …, Linear), so the weights load into
// that module with load_state_dict unchanged.
type MLP struct {
	Layers []*Linear
	Act    Activation
}

// NewMLP adds an MLP from in to out values with depth hidden layers of width
// units to ps. Weights are Glorot-initialised, biases zero.
func NewMLP(ps *Params, name string, in, width, depth, out int, act Activation, rng *rand.Rand) *MLP {
	m := &MLP{Act: act}
	prev := in
	for i := range depth {
		m.Layers = append(m.Layers, NewLinear(ps, fmt.Sprintf("%s.%d", name, 2*i), prev, width, Glorot, rng))
		prev = width
	}
	m.Layers = append(m.Layers, NewLinear(ps, fmt.Sprintf("%s.%d", name, 2*depth), prev, out, Glorot, rng))
	return m
}

// Apply adds the MLP to g; inputGrad is as for Linear.Apply. Each hidden
// layer and its activation are one node (Linear.applyActivation).
func (m *MLP) Apply(g *Graph, x *G.Node, inputGrad bool) (*G.Node, error) {
	h := x
	for i, l := range m.Layers {
		var err error
		if i < len(m.Layers)-1 {
			h, err = l.applyActivation(g, h, inputGrad || i > 0, m.Act)
		} else {
			h, err = l.Apply(g, h, inputGrad || i > 0)
		}
		if err != nil {
			return nil, err
		}
	}
	return h, nil
}

// ScratchSize is the scratch length Forward needs for rows rows.
func (m *MLP) ScratchSize(rows int) int {
	w := 0
	for _, l := range m.Layers[:len(m.Layers)-1] {
		w = max(w, l.Out)
	}
	return 2 * rows * w
}

// Forward computes the MLP without gradients for len(x)/in rows into dst,
// using scratch (at least ScratchSize(rows) values) for hidden activations.
func (m *MLP) Forward(dst, x, scratch []float32) {
	l0 := m.Layers[0]
	rows := len(x) / l0.In
	if len(scratch) < m.ScratchSize(rows) {
		panic(fmt.Sprintf("seqmodel: MLP.Forward: scratch %d < %d", len(scratch), m.ScratchSize(rows)))
	}
	if len(m.Layers) == 1 {
		l0.Forward(dst, x)
		return
	}
	h := scratch[:rows*l0.Out]
	l0.product(h, x)
	m.Act.addBiasApply(h, h, l0.B.Data)
	m.forwardRest(dst, h, scratch, nil)
}

// packBF16 packs into packed (one entry per layer) the weights of the
// layers whose products run in bfloat16 (asm.PackBF16Weights), and sets
// use[i] to &packed[i] for those and nil for the others. It reports whether
// it packed any.
func (m *MLP) packBF16(packed []asm.BF16Weights, use []*asm.BF16Weights) bool {
	some := false
	for i, l := range m.Layers {
		use[i] = nil
		if asm.PackBF16Weights(&packed[i], l.W.Data, l.Out, l.In, l.In) {
			use[i], some = &packed[i], true
		}
	}
	return some
}

// product computes layer i's x·Wᵀ into dst, from packed, its weights packed
// for bfloat16, when that is not nil.
func (m *MLP) product(i int, dst, x []float32, packed *asm.BF16Weights) {
	if packed != nil {
		asm.MulBF16(dst, x, packed)
		return
	}
	m.Layers[i].product(dst, x)
}

// forwardRest continues Forward from h, the first layer's activations,
// held at the start of scratch or outside it; the MLP has at least two
// layers. Each hidden layer's bias and activation are one pass over its
// output (Activation.addBiasApply). Layers with an entry in packed (nil,
// or one entry per layer) multiply with it.
func (m *MLP) forwardRest(dst, h, scratch []float32, packed []*asm.BF16Weights) {
	half := len(scratch) / 2
	bufs := [2][]float32{scratch[:half], scratch[half:]}
	rows := len(h) / m.Layers[0].Out
	for i := 1; i < len(m.Layers); i++ {
		l := m.Layers[i]
		var w *asm.BF16Weights
		if packed != nil {
			w = packed[i]
		}
		out := dst
		if i < len(m.Layers)-1 {
			out = bufs[i%2][:rows*l.Out]
		}
		m.product(i, out, h, w)
		if i == len(m.Layers)-1 {
			asm.AddBias(out, l.B.Data)
			break
		}
		m.Act.addBiasApply(out, out, l.B.Data)
		h = out
	}
}

// Norm is LayerNorm (gain and bias) or RMSNorm (gain only) over the last
// axis, with parameters "<name>.weight" (ones) and, for LayerNorm,
// "<name>.bias" (zeros), as in PyTorch.
type Norm struct {
	RMS  bool
	Gain *Param
	Bias *Param // nil for RMSNorm
}

// NewLayerNorm adds a LayerNorm over dim features to ps.
func NewLayerNorm(ps *Params, name string, dim int, rng *rand.Rand) *Norm {
	return &Norm{
		Gain: ps.Add(name+".weight", []int{dim}, dim, dim, ones, rng),
		Bias: ps.Add(name+".bias", []int{dim}, dim, dim, Zeros, rng),
	}
}

// NewRMSNorm adds an RMSNorm over dim features to ps.
func NewRMSNorm(ps *Params, name string, dim int, rng *rand.Rand) *Norm {
	return &Norm{RMS: true, Gain: ps.Add(name+".weight", []int{dim}, dim, dim, ones, rng)}
}

func ones(dst []float32, _, _ int, _ *rand.Rand) {
	for i := range dst {
		dst[i] = 1
	}
}

// Apply adds the norm to g.
func (n *Norm) Apply(g *Graph, x *G.Node) (*G.Node, error) {
	op := &normOp{rms: n.RMS, dims: x.Dims()}
	if n.RMS {
		return apply(op, x, g.Param(n.Gain))
	}
	return apply(op, x, g.Param(n.Gain), g.Param(n.Bias))
}

// Forward normalises each row of x into dst without gradients.
func (n *Norm) Forward(dst, x []float32) {
	d := len(n.Gain.Data)
	if len(x)%d != 0 || len(dst) != len(x) {
		panic(fmt.Sprintf("seqmodel: Norm.Forward: len(x)=%d len(dst)=%d dim=%d", len(x), len(dst), d))
	}
	var b []float32
	if n.Bias != nil {
		b = n.Bias.Data
	}
	for r := 0; r < len(x); r += d {
		mean, rstd := normStats(x[r:r+d], n.RMS)
		for j := range d {
			dst[r+j] = (x[r+j]-mean)*rstd*n.Gain.Data[j] + at(b, j)
		}
	}
}

// TimeScale multiplies t ∈ [0, 1] before the sinusoid, as FLUX's
// time_factor, so that the embedding's frequencies match DiT's on integer
// timesteps 0..1000.
const TimeScale = 1000

// TimeEmbedding writes the sinusoidal embedding of each t[i] into row i of
// dst (len(t) rows of dim values): with half = dim/2 and
// f_j = exp(−ln(10000)·j/half), row i is [cos(s·t_i·f_j)…, sin(s·t_i·f_j)…]
// with s = TimeScale, cosine first as in DiT and FLUX; an odd dim leaves the
// last value 0.
func TimeEmbedding(dst, t []float32, dim int) {
	if len(dst) != len(t)*dim {
		panic(fmt.Sprintf("seqmodel: TimeEmbedding: len(dst)=%d, want %d·%d", len(dst), len(t), dim))
	}
	half := dim / 2
	var freqBuf [64]float64
	freq := freqBuf[:0]
	for j := range half {
		freq = append(freq, TimeScale*math.Exp(-math.Log(10000)*float64(j)/float64(half)))
	}
	asm.Sinusoids(dst, dim, t, freq) // the same bits on every CPU
	if dim%2 == 1 {
		for i := range t {
			dst[i*dim+dim-1] = 0
		}
	}
}
