package seqmodel

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Epsilons added to the variance (LayerNorm, PyTorch's default) and to the
// mean square (RMSNorm, as in T5 and LLaMA).
const (
	layerNormEps = 1e-5
	rmsNormEps   = 1e-6
)

// normOp normalises each row (the last axis) of x and applies a gain and,
// for LayerNorm, a bias:
//
//	LayerNorm: x̂ = (x − mean(x)) / √(var(x) + ε),  y = x̂·g + b   (inputs x, g, b)
//	RMSNorm:   x̂ = x / √(mean(x²) + ε),             y = x̂·g       (inputs x, g)
type normOp struct {
	opBase
	rms  bool
	dims int
	out  buffer
}

func (op *normOp) Arity() int {
	if op.rms {
		return 2
	}
	return 3
}
func (op *normOp) Type() hm.Type {
	if op.rms {
		return hm.NewFnType(tensorT(op.dims), tensorT(1), tensorT(op.dims))
	}
	return hm.NewFnType(tensorT(op.dims), tensorT(1), tensorT(1), tensorT(op.dims))
}
func (op *normOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x := shapeOf(in[0])
	for _, p := range in[1:] {
		if s := shapeOf(p); len(s) != 1 || s[0] != x[len(x)-1] {
			return nil, fmt.Errorf("%v: parameter shape %v does not match x %v", op, s, x)
		}
	}
	return x.Clone(), nil
}
func (op *normOp) String() string {
	if op.rms {
		return fmt.Sprintf("RMSNorm{dims=%d}", op.dims)
	}
	return fmt.Sprintf("LayerNorm{dims=%d}", op.dims)
}
func (op *normOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *normOp) Hashcode() uint32      { return hashcode(op) }
func (op *normOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}
func (op *normOp) Do(v ...G.Value) (G.Value, error) {
	x, g := f32(v[0]), f32(v[1])
	var b []float32
	if !op.rms {
		b = f32(v[2])
	}
	out := op.out.get(v[0].Shape()...)
	y := f32(out)
	n := len(g)
	for r := 0; r < len(x); r += n {
		mean, rstd := normStats(x[r:r+n], op.rms)
		for j, xv := range x[r : r+n] {
			y[r+j] = (xv-mean)*rstd*g[j] + at(b, j)
		}
	}
	return out, nil
}

// SymDiff returns dx, dg and (LayerNorm) db = Σ_rows dy.
func (op *normOp) SymDiff(in G.Nodes, _, dy *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&normDxOp{rms: op.rms, dims: op.dims}, in[0], in[1], dy)
	if err != nil {
		return nil, err
	}
	dg, err := G.ApplyOp(&normDgOp{rms: op.rms, dims: op.dims}, in[0], dy)
	if err != nil {
		return nil, err
	}
	if op.rms {
		return G.Nodes{dx, dg}, nil
	}
	db, err := G.ApplyOp(&sumRowsOp{dims: op.dims}, dy)
	return G.Nodes{dx, dg, db}, err
}

// normStats returns the row's mean (0 for RMSNorm) and 1/√(var + ε)
// (1/√(mean square + ε) for RMSNorm), accumulated in float64.
func normStats(row []float32, rms bool) (mean, rstd float32) {
	var m float64
	if !rms {
		for _, v := range row {
			m += float64(v)
		}
		m /= float64(len(row))
	}
	var s float64
	for _, v := range row {
		d := float64(v) - m
		s += d * d
	}
	eps := layerNormEps
	if rms {
		eps = rmsNormEps
	}
	return float32(m), float32(1 / math.Sqrt(s/float64(len(row))+eps))
}

func at(b []float32, j int) float32 {
	if b == nil {
		return 0
	}
	return b[j]
}

// normDxOp is the input gradient of normOp: with ĝ = dy·g,
//
//	LayerNorm: dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))
//	RMSNorm:   dx = rstd·(ĝ − x̂·mean(ĝ·x̂))
//
// Inputs: x, g, dy.
type normDxOp struct {
	opBase
	rms  bool
	dims int
	out  buffer
}

func (op *normDxOp) Arity() int { return 3 }
func (op *normDxOp) Type() hm.Type {
	return hm.NewFnType(tensorT(op.dims), tensorT(1), tensorT(op.dims), tensorT(op.dims))
}
func (op *normDxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(in[0]).Clone(), nil
}
func (op *normDxOp) String() string        { return fmt.Sprintf("NormDx{rms=%t,dims=%d}", op.rms, op.dims) }
func (op *normDxOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *normDxOp) Hashcode() uint32      { return hashcode(op) }
func (op *normDxOp) Do(v ...G.Value) (G.Value, error) {
	x, g, dy := f32(v[0]), f32(v[1]), f32(v[2])
	out := op.out.get(v[0].Shape()...)
	dx := f32(out)
	n := len(g)
	for r := 0; r < len(x); r += n {
		mean, rstd := normStats(x[r:r+n], op.rms)
		var sumG, sumGX float64
		for j := range n {
			gh := dy[r+j] * g[j]
			sumG += float64(gh)
			sumGX += float64(gh * (x[r+j] - mean) * rstd)
		}
		mG, mGX := float32(sumG/float64(n)), float32(sumGX/float64(n))
		if op.rms {
			mG = 0
		}
		for j := range n {
			xh := (x[r+j] - mean) * rstd
			dx[r+j] = rstd * (dy[r+j]*g[j] - mG - xh*mGX)
		}
	}
	return out, nil
}

// normDgOp is the gain gradient of normOp: dg = Σ_rows dy·x̂. Inputs: x, dy.
type normDgOp struct {
	opBase
	rms  bool
	dims int
	out  buffer
}

func (op *normDgOp) Arity() int { return 2 }
func (op *normDgOp) Type() hm.Type {
	return hm.NewFnType(tensorT(op.dims), tensorT(op.dims), tensorT(1))
}
func (op *normDgOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s := shapeOf(in[0])
	return tensor.Shape{s[len(s)-1]}, nil
}
func (op *normDgOp) String() string        { return fmt.Sprintf("NormDg{rms=%t,dims=%d}", op.rms, op.dims) }
func (op *normDgOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *normDgOp) Hashcode() uint32      { return hashcode(op) }
func (op *normDgOp) Do(v ...G.Value) (G.Value, error) {
	x, dy := f32(v[0]), f32(v[1])
	_, n := rowsCols(v[0].Shape())
	out := op.out.get(n)
	dg := f32(out)
	clear(dg)
	for r := 0; r < len(x); r += n {
		mean, rstd := normStats(x[r:r+n], op.rms)
		for j := range n {
			dg[j] += dy[r+j] * (x[r+j] - mean) * rstd
		}
	}
	return out, nil
}
