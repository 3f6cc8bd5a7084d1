package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// packWidths are the sliver widths packColumns is tested at: the mr and nr
// of every kernel (TestPackColumns checks that none is missing) and 9, an
// odd width past one 8-row group.
var packWidths = []int{4, 6, 9, 12, 16, 32}

// packDepths are the depths kb tested: every one up to 70 (several blocks
// of 16 and 8 values and every remainder) and a full cache block.
func packDepths() []int {
	var kbs []int
	for kb := 0; kb <= 70; kb++ {
		kbs = append(kbs, kb)
	}
	return append(kbs, 255, 256)
}

// packSource returns rows rows of cols random values ld apart, starting
// off elements into their allocation, with NaN guards in the gaps between
// rows so that a read outside the rows shows in the result.
func packSource(rng *rand.Rand, rows, cols, ld, off int) []float32 {
	size := 0
	if rows > 0 {
		size = (rows-1)*ld + cols
	}
	whole := make([]float32, off+size)
	for i := range whole {
		whole[i] = guard
	}
	src := whole[off:]
	for r := range rows {
		fillRand(rng, src[r*ld:][:cols])
	}
	return src
}

// packColumnsWant is packColumns by its definition: d[q*w+c] = src[c*ld+q] for
// c < n and zero for n ≤ c < w.
func packColumnsWant(w int, src []float32, ld, n, kb int) []float32 {
	d := make([]float32, kb*w)
	for q := range kb {
		for c := range n {
			d[q*w+c] = src[c*ld+q]
		}
	}
	return d
}

// packRowsWant is packRows by its definition: d[s*w*kb+q*w+c] =
// src[q*ld+s*w+c] for s*w+c < n and zero past n, for ⌈n/w⌉ slivers.
func packRowsWant(w int, src []float32, ld, n, kb int) []float32 {
	d := make([]float32, ceilDiv(n, w)*w*kb)
	for q := range kb {
		for j := range n {
			s, c := j/w, j%w
			d[s*w*kb+q*w+c] = src[q*ld+j]
		}
	}
	return d
}

// packFunc is the signature of packColumns and packRows.
type packFunc func(d []float32, w int, src []float32, ld, n, kb int)

// checkPack packs src with the generic implementation and with the
// selected one into destinations placed off elements past the start of
// their guarded allocations, and reports any value that differs in a bit
// from want (every destination value starts as a NaN guard, so a value left
// unwritten shows too) or any write outside the destination.
func checkPack(t *testing.T, what string, generic, pack packFunc, want []float32, w int, src []float32, ld, n, kb, off int) {
	t.Helper()
	for _, f := range []struct {
		impl string
		pack packFunc
	}{{Generic, generic}, {Selected(), pack}} {
		got, whole := guarded(len(want), off)
		f.pack(got, w, src, ld, n, kb)
		what := fmt.Sprintf("%s %s w=%d n=%d kb=%d ld=%d off=%d", what, f.impl, w, n, kb, ld, off)
		checkGuard(t, what, got, whole, off)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: d[%d] = %v, want %v", what, i, got[i], want[i])
			}
		}
	}
}

// comparePackColumns runs checkPack for packColumns.
func comparePackColumns(t *testing.T, w int, src []float32, ld, n, kb, off int) {
	t.Helper()
	want := packColumnsWant(w, src, ld, n, kb)
	checkPack(t, "packColumns", packColumnsGeneric, packColumns, want, w, src, ld, n, kb, off)
}

// comparePackRows runs checkPack for packRows.
func comparePackRows(t *testing.T, w int, src []float32, ld, n, kb, off int) {
	t.Helper()
	want := packRowsWant(w, src, ld, n, kb)
	checkPack(t, "packRows", packRowsGeneric, packRows, want, w, src, ld, n, kb, off)
}

func TestPackColumns(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		k := gemmKernelFor(active)
		if !slices.Contains(packWidths, k.mr) || !slices.Contains(packWidths, k.nr) {
			t.Fatalf("packWidths %v miss the %d×%d tile of %s", packWidths, k.mr, k.nr, Selected())
		}
		rng := rand.New(rand.NewPCG(9, 10))
		for _, w := range packWidths {
			for n := 0; n <= w; n++ {
				for _, kb := range packDepths() {
					for i, pad := range []int{0, 1, 5, 19} {
						off := (3*n + kb + 5*i) % 16
						src := packSource(rng, n, kb, kb+pad, off)
						comparePackColumns(t, w, src, kb+pad, n, kb, (off+7)%16)
					}
				}
			}
		}
	})
}

// TestPackColumnsWideRows packs slivers out of rows 4 KB and more apart, as
// from the rows of a 1024-wide matrix.
func TestPackColumnsWideRows(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, w := range packWidths {
			for _, ld := range []int{1024, 1031, 4096} {
				src := packSource(rng, w, 256, ld, 1)
				comparePackColumns(t, w, src, ld, w, 256, 0)
				comparePackColumns(t, w, src[5:], ld, w-1, 93, 3)
			}
		}
	})
}

func TestPackColumnsPanics(t *testing.T) {
	d := make([]float32, 4*16)
	src := make([]float32, 16*4)
	forEachImpl(t, func(t *testing.T) {
		for _, tc := range []struct {
			name string
			f    func()
		}{
			{"n > w", func() { packColumns(d, 4, src, 16, 5, 12) }},
			{"n < 0", func() { packColumns(d, 4, src, 16, -1, 16) }},
			{"ld < 0", func() { packColumns(d, 4, src[32:], -16, 3, 16) }},
			{"kb < 0", func() { packColumns(d, 4, src, 16, 4, -1) }},
			{"short d", func() { packColumns(d[:4*16-1:4*16-1], 4, src, 16, 4, 16) }},
			{"short src", func() { packColumns(d, 4, src[:3*16+15:3*16+15], 16, 4, 16) }},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: packColumns did not panic", tc.name)
					}
				}()
				tc.f()
			}()
		}
	})
}

// packRowCounts are the row lengths n packRows is tested at for width w:
// every one up to one sliver and a value past it, and several slivers with
// and without a partial one.
func packRowCounts(w int) []int {
	var ns []int
	for n := 0; n <= w+1; n++ {
		ns = append(ns, n)
	}
	return append(ns, 2*w-1, 2*w, 2*w+1, 3*w+5)
}

func TestPackRows(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, w := range packWidths {
			for _, n := range packRowCounts(w) {
				for _, kb := range packDepths() {
					for i, pad := range []int{0, 3, 17} {
						off := (3*n + kb + 5*i) % 16
						src := packSource(rng, kb, n, n+pad, off)
						comparePackRows(t, w, src, n+pad, n, kb, (off+7)%16)
					}
				}
			}
		}
	})
}

// TestPackRowsWideRows packs slivers out of rows 4 KB and more apart, as
// from a 256-deep panel of a 1024-wide matrix.
func TestPackRowsWideRows(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(15, 16))
		for _, w := range packWidths {
			for _, ld := range []int{1024, 1031} {
				src := packSource(rng, 256, ld, ld, 1)
				comparePackRows(t, w, src, ld, 1024, 256, 0)
				comparePackRows(t, w, src[5:], ld, 10*w+3, 93, 3)
			}
		}
	})
}

func TestPackRowsPanics(t *testing.T) {
	d := make([]float32, 2*4*16)
	src := make([]float32, 16*8)
	forEachImpl(t, func(t *testing.T) {
		for _, tc := range []struct {
			name string
			f    func()
		}{
			{"w = 0", func() { packRows(d, 0, src, 8, 8, 16) }},
			{"n < 0", func() { packRows(d, 4, src, 8, -1, 16) }},
			{"ld < 0", func() { packRows(d, 4, src[120:], -8, 8, 16) }},
			{"kb < 0", func() { packRows(d, 4, src, 8, 8, -1) }},
			{"short d", func() { packRows(d[:2*4*16-1:2*4*16-1], 4, src, 8, 8, 16) }},
			{"short src", func() { packRows(d, 4, src[:15*8+7:15*8+7], 8, 8, 16) }},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: packRows did not panic", tc.name)
					}
				}()
				tc.f()
			}()
		}
	})
}

// FuzzPackColumns checks every implementation against the definition on
// fuzzed widths (1–40), column counts, depths, leading dimensions, offsets
// and values.
func FuzzPackColumns(f *testing.F) {
	f.Add([]byte("seed"), uint8(12), uint8(12), uint8(67), uint8(3), uint8(1))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(6), uint8(5), uint8(8), uint8(0), uint8(0))
	f.Add([]byte{0xff, 0x7f, 0x00, 0x80}, uint8(32), uint8(31), uint8(255), uint8(17), uint8(15))
	f.Fuzz(func(t *testing.T, data []byte, w, n, kb, pad, off uint8) {
		wi := 1 + int(w)%40
		ni, kbi, ld, o := int(n)%(wi+1), int(kb), int(kb)+int(pad)%32, int(off)%16
		src := packSource(rand.New(rand.NewPCG(1, 2)), ni, kbi, ld, o)
		vals := fuzzFloats(data, len(src))
		for c := range ni {
			copy(src[c*ld:][:kbi], vals[c*ld:])
		}
		prev := Selected()
		defer Select(prev)
		for _, name := range Implementations() {
			Select(name)
			comparePackColumns(t, wi, src, ld, ni, kbi, (o+3)%16)
		}
	})
}

// FuzzPackRows checks every implementation against the definition on
// fuzzed widths (1–40), row lengths, depths, leading dimensions, offsets
// and values.
func FuzzPackRows(f *testing.F) {
	f.Add([]byte("seed"), uint8(12), uint8(124), uint8(67), uint8(3), uint8(1))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(6), uint8(5), uint8(8), uint8(0), uint8(0))
	f.Add([]byte{0xff, 0x7f, 0x00, 0x80}, uint8(32), uint8(66), uint8(255), uint8(17), uint8(15))
	f.Fuzz(func(t *testing.T, data []byte, w, n, kb, pad, off uint8) {
		wi, ni, kbi := 1+int(w)%40, int(n), int(kb)
		ld, o := ni+int(pad)%32, int(off)%16
		src := packSource(rand.New(rand.NewPCG(1, 2)), kbi, ni, ld, o)
		vals := fuzzFloats(data, len(src))
		for q := range kbi {
			copy(src[q*ld:][:ni], vals[q*ld:])
		}
		prev := Selected()
		defer Select(prev)
		for _, name := range Implementations() {
			Select(name)
			comparePackRows(t, wi, src, ld, ni, kbi, (o+3)%16)
		}
	})
}

// BenchmarkPackColumns packs a full sliver of each kernel width from rows
// of a 1024-wide matrix (a 256-deep block of A or Bᵀ), reporting the time
// per packed value.
func BenchmarkPackColumns(b *testing.B) {
	const kb, ld = 256, 1024
	for _, name := range Implementations() {
		for _, w := range []int{6, 12, 16, 32} {
			b.Run(fmt.Sprintf("impl=%s/w=%d/kb=%d/ld=%d", name, w, kb, ld), func(b *testing.B) {
				src := packSource(rand.New(rand.NewPCG(1, 2)), w, kb, ld, 0)
				d := make([]float32, kb*w)
				withImpl(name, func() {
					for b.Loop() {
						packColumns(d, w, src, ld, w, kb)
					}
				})
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*kb*w), "ns/value")
			})
		}
	}
}

// BenchmarkPackRows packs a 256-deep block of n columns from rows of a
// 1024-wide matrix (rows 4 KB apart) and of a 256-wide one (W1's hidden
// activations) into slivers of each kernel width: rows of op(A) when A is
// transposed (n = mc = 132, w = mr), or a panel of op(B) (n = min(ld, 1024),
// w = nr). It reports the time per packed value.
func BenchmarkPackRows(b *testing.B) {
	const kb = 256
	for _, name := range Implementations() {
		for _, ld := range []int{256, 1024} {
			for _, wn := range [][2]int{{6, 132}, {12, 132}, {16, ld}, {32, ld}} {
				w, n := wn[0], wn[1]
				b.Run(fmt.Sprintf("impl=%s/w=%d/n=%d/kb=%d/ld=%d", name, w, n, kb, ld), func(b *testing.B) {
					src := packSource(rand.New(rand.NewPCG(1, 2)), kb, n, ld, 0)
					d := make([]float32, ceilDiv(n, w)*w*kb)
					withImpl(name, func() {
						for b.Loop() {
							packRows(d, w, src, ld, n, kb)
						}
					})
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*kb*n), "ns/value")
				})
			}
		}
	}
}
