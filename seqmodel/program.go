package seqmodel

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// A program runs a graph's ops on the calling goroutine, each after its
// inputs, and keeps their values for the caller to read.
//
// The trainer runs its graphs with a program rather than gorgonia's
// TapeMachine, whose RunAll locks the caller to its OS thread and runs the
// tape on a new goroutine: two thread hand-offs per call, which on a 2-core
// guest made about one W1 step in six twice as slow (BENCHMARKS.md, "Two
// cores in W1"). Every op of seqlab's graphs computes its output in Do
// without help from a VM (custom ops keep their own output buffers), and so
// do gorgonia's own ops, which a program also runs.
type program struct {
	steps []programStep
	vals  []G.Value       // the value of every node, by its index in order
	index map[*G.Node]int // a node's index in vals
}

// A programStep applies op to the values at in and stores the result at
// out.
type programStep struct {
	op   G.Op
	in   []int
	args []G.Value // scratch for the op's arguments
	out  int
}

// newProgram orders every node of g after the nodes it reads and records
// the values of the leaves (inputs, parameters and constants), whose
// tensors the caller fills between runs.
func newProgram(g *G.ExprGraph) (*program, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("order the graph: %w", err)
	}
	p := &program{vals: make([]G.Value, len(sorted)), index: make(map[*G.Node]int, len(sorted))}
	for i := range sorted {
		n := sorted[len(sorted)-1-i] // G.Sort puts a node before its inputs
		p.index[n] = i
		var children []*G.Node
		for it := g.From(n.ID()); it.Next(); {
			children = append(children, it.Node().(*G.Node))
		}
		if len(children) == 0 { // an input, a parameter or a constant
			if n.Value() == nil {
				return nil, fmt.Errorf("graph input %s has no value", n.Name())
			}
			p.vals[i] = n.Value()
			continue
		}
		st := programStep{op: n.Op(), in: make([]int, len(children)), args: make([]G.Value, len(children)), out: i}
		for j, c := range children {
			k, ok := p.index[c]
			if !ok {
				return nil, fmt.Errorf("node %s reads %s before it is computed", n.Name(), c.Name())
			}
			st.in[j] = k
		}
		p.steps = append(p.steps, st)
	}
	return p, nil
}

// run computes every op in order.
func (p *program) run() error {
	for _, st := range p.steps {
		for j, k := range st.in {
			st.args[j] = p.vals[k]
		}
		v, err := st.op.Do(st.args...)
		if err != nil {
			return fmt.Errorf("%v: %w", st.op, err)
		}
		p.vals[st.out] = v
	}
	return nil
}

// value returns the value of node n from the last run, or nil if n is not
// in the program.
func (p *program) value(n *G.Node) G.Value {
	i, ok := p.index[n]
	if !ok {
		return nil
	}
	return p.vals[i]
}
