package seqmodel

import (
	"fmt"
	"hash"
	"math"
	"strings"

	"github.com/chewxy/hm"
	"github.com/seqlab/seqlab/asm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Activation is an element-wise nonlinearity.
type Activation string

// The activations layers accept.
const (
	SiLU Activation = "silu" // x·σ(x), also called swish
	GELU Activation = "gelu" // x·Φ(x) with the exact normal CDF, as PyTorch's default
	ReLU Activation = "relu" // max(x, 0)
	Tanh Activation = "tanh"
)

// Activations lists the valid activation names.
func Activations() []Activation { return []Activation{SiLU, GELU, ReLU, Tanh} }

// ParseActivation returns the activation called name, or an error listing the
// valid names.
func ParseActivation(name string) (Activation, error) {
	for _, a := range Activations() {
		if string(a) == name {
			return a, nil
		}
	}
	names := make([]string, 0, 4)
	for _, a := range Activations() {
		names = append(names, string(a))
	}
	return "", fmt.Errorf("unknown activation %q (valid: %s)", name, strings.Join(names, ", "))
}

// apply computes dst = f(x); dst may alias x.
func (a Activation) apply(dst, x []float32) {
	switch a {
	case SiLU:
		asm.SiLU(dst, x)
	case GELU:
		for i, v := range x {
			dst[i] = float32(0.5 * float64(v) * (1 + math.Erf(float64(v)/math.Sqrt2)))
		}
	case ReLU:
		for i, v := range x {
			dst[i] = max(v, 0)
		}
	case Tanh:
		for i, v := range x {
			dst[i] = float32(math.Tanh(float64(v)))
		}
	default:
		panic("seqmodel: unknown activation " + string(a))
	}
}

// addBiasApply adds bias to every row of pre (row length len(bias)) in place
// and sets h = f(pre); h may be pre. For SiLU both happen in one pass
// (asm.AddBiasSiLU).
func (a Activation) addBiasApply(h, pre, bias []float32) {
	if a == SiLU {
		asm.AddBiasSiLU(h, pre, bias)
		return
	}
	asm.AddBias(pre, bias)
	a.apply(h, pre)
}

// grad computes dst = dy·f′(x); dst may alias dy.
func (a Activation) grad(dst, x, dy []float32) {
	switch a {
	case SiLU:
		asm.SiLUGrad(dst, x, dy)
	case GELU:
		for i, v := range x {
			u := float64(v)
			cdf := 0.5 * (1 + math.Erf(u/math.Sqrt2))
			pdf := math.Exp(-u*u/2) / math.Sqrt(2*math.Pi)
			dst[i] = dy[i] * float32(cdf+u*pdf)
		}
	case ReLU:
		for i, v := range x {
			if v > 0 {
				dst[i] = dy[i]
			} else {
				dst[i] = 0
			}
		}
	case Tanh:
		for i, v := range x {
			t := float32(math.Tanh(float64(v)))
			dst[i] = dy[i] * (1 - t*t)
		}
	default:
		panic("seqmodel: unknown activation " + string(a))
	}
}

// activationOp applies an Activation element-wise. Input: x.
type activationOp struct {
	opBase
	act  Activation
	dims int
	out  buffer
}

func (op *activationOp) Arity() int    { return 1 }
func (op *activationOp) Type() hm.Type { return hm.NewFnType(tensorT(op.dims), tensorT(op.dims)) }
func (op *activationOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(in[0]).Clone(), nil
}
func (op *activationOp) String() string        { return fmt.Sprintf("%s{dims=%d}", op.act, op.dims) }
func (op *activationOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *activationOp) Hashcode() uint32      { return hashcode(op) }
func (op *activationOp) DiffWRT(int) []bool    { return []bool{true} }
func (op *activationOp) Do(v ...G.Value) (G.Value, error) {
	y := op.out.get(v[0].Shape()...)
	op.act.apply(f32(y), f32(v[0]))
	return y, nil
}
func (op *activationOp) SymDiff(in G.Nodes, _, dy *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&activationGradOp{act: op.act, dims: op.dims}, in[0], dy)
	return G.Nodes{dx}, err
}

// activationGradOp computes dx = dy·f′(x). Inputs: x, dy.
type activationGradOp struct {
	opBase
	act  Activation
	dims int
	out  buffer
}

func (op *activationGradOp) Arity() int { return 2 }
func (op *activationGradOp) Type() hm.Type {
	return hm.NewFnType(tensorT(op.dims), tensorT(op.dims), tensorT(op.dims))
}
func (op *activationGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(in[0]).Clone(), nil
}
func (op *activationGradOp) String() string        { return fmt.Sprintf("%sGrad{dims=%d}", op.act, op.dims) }
func (op *activationGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *activationGradOp) Hashcode() uint32      { return hashcode(op) }
func (op *activationGradOp) Do(v ...G.Value) (G.Value, error) {
	dx := op.out.get(v[0].Shape()...)
	op.act.grad(f32(dx), f32(v[0]), f32(v[1]))
	return dx, nil
}
