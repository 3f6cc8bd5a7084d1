package seqmodel

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// linearActOp is a linear layer and its activation in one node,
// h = f(x·Wᵀ + b), with W stored (out, in) as in linearOp. Inputs: x, W, b.
//
// The bias add and the activation share one pass over the output
// (asm.AddBiasSiLU for SiLU) instead of linearOp's bias pass followed by an
// activationOp pass. The op keeps the pre-activation x·Wᵀ + b in its own
// buffer for the backward op, which reads it there; the backward op takes
// h as an input so that the graph orders it after this op.
type linearActOp struct {
	opBase
	act       Activation
	dims      int  // dimensions of x and h
	inputGrad bool // whether SymDiff returns a gradient for x
	pre, out  buffer
}

func (op *linearActOp) Arity() int { return 3 }
func (op *linearActOp) Type() hm.Type {
	return hm.NewFnType(tensorT(op.dims), tensorT(2), tensorT(1), tensorT(op.dims))
}
func (op *linearActOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return linearShape(in)
}
func (op *linearActOp) String() string {
	return fmt.Sprintf("Linear%s{dims=%d,dx=%t}", op.act, op.dims, op.inputGrad)
}
func (op *linearActOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *linearActOp) Hashcode() uint32      { return hashcode(op) }
func (op *linearActOp) DiffWRT(int) []bool    { return []bool{op.inputGrad, true, true} }
func (op *linearActOp) Do(v ...G.Value) (G.Value, error) {
	shape, _ := linearShape([]G.DimSizer{v[0].Shape(), v[1].Shape(), v[2].Shape()})
	pre, h := op.pre.get(shape...), op.out.get(shape...)
	matmulWT(f32(pre), f32(v[0]), f32(v[1]), v[1].Shape()[0])
	op.act.addBiasApply(f32(h), f32(pre), f32(v[2]))
	return h, nil
}

// SymDiff returns the linear layer's gradients (see linearGrads) for
// dpre = dh·f′(pre).
func (op *linearActOp) SymDiff(in G.Nodes, h, dh *G.Node) (G.Nodes, error) {
	dpre, err := G.ApplyOp(&linearActGradOp{fwd: op}, h, dh)
	if err != nil {
		return nil, err
	}
	return linearGrads(op.dims, op.inputGrad, in[0], in[1], dpre)
}

// linearActGradOp computes dpre = dh·f′(pre) for a linearActOp, reading pre
// from the forward op's buffer. Inputs: h (for the order of evaluation
// only), dh.
type linearActGradOp struct {
	opBase
	fwd *linearActOp
	out buffer
}

func (op *linearActGradOp) Arity() int { return 2 }
func (op *linearActGradOp) Type() hm.Type {
	d := op.fwd.dims
	return hm.NewFnType(tensorT(d), tensorT(d), tensorT(d))
}
func (op *linearActGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(in[0]).Clone(), nil
}
func (op *linearActGradOp) String() string {
	return fmt.Sprintf("Linear%sGrad{dims=%d}", op.fwd.act, op.fwd.dims)
}
func (op *linearActGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *linearActGradOp) Hashcode() uint32      { return hashcode(op) }
func (op *linearActGradOp) Do(v ...G.Value) (G.Value, error) {
	dpre := op.out.get(v[0].Shape()...)
	op.fwd.act.grad(f32(dpre), f32(op.fwd.pre.t), f32(v[1]))
	return dpre, nil
}
