package seqmodel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/seqlab/seqlab/asm"
)

// Named tolerances of TimeEmbedding: asm.Sinusoids computes within
// sinCosTol of math.Sincos and rounds to float32 (at most 2⁻²⁴ relative).
const (
	sinCosTol  = 1e-11
	float32Rel = 0x1p-24
)

// embeddingTimes returns random times in [−1, 1], the ends and zeros, and
// times whose arguments t·TimeScale·f_0 reach past 2¹⁹, where asm.Sinusoids
// falls back to math.Sincos.
func embeddingTimes(rng *rand.Rand, n int) []float32 {
	t := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, 600, -600, 1e4}
	for len(t) < n {
		t = append(t, float32(2*rng.Float64()-1))
	}
	return t
}

// embeddingDims are odd and even sizes, small and large (half = 300 is more
// than the 64 frequencies TimeEmbedding keeps on the stack).
var embeddingDims = []int{1, 2, 7, 64, 65, 600}

// TestTimeEmbeddingSinusoids compares every value of the embedding with
// cos and sin from math in float64.
func TestTimeEmbeddingSinusoids(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ts := embeddingTimes(rng, 300)
	for _, dim := range embeddingDims {
		dst := make([]float32, len(ts)*dim)
		for i := range dst {
			dst[i] = float32(math.NaN())
		}
		TimeEmbedding(dst, ts, dim)
		half := dim / 2
		for i, ti := range ts {
			row := dst[i*dim : (i+1)*dim]
			for j := range half {
				a := float64(ti) * TimeScale * math.Exp(-math.Log(10000)*float64(j)/float64(half))
				ws, wc := math.Sincos(a)
				for _, v := range [][2]float64{{float64(row[j]), wc}, {float64(row[half+j]), ws}} {
					if !(math.Abs(v[0]-v[1]) <= float32Rel*math.Abs(v[1])+sinCosTol) {
						t.Fatalf("dim=%d t=%v frequency %d: got cos %v sin %v, want %v %v", dim, ti, j, row[j], row[half+j], wc, ws)
					}
				}
			}
			if dim%2 == 1 && row[dim-1] != 0 {
				t.Fatalf("dim=%d t=%v: last value %v, want 0", dim, ti, row[dim-1])
			}
		}
	}
}

// TestTimeEmbeddingImplementations checks that the embedding is bit for bit
// the same with every asm implementation, so that training reproduces on
// any CPU.
func TestTimeEmbeddingImplementations(t *testing.T) {
	prev := asm.Selected()
	defer asm.Select(prev)
	rng := rand.New(rand.NewPCG(3, 4))
	ts := embeddingTimes(rng, 1024)
	for _, dim := range embeddingDims {
		var want []float32
		for _, name := range asm.Implementations() {
			if err := asm.Select(name); err != nil {
				t.Fatal(err)
			}
			dst := make([]float32, len(ts)*dim)
			TimeEmbedding(dst, ts, dim)
			if want == nil {
				want = dst
				continue
			}
			for k := range dst {
				if math.Float32bits(dst[k]) != math.Float32bits(want[k]) {
					t.Fatalf("dim=%d: %s gives %v at %d, %s %v", dim, name, dst[k], k, asm.Implementations()[0], want[k])
				}
			}
		}
	}
}

// TestTimeEmbeddingConcurrent runs TimeEmbedding from several goroutines at
// once (Predict may be called concurrently) and compares with sequential
// results.
func TestTimeEmbeddingConcurrent(t *testing.T) {
	const workers, batch, dim = 4, 257, 64
	rng := rand.New(rand.NewPCG(5, 6))
	ts := make([][]float32, workers)
	want, got := make([][]float32, workers), make([][]float32, workers)
	for w := range workers {
		ts[w] = embeddingTimes(rng, batch)
		want[w], got[w] = make([]float32, batch*dim), make([]float32, batch*dim)
		TimeEmbedding(want[w], ts[w], dim)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range 20 {
				TimeEmbedding(got[w], ts[w], dim)
			}
		})
	}
	wg.Wait()
	for w := range workers {
		for k := range want[w] {
			if math.Float32bits(got[w][k]) != math.Float32bits(want[w][k]) {
				t.Fatalf("goroutine %d: element %d = %v, want %v", w, k, got[w][k], want[w][k])
			}
		}
	}
}

// TestTimeEmbeddingAllocs checks that the embedding of a training batch
// allocates nothing (it runs every step).
func TestTimeEmbeddingAllocs(t *testing.T) {
	const batch, dim = 1024, 64
	ts := embeddingTimes(rand.New(rand.NewPCG(7, 8)), batch)
	dst := make([]float32, batch*dim)
	if n := testing.AllocsPerRun(10, func() { TimeEmbedding(dst, ts, dim) }); n != 0 {
		t.Errorf("TimeEmbedding allocates %v times per call", n)
	}
}

// BenchmarkTimeEmbedding measures the embedding of one W1 batch (1024
// times, TimeDim 64) per asm implementation.
func BenchmarkTimeEmbedding(b *testing.B) {
	const batch, dim = 1024, 64
	ts := embeddingTimes(rand.New(rand.NewPCG(9, 10)), batch)
	dst := make([]float32, batch*dim)
	prev := asm.Selected()
	defer asm.Select(prev)
	for _, name := range asm.Implementations() {
		b.Run(fmt.Sprintf("impl=%s/batch=%d/dim=%d", name, batch, dim), func(b *testing.B) {
			if err := asm.Select(name); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				TimeEmbedding(dst, ts, dim)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(batch*dim/2), "ns/sincos")
		})
	}
}
