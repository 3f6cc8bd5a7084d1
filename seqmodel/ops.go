package seqmodel

import (
	"fmt"
	"hash"
	"hash/fnv"
	"slices"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file holds the machinery shared by seqmodel's custom gorgonia ops.
//
// Every op is a pointer to a struct that owns its output buffer, so that Do
// does not allocate its whole output again at every training step (neither
// the trainer's program nor gorgonia's TapeMachine keeps an op's result for
// it). Reusing the buffer is safe because a graph recomputes every value in
// every step and nothing keeps a value from one step to the next.

// opBase provides the Op methods that are the same for every seqmodel op.
type opBase struct{}

func (opBase) ReturnsPtr() bool     { return false }
func (opBase) CallsExtern() bool    { return false }
func (opBase) OverwritesInput() int { return -1 }

// writeHash and hashcode identify an op by its String, which must therefore
// name every parameter that changes what the op computes.
func writeHash(h hash.Hash, s fmt.Stringer) { fmt.Fprint(h, s.String()) }

func hashcode(s fmt.Stringer) uint32 {
	h := fnv.New32a()
	writeHash(h, s)
	return h.Sum32()
}

// buffer is an op's reusable float32 output tensor.
type buffer struct{ t *tensor.Dense }

// get returns the buffer shaped as shape, allocating only when the shape
// differs from the previous call. Its contents are whatever the last step
// left; callers overwrite every element.
func (b *buffer) get(shape ...int) *tensor.Dense {
	if b.t == nil || !slices.Equal([]int(b.t.Shape()), shape) {
		b.t = tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
	}
	return b.t
}

// f32 returns the float32 backing slice of a tensor value. seqmodel graphs
// are float32 throughout; any other dtype is a programming error. Dense
// tensors give their slice without allocating (Dense.Data builds it through
// reflect, two allocations a call, a few hundred a training step).
func f32(v G.Value) []float32 {
	if t, ok := v.(*tensor.Dense); ok && t.Dtype() == tensor.Float32 && !t.IsScalar() {
		return t.Float32s()
	}
	d, ok := v.Data().([]float32)
	if !ok {
		panic(fmt.Sprintf("seqmodel: value of dtype %v, want float32", v.Dtype()))
	}
	return d
}

// scalarF32 reads a float32 scalar value (a loss or its upstream gradient).
func scalarF32(v G.Value) float32 {
	switch s := v.Data().(type) {
	case float32:
		return s
	case []float32:
		if len(s) == 1 {
			return s[0]
		}
	}
	panic(fmt.Sprintf("seqmodel: value %v is not a float32 scalar", v))
}

// tensorT is the gorgonia type of a float32 tensor with dims dimensions
// (0 gives the scalar type).
func tensorT(dims int) hm.Type {
	if dims == 0 {
		return hm.TypeVariable('a')
	}
	return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')}
}

func shapeOf(d G.DimSizer) tensor.Shape {
	s, ok := d.(tensor.Shape)
	if !ok {
		panic(fmt.Sprintf("seqmodel: shape of %T", d))
	}
	return s
}

// rowsCols views a shape as a matrix whose rows run over all leading
// dimensions and whose columns are the last dimension.
func rowsCols(s tensor.Shape) (rows, cols int) {
	if len(s) == 0 {
		return 1, 1
	}
	cols = s[len(s)-1]
	return s.TotalSize() / cols, cols
}
