package seqmodel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/seqlab/seqlab/asm"
)

// chunkForward is Predict as it computes one chunk in float32: each layer
// multiplies all rows of the chunk through asm.Sgemm (which, under BF16,
// runs products of at least 16 rows in bfloat16), the first layer split
// into x·W_xᵀ plus one shifted bias row when the times are equal.
func chunkForward(b *pointMLP, dst, x, t []float32) {
	d, k := b.cfg.Dim, b.cfg.TimeDim
	rows := len(t)
	m := b.mlp
	l0 := m.Layers[0]
	scratch := make([]float32, m.ScratchSize(rows))
	emb := make([]float32, rows*k)
	if !allEqual(t) {
		in := make([]float32, rows*(d+k))
		b.fillInput(in, emb, x, t)
		m.Forward(dst, in, scratch)
		return
	}
	TimeEmbedding(emb[:k], t[:1], k)
	shift := make([]float32, l0.Out)
	asm.Sgemm(false, true, 1, l0.Out, k, 1, emb, k, l0.W.Data[d:], d+k, 0, shift, l0.Out)
	asm.AddBias(shift, l0.B.Data)
	h := dst
	if len(m.Layers) > 1 {
		h = scratch[:rows*l0.Out]
	}
	asm.Sgemm(false, true, rows, l0.Out, d, 1, x, d, l0.W.Data, d+k, 0, h, l0.Out)
	if len(m.Layers) == 1 {
		asm.AddBias(h, shift)
		return
	}
	m.Act.addBiasApply(h, h, shift)
	m.forwardRest(dst, h, scratch, nil)
}

// TestPredictChunks checks Predict against every chunk multiplied whole by
// Sgemm (chunkForward), in float32 and, where the CPU has a bfloat16 unit,
// under bfloat16 precision, where Predict packs the weights once and pushes
// rows through the network a panel at a time: the same bits, on one thread
// and on two, for equal, mixed and split times (predictTimes), a last chunk
// that ends in a partial panel, and data dimensions of 2 (where the first
// layer of equal times runs in asm.LinearSiLU) and 20 (above the 16 from
// which its x·W_xᵀ runs in bfloat16). It also checks that a row's output
// does not depend on the rows around it: the first rows alone give the
// bits they give in the whole batch (under bfloat16, although Sgemm would
// multiply so few rows in float32).
func TestPredictChunks(t *testing.T) {
	eachPrecision(func(precision string) {
		t.Run("precision="+precision, testPredictChunks)
	})
}

func testPredictChunks(t *testing.T) {
	n := predictChunk + 2*predictPanel + 37
	for _, cfg := range []Config{
		{Backbone: "mlp", Dim: 2, Width: 48, Depth: 3, Activation: SiLU, TimeDim: 16},
		{Backbone: "mlp", Dim: 20, Width: 32, Depth: 2, Activation: GELU, TimeDim: 8},
		{Backbone: "mlp", Dim: 3, Width: 32, Depth: 0, Activation: SiLU, TimeDim: 16},
	} {
		net, err := NewBackbone(cfg, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range net.Params().All() { // nonzero biases
			Normal(0.5)(p.Data, 0, 0, rand.New(rand.NewPCG(2, 2)))
		}
		b := net.(*pointMLP)
		rng := rand.New(rand.NewPCG(3, 3))
		x := make([]float32, n*cfg.Dim)
		fillNormal(x, rng)
		for _, times := range []string{"const", "mixed", "split"} {
			name := fmt.Sprintf("dim=%d/depth=%d/t=%s", cfg.Dim, cfg.Depth, times)
			tt := predictTimes(times, n, rng)
			want := make([]float32, n*cfg.Dim)
			for lo := 0; lo < n; lo += predictChunk {
				hi := min(lo+predictChunk, n)
				chunkForward(b, want[lo*cfg.Dim:hi*cfg.Dim], x[lo*cfg.Dim:hi*cfg.Dim], tt[lo:hi])
			}
			for threads := 1; threads <= 2; threads++ {
				got := make([]float32, n*cfg.Dim)
				withGOMAXPROCS(threads, func() {
					if err := net.Predict(got, x, tt, nil); err != nil {
						t.Fatal(err)
					}
				})
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s, %d threads: Predict[%d] = %v, Sgemm on whole chunks %v", name, threads, i, got[i], want[i])
					}
				}
			}
			if times == "split" {
				continue // alone, the first rows' times are all equal; in the batch their chunk's are not
			}
			const few = 5
			got := make([]float32, few*cfg.Dim)
			if err := net.Predict(got, x[:few*cfg.Dim], tt[:few], nil); err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: the first %d rows alone give [%d] = %v, in the batch %v", name, few, i, got[i], want[i])
				}
			}
		}
	}
}
