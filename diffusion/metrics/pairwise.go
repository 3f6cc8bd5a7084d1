package metrics

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

const (
	// blockRows is the number of rows of the first set one parallel task covers.
	blockRows = 32
	// batch is the number of squared distances computed before they are reduced.
	batch = 256
)

// points returns the number of d-dimensional points in a set, panicking on
// the programmer errors listed in the package doc.
func points(set []float32, d int, fn, name string) int {
	if d <= 0 {
		panic(fmt.Sprintf("metrics.%s: dimension d = %d, want > 0", fn, d))
	}
	if len(set)%d != 0 {
		panic(fmt.Sprintf("metrics.%s: len(%s) = %d is not a multiple of d = %d", fn, name, len(set), d))
	}
	if len(set) == 0 {
		panic(fmt.Sprintf("metrics.%s: %s is empty", fn, name))
	}
	return len(set) / d
}

// widen returns set converted to float64.
func widen(set []float32) []float64 {
	out := make([]float64, len(set))
	for i, v := range set {
		out[i] = float64(v)
	}
	return out
}

// parallel runs task(blk) for every blk in [0, blocks) on up to GOMAXPROCS
// goroutines, each of which calls newTask once to get its task function (and
// with it any scratch space it needs). Blocks are handed out in order.
func parallel(blocks int, newTask func() func(blk int)) {
	workers := min(runtime.GOMAXPROCS(0), blocks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			task := newTask()
			for {
				blk := int(next.Add(1) - 1)
				if blk >= blocks {
					return
				}
				task(blk)
			}
		})
	}
	wg.Wait()
}

// pairSum returns Σᵢ Σⱼ f(|xᵢ − yⱼ|²) over all pairs of points of x and y
// (row-major, dimension d), or over the pairs i < j when upper is set (then
// y must be x). reduce(r2, scratch) returns Σₖ f(r2[k]) for a batch of
// squared distances; scratch has the batch's length. Rows of x are split
// into blocks of blockRows; block sums are added in block order, so the
// result does not depend on GOMAXPROCS.
func pairSum(x, y []float64, d int, upper bool, reduce func(r2, scratch []float64) float64) float64 {
	n, m := len(x)/d, len(y)/d
	blocks := (n + blockRows - 1) / blockRows
	partial := make([]float64, blocks)
	parallel(blocks, func() func(int) {
		r2 := make([]float64, batch)
		scratch := make([]float64, batch)
		return func(blk int) {
			var s float64
			for i := blk * blockRows; i < min(n, (blk+1)*blockRows); i++ {
				xi := x[i*d : (i+1)*d]
				first := 0
				if upper {
					first = i + 1
				}
				for j := first; j < m; j += batch {
					k := min(batch, m-j)
					sqDists(r2[:k], xi, y[j*d:(j+k)*d])
					s += reduce(r2[:k], scratch[:k])
				}
			}
			partial[blk] = s
		}
	})
	var total float64
	for _, s := range partial {
		total += s
	}
	return total
}

// sqDists sets dst[j] = |p − yⱼ|² for the first len(dst) points of y
// (row-major, dimension len(p)).
func sqDists(dst, p, y []float64) {
	d := len(p)
	if d == 2 { // the toy-data case, without the inner loop
		px, py := p[0], p[1]
		y = y[:2*len(dst)]
		for j := range dst {
			dx, dy := px-y[2*j], py-y[2*j+1]
			dst[j] = dx*dx + dy*dy
		}
		return
	}
	for j := range dst {
		yj := y[j*d : (j+1)*d]
		var s float64
		for k, v := range p {
			diff := v - yj[k]
			s += diff * diff
		}
		dst[j] = s
	}
}

// sum returns Σ v with four independent accumulators (the additions of one
// accumulator would otherwise wait for each other).
func sum(v []float64) float64 {
	var s0, s1, s2, s3 float64
	for ; len(v) >= 4; v = v[4:] {
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
	}
	for _, x := range v {
		s0 += x
	}
	return (s0 + s1) + (s2 + s3)
}
