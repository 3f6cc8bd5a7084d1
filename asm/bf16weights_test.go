package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMulBF16 checks that products with packed weights match Sgemm's
// bfloat16 product bit for bit, with every kernel set this machine runs,
// for weights across the 512-column and 1024-deep blocks (with rows of W
// padded or not) and rows around the 32-row panels, and that nothing
// outside y is written.
func TestMulBF16(t *testing.T) {
	shapes := [][2]int{{16, 16}, {256, 256}, {33, 70}, {530, 40}, {40, 1030}}
	rowCounts := []int{1, 15, 16, 31, 32, 33, 100}
	rng := rand.New(rand.NewPCG(11, 12))
	for name, kern := range bf16Sets() {
		for _, sh := range shapes {
			out, in := sh[0], sh[1]
			ld := in + out%3
			w := randSlice(rng, out*ld)
			var packed BF16Weights
			packed.pack(kern, w, out, in, ld)
			for _, rows := range rowCounts {
				t.Run(fmt.Sprintf("%s/out=%d/in=%d/rows=%d", name, out, in, rows), func(t *testing.T) {
					x := randSlice(rng, rows*in)
					want := make([]float32, rows*out)
					runBF16Case(kern, gemmCase{transB: true, m: rows, n: out, k: in, alpha: 1}, x, in, w, ld, want, out)
					y, whole := guarded(rows*out, 3)
					for i := range y {
						y[i] = float32(math.NaN()) // beta 0: y must not be read
					}
					MulBF16(y, x, &packed)
					checkGuard(t, "y", y, whole, 3)
					for i := range want {
						if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
							t.Fatalf("y[%d] = %g, Sgemm gives %g", i, y[i], want[i])
						}
					}
				})
			}
		}
	}
}

// TestPackBF16Weights checks when weights are packed: only under BF16 and
// for matrices whose sides reach the tile edge; and that MulBF16 refuses
// empty weights and mismatched lengths.
func TestPackBF16Weights(t *testing.T) {
	w := make([]float32, 32*32)
	var packed BF16Weights
	if PackBF16Weights(&packed, w, 32, 32, 32) {
		t.Fatal("packed under FP32")
	}
	mustPanic(t, "MulBF16 with weights not packed", func() { MulBF16(make([]float32, 32), make([]float32, 32), &packed) })
	mustPanic(t, "PackBF16Weights with a short matrix", func() { PackBF16Weights(&packed, w[1:], 32, 32, 32) })
	if err := SetMatmulPrecision(BF16); err != nil {
		t.Skipf("no bfloat16 unit; packing under BF16 is untested here: %v", err)
	}
	defer SetMatmulPrecision(FP32)
	if PackBF16Weights(&packed, w[:8*32], 8, 32, 32) {
		t.Fatal("packed an 8-row matrix, which Sgemm keeps in float32")
	}
	if !PackBF16Weights(&packed, w, 32, 32, 32) {
		t.Fatal("did not pack a 32×32 matrix under BF16")
	}
	mustPanic(t, "MulBF16 with a short y", func() { MulBF16(make([]float32, 31), make([]float32, 32), &packed) })
	mustPanic(t, "MulBF16 with a ragged x", func() { MulBF16(make([]float32, 32), make([]float32, 33), &packed) })
}

// FuzzMulBF16 checks MulBF16 against Sgemm's bfloat16 product bit for bit
// on fuzzed shapes (weights from the tile edge up, any number of rows),
// paddings of W and entries, with every kernel set this machine runs.
func FuzzMulBF16(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint16(0), uint8(1), []byte("seed"))
	f.Add(uint8(17), uint8(50), uint16(1030), uint8(33), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(uint8(255), uint8(3), uint16(100), uint8(0), []byte{0xff, 0x7f, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, out, pad uint8, in uint16, rows uint8, data []byte) {
		o, k, n := bf16MinDim+int(out)*2, bf16MinDim+int(in%1100), int(rows%70)
		ld := k + int(pad%4)
		rng := rand.New(rand.NewPCG(uint64(len(data)), uint64(pad)))
		w, x := randSlice(rng, o*ld), randSlice(rng, n*k)
		fuzzEntries(data, w, x)
		for name, kern := range bf16Sets() {
			var packed BF16Weights
			packed.pack(kern, w, o, k, ld)
			want := make([]float32, n*o)
			if n > 0 {
				runBF16Case(kern, gemmCase{transB: true, m: n, n: o, k: k, alpha: 1}, x, k, w, ld, want, o)
			}
			got := make([]float32, n*o)
			MulBF16(got, x, &packed)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("%s, %d×%d (ld %d), %d rows: y[%d] = %v, Sgemm gives %v", name, o, k, ld, n, i, got[i], want[i])
				}
			}
		}
	})
}
