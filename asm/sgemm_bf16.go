package asm

import (
	"fmt"
	"math"
	"sync"
)

// Matmul precisions, the values of SetMatmulPrecision.
const (
	// FP32 multiplies and accumulates in float32: the default.
	FP32 = "fp32"
	// BF16 rounds op(A) and op(B) to bfloat16 and accumulates the products
	// in float32, as PyTorch's bfloat16 autocast does for matmuls, on the
	// AMX tile units of the CPU or with AVX512-BF16's dot product.
	BF16 = "bf16"
)

// bf16Active is the kernel set Sgemm runs large products with in bfloat16,
// or nil under FP32.
var bf16Active *bf16Kernels

// SetMatmulPrecision sets the precision of Sgemm's large products, FP32
// (the default) or BF16, like PyTorch's torch.set_float32_matmul_precision.
//
// Under BF16, products whose m, n and k are all at least bf16MinDim (the
// tile edge, 16) round op(A) and op(B) to bfloat16 (8 significant bits,
// round to nearest even, subnormals flushed to zero) and accumulate the
// exact products in float32; alpha and beta are applied in float32.
// Smaller products stay float32. A product's relative error is then that
// of its rounded operands, about 2⁻⁸ per factor, rather than float32's
// 2⁻²⁴; results differ from FP32 ones in the third digit.
//
// BF16 needs a CPU with AVX512-BF16 (Intel Cooper Lake and Sapphire Rapids,
// AMD Zen 4 and later) and the avx512 implementation selected; otherwise
// SetMatmulPrecision returns an error saying which is missing and leaves
// the precision as it was. The products run on the AMX tile units where
// the CPU has AMX-BF16 and the operating system grants the tile state
// (Linux 5.16 and later), and with AVX512-BF16's VDPBF16PS elsewhere
// (BF16Unit tells which).
func SetMatmulPrecision(name string) error {
	switch name {
	case FP32:
		bf16Active = nil
		return nil
	case BF16:
		kern, err := usableBF16()
		if err != nil {
			return err
		}
		bf16Active = kern
		return nil
	}
	return fmt.Errorf("matmul precision %q is unknown (valid: %s, %s)", name, FP32, BF16)
}

// MatmulPrecision returns the matmul precision Sgemm uses, FP32 or BF16.
func MatmulPrecision() string {
	if bf16Active != nil {
		return BF16
	}
	return FP32
}

// BF16Unit names the unit that runs bfloat16 products on this machine,
// "amx" (the AMX tiles) or "avx512-bf16" (VDPBF16PS in zmm registers), or
// returns the error SetMatmulPrecision(BF16) would give when there is none.
func BF16Unit() (string, error) {
	kern, err := usableBF16()
	if err != nil {
		return "", err
	}
	return kern.unit, nil
}

// usableBF16 returns the bfloat16 kernels Sgemm can use now, or why there
// are none.
func usableBF16() (*bf16Kernels, error) {
	kern, err := nativeBF16()
	if err != nil {
		return nil, fmt.Errorf("matmul precision bf16: %w", err)
	}
	if active != implAVX512 {
		return nil, fmt.Errorf("matmul precision bf16 runs on the avx512 implementation; %s is selected", Selected())
	}
	return kern, nil
}

// bf16MinDim is the smallest m, n and k a product runs in bfloat16: below
// a tile edge most of every tile would be padding, and such products are
// bound by reading their operands anyway.
const bf16MinDim = 16

// useBF16 is whether Sgemm runs an m×n×k product on the bfloat16 path.
func useBF16(m, n, k int) bool {
	return bf16Active != nil && active == implAVX512 && min(m, n, k) >= bf16MinDim
}

// The bfloat16 product works on tiles of 16 rows of 64 bytes, the AMX
// register shape: a tile of op(A) holds 16 rows × 32 depths, and a tile of
// op(B) 16 depth pairs × 16 columns, each pair (op(B)(2r, j), op(B)(2r+1, j))
// adjacent ("VNNI" layout). A kernel step multiplies a 32×32 block of C by
// 32 depths: 2 tiles of op(A) times 2 of op(B) into 4 accumulator tiles.
const (
	tileWords = 512 // bfloat16 values per tile
	bf16KC    = 1024
	bf16NC    = 512
	// bf16Group is the number of 32-row panels of op(A) packed together:
	// a transposed A is read across its rows, 8·32 values of each at a
	// time, rather than 32 (a stride the prefetchers cannot follow).
	bf16Group = 8
)

// bf16Kernels is one implementation of the bfloat16 product's kernels.
type bf16Kernels struct {
	// unit names the implementation (BF16Unit).
	unit string
	// parallelMin is the number of multiply-adds from which a product is
	// split over goroutines.
	parallelMin int
	// rows sets t[r][q] = bf16(src[r*ld+q]) for r < rows ≤ 16, q < cols
	// ≤ 32, and zero elsewhere: a tile of op(A) from rows of A.
	rows func(t *[tileWords]uint16, src []float32, ld, rows, cols int)
	// pairs sets t[r][2j+h] = bf16(src[(2r+h)*ld+j]) for 2r+h < rows ≤ 32,
	// j < cols ≤ 16, and zero elsewhere: a tile of op(B) from rows of B.
	pairs func(t *[tileWords]uint16, src []float32, ld, rows, cols int)
	// transpose transposes t as a 16×16 matrix of 32-bit words (pairs).
	transpose func(t *[tileWords]uint16)
	// dot multiplies a packed 32-row panel of op(A) (kt steps of 2 tiles)
	// by pairs×32 packed columns of op(B) (2·pairs blocks of kt tiles) and
	// sets c[i*ldc+j] to the float32 sums for i < 32, j < 32·pairs, or,
	// when acc, adds the sums to it.
	dot func(kt, pairs int, a, b []uint16, c []float32, ldc int, acc bool)
	// store sets C = alpha·buf + beta·C for rows×cols (row strides ldc and
	// ldbuf), computed as float32(alpha·buf) + float32(beta·C) and without
	// reading C when beta is 0.
	store func(c []float32, ldc int, buf []float32, ldbuf, rows, cols int, alpha, beta float32)
}

// bf16Generic is the pure-Go twin of every bfloat16 kernel, which lets the
// tests run the whole bfloat16 product on any machine. The packing and
// store kernels of the assembly match it bit for bit; the AMX tile product
// sums in an order its specification leaves open, so dot matches it to
// within float32 summation error.
var bf16Generic = bf16Kernels{
	unit:        "generic",
	parallelMin: gemmParallelMin,
	rows:        bf16RowsGeneric,
	pairs:       bf16PairsGeneric,
	transpose:   transposeTileGeneric,
	dot:         bf16DotGeneric,
	store:       storeTileGeneric,
}

// toBF16 rounds x to bfloat16 as VCVTNE2PS2BF16 does: to nearest, ties to
// even; subnormals to zero of the same sign; NaN to a quiet NaN.
func toBF16(x float32) uint16 {
	u := math.Float32bits(x)
	switch {
	case u&0x7f800000 == 0:
		return uint16(u>>16) & 0x8000
	case u&0x7fffffff > 0x7f800000:
		return uint16(u>>16) | 0x40
	}
	u += 0x7fff + (u>>16)&1
	return uint16(u >> 16)
}

// fromBF16 is the float32 value of a bfloat16.
func fromBF16(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

func bf16RowsGeneric(t *[tileWords]uint16, src []float32, ld, rows, cols int) {
	clear(t[:])
	for r := range rows {
		for q := range cols {
			t[r*32+q] = toBF16(src[r*ld+q])
		}
	}
}

func bf16PairsGeneric(t *[tileWords]uint16, src []float32, ld, rows, cols int) {
	clear(t[:])
	for k := range rows {
		for j := range cols {
			t[k/2*32+2*j+k%2] = toBF16(src[k*ld+j])
		}
	}
}

func transposeTileGeneric(t *[tileWords]uint16) {
	for r := range 16 {
		for c := r + 1; c < 16; c++ {
			x, y := 2*(r*16+c), 2*(c*16+r)
			t[x], t[x+1], t[y], t[y+1] = t[y], t[y+1], t[x], t[x+1]
		}
	}
}

// bf16DotGeneric accumulates as the pseudo-code of the AMX TDPBF16PS
// instruction reads: per depth pair, c += a₀·b₀ then c += a₁·b₁, each
// product exact and each sum rounded to float32, subnormal sums flushed.
func bf16DotGeneric(kt, pairs int, a, b []uint16, c []float32, ldc int, acc bool) {
	for jb := range 2 * pairs {
		for i := range 32 {
			for j := range 16 {
				var s float32
				if acc {
					s = c[i*ldc+jb*16+j]
				}
				for st := range kt {
					at := a[(2*st+i/16)*tileWords+i%16*32:]
					bt := b[(jb*kt+st)*tileWords:]
					for r := range 16 {
						for h := range 2 {
							s = flushSubnormal(s + fromBF16(at[2*r+h])*fromBF16(bt[r*32+2*j+h]))
						}
					}
				}
				c[i*ldc+jb*16+j] = s
			}
		}
	}
}

// flushSubnormal returns x, or zero of its sign when x is subnormal.
func flushSubnormal(x float32) float32 {
	if u := math.Float32bits(x); u&0x7f800000 == 0 {
		return math.Float32frombits(u & 0x80000000)
	}
	return x
}

func storeTileGeneric(c []float32, ldc int, buf []float32, ldbuf, rows, cols int, alpha, beta float32) {
	for i := range rows {
		ci, bi := c[i*ldc:i*ldc+cols], buf[i*ldbuf:i*ldbuf+cols]
		for j, v := range bi {
			if beta == 0 {
				ci[j] = alpha * v
			} else {
				ci[j] = float32(alpha*v) + float32(beta*ci[j])
			}
		}
	}
}

// bf16Pool holds the packing memory of the bfloat16 product.
var bf16Pool = sync.Pool{New: func() any { return new([]uint16) }}

// runBF16 computes the product in bfloat16 with kernels kern: panels of
// op(B) (bf16KC deep, bf16NC wide) packed by all goroutines together, and
// 32-row panels of op(A) split between them, packed by their goroutine in
// groups of bf16Group and each multiplied against the whole panel of op(B),
// straight into C or through a float32 buffer (panelBF16).
func (p *gemmProblem) runBF16(kern *bf16Kernels) {
	panels := ceilDiv(p.m, 32)
	threads := 1
	if p.m*p.n*p.k >= kern.parallelMin {
		threads = gemmThreads(p.m, p.n, p.k, panels)
	}
	kc, nc := bf16Blocks(p.n, p.k)
	bWords := nc / 16 * kc / 32 * tileWords
	aWords := bf16Group * kc / 32 * 2 * tileWords
	ws := bf16Pool.Get().(*[]uint16)
	defer bf16Pool.Put(ws)
	if need := bWords + threads*aWords; cap(*ws) < need {
		*ws = make([]uint16, need)
	}
	buf, cws := getWorkspace(threads * 32 * nc)
	defer gemmPool.Put(cws)
	work := func(t int, bar *barrier) {
		ap := (*ws)[bWords+t*aWords : bWords+(t+1)*aWords]
		p.workBF16(kern, kc, nc, (*ws)[:bWords], ap, buf[t*32*nc:(t+1)*32*nc], t, threads, panels, bar)
	}
	var bar *barrier
	if threads > 1 {
		bar = newBarrier(threads)
	}
	parallel(threads, func(t int) { work(t, bar) })
}

// workBF16 is goroutine t of threads: it packs its share of the 16-column
// blocks of each panel of op(B) into bp, then computes its 32-row panels of
// C, packing their op(A) into ap and summing into cbuf.
func (p *gemmProblem) workBF16(kern *bf16Kernels, kc, nc int, bp, ap []uint16, cbuf []float32, t, threads, panels int, bar *barrier) {
	for jc := 0; jc < p.n; jc += nc {
		nb := min(nc, p.n-jc)
		blocks := 2 * ceilDiv(nb, 32)
		for pc := 0; pc < p.k; pc += kc {
			kb := min(kc, p.k-pc)
			p.packBBlock(kern, bp, jc, nb, pc, kb, t*blocks/threads, (t+1)*blocks/threads)
			bar.wait()
			p.panelsBF16(kern, bp, ap, cbuf, t*panels/threads, (t+1)*panels/threads, jc, nb, pc, kb)
			bar.wait()
		}
	}
}

// packBBlock packs the 16-column blocks [jb0, jb1) of the block of op(B)
// at columns [jc, jc+nb) and depths [pc, pc+kb) into bp, block jb at tiles
// [jb·kt, (jb+1)·kt). It walks along the rows of B (or of Bᵀ, when
// transposed, down its rows).
func (p *gemmProblem) packBBlock(kern *bf16Kernels, bp []uint16, jc, nb, pc, kb, jb0, jb1 int) {
	kt := ceilDiv(kb, 32)
	for s := range kt {
		for jb := jb0; jb < jb1; jb++ {
			p.packBTile(kern, tileAt(bp, jb*kt+s), jc+jb*16, min(16, nb-jb*16), pc+s*32, min(32, kb-s*32))
		}
	}
}

// bf16Blocks returns the depth kc and width nc of the blocks of op(B) that
// an m×n×k bfloat16 product packs at a time.
func bf16Blocks(n, k int) (kc, nc int) {
	return min(bf16KC, ceilDiv(k, 32)*32), min(bf16NC, ceilDiv(n, 32)*32)
}

// panelsBF16 computes the 32-row panels [lo, hi) of C for columns [jc,
// jc+nb) and depths [pc, pc+kb) against bp, that block of op(B) packed,
// packing op(A) into ap in groups of bf16Group panels. The first block of
// depths applies beta; later ones add to C.
func (p *gemmProblem) panelsBF16(kern *bf16Kernels, bp, ap []uint16, cbuf []float32, lo, hi, jc, nb, pc, kb int) {
	kt, pairs := ceilDiv(kb, 32), ceilDiv(nb, 32)
	beta := p.beta
	if pc > 0 {
		beta = 1
	}
	for g0 := lo; g0 < hi; g0 += bf16Group {
		g1 := min(g0+bf16Group, hi)
		p.packAGroup(kern, ap, g0, g1, pc, kb, kt)
		for panel := g0; panel < g1; panel++ {
			p.panelBF16(kern, kt, pairs, ap[(panel-g0)*2*kt*tileWords:], bp, cbuf, panel*32, jc, nb, beta)
		}
	}
}

// panelBF16 multiplies the packed panel ap of op(A) (rows [i0, i0+32)) by
// the packed panel bp of op(B) (columns [jc, jc+nb), pairs 32-column
// pairs) into C. With alpha 1 and beta 0 or 1, whole 32×32 blocks of C go
// straight from the accumulator tiles to C (beta 1 loads them from C
// first); the rest go through cbuf and store.
func (p *gemmProblem) panelBF16(kern *bf16Kernels, kt, pairs int, ap, bp []uint16, cbuf []float32, i0, jc, nb int, beta float32) {
	rows := min(32, p.m-i0)
	q := 0 // pairs done in place
	if p.alpha == 1 && (beta == 0 || beta == 1) && rows == 32 {
		q = nb / 32
		if q > 0 {
			kern.dot(kt, q, ap, bp, p.c[i0*p.rsc+jc:], p.rsc, beta == 1)
		}
	}
	if q == pairs {
		return
	}
	kern.dot(kt, pairs-q, ap, bp[2*q*kt*tileWords:], cbuf, 32*(pairs-q), false)
	kern.store(p.c[i0*p.rsc+jc+32*q:], p.rsc, cbuf, 32*(pairs-q), rows, nb-32*q, p.alpha, beta)
}

// packAGroup packs the 32-row panels [g0, g1) of op(A), depths [pc,
// pc+kb), into ap: panel g0+x at tiles [2·kt·x, 2·kt·(x+1)). It walks
// along the rows of A: panel by panel when A is not transposed (each row
// of a panel is contiguous), depth by depth across the panels when it is.
func (p *gemmProblem) packAGroup(kern *bf16Kernels, ap []uint16, g0, g1, pc, kb, kt int) {
	pack := func(x, s, h int) {
		i := (g0+x)*32 + 16*h
		p.packATile(kern, tileAt(ap, (x*kt+s)*2+h), i, min(16, p.m-i), pc+s*32, min(32, kb-s*32))
	}
	if p.transA {
		for s := range kt {
			for x := range g1 - g0 {
				pack(x, s, 0)
				pack(x, s, 1)
			}
		}
		return
	}
	for x := range g1 - g0 {
		for s := range kt {
			pack(x, s, 0)
			pack(x, s, 1)
		}
	}
}

// tileAt returns tile i of packed memory.
func tileAt(x []uint16, i int) *[tileWords]uint16 {
	return (*[tileWords]uint16)(x[i*tileWords : (i+1)*tileWords])
}

// packATile packs rows [i, i+rows) and depths [q, q+depths) of op(A) into
// tile t (rows ≤ 16, depths ≤ 32; rows may be ≤ 0 past the end of A).
func (p *gemmProblem) packATile(kern *bf16Kernels, t *[tileWords]uint16, i, rows, q, depths int) {
	switch {
	case rows <= 0:
		clear(t[:])
	case !p.transA:
		// op(A)(i, q) = a[i*lda+q]
		kern.rows(t, p.a[i*p.lda+q:], p.lda, rows, depths)
	default:
		// op(A)(i, q) = a[q*lda+i]: pair the depths, then transpose.
		kern.pairs(t, p.a[q*p.lda+i:], p.lda, depths, rows)
		kern.transpose(t)
	}
}

// packBTile packs columns [j, j+cols) and depths [q, q+depths) of op(B)
// into tile t (cols ≤ 16, depths ≤ 32; cols may be ≤ 0 past the end of B).
func (p *gemmProblem) packBTile(kern *bf16Kernels, t *[tileWords]uint16, j, cols, q, depths int) {
	switch {
	case cols <= 0:
		clear(t[:])
	case !p.transB:
		// op(B)(q, j) = b[q*ldb+j]
		kern.pairs(t, p.b[q*p.ldb+j:], p.ldb, depths, cols)
	default:
		// op(B)(q, j) = b[j*ldb+q]: rows of B, then transpose.
		kern.rows(t, p.b[j*p.ldb+q:], p.ldb, cols, depths)
		kern.transpose(t)
	}
}
