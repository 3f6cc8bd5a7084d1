package seqmodel

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestTapeMachineSmoke runs one TapeMachine step. It fails at init (before
// any test runs) if the go4.org/unsafe/assume-no-moving-gc pin in go.mod is
// lost, and here if gorgonia's float32 autodiff stops working.
func TestTapeMachineSmoke(t *testing.T) {
	g := G.NewGraph()
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("w"), G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}))))
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(1, 2), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, 1}))))
	cost := G.Must(G.Sum(G.Must(G.Mul(x, w))))
	if _, err := G.Grad(cost, w); err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g, G.BindDualValues(w))
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := cost.Value().Data().(float32); got != 10 {
		t.Fatalf("cost = %v, want 10", got)
	}
	grad, err := w.Grad()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range grad.Data().([]float32) {
		if v != 1 {
			t.Fatalf("dcost/dw[%d] = %v, want 1", i, v)
		}
	}
}
