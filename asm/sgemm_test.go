package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// gemmCase is one Sgemm call: shapes, transposes, scalars and the padding
// of each leading dimension beyond its row.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	padA, padB     int
	padC           int
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%t/tB=%t/m=%d/n=%d/k=%d/alpha=%g/beta=%g/pad=%d,%d,%d",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC)
}

// operands builds A, B and C for tc with random entries in [-1, 1), NaN in
// every padding cell (so reading one shows in the result), and, when beta is
// 0, NaN in C (which must not be read).
func (tc gemmCase) operands(rng *rand.Rand) (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	matrix := func(rows, cols, pad int) ([]float32, int) {
		ld := cols + pad
		x := make([]float32, max(0, rows*ld))
		for i := range x {
			if i%ld < cols {
				x[i] = float32(rng.Float64()*2 - 1)
			} else {
				x[i] = float32(math.NaN())
			}
		}
		if ld == 0 {
			ld = 1
		}
		return x, ld
	}
	if tc.transA {
		a, lda = matrix(tc.k, tc.m, tc.padA)
	} else {
		a, lda = matrix(tc.m, tc.k, tc.padA)
	}
	if tc.transB {
		b, ldb = matrix(tc.n, tc.k, tc.padB)
	} else {
		b, ldb = matrix(tc.k, tc.n, tc.padB)
	}
	c, ldc = matrix(tc.m, tc.n, tc.padC)
	if tc.beta == 0 {
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	return a, lda, b, ldb, c, ldc
}

// checkGemm compares c (the result of Sgemm on tc's operands, with c0 the C
// before the call) against a float64 evaluation of the reference loop, with
// the bound for float32 arithmetic in any summation order: the k products
// and beta·c are k+1 terms, each rounded at most twice before it is added
// (product, alpha) and added in a tree of depth at most k, so
//
//	|ĉ − c| ≤ γ(k+3)·(|alpha|·Σ_l |a_il·b_lj| + |beta·c_ij|)
//
// with γ(n) = n·u/(1 − n·u) and u = 2⁻²⁴ (Higham, Accuracy and Stability of
// Numerical Algorithms, 2nd ed., §3.1 and §3.5). Padding cells of C must be
// unchanged.
func checkGemm(t *testing.T, tc gemmCase, a []float32, lda int, b []float32, ldb int, c0, c []float32, ldc int) {
	t.Helper()
	tol := gamma(tc.k + 3)
	// op(A) by rows and op(B) by columns, in float64.
	opA := make([]float64, tc.m*tc.k)
	opBt := make([]float64, tc.n*tc.k)
	for i := 0; i < tc.m; i++ {
		for l := 0; l < tc.k; l++ {
			if tc.transA {
				opA[i*tc.k+l] = float64(a[l*lda+i])
			} else {
				opA[i*tc.k+l] = float64(a[i*lda+l])
			}
		}
	}
	for j := 0; j < tc.n; j++ {
		for l := 0; l < tc.k; l++ {
			if tc.transB {
				opBt[j*tc.k+l] = float64(b[j*ldb+l])
			} else {
				opBt[j*tc.k+l] = float64(b[l*ldb+j])
			}
		}
	}
	for i := 0; i < tc.m; i++ {
		ai := opA[i*tc.k : (i+1)*tc.k]
		for j := 0; j < tc.n; j++ {
			var s, mag float64
			for l, bl := range opBt[j*tc.k : (j+1)*tc.k] {
				s += ai[l] * bl
				mag += math.Abs(ai[l] * bl)
			}
			want := float64(tc.alpha) * s
			mag *= math.Abs(float64(tc.alpha))
			if tc.beta != 0 {
				want += float64(tc.beta) * float64(c0[i*ldc+j])
				mag += math.Abs(float64(tc.beta) * float64(c0[i*ldc+j]))
			}
			got := float64(c[i*ldc+j])
			if !(math.Abs(got-want) <= tol*mag) {
				t.Fatalf("%v: C[%d,%d] = %v, want %v (error %.3g > bound %.3g)", tc, i, j, got, want, math.Abs(got-want), tol*mag)
			}
		}
		for j := tc.n; j < ldc && i*ldc+j < len(c); j++ {
			if !sameFloat(c[i*ldc+j], c0[i*ldc+j]) {
				t.Fatalf("%v: padding C[%d,%d] changed to %v", tc, i, j, c[i*ldc+j])
			}
		}
	}
}

func runGemmCase(t *testing.T, rng *rand.Rand, tc gemmCase) {
	t.Helper()
	a, lda, b, ldb, c, ldc := tc.operands(rng)
	c0 := append([]float32(nil), c...)
	Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	checkGemm(t, tc, a, lda, b, ldb, c0, c, ldc)
}

// gemmShapes are the m, n, k the tests cover: empty and unit sizes, sizes
// around every implementation's tile (4, 16, 32 columns; 4, 6, 12 rows),
// skinny products, and the W1 training products of DESIGN.md.
var gemmShapes = [][3]int{
	{0, 0, 0}, {0, 3, 2}, {3, 0, 2}, {3, 2, 0},
	{1, 1, 1}, {1, 17, 5}, {17, 1, 5}, {2, 3, 1},
	{5, 7, 9}, {6, 16, 8}, {12, 32, 33}, {13, 33, 31}, {11, 31, 257},
	{25, 47, 300}, {37, 65, 19}, {4, 200, 3}, {200, 4, 3},
	{64, 2, 256}, {2, 64, 300}, {130, 2, 66}, {2, 130, 129},
	{100, 3, 70}, {3, 100, 70}, {97, 250, 2},
}

func TestSgemmShapes(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, s := range gemmShapes {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}, {1.5, 0.25}} {
						tc := gemmCase{transA: tA, transB: tB, m: s[0], n: s[1], k: s[2], alpha: ab[0], beta: ab[1]}
						runGemmCase(t, rng, tc)
						tc.padA, tc.padB, tc.padC = 3, 1, 5
						runGemmCase(t, rng, tc)
					}
				}
			}
		}
	})
}

// TestSgemmLarge covers products big enough for several cache blocks and
// for the goroutines to share the work, with one and two threads.
func TestSgemmLarge(t *testing.T) {
	shapes := []gemmCase{
		{m: 300, n: 290, k: 530, alpha: 1, beta: 0.5},
		{transA: true, m: 256, n: 256, k: 1024, alpha: 1},
		{transB: true, m: 1024, n: 256, k: 66, alpha: 1, padA: 2},
		{transA: true, transB: true, m: 157, n: 4200, k: 77, alpha: -1, beta: 1, padC: 7},
		{transB: true, m: 1024, n: 2, k: 256, alpha: 1},
		{transA: true, m: 2, n: 300, k: 1024, alpha: 1, beta: 1, padB: 3},
		{m: 3, n: 2, k: chunk + 100, alpha: 1},
		{transB: true, m: 2100, n: 3, k: 512, alpha: 2, beta: 1},
	}
	if testing.Short() {
		shapes = shapes[:2]
	}
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, threads := range []int{1, 2} {
			prev := runtime.GOMAXPROCS(threads)
			for _, tc := range shapes {
				runGemmCase(t, rng, tc)
			}
			runtime.GOMAXPROCS(prev)
		}
	})
}

// TestSgemmScaleOnly covers alpha = 0 and k = 0, where C = beta·C exactly.
func TestSgemmScaleOnly(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		c := []float32{1, 2, 99, 3, 4, 99}
		Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0.5, c, 3)
		want := []float32{0.5, 1, 99, 1.5, 2, 99}
		for i := range c {
			if c[i] != want[i] {
				t.Fatalf("k=0: C = %v, want %v", c, want)
			}
		}
		nan := float32(math.NaN())
		c = []float32{nan, nan, nan, nan}
		Sgemm(false, false, 2, 2, 1, 0, []float32{1, 1}, 1, []float32{1, 1}, 2, 0, c, 2)
		for i := range c {
			if c[i] != 0 {
				t.Fatalf("alpha=0, beta=0: C = %v, want zeros without reading C", c)
			}
		}
	})
}

func TestSgemmPanics(t *testing.T) {
	a := make([]float32, 6)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative m", func() { Sgemm(false, false, -1, 2, 3, 1, a, 3, a, 2, 0, a, 2) }},
		{"lda < k", func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }},
		{"short A", func() { Sgemm(false, false, 3, 2, 3, 1, a, 3, a, 2, 0, a, 2) }},
		{"short C", func() { Sgemm(false, false, 2, 4, 1, 1, a, 1, a, 4, 0, a, 4) }},
		{"transposed lda < m", func() { Sgemm(true, false, 3, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Sgemm did not panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

// FuzzSgemm checks every implementation against the float64 reference on
// fuzzed shapes, transposes, paddings and entries.
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(5), uint8(7), uint8(9), uint8(0), []byte("seed"))
	f.Add(uint8(33), uint8(2), uint8(65), uint8(0x17), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(uint8(13), uint8(40), uint8(1), uint8(0xfe), []byte{0xff, 0x7f, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, data []byte) {
		tc := gemmCase{
			transA: flags&1 != 0, transB: flags&2 != 0,
			m: int(m % 80), n: int(n % 80), k: int(k),
			alpha: []float32{1, -0.75, 2, 0}[flags>>2&3],
			beta:  []float32{0, 1, -0.5, 3}[flags>>4&3],
			padA:  int(flags >> 6), padB: int(flags>>5) & 1, padC: int(flags>>6) & 1,
		}
		rng := rand.New(rand.NewPCG(uint64(len(data)), uint64(flags)))
		a, lda, b, ldb, c, ldc := tc.operands(rng)
		fuzzEntries(data, a, b)
		c0 := append([]float32(nil), c...)
		for _, name := range Implementations() {
			cc := append([]float32(nil), c0...)
			withImpl(name, func() {
				Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, cc, ldc)
			})
			checkGemm(t, tc, a, lda, b, ldb, c0, cc, ldc)
		}
	})
}

// fuzzEntries overwrites the entries of the operands (not their NaN
// padding) with the fuzzer's bytes, where it gave any.
func fuzzEntries(data []byte, operands ...[]float32) {
	if len(data) == 0 {
		return
	}
	for _, x := range operands {
		vals := fuzzFloats(data, len(x))
		for i := range x {
			if x[i] == x[i] {
				x[i] = vals[i]
			}
		}
	}
}

// TestSgemmThreadsBitIdentical checks that splitting a product over more
// goroutines never changes a bit of C, so runs reproduce on any core count
// and whatever other products run at the same time.
func TestSgemmThreadsBitIdentical(t *testing.T) {
	shapes := [][3]int{{300, 290, 530}, {1024, 256, 66}, {2100, 3, 512}, {256, 1024, 256}}
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			a, b := make([]float32, m*k), make([]float32, k*n)
			for i := range a {
				a[i] = float32(rng.NormFloat64())
			}
			for i := range b {
				b[i] = float32(rng.NormFloat64())
			}
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
		}
	})
}
