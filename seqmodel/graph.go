package seqmodel

import (
	"fmt"

	"github.com/seqlab/seqlab/asm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func init() {
	// Every float32 matmul gorgonia does (tensor.MatMul and friends) goes
	// through the asm SGEMM.
	G.Use(asm.BLAS{})
}

// Graph is a gorgonia expression graph under construction together with the
// parameters it reads. A parameter's node is backed by the parameter's own
// Data, so an optimizer that updates Param.Data in place updates the graph.
type Graph struct {
	G      *G.ExprGraph
	params []*Param
	nodes  map[*Param]*G.Node
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{G: G.NewGraph(), nodes: map[*Param]*G.Node{}}
}

// Param returns the node of p, creating it on first use.
func (g *Graph) Param(p *Param) *G.Node {
	if n, ok := g.nodes[p]; ok {
		return n
	}
	t := tensor.New(tensor.WithShape(p.Shape...), tensor.WithBacking(p.Data))
	n := G.NewTensor(g.G, tensor.Float32, len(p.Shape), G.WithShape(p.Shape...), G.WithName(p.Name), G.WithValue(t))
	g.nodes[p] = n
	g.params = append(g.params, p)
	return n
}

// Params returns the parameters the graph reads, in first-use order.
func (g *Graph) Params() []*Param { return g.params }

// Node returns the node of p, or nil if the graph does not read p.
func (g *Graph) Node(p *Param) *G.Node { return g.nodes[p] }

// Input creates an input node of the given shape backed by a new tensor and
// returns both; writing into the tensor's data sets the input for the next
// run.
func (g *Graph) Input(name string, shape ...int) (*G.Node, *tensor.Dense) {
	t := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
	n := G.NewTensor(g.G, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
	return n, t
}

// apply wraps G.ApplyOp with the op's name in the error.
func apply(op G.Op, children ...*G.Node) (*G.Node, error) {
	n, err := G.ApplyOp(op, children...)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return n, nil
}
