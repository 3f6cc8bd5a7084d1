package asm

import "fmt"

// BF16Weights is a layer's weight matrix W (out×in, row-major, the layout
// of y = x·Wᵀ) rounded to bfloat16 and packed once, so that many products
// with it (MulBF16) skip the packing of W that Sgemm repeats on every call.
// The zero value holds nothing; PackBF16Weights fills it.
type BF16Weights struct {
	kern    *bf16Kernels
	out, in int
	kc, nc  int
	tiles   []uint16
}

// PackBF16Weights packs w (out×in, rows ld apart) into dst, reusing its
// memory, and reports whether it did. It does so only where Sgemm would
// compute the products x·Wᵀ in bfloat16: under BF16 precision
// (SetMatmulPrecision) and with out and in at least the tile edge, 16.
// Otherwise dst is left empty and the products belong to Sgemm. It panics
// if w is too short for its shape.
func PackBF16Weights(dst *BF16Weights, w []float32, out, in, ld int) bool {
	checkMatrix("PackBF16Weights", "W", false, out, in, w, ld)
	dst.kern = nil
	if bf16Active == nil || active != implAVX512 || min(out, in) < bf16MinDim {
		return false
	}
	dst.pack(bf16Active, w, out, in, ld)
	return true
}

// pack packs w (out×in, rows ld apart) into dst with kernels kern.
func (dst *BF16Weights) pack(kern *bf16Kernels, w []float32, out, in, ld int) {
	dst.kern, dst.out, dst.in = kern, out, in
	dst.kc, dst.nc = bf16Blocks(out, in)
	total := 0
	dst.eachBlock(func(_, nb, _, kb, at int) { total = at + blockWords(nb, kb) })
	if cap(dst.tiles) < total {
		dst.tiles = make([]uint16, total)
	}
	dst.tiles = dst.tiles[:total]
	p := gemmProblem{n: out, k: in, b: w, ldb: ld, transB: true}
	dst.eachBlock(func(jc, nb, pc, kb, at int) {
		p.packBBlock(kern, dst.tiles[at:], jc, nb, pc, kb, 0, 2*ceilDiv(nb, 32))
	})
}

// blockWords is the number of bfloat16 values of a packed block of op(B)
// nb columns wide and kb deep.
func blockWords(nb, kb int) int { return 2 * ceilDiv(nb, 32) * ceilDiv(kb, 32) * tileWords }

// eachBlock calls f for every block of op(B) = Wᵀ in the order Sgemm's
// bfloat16 product takes them, columns [jc, jc+nb) and depths [pc, pc+kb),
// with at, the offset of its packed tiles.
func (w *BF16Weights) eachBlock(f func(jc, nb, pc, kb, at int)) {
	at := 0
	for jc := 0; jc < w.out; jc += w.nc {
		nb := min(w.nc, w.out-jc)
		for pc := 0; pc < w.in; pc += w.kc {
			kb := min(w.kc, w.in-pc)
			f(jc, nb, pc, kb, at)
			at += blockWords(nb, kb)
		}
	}
}

// MulBF16 sets y = x·Wᵀ for the len(x)/in rows of x, with W packed by
// PackBF16Weights: bit for bit what Sgemm(false, true, rows, out, in, 1,
// x, in, W, ld, 0, y, out) computes in bfloat16, for any number of rows
// (Sgemm keeps products of fewer than 16 rows in float32). It runs on the
// calling goroutine, so that callers share rows out among theirs. It
// panics if w is empty or the lengths disagree with its shape.
func MulBF16(y, x []float32, w *BF16Weights) {
	if w.kern == nil {
		panic("asm: MulBF16: weights not packed")
	}
	rows := len(x) / max(w.in, 1)
	if len(x) != rows*w.in || len(y) != rows*w.out {
		panic(fmt.Sprintf("asm: MulBF16: len(x)=%d len(y)=%d for a %d×%d matrix", len(x), len(y), w.out, w.in))
	}
	if rows == 0 {
		return
	}
	gemmInFlight.Add(1)
	defer gemmInFlight.Add(-1)
	p := gemmProblem{m: rows, n: w.out, k: w.in, alpha: 1, a: x, lda: w.in, c: y, rsc: w.out, csc: 1}
	ws := bf16Pool.Get().(*[]uint16)
	defer bf16Pool.Put(ws)
	if need := bf16Group * w.kc / 32 * 2 * tileWords; cap(*ws) < need {
		*ws = make([]uint16, need)
	}
	cbuf, cws := getWorkspace(32 * w.nc)
	defer gemmPool.Put(cws)
	panels := ceilDiv(rows, 32)
	w.eachBlock(func(jc, nb, pc, kb, at int) {
		p.panelsBF16(w.kern, w.tiles[at:], *ws, cbuf, 0, panels, jc, nb, pc, kb)
	})
}
