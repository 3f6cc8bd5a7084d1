package asm

import (
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major float32
// matrices, where op(X) is X or Xᵀ as transA/transB say, op(A) is m×k, op(B)
// is k×n and C is m×n with leading dimensions lda, ldb, ldc:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for l := 0; l < k; l++ {
//				s += opA(i, l) * opB(l, j)
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//		}
//	}
//
// When beta is 0, C is not read (NaN in C does not propagate). Sgemm panics
// when a dimension is negative, a leading dimension is smaller than its row,
// or a slice is too short for its shape. The sums are accumulated in float32
// in blocks, in an order that differs from the loop above, so results agree
// with it to within float32 rounding (see the error bound in the tests).
// Under SetMatmulPrecision(BF16), large products round op(A) and op(B) to
// bfloat16 first (see SetMatmulPrecision).
//
// The product is blocked for the caches (Goto & van de Geijn, "Anatomy of
// high-performance matrix multiplication", ACM TOMS 34(3), 2008): panels of
// op(B) and blocks of op(A) are packed, and a register-blocked micro-kernel
// of the selected implementation computes each tile of C. Products large
// enough to pay for it are split over up to GOMAXPROCS goroutines.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkMatrix("Sgemm", "A", transA, m, k, a, lda)
	checkMatrix("Sgemm", "B", transB, k, n, b, ldb)
	checkMatrix("Sgemm", "C", false, m, n, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleRows(c, m, n, ldc, beta)
		return
	}
	p := gemmProblem{
		m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, transA: transA,
		b: b, ldb: ldb, transB: transB,
		c: c, rsc: ldc, csc: 1,
	}
	gemmInFlight.Add(1)
	defer gemmInFlight.Add(-1)
	if useBF16(m, n, k) {
		p.runBF16(bf16Active)
		return
	}
	kern := gemmKernelFor(active)
	switch {
	case n <= dotMaxN && !transA:
		// A few columns against contiguous rows of A: dot products.
		p.dots()
	case m <= dotMaxN && transB:
		// Cᵀ = B·op(A)ᵀ has a few columns and B's rows as its rows.
		pt := p.transposed()
		pt.dots()
	default:
		if n < kern.nr && m > n {
			// A thin op(B) would leave most of every nr-wide tile
			// empty; Cᵀ = op(B)ᵀ·op(A)ᵀ puts the short side along the
			// mr rows of the tile instead.
			p = p.transposed()
		}
		p.run(kern)
	}
}

// checkMatrix panics unless x holds a rows×cols matrix (stored transposed
// when trans) with leading dimension ld; fn names the caller.
func checkMatrix(fn, name string, trans bool, rows, cols int, x []float32, ld int) {
	if rows < 0 || cols < 0 {
		panic("asm: " + fn + ": negative dimension of " + name)
	}
	if trans {
		rows, cols = cols, rows
	}
	if ld < max(1, cols) {
		panic("asm: " + fn + ": leading dimension of " + name + " shorter than its rows")
	}
	if rows > 0 && cols > 0 && len(x) < (rows-1)*ld+cols {
		panic("asm: " + fn + ": slice " + name + " too short for its shape")
	}
}

// scaleRows sets C = beta·C for an m×n matrix, writing zeros when beta is 0.
func scaleRows(c []float32, m, n, ldc int, beta float32) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// gemmKernel is one register-blocked micro-kernel with the cache blocking
// chosen for it on the reference machine.
type gemmKernel struct {
	mr, nr int // tile of C per call: mr rows × nr columns
	kc     int // depth of a packed panel; a kc×nr sliver of op(B) stays in L1
	mc     int // rows of op(A) per packed block (kc×mc stays in L2)
	nc     int // columns of op(B) per packed panel (shared by the goroutines)

	// micro computes, for i < mr, j < nr,
	//	c[i*ldc+j] = alpha·Σ_{p<kc} a[p*mr+i]·b[p*ldb+j] + beta·c[i*ldc+j]
	// not reading c when beta is 0: a is a packed sliver of op(A), and b
	// either a packed sliver of op(B) (ldb = nr) or op(B) itself.
	micro func(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)
}

// gemmParallelMin is the number of multiply-adds below which a second
// goroutine costs more than it saves. Measured with BenchmarkSgemm,
// threads=1 against threads=2: 1024×256×2 (2¹⁹) is slower on two, 256³ and
// 1024×256×66 are faster.
const gemmParallelMin = 1 << 21

// gemmInFlight counts the products running now, and the goroutines
// reserved by ReserveProcs. Concurrent callers (the trainer runs the two
// halves of a batch at once) each take the cores the others leave, rather
// than all splitting over every core and waiting at each other's barriers.
// The split never changes a result: every element of C is summed over k in
// the same order whatever the thread count.
var gemmInFlight atomic.Int32

// ReserveProcs tells Sgemm that n more goroutines are busy on processors
// of their own until release is called, so that products split over that
// many fewer goroutines. A caller that shares work out among goroutines
// that each call Sgemm reserves all but one of them: then one goroutine's
// product does not split while the others are between products (their
// processors busy with other work), which would leave its second half
// waiting for a processor. Results do not change.
func ReserveProcs(n int) (release func()) {
	gemmInFlight.Add(int32(n))
	return func() { gemmInFlight.Add(-int32(n)) }
}

// gemmProcs is the number of goroutines a product may use now.
func gemmProcs() int {
	return max(1, runtime.GOMAXPROCS(0)-int(gemmInFlight.Load())+1)
}

// gemmThreads returns how many goroutines share a product of m·n·k
// multiply-adds split into parts independent pieces.
func gemmThreads(m, n, k, parts int) int {
	if m*n*k < gemmParallelMin {
		return 1
	}
	return max(1, min(gemmProcs(), parts))
}

// gemmProblem is C = alpha·op(A)·op(B) + beta·C with C's element (i, j) at
// c[i*rsc+j*csc].
type gemmProblem struct {
	m, n, k     int
	alpha, beta float32
	a           []float32
	lda         int
	transA      bool
	b           []float32
	ldb         int
	transB      bool
	c           []float32
	rsc, csc    int
}

// transposed returns the same product written as Cᵀ = op(B)ᵀ·op(A)ᵀ.
func (p gemmProblem) transposed() gemmProblem {
	return gemmProblem{
		m: p.n, n: p.m, k: p.k, alpha: p.alpha, beta: p.beta,
		a: p.b, lda: p.ldb, transA: !p.transB,
		b: p.a, ldb: p.lda, transB: !p.transA,
		c: p.c, rsc: p.csc, csc: p.rsc,
	}
}

// gemmBlocks holds the block sizes of one product: equal-sized blocks no
// larger than the kernel's, so that no block is a thin remainder.
type gemmBlocks struct{ kc, mc, nc int }

// blocks returns the block sizes for goroutines that each own about rows
// rows of C.
func (p *gemmProblem) blocks(kern *gemmKernel, rows int) gemmBlocks {
	return gemmBlocks{
		kc: evenBlock(p.k, kern.kc, 1),
		mc: evenBlock(rows, kern.mc, kern.mr),
		nc: evenBlock(p.n, kern.nc, kern.nr),
	}
}

// evenBlock splits n into the fewest blocks of at most max, rounded up to a
// multiple of unit, and returns the block size.
func evenBlock(n, max, unit int) int {
	parts := ceilDiv(n, max)
	return ceilDiv(ceilDiv(n, parts), unit) * unit
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// gemmWorkspace is the packing memory of one product, reused across calls.
type gemmWorkspace struct{ buf []float32 }

var gemmPool = sync.Pool{New: func() any { return new(gemmWorkspace) }}

// getWorkspace returns n floats from the pool (not zeroed) and the workspace
// to put back.
func getWorkspace(n int) ([]float32, *gemmWorkspace) {
	ws := gemmPool.Get().(*gemmWorkspace)
	if cap(ws.buf) < n {
		ws.buf = make([]float32, n)
	}
	return ws.buf[:n], ws
}

// run computes the product with kernel kern, packing op(A) in blocks and
// op(B) in panels, on as many goroutines as pay off.
//
// When few row tiles share each panel of op(B) and its rows are contiguous
// (B not transposed), packing B would cost as much as the product, so the
// kernel reads it in place instead (direct mode) and the goroutines split
// the columns; otherwise they pack each kc×nc panel of op(B) together and
// split the rows.
func (p *gemmProblem) run(kern *gemmKernel) {
	tiles := ceilDiv(p.m, kern.mr)
	direct := !p.transB && tiles <= 2
	threads := gemmThreads(p.m, p.n, p.k, tiles)
	bl := p.blocks(kern, ceilDiv(p.m, threads))
	panel := bl.kc * bl.nc
	if direct {
		threads = gemmThreads(p.m, p.n, p.k, ceilDiv(p.n, kern.nr))
		bl = p.blocks(kern, p.m)
		panel = 0
	}
	// Per goroutine: a packed block of A, an edge sliver of B (direct
	// mode) and an edge tile of C.
	private := bl.kc*bl.mc + bl.kc*kern.nr + kern.mr*kern.nr
	buf, ws := getWorkspace(panel + threads*private)
	defer gemmPool.Put(ws)
	bp := buf[:panel]
	work := func(t int, bar *barrier) {
		priv := buf[panel+t*private : panel+(t+1)*private]
		if direct {
			p.workDirect(kern, bl, priv, t, threads)
		} else {
			p.work(kern, bl, bp, priv, t, threads, bar)
		}
	}
	var bar *barrier
	if threads > 1 {
		bar = newBarrier(threads)
	}
	parallel(threads, func(t int) { work(t, bar) })
}

// work is goroutine t of threads in packed mode: it packs its share of each
// panel of op(B) into bp and computes rows [r0, r1) of C, a contiguous run
// of row tiles, packing their blocks of op(A) itself.
func (p *gemmProblem) work(kern *gemmKernel, bl gemmBlocks, bp, priv []float32, t, threads int, bar *barrier) {
	mr, nr := kern.mr, kern.nr
	tiles := ceilDiv(p.m, mr)
	r0, r1 := t*tiles/threads*mr, min((t+1)*tiles/threads*mr, p.m)
	ap, tile := priv[:bl.kc*bl.mc], priv[len(priv)-mr*nr:]
	for jc := 0; jc < p.n; jc += bl.nc {
		nb := min(bl.nc, p.n-jc)
		slivers := ceilDiv(nb, nr)
		for pc := 0; pc < p.k; pc += bl.kc {
			kb := min(bl.kc, p.k-pc)
			p.packB(bp, jc, nb, pc, kb, nr, t*slivers/threads, (t+1)*slivers/threads)
			bar.wait()
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			for ic := r0; ic < r1; ic += bl.mc {
				mb := min(bl.mc, r1-ic)
				p.packA(ap, ic, mb, pc, kb, mr)
				for jr := 0; jr < nb; jr += nr {
					p.sliver(kern, ap, ic, mb, bp[jr*kb:(jr+nr)*kb], nr, jc+jr, min(nr, nb-jr), kb, tile, beta)
				}
			}
			bar.wait()
		}
	}
}

// workDirect is goroutine t of threads in direct mode: all rows of C (at
// most a few tiles) against its own run of nr-wide column slivers, read from
// B in place; only a last, partial sliver is packed (into a zero-padded
// copy) so that the kernel never reads past B.
func (p *gemmProblem) workDirect(kern *gemmKernel, bl gemmBlocks, priv []float32, t, threads int) {
	mr, nr := kern.mr, kern.nr
	slivers := ceilDiv(p.n, nr)
	s0, s1 := t*slivers/threads, (t+1)*slivers/threads
	ap := priv[:bl.kc*bl.mc]
	edge := priv[bl.kc*bl.mc : bl.kc*bl.mc+bl.kc*nr]
	tile := priv[len(priv)-mr*nr:]
	for pc := 0; pc < p.k; pc += bl.kc {
		kb := min(bl.kc, p.k-pc)
		beta := p.beta
		if pc > 0 {
			beta = 1
		}
		p.packA(ap, 0, p.m, pc, kb, mr)
		for s := s0; s < s1; s++ {
			j := s * nr
			nj := min(nr, p.n-j)
			if nj == nr {
				off := pc*p.ldb + j
				p.sliver(kern, ap, 0, p.m, p.b[off:off+(kb-1)*p.ldb+nr], p.ldb, j, nr, kb, tile, beta)
				continue
			}
			p.packB(edge, j, nj, pc, kb, nr, 0, 1)
			p.sliver(kern, ap, 0, p.m, edge, nr, j, nj, kb, tile, beta)
		}
	}
}

// sliver multiplies the packed block of op(A) for rows [ic, ic+mb) by one
// sliver of op(B) (kb rows ldb apart, nj ≤ nr valid columns) into C at
// columns [j, j+nj), tile by tile. Full tiles of a row-major C are written
// in place; the others go through tile.
func (p *gemmProblem) sliver(kern *gemmKernel, ap []float32, ic, mb int, bs []float32, ldb, j, nj, kb int, tile []float32, beta float32) {
	mr, nr := kern.mr, kern.nr
	for ir := 0; ir < mb; ir += mr {
		as := ap[ir*kb : (ir+mr)*kb]
		mi := min(mr, mb-ir)
		off := (ic+ir)*p.rsc + j*p.csc
		if p.csc == 1 && mi == mr && nj == nr {
			kern.micro(kb, as, bs, ldb, p.c[off:off+(mr-1)*p.rsc+nr], p.rsc, p.alpha, beta)
			continue
		}
		kern.micro(kb, as, bs, ldb, tile, nr, p.alpha, 0)
		p.addTile(tile, nr, off, mi, nj, beta)
	}
}

// addTile stores the top-left mi×nj of tile (row stride nr) into C at off:
// C = tile + beta·C, not reading C when beta is 0.
func (p *gemmProblem) addTile(tile []float32, nr, off, mi, nj int, beta float32) {
	for i := 0; i < mi; i++ {
		src := tile[i*nr : i*nr+nj]
		o := off + i*p.rsc
		for j, v := range src {
			x := &p.c[o+j*p.csc]
			if beta == 0 {
				*x = v
			} else {
				*x = v + beta**x
			}
		}
	}
}

// dotParallelMin is the size of A from which the dot-product path splits
// its rows between goroutines. Reading A dominates; at 1024×256 two
// goroutines were slower than one (BenchmarkSgemm w1-fwd-out: 70–79 µs
// against 45–58 µs, the other core busy), so only larger A are split.
const dotParallelMin = 1 << 20

// dotMaxN is the most columns of C the dot-product path handles: its
// kernel computes four dot products per row of A.
const dotMaxN = 4

// dots computes a product with at most dotMaxN columns and A not
// transposed as dot products of the rows of A with the columns of op(B),
// reading A once and in order: a packed tile would be mostly empty here,
// and packing A would cost more than the product.
func (p *gemmProblem) dots() {
	// The columns of op(B) as rows: B's own rows when transposed, else a
	// transposed copy of the k×n matrix.
	bt, ldbt := p.b, p.ldb
	var ws *gemmWorkspace
	if !p.transB {
		bt, ws = getWorkspace(p.n * p.k)
		defer gemmPool.Put(ws)
		for l := 0; l < p.k; l++ {
			for j := 0; j < p.n; j++ {
				bt[j*p.k+l] = p.b[l*p.ldb+j]
			}
		}
		ldbt = p.k
	}
	var rows [dotMaxN][]float32
	for j := range rows {
		r := min(j, p.n-1) // unused columns repeat the last; their sums are dropped
		rows[j] = bt[r*ldbt : r*ldbt+p.k]
	}
	threads := 1
	if p.m*p.k >= dotParallelMin {
		threads = min(gemmProcs(), p.m)
	}
	part := func(t int) {
		var s [dotMaxN]float32
		for i := t * p.m / threads; i < (t+1)*p.m/threads; i++ {
			dot4(p.a[i*p.lda:i*p.lda+p.k], &rows, &s)
			for j := 0; j < p.n; j++ {
				x := &p.c[i*p.rsc+j*p.csc]
				if p.beta == 0 {
					*x = p.alpha * s[j]
				} else {
					*x = p.alpha*s[j] + p.beta**x
				}
			}
		}
	}
	parallel(threads, part)
}

// packA copies rows [i0, i0+mb) and depths [p0, p0+kb) of op(A) into dst as
// slivers of mr rows: element (i0+s·mr+r, p0+q) goes to dst[s·mr·kb+q·mr+r],
// and rows past mb are zero.
func (p *gemmProblem) packA(dst []float32, i0, mb, p0, kb, mr int) {
	if p.transA {
		// op(A)(i, q) = a[q*lda+i]
		packRows(dst, mr, p.a[p0*p.lda+i0:], p.lda, mb, kb)
		return
	}
	for s := 0; s*mr < mb; s++ {
		// op(A)(i, q) = a[i*lda+q]
		i := i0 + s*mr
		packColumns(dst[s*mr*kb:(s+1)*mr*kb], mr, p.a[i*p.lda+p0:], p.lda, min(mr, mb-s*mr), kb)
	}
}

// packB copies slivers [s0, s1) of the columns [j0, j0+nb) and depths
// [p0, p0+kb) of op(B) into dst: element (p0+q, j0+s·nr+c) goes to
// dst[s·nr·kb+q·nr+c], and columns past nb are zero.
func (p *gemmProblem) packB(dst []float32, j0, nb, p0, kb, nr, s0, s1 int) {
	if s0 >= s1 {
		return
	}
	if !p.transB {
		// op(B)(q, j) = b[q*ldb+j]
		j := j0 + s0*nr
		packRows(dst[s0*nr*kb:s1*nr*kb], nr, p.b[p0*p.ldb+j:], p.ldb, min(nb, s1*nr)-s0*nr, kb)
		return
	}
	for s := s0; s < s1; s++ {
		// op(B)(q, j) = b[j*ldb+q]
		j := j0 + s*nr
		packColumns(dst[s*nr*kb:(s+1)*nr*kb], nr, p.b[j*p.ldb+p0:], p.ldb, min(nr, nb-s*nr), kb)
	}
}

// barrier lets n goroutines wait for each other, any number of times. A nil
// barrier (one goroutine) never waits. A waiter polls for spinTime before
// it parks: the goroutines of one product reach a barrier within
// microseconds of each other, less than waking a parked one costs.
type barrier struct {
	n     int32
	count atomic.Int32
	round atomic.Uint32
	mu    sync.Mutex
	cond  sync.Cond
}

func newBarrier(n int) *barrier {
	b := &barrier{n: int32(n)}
	b.cond.L = &b.mu
	return b
}

func (b *barrier) wait() {
	if b == nil {
		return
	}
	round := b.round.Load()
	if b.count.Add(1) == b.n {
		b.count.Store(0)
		b.mu.Lock()
		b.round.Add(1)
		b.cond.Broadcast()
		b.mu.Unlock()
		return
	}
	if spin(spinTime, func() bool { return b.round.Load() != round }) {
		return
	}
	b.mu.Lock()
	for b.round.Load() == round {
		b.cond.Wait()
	}
	b.mu.Unlock()
}

// BLAS is gonum's pure-Go BLAS with Sgemm replaced by this package's kernel.
// Installing it with gorgonia.Use routes every float32 graph matmul here.
type BLAS struct {
	gonum.Implementation
}

// Sgemm implements blas.Float32 with the package kernel.
func (BLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
