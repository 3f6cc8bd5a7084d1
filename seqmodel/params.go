package seqmodel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Param is one named float32 tensor of a model, stored row-major.
type Param struct {
	Name  string
	Shape []int
	Data  []float32
}

// Size is the number of values in the parameter.
func (p *Param) Size() int { return shapeSize(p.Shape) }

// Params is an ordered set of named parameters. Order is creation order and
// is what checkpoints, optimizers and EMA iterate over.
type Params struct {
	list   []*Param
	byName map[string]*Param
	// layoutOnly stores names and shapes without allocating values; it is
	// how a checkpoint's configuration is checked against the file before
	// anything of the configured size is allocated.
	layoutOnly bool
}

// NewParams returns an empty parameter store.
func NewParams() *Params { return &Params{byName: map[string]*Param{}} }

// Init fills a new parameter of the given shape. fanIn and fanOut are the
// layer's input and output widths (for a (out, in) weight: shape[1] and
// shape[0]).
type Init func(dst []float32, fanIn, fanOut int, rng *rand.Rand)

// Zeros initialises to 0.
func Zeros(dst []float32, _, _ int, _ *rand.Rand) { clear(dst) }

// Normal returns an initialiser drawing from N(0, std²).
func Normal(std float64) Init {
	return func(dst []float32, _, _ int, rng *rand.Rand) {
		for i := range dst {
			dst[i] = float32(std * rng.NormFloat64())
		}
	}
}

// Glorot draws from U(−a, a) with a = √(6/(fanIn+fanOut)) (Glorot & Bengio 2010).
func Glorot(dst []float32, fanIn, fanOut int, rng *rand.Rand) {
	uniform(dst, math.Sqrt(6/float64(fanIn+fanOut)), rng)
}

// He draws from N(0, 2/fanIn) (He et al. 2015), suited to ReLU-like
// activations.
func He(dst []float32, fanIn, _ int, rng *rand.Rand) {
	Normal(math.Sqrt(2/float64(fanIn)))(dst, 0, 0, rng)
}

// LinearDefault is PyTorch's nn.Linear default: U(−1/√fanIn, 1/√fanIn) for
// weights and biases alike.
func LinearDefault(dst []float32, fanIn, _ int, rng *rand.Rand) {
	uniform(dst, 1/math.Sqrt(float64(fanIn)), rng)
}

func uniform(dst []float32, a float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = float32(a * (2*rng.Float64() - 1))
	}
}

// Add creates a parameter, initialises it with init and returns it. fanIn
// and fanOut are passed to init. Add panics on a duplicate name or a
// non-positive dimension: both are programming errors of a model builder.
func (ps *Params) Add(name string, shape []int, fanIn, fanOut int, init Init, rng *rand.Rand) *Param {
	if _, dup := ps.byName[name]; dup {
		panic(fmt.Sprintf("seqmodel: duplicate parameter %q", name))
	}
	n := 1
	for _, d := range shape {
		if d <= 0 {
			panic(fmt.Sprintf("seqmodel: parameter %q has shape %v", name, shape))
		}
		n *= d
	}
	p := &Param{Name: name, Shape: slices.Clone(shape)}
	if !ps.layoutOnly {
		p.Data = make([]float32, n)
		init(p.Data, fanIn, fanOut, rng)
	}
	ps.list = append(ps.list, p)
	ps.byName[name] = p
	return p
}

// Get returns the parameter called name, or nil.
func (ps *Params) Get(name string) *Param { return ps.byName[name] }

// All returns the parameters in creation order. The slice is shared; do not
// modify it.
func (ps *Params) All() []*Param { return ps.list }

// Count is the total number of scalar values.
func (ps *Params) Count() int {
	n := 0
	for _, p := range ps.list {
		n += p.Size()
	}
	return n
}

// Clone returns a deep copy with the same names, shapes and values.
func (ps *Params) Clone() *Params {
	c := NewParams()
	for _, p := range ps.list {
		q := &Param{Name: p.Name, Shape: slices.Clone(p.Shape), Data: slices.Clone(p.Data)}
		c.list = append(c.list, q)
		c.byName[q.Name] = q
	}
	return c
}

// CopyFrom copies every value of src into ps. The two must hold the same
// names and shapes in the same order (an error otherwise).
func (ps *Params) CopyFrom(src *Params) error {
	if err := ps.sameLayout(src); err != nil {
		return err
	}
	for i, p := range ps.list {
		copy(p.Data, src.list[i].Data)
	}
	return nil
}

func (ps *Params) sameLayout(o *Params) error {
	if len(ps.list) != len(o.list) {
		return fmt.Errorf("parameter sets differ: %d vs %d tensors", len(ps.list), len(o.list))
	}
	for i, p := range ps.list {
		q := o.list[i]
		if p.Name != q.Name || !slices.Equal(p.Shape, q.Shape) {
			return fmt.Errorf("parameter %d differs: %s%v vs %s%v", i, p.Name, p.Shape, q.Name, q.Shape)
		}
	}
	return nil
}
