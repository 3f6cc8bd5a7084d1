package seqmodel

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/seqlab/seqlab/asm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// linearOp computes y = x·Wᵀ + b over the last axis of x, with W stored
// (out, in) as in PyTorch's nn.Linear. x may have any number of leading
// axes; they are flattened into rows. Inputs: x, W, b.
type linearOp struct {
	opBase
	dims      int  // dimensions of x and y
	inputGrad bool // whether SymDiff returns a gradient for x
	out       buffer
}

func (op *linearOp) Arity() int { return 3 }
func (op *linearOp) Type() hm.Type {
	return hm.NewFnType(tensorT(op.dims), tensorT(2), tensorT(1), tensorT(op.dims))
}
func (op *linearOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return linearShape(in)
}

// linearShape is the shape of y = x·Wᵀ + b for the shapes of x, W and b.
func linearShape(in []G.DimSizer) (tensor.Shape, error) {
	x, w, b := shapeOf(in[0]), shapeOf(in[1]), shapeOf(in[2])
	if len(w) != 2 || len(b) != 1 || x[len(x)-1] != w[1] || b[0] != w[0] {
		return nil, fmt.Errorf("linear: x %v, W %v, b %v do not fit y = x·Wᵀ + b", x, w, b)
	}
	y := x.Clone()
	y[len(y)-1] = w[0]
	return y, nil
}
func (op *linearOp) String() string {
	return fmt.Sprintf("Linear{dims=%d,dx=%t}", op.dims, op.inputGrad)
}
func (op *linearOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *linearOp) Hashcode() uint32      { return hashcode(op) }
func (op *linearOp) DiffWRT(int) []bool    { return []bool{op.inputGrad, true, true} }
func (op *linearOp) Do(v ...G.Value) (G.Value, error) {
	shape, _ := linearShape([]G.DimSizer{v[0].Shape(), v[1].Shape(), v[2].Shape()})
	y := op.out.get(shape...)
	matmulWT(f32(y), f32(v[0]), f32(v[1]), v[1].Shape()[0])
	asm.AddBias(f32(y), f32(v[2]))
	return y, nil
}

// SymDiff returns dx = dy·W, dW = dyᵀ·x (rows flattened) and db = Σ_rows dy.
func (op *linearOp) SymDiff(in G.Nodes, _, dy *G.Node) (G.Nodes, error) {
	return linearGrads(op.dims, op.inputGrad, in[0], in[1], dy)
}

// matmulWT sets y = x·Wᵀ for the rows of x, with W stored (out, in).
func matmulWT(y, x, w []float32, out int) {
	in := len(w) / out
	asm.Sgemm(false, true, len(x)/in, out, in, 1, x, in, w, in, 0, y, out)
}

// linearGrads returns the gradient nodes of a linear layer y = x·Wᵀ + b
// with x of dims dimensions, given dy, the gradient with respect to y:
// dx = dy·W (nil unless inputGrad), dW = dyᵀ·x and db = Σ_rows dy.
func linearGrads(dims int, inputGrad bool, x, w, dy *G.Node) (G.Nodes, error) {
	var dx *G.Node
	var err error
	if inputGrad {
		if dx, err = G.ApplyOp(&linearDxOp{dims: dims, xShape: x.Shape().Clone()}, dy, w); err != nil {
			return nil, err
		}
	}
	dw, err := G.ApplyOp(&linearDwOp{dims: dims}, dy, x)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(&sumRowsOp{dims: dims}, dy)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw, db}, nil
}

// linearDxOp computes dx = dy·W for a linear layer. Inputs: dy, W.
type linearDxOp struct {
	opBase
	dims   int
	xShape tensor.Shape
	out    buffer
}

func (op *linearDxOp) Arity() int { return 2 }
func (op *linearDxOp) Type() hm.Type {
	return hm.NewFnType(tensorT(op.dims), tensorT(2), tensorT(op.dims))
}
func (op *linearDxOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.xShape.Clone(), nil }
func (op *linearDxOp) String() string                                 { return fmt.Sprintf("LinearDx{%v}", op.xShape) }
func (op *linearDxOp) WriteHash(h hash.Hash)                          { writeHash(h, op) }
func (op *linearDxOp) Hashcode() uint32                               { return hashcode(op) }
func (op *linearDxOp) Do(v ...G.Value) (G.Value, error) {
	dy, w := f32(v[0]), f32(v[1])
	outN, inN := v[1].Shape()[0], v[1].Shape()[1]
	dx := op.out.get(op.xShape...)
	asm.Sgemm(false, false, len(dy)/outN, inN, outN, 1, dy, outN, w, inN, 0, f32(dx), inN)
	return dx, nil
}

// linearDwOp computes dW = dyᵀ·x for a linear layer. Inputs: dy, x.
type linearDwOp struct {
	opBase
	dims int
	out  buffer
}

func (op *linearDwOp) Arity() int { return 2 }
func (op *linearDwOp) Type() hm.Type {
	return hm.NewFnType(tensorT(op.dims), tensorT(op.dims), tensorT(2))
}
func (op *linearDwOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	dy, x := shapeOf(in[0]), shapeOf(in[1])
	return tensor.Shape{dy[len(dy)-1], x[len(x)-1]}, nil
}
func (op *linearDwOp) String() string        { return fmt.Sprintf("LinearDw{dims=%d}", op.dims) }
func (op *linearDwOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *linearDwOp) Hashcode() uint32      { return hashcode(op) }
func (op *linearDwOp) Do(v ...G.Value) (G.Value, error) {
	dy, x := f32(v[0]), f32(v[1])
	rows, outN := rowsCols(v[0].Shape())
	_, inN := rowsCols(v[1].Shape())
	dw := op.out.get(outN, inN)
	asm.Sgemm(true, false, outN, inN, rows, 1, dy, outN, x, inN, 0, f32(dw), inN)
	return dw, nil
}

// sumRowsOp sums over every axis but the last: db[j] = Σ_r dy[r, j].
type sumRowsOp struct {
	opBase
	dims int
	out  buffer
}

func (op *sumRowsOp) Arity() int    { return 1 }
func (op *sumRowsOp) Type() hm.Type { return hm.NewFnType(tensorT(op.dims), tensorT(1)) }
func (op *sumRowsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s := shapeOf(in[0])
	return tensor.Shape{s[len(s)-1]}, nil
}
func (op *sumRowsOp) String() string        { return fmt.Sprintf("SumRows{dims=%d}", op.dims) }
func (op *sumRowsOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *sumRowsOp) Hashcode() uint32      { return hashcode(op) }
func (op *sumRowsOp) Do(v ...G.Value) (G.Value, error) {
	_, cols := rowsCols(v[0].Shape())
	out := op.out.get(cols)
	asm.SumRows(f32(out), f32(v[0]))
	return out, nil
}
