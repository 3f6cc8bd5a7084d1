package seqmodel

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// partsTol bounds the difference between the gradient of a batch computed
// whole and computed as parts summed afterwards, relative to the largest
// gradient value: the two sum the same float32 products in different
// orders, each with relative rounding error up to (batch rows)·2⁻²⁴ ≈ 1.2e-5
// for 201 rows in the worst case (measured: 2.3e-7); 1e-5 stays far below
// what a missing or double-counted row changes (about 1/200 of a typical
// value; 2.8e-2 of the largest when one part is dropped).
const partsTol = 1e-5

// batchGradients runs tr's graphs on one batch and returns the loss and a
// copy of the gradients, leaving tr as it was.
func batchGradients(t *testing.T, tr *Trainer, x, tt, y []float32) (float64, [][]float32) {
	t.Helper()
	loss, _, err := tr.backward(x, tt, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	var grads [][]float32
	for _, g := range tr.grads {
		grads = append(grads, slices.Clone(g))
	}
	return loss, grads
}

// TestTrainerPartsMatchWhole checks that splitting a batch into parts, each
// with its own graph, gives the loss and gradient of the whole batch, for
// equal and unequal parts.
func TestTrainerPartsMatchWhole(t *testing.T) {
	cfg := Config{Backbone: "mlp", Dim: 2, Width: 32, Depth: 2, Activation: SiLU, TimeDim: 8}
	for _, batch := range []int{200, 201} {
		rng := rand.New(rand.NewPCG(4, 4))
		x, tt, y := make([]float32, 2*batch), make([]float32, batch), make([]float32, 2*batch)
		regressionBatch(x, tt, y, rng)
		var losses []float64
		var grads [][][]float32
		for _, parts := range []int{1, 2, 3} {
			net, err := NewBackbone(cfg, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := newTrainer(net, batch, DefaultOptim(10), parts)
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.parts) != parts {
				t.Fatalf("%d parts compiled, want %d", len(tr.parts), parts)
			}
			loss, g := batchGradients(t, tr, x, tt, y)
			losses, grads = append(losses, loss), append(grads, g)
		}
		var scale float64
		for _, g := range grads[0] {
			for _, v := range g {
				scale = max(scale, math.Abs(float64(v)))
			}
		}
		if scale == 0 {
			t.Fatal("all gradients are zero")
		}
		var worst float64
		for k := 1; k < len(grads); k++ {
			for i, g := range grads[k] {
				for j, v := range g {
					worst = max(worst, math.Abs(float64(v-grads[0][i][j]))/scale)
				}
			}
		}
		t.Logf("batch %d: largest gradient difference %.3g of the largest value", batch, worst)
		for k := 1; k < len(grads); k++ {
			if !(math.Abs(losses[k]-losses[0]) <= partsTol*losses[0]) {
				t.Errorf("batch %d, %d parts: loss %v, whole batch %v", batch, k+1, losses[k], losses[0])
			}
			for i, g := range grads[k] {
				for j, v := range g {
					if d := math.Abs(float64(v - grads[0][i][j])); !(d <= partsTol*scale) {
						t.Fatalf("batch %d, %d parts: gradient %d[%d] = %v, whole batch %v (difference %.3g of the largest value)",
							batch, k+1, i, j, v, grads[0][i][j], d/scale)
					}
				}
			}
		}
	}
}

// TestTrainerThreadsBitIdentical checks that the same seed gives the same
// bits (weights, moments, EMA, losses) with one thread and with two, and
// twice with two: the parts' split and the order of their sum are fixed.
func TestTrainerThreadsBitIdentical(t *testing.T) {
	train := func(threads int) (*Trainer, []float64) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
		net, err := NewBackbone(Config{Backbone: "mlp", Dim: 2, Width: 32, Depth: 2, Activation: SiLU, TimeDim: 8}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		const batch = 2 * minPartRows
		tr, err := NewTrainer(net, batch, DefaultOptim(30))
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.parts) != trainParts {
			t.Fatalf("batch %d: %d parts, want %d", batch, len(tr.parts), trainParts)
		}
		rng := rand.New(rand.NewPCG(5, 5))
		x, tt, y := make([]float32, 2*batch), make([]float32, batch), make([]float32, 2*batch)
		var losses []float64
		for range 30 {
			regressionBatch(x, tt, y, rng)
			loss, err := tr.Step(x, tt, y, nil)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, loss)
		}
		return tr, losses
	}
	ref, refLoss := train(1)
	for _, threads := range []int{2, 2} {
		tr, losses := train(threads)
		if !slices.Equal(losses, refLoss) {
			t.Fatalf("%d threads: losses %v, one thread %v", threads, losses, refLoss)
		}
		for _, c := range []struct {
			name     string
			got, ref *Params
		}{{"weights", tr.Net.Params(), ref.Net.Params()}, {"m", tr.Opt.M, ref.Opt.M}, {"v", tr.Opt.V, ref.Opt.V}, {"ema", tr.EMA, ref.EMA}} {
			for i, p := range c.got.All() {
				q := c.ref.All()[i]
				for j := range p.Data {
					if math.Float32bits(p.Data[j]) != math.Float32bits(q.Data[j]) {
						t.Fatalf("%d threads: %s %s[%d] = %v, one thread %v", threads, c.name, p.Name, j, p.Data[j], q.Data[j])
					}
				}
			}
		}
	}
}

// TestPredictMatchesGraph checks the point MLP's Predict (chunked, shared
// out among goroutines, with the first layer split when a chunk has one
// time) against its training graph, and that its bits do not depend on the
// number of threads, also where two goroutines share a chunk whose times
// are equal only in the first one's part ("split").
func TestPredictMatchesGraph(t *testing.T) {
	const tol = 1e-5 // float32 rounding of a few hundred products, relative to 1 + |value|
	n := 3*predictChunk + 37
	for _, cfg := range []Config{
		{Backbone: "mlp", Dim: 2, Width: 16, Depth: 2, Activation: SiLU, TimeDim: 8},
		{Backbone: "mlp", Dim: 3, Width: 16, Depth: 0, Activation: SiLU, TimeDim: 5},
		{Backbone: "mlp", Dim: 2, Width: 16, Depth: 1, Activation: GELU, TimeDim: 0},
	} {
		net, err := NewBackbone(cfg, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range net.Params().All() { // nonzero biases
			Normal(0.5)(p.Data, 0, 0, rand.New(rand.NewPCG(2, 2)))
		}
		rng := rand.New(rand.NewPCG(3, 3))
		x := make([]float32, n*cfg.Dim)
		fillNormal(x, rng)
		for _, times := range []string{"mixed", "const", "split"} {
			tt := predictTimes(times, n, rng)
			g := NewGraph()
			out, feed, err := net.Build(g, n)
			if err != nil {
				t.Fatal(err)
			}
			if err := feed(x, tt, nil); err != nil {
				t.Fatal(err)
			}
			want := runForward(t, g, out)
			var got [2][]float32
			for threads := 1; threads <= 2; threads++ {
				got[threads-1] = make([]float32, n*cfg.Dim)
				withGOMAXPROCS(threads, func() {
					if err := net.Predict(got[threads-1], x, tt, nil); err != nil {
						t.Fatal(err)
					}
				})
			}
			for i, w := range want {
				if !(math.Abs(float64(got[0][i]-w)) <= tol*(1+math.Abs(float64(w)))) {
					t.Fatalf("%+v, t %s: Predict[%d] = %v, graph %v", cfg, times, i, got[0][i], w)
				}
			}
			if !slices.Equal(got[0], got[1]) {
				t.Errorf("%+v, t %s: Predict differs between one and two threads", cfg, times)
			}
		}
	}
}

// predictTimes returns n times: all 0.37 ("const"), uniform ("mixed"), or
// 0.37 for the rows that the first of two Predict goroutines takes and
// uniform after them ("split"), so that the chunk the two share has equal
// times only in the first one's part.
func predictTimes(kind string, n int, rng *rand.Rand) []float32 {
	split := (n + predictPanel - 1) / predictPanel / 2 * predictPanel
	if split%predictChunk == 0 {
		panic("predictTimes: the goroutines do not share a chunk")
	}
	tt := make([]float32, n)
	for i := range tt {
		tt[i] = 0.37
		if kind == "mixed" || kind == "split" && i >= split {
			tt[i] = float32(rng.Float64())
		}
	}
	return tt
}

func withGOMAXPROCS(n int, f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	f()
}

// TestTrainerGradientFiniteDifferences checks the gradient the trainer
// reads from its graphs (two parts) against central differences of the
// batch loss computed with the gradient-free Predict, for a sample of
// entries of every parameter. With h = 1e-2 the truncation error is
// O(h²·|f”'|) ≈ 1e-5 and float32 rounding of the loss contributes about
// 2⁻²⁴·|loss|/h ≈ 1e-5; fdTol is ten times their sum, relative to the
// largest gradient entry.
func TestTrainerGradientFiniteDifferences(t *testing.T) {
	const (
		batch = 40
		h     = 1e-2
		fdTol = 2e-3
	)
	cfg := Config{Backbone: "mlp", Dim: 2, Width: 8, Depth: 2, Activation: SiLU, TimeDim: 4}
	net, err := NewBackbone(cfg, rand.New(rand.NewPCG(2, 3)))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := newTrainer(net, batch, DefaultOptim(10), 2)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 5))
	x, tt, y := make([]float32, 2*batch), make([]float32, batch), make([]float32, 2*batch)
	regressionBatch(x, tt, y, rng)
	_, grads := batchGradients(t, tr, x, tt, y)
	pred := make([]float32, 2*batch)
	loss := func() float64 {
		if err := net.Predict(pred, x, tt, nil); err != nil {
			t.Fatal(err)
		}
		var s float64
		for i, p := range pred {
			d := float64(p) - float64(y[i])
			s += d * d
		}
		return s / float64(len(pred))
	}
	var scale float64
	for _, g := range grads {
		for _, v := range g {
			scale = max(scale, math.Abs(float64(v)))
		}
	}
	for i, p := range net.Params().All() {
		for range 6 {
			j := rng.IntN(len(p.Data))
			w := p.Data[j]
			p.Data[j] = w + h
			up := loss()
			p.Data[j] = w - h
			down := loss()
			p.Data[j] = w
			fd := (up - down) / (float64(w+h) - float64(w-h)) // the steps as rounded to float32
			if got := float64(grads[i][j]); !(math.Abs(got-fd) <= fdTol*scale) {
				t.Errorf("%s[%d]: trainer gradient %g, finite difference %g (scale %g)", p.Name, j, got, fd, scale)
			}
		}
	}
}
