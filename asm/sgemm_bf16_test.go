package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// bf16Sets returns the bfloat16 kernel sets this machine runs, by unit:
// the generic twin always, the others where the CPU and OS allow them.
func bf16Sets() map[string]*bf16Kernels {
	sets := map[string]*bf16Kernels{"generic": &bf16Generic}
	for _, k := range bf16NativeSets() {
		sets[k.unit] = k
	}
	return sets
}

func TestToBF16(t *testing.T) {
	cases := []struct {
		in   uint32 // float32 bits
		want uint16
	}{
		{0x3f800000, 0x3f80},                   // 1
		{0xbf800000, 0xbf80},                   // -1
		{0x3f808000, 0x3f80},                   // 1 + 2⁻⁸: a tie, to even (down)
		{0x3f818000, 0x3f82},                   // 1 + 3·2⁻⁸: a tie, to even (up)
		{0x3f808001, 0x3f81},                   // just above the tie
		{0x3f807fff, 0x3f80},                   // just below the tie
		{0x7f7fffff, 0x7f80},                   // the largest float32 rounds to +Inf
		{0x7f800000, 0x7f80},                   // +Inf
		{0xff800000, 0xff80},                   // -Inf
		{0x7f800001, 0x7fc0},                   // a signalling NaN, quietened
		{0xffc12345, 0xffc1},                   // a quiet NaN keeps its sign and top payload
		{0x00000001, 0x0000},                   // the smallest subnormal, flushed
		{0x807fffff, 0x8000},                   // a negative subnormal, flushed to -0
		{0x00800000, 0x0080},                   // the smallest normal
		{0x00000000, 0x0000},                   // +0
		{0x80000000, 0x8000},                   // -0
		{math.Float32bits(3.14159265), 0x4049}, // π to 8 bits: 3.140625
	}
	for _, c := range cases {
		if got := toBF16(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("toBF16(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}

// bf16Source returns rows×ld floats: random values in [-4, 4) with, every
// few cells, a special value (±0, ±Inf, NaN, a subnormal, a rounding tie).
func bf16Source(rng *rand.Rand, n int) []float32 {
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.Float32frombits(0x00012345), math.Float32frombits(0x3f808000), 65504}
	s := make([]float32, n)
	for i := range s {
		if rng.IntN(7) == 0 {
			s[i] = specials[rng.IntN(len(specials))]
		} else {
			s[i] = float32(rng.Float64()*8 - 4)
		}
	}
	return s
}

func sameTile(a, b *[tileWords]uint16) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestBF16PackKernels checks every implementation's packing kernels against
// the generic twin, bit for bit, for every tile shape, several leading
// dimensions and unaligned sources; tiles start dirty, so unwritten cells
// show.
func TestBF16PackKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, kern := range bf16Sets() {
		for _, ld := range []int{32, 33, 47, 100} {
			for off := range 3 {
				src := bf16Source(rng, off+32*ld)[off:]
				for rows := 0; rows <= 32; rows++ {
					for cols := 0; cols <= 32; cols++ {
						var got, want [tileWords]uint16
						for i := range got {
							got[i], want[i] = 0xdead, 0xbeef
						}
						if rows <= 16 {
							kern.rows(&got, src, ld, rows, cols)
							bf16RowsGeneric(&want, src, ld, rows, cols)
							if i := sameTile(&got, &want); i >= 0 {
								t.Fatalf("%s rows(ld=%d, off=%d, %d×%d): word %d = %#x, want %#x", name, ld, off, rows, cols, i, got[i], want[i])
							}
						}
						if cols <= 16 {
							kern.pairs(&got, src, ld, rows, cols)
							bf16PairsGeneric(&want, src, ld, rows, cols)
							if i := sameTile(&got, &want); i >= 0 {
								t.Fatalf("%s pairs(ld=%d, off=%d, %d×%d): word %d = %#x, want %#x", name, ld, off, rows, cols, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
		var tile, want [tileWords]uint16
		for i := range tile {
			tile[i] = uint16(rng.Uint32())
		}
		want = tile
		kern.transpose(&tile)
		for r := range 16 {
			for c := range 16 {
				for h := range 2 {
					if g, w := tile[r*32+2*c+h], want[c*32+2*r+h]; g != w {
						t.Fatalf("%s transpose: word (%d, %d, %d) = %#x, want %#x", name, r, c, h, g, w)
					}
				}
			}
		}
		kern.transpose(&tile)
		if i := sameTile(&tile, &want); i >= 0 {
			t.Fatalf("%s transpose twice: word %d changed", name, i)
		}
	}
}

// TestBF16Store checks the store kernels against the generic twin bit for
// bit, with guard cells around C, and that C is not read when beta is 0.
func TestBF16Store(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for name, kern := range bf16Sets() {
		for _, sc := range [][2]float32{{1, 0}, {1, 1}, {-2.5, 0.75}, {0.5, 0}} {
			for rows := 1; rows <= 33; rows += 4 {
				for cols := 1; cols <= 70; cols += 3 {
					ldc, ldbuf := cols+5, cols+2
					buf := randSlice(rng, rows*ldbuf)
					c, whole := guarded(rows*ldc, 1+rows%3)
					fillRand(rng, c)
					for i := range c {
						if i%ldc >= cols {
							c[i] = guard
						} else if sc[1] == 0 {
							c[i] = float32(math.NaN())
						}
					}
					want := append([]float32(nil), c...)
					kern.store(c, ldc, buf, ldbuf, rows, cols, sc[0], sc[1])
					storeTileGeneric(want, ldc, buf, ldbuf, rows, cols, sc[0], sc[1])
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s store(%d×%d, alpha=%g, beta=%g): C[%d] = %v, want %v", name, rows, cols, sc[0], sc[1], i, c[i], want[i])
						}
					}
					checkGuard(t, name+" store", c, whole, 1+rows%3)
				}
			}
		}
	}
}

// TestBF16Dot checks every implementation's tile product against the exact
// (float64) sums of the bfloat16 products, with the bound of float32
// summation in any order, |ĉ − c| ≤ γ(n)·Σ|aᵢbᵢ| for n = 32·kt products
// (each product is exact in float32), plus one term when the sums are added
// to C. The order of summation of the AMX unit and of VDPBF16PS is not
// documented, so their sums are not compared with the twin's bit for bit.
func TestBF16Dot(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for name, kern := range bf16Sets() {
		for _, kt := range []int{1, 2, 5} {
			for _, pairs := range []int{1, 3} {
				a := make([]uint16, 2*kt*tileWords)
				b := make([]uint16, 2*pairs*kt*tileWords)
				for i := range a {
					a[i] = toBF16(float32(rng.NormFloat64()))
				}
				for i := range b {
					b[i] = toBF16(float32(rng.NormFloat64()))
				}
				ldc := 32*pairs + 3
				acc := (kt+pairs)%2 == 0
				got := make([]float32, 32*ldc)
				c0 := make([]float32, 32*ldc)
				for i := range got {
					got[i] = guard
					if acc && i%ldc < 32*pairs {
						got[i] = float32(rng.NormFloat64())
					}
					c0[i] = got[i]
				}
				kern.dot(kt, pairs, a, b, got, ldc, acc)
				for i := range 32 {
					for j := range ldc {
						g := got[i*ldc+j]
						if j >= 32*pairs {
							if math.Float32bits(g) != math.Float32bits(guard) {
								t.Fatalf("%s dot(kt=%d, pairs=%d): C[%d,%d] past the columns overwritten", name, kt, pairs, i, j)
							}
							continue
						}
						var sum, mag float64
						if acc {
							sum, mag = float64(c0[i*ldc+j]), math.Abs(float64(c0[i*ldc+j]))
						}
						for st := range kt {
							at := a[(2*st+i/16)*tileWords+i%16*32:]
							bt := b[(j/16*kt+st)*tileWords:]
							for q := range 32 {
								p := float64(fromBF16(at[q])) * float64(fromBF16(bt[q/2*32+2*(j%16)+q%2]))
								sum += p
								mag += math.Abs(p)
							}
						}
						if bound := gamma(32*kt+1) * mag; !(math.Abs(float64(g)-sum) <= bound) {
							t.Fatalf("%s dot(kt=%d, pairs=%d, acc=%t): C[%d,%d] = %v, want %v (error %.3g > bound %.3g)", name, kt, pairs, acc, i, j, g, sum, math.Abs(float64(g)-sum), bound)
						}
					}
				}
			}
		}
	}
}

// runBF16Case runs tc's product on the bfloat16 path with kernels kern.
func runBF16Case(kern *bf16Kernels, tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	p := gemmProblem{
		m: tc.m, n: tc.n, k: tc.k, alpha: tc.alpha, beta: tc.beta,
		a: a, lda: lda, transA: tc.transA,
		b: b, ldb: ldb, transB: tc.transB,
		c: c, rsc: ldc, csc: 1,
	}
	p.runBF16(kern)
}

// bf16Rounded returns x with every value rounded to bfloat16.
func bf16Rounded(x []float32) []float32 {
	r := make([]float32, len(x))
	for i, v := range x {
		r[i] = fromBF16(toBF16(v))
	}
	return r
}

// TestSgemmBF16 checks the bfloat16 product against the float64 product of
// the bfloat16-rounded operands, with checkGemm's bound for float32
// accumulation (rounding the operands is the only other error: it is exact
// in the reference), for every transpose, edge shapes around the 16×32
// tiles and the 1024-deep and 512-wide panels, and alpha/beta, with the
// generic twin and with every assembly kernel set the machine runs.
func TestSgemmBF16(t *testing.T) {
	shapes := [][3]int{
		{16, 16, 16}, {17, 33, 31}, {32, 32, 32}, {31, 47, 65}, {64, 16, 100},
		{100, 66, 1030}, {70, 530, 40}, {1024, 256, 66}, {256, 66, 1024},
	}
	if testing.Short() {
		shapes = shapes[:6]
	}
	scalars := [][2]float32{{1, 0}, {1, 1}, {0.5, 1}, {-1, -0.25}}
	rng := rand.New(rand.NewPCG(7, 8))
	sets := bf16Sets()
	for _, sh := range shapes {
		for tr := range 4 {
			sc := scalars[(tr+sh[0])%len(scalars)]
			tc := gemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: sh[0], n: sh[1], k: sh[2],
				alpha: sc[0], beta: sc[1], padA: tr, padB: 1, padC: 2}
			a, lda, b, ldb, c, ldc := tc.operands(rng)
			for name, kern := range sets {
				got := append([]float32(nil), c...)
				runBF16Case(kern, tc, a, lda, b, ldb, got, ldc)
				t.Run(tc.String()+"/"+name, func(t *testing.T) {
					checkGemm(t, tc, bf16Rounded(a), lda, bf16Rounded(b), ldb, c, got, ldc)
				})
			}
		}
	}
}

// FuzzSgemmBF16 checks every bfloat16 kernel set against the float64
// product of the rounded operands on fuzzed shapes (from the tile edge up),
// transposes, paddings and entries, as FuzzSgemm does for float32.
func FuzzSgemmBF16(f *testing.F) {
	f.Add(uint8(16), uint8(16), uint8(16), uint8(0), []byte("seed"))
	f.Add(uint8(33), uint8(47), uint8(65), uint8(0x17), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(uint8(70), uint8(17), uint8(31), uint8(0xfe), []byte{0xff, 0x7f, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, data []byte) {
		tc := gemmCase{
			transA: flags&1 != 0, transB: flags&2 != 0,
			m: bf16MinDim + int(m%80), n: bf16MinDim + int(n%80), k: bf16MinDim + int(k),
			alpha: []float32{1, -0.75, 2, 0}[flags>>2&3],
			beta:  []float32{0, 1, -0.5, 3}[flags>>4&3],
			padA:  int(flags >> 6), padB: int(flags>>5) & 1, padC: int(flags>>6) & 1,
		}
		rng := rand.New(rand.NewPCG(uint64(len(data)), uint64(flags)))
		a, lda, b, ldb, c, ldc := tc.operands(rng)
		fuzzEntries(data, a, b)
		ra, rb := bf16Rounded(a), bf16Rounded(b)
		for _, kern := range bf16Sets() {
			got := append([]float32(nil), c...)
			runBF16Case(kern, tc, a, lda, b, ldb, got, ldc)
			checkGemm(t, tc, ra, lda, rb, ldb, c, got, ldc)
		}
	})
}

// TestSgemmBF16Dispatch checks that SetMatmulPrecision(BF16) routes large
// products (and only those) through the bfloat16 path, that the thread
// count never changes a bit, and that bad names and unusable settings fail
// with the valid choices named.
func TestSgemmBF16Dispatch(t *testing.T) {
	err := SetMatmulPrecision("fp16")
	if err == nil || !strings.Contains(err.Error(), "fp32, bf16") {
		t.Fatalf("SetMatmulPrecision(fp16) = %v, want an error listing fp32, bf16", err)
	}
	if MatmulPrecision() != FP32 {
		t.Fatalf("precision after a failed set is %s, want %s", MatmulPrecision(), FP32)
	}
	withImpl(Generic, func() {
		if err := SetMatmulPrecision(BF16); err == nil {
			t.Fatal("SetMatmulPrecision(bf16) with the generic implementation selected succeeded")
		}
	})
	if err := SetMatmulPrecision(BF16); err != nil {
		// This machine has no AVX512-BF16: the error must say why, and the
		// precision must stay FP32.
		if MatmulPrecision() != FP32 || !strings.Contains(err.Error(), "bf16") {
			t.Fatalf("SetMatmulPrecision(bf16) failed with %v and left %s", err, MatmulPrecision())
		}
		if unit, uerr := BF16Unit(); uerr == nil {
			t.Fatalf("SetMatmulPrecision(bf16) failed with %v, but BF16Unit names %q", err, unit)
		}
		return
	}
	defer SetMatmulPrecision(FP32)
	if unit, err := BF16Unit(); err != nil || bf16Active.unit != unit || (unit != "amx" && unit != "avx512-bf16") {
		t.Fatalf("BF16Unit() = %q, %v with %q active", unit, err, bf16Active.unit)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, sh := range [][3]int{{300, 290, 530}, {1024, 256, 256}, {16, 16, 16}, {15, 64, 64}} {
		m, n, k := sh[0], sh[1], sh[2]
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		var got [2][]float32
		for i, threads := range []int{1, 2} {
			prev := runtime.GOMAXPROCS(threads)
			got[i] = make([]float32, m*n)
			Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, got[i], n)
			runtime.GOMAXPROCS(prev)
		}
		for i := range got[0] {
			if math.Float32bits(got[0][i]) != math.Float32bits(got[1][i]) {
				t.Fatalf("%d×%d×%d: C[%d] = %v on one thread, %v on two", m, n, k, i, got[0][i], got[1][i])
			}
		}
		// Rounded operands in float32 give the same sums up to order:
		// they differ from the bfloat16 product by far less than the
		// unrounded ones do.
		ref, exact := make([]float32, m*n), make([]float32, m*n)
		SetMatmulPrecision(FP32)
		Sgemm(false, false, m, n, k, 1, bf16Rounded(a), k, bf16Rounded(b), n, 0, ref, n)
		Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, exact, n)
		SetMatmulPrecision(BF16)
		var dRef, dExact float64
		for i := range ref {
			dRef = max(dRef, math.Abs(float64(got[0][i]-ref[i])))
			dExact = max(dExact, math.Abs(float64(got[0][i]-exact[i])))
		}
		small := min(m, n, k) < bf16MinDim
		if small && dExact != 0 {
			t.Fatalf("%d×%d×%d is below the tile edge but differs from float32 by %g", m, n, k, dExact)
		}
		if !small && !(dRef < dExact/16) {
			t.Fatalf("%d×%d×%d: bfloat16 product is %g from the rounded operands' float32 product and %g from the float32 one: not a bfloat16 product", m, n, k, dRef, dExact)
		}
	}
}

// BenchmarkSgemmBF16 runs the products of BenchmarkSgemm with the matmul
// precision set to BF16, where the machine allows it.
func BenchmarkSgemmBF16(b *testing.B) {
	if err := SetMatmulPrecision(BF16); err != nil {
		b.Skip(err)
	}
	defer SetMatmulPrecision(FP32)
	for _, g := range gemmBenches {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", g.name(), threads), func(b *testing.B) {
				a, lda, bb, ldb, c := g.operands()
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
				for b.Loop() {
					Sgemm(g.transA, g.transB, g.m, g.n, g.k, 1, a, lda, bb, ldb, 0, c, g.n)
				}
				reportGemm(b, g, threads)
			})
		}
	}
}

// BenchmarkBF16Dot times the tile product alone on packed operands that
// stay in the caches: a 32-row panel of depth 32·kt against 32·pairs
// columns.
func BenchmarkBF16Dot(b *testing.B) {
	for name, kern := range bf16Sets() {
		for _, sh := range [][2]int{{8, 4}, {8, 8}, {32, 4}} {
			kt, pairs := sh[0], sh[1]
			b.Run(fmt.Sprintf("impl=%s/kt=%d/pairs=%d", name, kt, pairs), func(b *testing.B) {
				a := make([]uint16, 2*kt*tileWords)
				bb := make([]uint16, 2*pairs*kt*tileWords)
				c := make([]float32, 32*32*pairs)
				for b.Loop() {
					kern.dot(kt, pairs, a, bb, c, 32*pairs, false)
				}
				flops := 2 * 32 * 32 * pairs * 32 * kt
				b.ReportMetric(float64(flops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkBF16Pack times the packing of one tile from a 256-wide float32
// matrix (W1's hidden activations): rows of op(A), depth pairs of op(B),
// and pairs then transposed (op(A) when A is transposed). It reports the
// time per packed value.
func BenchmarkBF16Pack(b *testing.B) {
	const ld = 256
	src := make([]float32, 32*ld)
	for i := range src {
		src[i] = float32(i%97) / 7
	}
	var t [tileWords]uint16
	for name, kern := range bf16Sets() {
		for _, op := range []struct {
			name string
			f    func()
		}{
			{"rows", func() { kern.rows(&t, src, ld, 16, 32) }},
			{"pairs", func() { kern.pairs(&t, src, ld, 32, 16) }},
			{"pairs+transpose", func() { kern.pairs(&t, src, ld, 32, 16); kern.transpose(&t) }},
		} {
			b.Run(fmt.Sprintf("impl=%s/op=%s/ld=%d", name, op.name, ld), func(b *testing.B) {
				for b.Loop() {
					op.f()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tileWords), "ns/value")
			})
		}
	}
}
