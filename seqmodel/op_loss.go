package seqmodel

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mseOp is the mean squared error Σ(pred − target)²/N over every element,
// accumulated in float64, where N is the number of elements (of = 0) or of:
// the size of the whole batch when pred is one part of it, so that the
// parts' losses and gradients add up to those of the whole batch. Inputs:
// pred, target (same shape).
type mseOp struct {
	opBase
	dims int
	of   int
}

// mseDivisor is N of mseOp and mseGradOp.
func mseDivisor(of, n int) int {
	if of > 0 {
		return of
	}
	return n
}

func (op *mseOp) Arity() int { return 2 }
func (op *mseOp) Type() hm.Type {
	return hm.NewFnType(tensorT(op.dims), tensorT(op.dims), tensorT(0))
}
func (op *mseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	p, t := shapeOf(in[0]), shapeOf(in[1])
	if !p.Eq(t) {
		return nil, fmt.Errorf("mse: prediction %v and target %v differ in shape", p, t)
	}
	return tensor.ScalarShape(), nil
}
func (op *mseOp) String() string        { return fmt.Sprintf("MSE{dims=%d,of=%d}", op.dims, op.of) }
func (op *mseOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *mseOp) Hashcode() uint32      { return hashcode(op) }
func (op *mseOp) DiffWRT(int) []bool    { return []bool{true, false} }
func (op *mseOp) Do(v ...G.Value) (G.Value, error) {
	p, t := f32(v[0]), f32(v[1])
	var s float64
	for i, pv := range p {
		d := float64(pv - t[i])
		s += d * d
	}
	return G.NewF32(float32(s / float64(mseDivisor(op.of, len(p))))), nil
}
func (op *mseOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dp, err := G.ApplyOp(&mseGradOp{dims: op.dims, of: op.of}, in[0], in[1], grad)
	return G.Nodes{dp, nil}, err
}

// mseGradOp computes d/dpred of mse times the upstream scalar g:
// 2·(pred − target)·g / N, N as for mseOp. Inputs: pred, target, g.
type mseGradOp struct {
	opBase
	dims int
	of   int
	out  buffer
}

func (op *mseGradOp) Arity() int { return 3 }
func (op *mseGradOp) Type() hm.Type {
	return hm.NewFnType(tensorT(op.dims), tensorT(op.dims), tensorT(0), tensorT(op.dims))
}
func (op *mseGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(in[0]).Clone(), nil
}
func (op *mseGradOp) String() string {
	return fmt.Sprintf("MSEGrad{dims=%d,of=%d}", op.dims, op.of)
}
func (op *mseGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *mseGradOp) Hashcode() uint32      { return hashcode(op) }
func (op *mseGradOp) Do(v ...G.Value) (G.Value, error) {
	p, t := f32(v[0]), f32(v[1])
	out := op.out.get(v[0].Shape()...)
	dp := f32(out)
	k := 2 * scalarF32(v[2]) / float32(mseDivisor(op.of, len(p)))
	for i, pv := range p {
		dp[i] = k * (pv - t[i])
	}
	return out, nil
}
