package seqmodel

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestProgramMatchesTapeMachine runs a trainer's graph (forward, loss and
// every parameter gradient) with a program and with gorgonia's TapeMachine
// and checks that the loss and the gradients agree bit for bit, over two
// batches so that reused buffers are covered.
func TestProgramMatchesTapeMachine(t *testing.T) {
	net, err := NewBackbone(Config{Backbone: "mlp", Dim: 2, Width: 32, Depth: 2, Activation: SiLU, TimeDim: 8}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	const batch = 64
	tr, err := newTrainer(net, batch, DefaultOptim(10), 1)
	if err != nil {
		t.Fatal(err)
	}
	part := tr.parts[0]
	vm := G.NewTapeMachine(part.loss.Graph())
	defer vm.Close()
	rng := rand.New(rand.NewPCG(2, 3))
	x, tt, y := make([]float32, 2*batch), make([]float32, batch), make([]float32, 2*batch)
	for range 2 {
		regressionBatch(x, tt, y, rng)
		if err := part.run(x, tt, y, nil, 2, 2); err != nil {
			t.Fatal(err)
		}
		loss := part.lossV
		var grads [][]float32
		for _, g := range part.grads {
			grads = append(grads, slices.Clone(g))
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		if want := float64(scalarF32(part.loss.Value())); math.Float64bits(loss) != math.Float64bits(want) {
			t.Errorf("loss %v with a program, %v with the TapeMachine", loss, want)
		}
		for i, n := range part.gradNodes {
			if n == nil {
				continue
			}
			want := f32(n.Value())
			for j := range want {
				if math.Float32bits(grads[i][j]) != math.Float32bits(want[j]) {
					t.Fatalf("gradient %d [%d]: %v with a program, %v with the TapeMachine", i, j, grads[i][j], want[j])
				}
			}
		}
		vm.Reset()
	}
}

// TestProgramNativeOps runs gorgonia's own ops and their symbolic gradient:
// cost = Σ x·w for x = [1 1] and w = [[1 2] [3 4]] is 10, and ∂cost/∂w is
// all ones.
func TestProgramNativeOps(t *testing.T) {
	g := G.NewGraph()
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("w"), G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}))))
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(1, 2), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, 1}))))
	cost := G.Must(G.Sum(G.Must(G.Mul(x, w))))
	grads, err := G.Grad(cost, w)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newProgram(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.run(); err != nil {
		t.Fatal(err)
	}
	if got := scalarF32(p.value(cost)); got != 10 {
		t.Errorf("cost = %v, want 10", got)
	}
	for i, v := range f32(p.value(grads[0])) {
		if v != 1 {
			t.Errorf("∂cost/∂w[%d] = %v, want 1", i, v)
		}
	}
}

// TestProgramInputWithoutValue checks that a graph input nobody bound a
// value to is an error naming it, not a crash at run time.
func TestProgramInputWithoutValue(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("unbound"))
	G.Must(G.Sum(x))
	_, err := newProgram(g)
	if err == nil || !strings.Contains(err.Error(), "unbound") {
		t.Fatalf("newProgram = %v, want an error naming the input", err)
	}
}
