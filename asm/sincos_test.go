package asm

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sinCosTol is SinCos's documented absolute error bound against math.Sincos
// for |a| < sinCosMax.
const sinCosTol = 1e-11

// guard64 is the value written around every SinCos output.
var guard64 = math.Float64frombits(0x7ff8_0000_dead_beef) // a NaN with a payload

// sinCosSpecial returns the arguments where SinCos's branches meet: zeros,
// subnormals, the quadrant boundaries (odd multiples of π/4) and the zeros of
// sin and cos (multiples of π/2) with their neighbours, the rounding
// q = n ± 0.5, the fallback threshold sinCosMax, huge values, NaN and ±Inf.
func sinCosSpecial() []float64 {
	inf := math.Inf(1)
	args := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 0x1p-1022, -0x1p-1030, 1e-300, 1e-8,
		sinCosMax, -sinCosMax, math.Nextafter(sinCosMax, 0), -math.Nextafter(sinCosMax, 0),
		math.Nextafter(sinCosMax, inf), 1 << 20, 1e6, -1e10, 1e300, math.MaxFloat64, -math.MaxFloat64,
		math.NaN(), math.Float64frombits(0xfff0_0000_0000_0001), inf, -inf}
	near := func(b float64) {
		args = append(args, b, -b, math.Nextafter(b, inf), math.Nextafter(b, -inf))
	}
	for k := range 64 {
		near(float64(2*k+1) * math.Pi / 4)
		near(float64(k) * math.Pi / 2)
		near(float64(k) * sinCosPio2Hi)
		near((float64(k) + 0.5) / sinCosTwoOverPi) // q = k + 0.5
	}
	for _, k := range []float64{1 << 10, 1 << 15, 333_000, 333_772, 1<<19*sinCosTwoOverPi - 1} {
		near(k * math.Pi / 4)
		near(k * math.Pi / 2)
	}
	return args
}

// sinCosRandom returns n arguments: uniform over the time embedding's range
// [−2000, 2000], log-uniform in magnitude from 2⁻³⁰ to 2²¹ (across the
// fallback threshold), and arbitrary bit patterns (NaNs with payloads,
// subnormals, huge values).
func sinCosRandom(rng *rand.Rand, n int) []float64 {
	args := make([]float64, n)
	for i := range args {
		switch i % 4 {
		case 0, 1:
			args[i] = 4000*rng.Float64() - 2000
		case 2:
			args[i] = math.Copysign(math.Exp2(51*rng.Float64()-30), rng.Float64()-0.5)
		default:
			args[i] = math.Float64frombits(rng.Uint64())
		}
	}
	return args
}

// checkSinCos runs SinCos on a with outputs placed off elements past their
// allocation, guarded on both sides, and reports any element whose bits
// differ from the generic twin's or any write outside the outputs.
func checkSinCos(t *testing.T, a []float64, off int) {
	t.Helper()
	n := len(a)
	want := make([][2]float64, n)
	for i, v := range a {
		want[i][0], want[i][1] = sinCos1(v)
	}
	const g = 11 // guard cells, more than one vector
	sw, cw := make([]float64, off+n+g+g), make([]float64, off+n+g+g)
	for i := range sw {
		sw[i], cw[i] = guard64, guard64
	}
	s, c := sw[g+off:g+off+n], cw[g+off:g+off+n]
	SinCos(s, c, a)
	for i, v := range a {
		if math.Float64bits(s[i]) != math.Float64bits(want[i][0]) || math.Float64bits(c[i]) != math.Float64bits(want[i][1]) {
			t.Fatalf("n=%d off=%d: SinCos(%v) at %d = %v, %v; generic %v, %v (bits %#x %#x; %#x %#x)",
				n, off, v, i, s[i], c[i], want[i][0], want[i][1],
				math.Float64bits(s[i]), math.Float64bits(c[i]), math.Float64bits(want[i][0]), math.Float64bits(want[i][1]))
		}
	}
	for _, w := range [][]float64{sw, cw} {
		for i, v := range w {
			if (i < g+off || i >= g+off+n) && math.Float64bits(v) != math.Float64bits(guard64) {
				t.Fatalf("n=%d off=%d: element %d outside the output was overwritten with %v", n, off, i-g-off, v)
			}
		}
	}
}

// TestSinCosBitIdentical checks every implementation bit for bit against the
// generic twin over lengths 0..70 at misaligned offsets, on random and
// special arguments, and across the chunk boundary.
func TestSinCosBitIdentical(t *testing.T) {
	special := sinCosSpecial()
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for n := range 71 {
			for off := range 4 {
				// Inputs start off elements into their allocation too.
				checkSinCos(t, sinCosRandom(rng, n+off)[off:], off)
			}
		}
		for start := 0; start < len(special); start += 13 {
			checkSinCos(t, special[start:min(start+29, len(special))], start%3)
		}
		// One fallback argument in the second chunk only, then in the
		// first only: each chunk must detect its own.
		long := sinCosRandom(rng, chunk+37)
		for i := range long {
			long[i] = math.Mod(long[i], 1000)
			if math.IsNaN(long[i]) {
				long[i] = 0.5
			}
		}
		long[chunk+5] = 3e6
		checkSinCos(t, long, 1)
		long[chunk+5], long[17] = 0.25, math.Inf(-1)
		checkSinCos(t, long, 0)
	})
}

// TestSinCosAccuracy measures the generic twin (which every implementation
// matches bit for bit) against math.Sincos: within sinCosTol for
// |a| < sinCosMax, and exactly math.Sincos's result beyond.
func TestSinCosAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	args := append(sinCosSpecial(), sinCosRandom(rng, 400_000)...)
	for range 100_000 {
		args = append(args, sinCosMax*(2*rng.Float64()-1))
	}
	var worst, worstAt float64
	for _, a := range args {
		s, c := sinCos1(a)
		ws, wc := math.Sincos(a)
		if !(math.Abs(a) < sinCosMax) {
			if math.Float64bits(s) != math.Float64bits(ws) || math.Float64bits(c) != math.Float64bits(wc) {
				t.Fatalf("sinCos1(%v) = %v, %v; want math.Sincos's %v, %v", a, s, c, ws, wc)
			}
			continue
		}
		e := max(math.Abs(s-ws), math.Abs(c-wc))
		if !(e <= sinCosTol) {
			t.Fatalf("sinCos1(%v) = %v, %v; math.Sincos %v, %v: error %.3g > %g", a, s, c, ws, wc, e, sinCosTol)
		}
		if e > worst {
			worst, worstAt = e, a
		}
	}
	t.Logf("largest difference from math.Sincos for |a| < 2¹⁹: %.3g at a = %v", worst, worstAt)
}

func TestSinCosPanics(t *testing.T) {
	for _, n := range [][3]int{{3, 2, 2}, {2, 3, 2}, {2, 2, 3}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SinCos with lengths %v did not panic", n)
				}
			}()
			SinCos(make([]float64, n[0]), make([]float64, n[1]), make([]float64, n[2]))
		}()
	}
}

// FuzzSinCos checks every implementation against the generic twin on
// arbitrary float64 bit patterns, eight bytes per argument.
func FuzzSinCos(f *testing.F) {
	f.Add([]byte("sin and cos of anything at all, eight bytes each"), uint8(1))
	f.Add(binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Pi/4)), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, off uint8) {
		a := make([]float64, len(data)/8)
		for i := range a {
			a[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		forEachImpl(t, func(t *testing.T) { checkSinCos(t, a, int(off%8)) })
	})
}

// checkSinusoids runs Sinusoids on t and freq into rows of stride ld placed
// off elements past their allocation, with guard values around dst and in
// each row's unused tail, and reports any value whose bits differ from the
// reference loop's or any write outside the sinusoids.
func checkSinusoids(t *testing.T, ts []float32, freq []float64, ld, off int) {
	t.Helper()
	nf, n := len(freq), len(ts)*ld
	const g = 19 // guard cells, more than one vector
	whole := make([]float32, g+off+n+g)
	for i := range whole {
		whole[i] = guard
	}
	dst := whole[g+off : g+off+n]
	Sinusoids(dst, ld, ts, freq)
	for k, v := range whole {
		inside := k >= g+off && k < g+off+n
		var i, j int
		if inside {
			i, j = (k-g-off)/ld, (k-g-off)%ld
		}
		if !inside || j >= 2*nf {
			if math.Float32bits(v) != math.Float32bits(guard) {
				t.Fatalf("nf=%d rows=%d ld=%d off=%d: element %d outside the sinusoids was overwritten with %v", nf, len(ts), ld, off, k-g-off, v)
			}
			continue
		}
		s, c := sinCos1(float64(ts[i]) * freq[j%nf])
		want := float32(c)
		if j >= nf {
			want = float32(s)
		}
		if math.Float32bits(v) != math.Float32bits(want) {
			t.Fatalf("nf=%d rows=%d ld=%d off=%d: row %d value %d (t=%v f=%v) = %v, want %v", nf, len(ts), ld, off, i, j, ts[i], freq[j%nf], v, want)
		}
	}
}

// sinusoidTimes returns n times: mostly uniform in [−1, 1], with zeros, ones,
// values whose products reach past sinCosMax, subnormals, NaN and ±Inf.
func sinusoidTimes(rng *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e4, -3e5, 0x1p-140,
		float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	ts := make([]float32, n)
	for i := range ts {
		if rng.IntN(8) == 0 {
			ts[i] = special[rng.IntN(len(special))]
		} else {
			ts[i] = float32(2*rng.Float64() - 1)
		}
	}
	return ts
}

// TestSinusoidsBitIdentical checks every implementation bit for bit against
// the reference loop over 0..70 frequencies and 0..3 rows, row strides with
// unused tails, misaligned outputs, special times and arguments, and across
// the chunk boundaries (in rows and within a row).
func TestSinusoidsBitIdentical(t *testing.T) {
	special := sinCosSpecial()
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for nf := range 71 {
			for rows := range 4 {
				for off := range 2 {
					freq := sinCosRandom(rng, nf)
					for i := range freq {
						if i%4 == 0 {
							freq[i] = 1000 * rng.Float64() // the embedding's range
						}
					}
					checkSinusoids(t, sinusoidTimes(rng, rows), freq, 2*nf+(nf+off)%3, off)
				}
			}
		}
		for start := 0; start < len(special); start += 13 {
			freq := special[start:min(start+29, len(special))]
			checkSinusoids(t, []float32{1, -1}, freq, 2*len(freq)+1, start%3)
		}
		// 400 rows of 100: the driver splits the rows; one fallback value
		// in the second block only.
		ts := sinusoidTimes(rng, 400)
		for i := range ts {
			ts[i] = float32(2*rng.Float64() - 1)
		}
		ts[390] = 1e6
		checkSinusoids(t, ts, sinCosRandom(rng, 100), 200, 1)
		// Rows longer than a chunk: the driver splits them.
		freq := make([]float64, chunk+5)
		for i := range freq {
			freq[i] = 1000 * rng.Float64()
		}
		freq[chunk+2] = 1e9
		checkSinusoids(t, []float32{0.25, -1}, freq, 2*len(freq)+3, 0)
	})
}

func TestSinusoidsPanics(t *testing.T) {
	for _, c := range []struct{ n, ld, rows, nf int }{{12, 4, 3, 3}, {11, 6, 2, 3}, {1, 0, 0, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Sinusoids with len(dst)=%d ld=%d, %d times, %d frequencies did not panic", c.n, c.ld, c.rows, c.nf)
				}
			}()
			Sinusoids(make([]float32, c.n), c.ld, make([]float32, c.rows), make([]float64, c.nf))
		}()
	}
}

// FuzzSinusoids checks every implementation against the reference loop:
// the first 4·rows bytes are the times' float32 bit patterns, the rest the
// frequencies' float64 bit patterns.
func FuzzSinusoids(f *testing.F) {
	f.Add([]byte("t...frequencies, eight bytes each, any bits at all"), uint8(1), uint8(0))
	f.Add(append(binary.LittleEndian.AppendUint32(nil, math.Float32bits(0.5)),
		binary.LittleEndian.AppendUint64(nil, math.Float64bits(1000))...), uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, rows, pad uint8) {
		ts := make([]float32, min(int(rows%4), len(data)/4))
		for i := range ts {
			ts[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		data = data[4*len(ts):]
		freq := make([]float64, len(data)/8)
		for i := range freq {
			freq[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		forEachImpl(t, func(t *testing.T) { checkSinusoids(t, ts, freq, 2*len(freq)+int(pad%3), int(pad%5)) })
	})
}

func ExampleSinCos() {
	a := []float64{0, math.Pi / 6, math.Pi / 2, 1000}
	s, c := make([]float64, len(a)), make([]float64, len(a))
	SinCos(s, c, a)
	fmt.Printf("%.6f\n%.6f\n", s, c)
	// Output:
	// [0.000000 0.500000 1.000000 0.826880]
	// [1.000000 0.866025 0.000000 0.562379]
}

// BenchmarkSinCos runs every implementation, and math.Sincos for
// comparison, on the arguments of one W1 time embedding: 1024 times × 32
// frequencies, |a| ≤ 1000.
func BenchmarkSinCos(b *testing.B) {
	const n = 1024 * 32
	rng := rand.New(rand.NewPCG(11, 12))
	a := make([]float64, n)
	for i := range a {
		a[i] = 2000*rng.Float64() - 1000
	}
	s, c := make([]float64, n), make([]float64, n)
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/value")
	}
	for _, name := range Implementations() {
		b.Run(fmt.Sprintf("impl=%s/n=%d", name, n), func(b *testing.B) {
			withImpl(name, func() {
				for b.Loop() {
					SinCos(s, c, a)
				}
			})
			report(b)
		})
	}
	b.Run(fmt.Sprintf("impl=math/n=%d", n), func(b *testing.B) {
		for b.Loop() {
			for i, v := range a {
				s[i], c[i] = math.Sincos(v)
			}
		}
		report(b)
	})
}

// The sinusoidal embedding of DiT and FLUX: for t = 0.5 and frequencies
// 1000 and 10, the row [cos 500, cos 5, sin 500, sin 5].
func ExampleSinusoids() {
	dst := make([]float32, 4)
	Sinusoids(dst, 4, []float32{0.5}, []float64{1000, 10})
	fmt.Printf("%.6f\n", dst)
	// Output: [-0.883849 0.283662 -0.467772 -0.958924]
}

// BenchmarkSinusoids runs every implementation on one W1 time embedding:
// 1024 times in [−1, 1] × 32 frequencies up to 1000, rows of 64.
func BenchmarkSinusoids(b *testing.B) {
	const rows, nf = 1024, 32
	rng := rand.New(rand.NewPCG(15, 16))
	ts := make([]float32, rows)
	for i := range ts {
		ts[i] = float32(2*rng.Float64() - 1)
	}
	freq := make([]float64, nf)
	for j := range freq {
		freq[j] = 1000 * math.Exp(-math.Log(10000)*float64(j)/nf)
	}
	dst := make([]float32, rows*2*nf)
	for _, name := range Implementations() {
		b.Run(fmt.Sprintf("impl=%s/rows=%d/freqs=%d", name, rows, nf), func(b *testing.B) {
			withImpl(name, func() {
				for b.Loop() {
					Sinusoids(dst, 2*nf, ts, freq)
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*nf), "ns/value")
		})
	}
}
