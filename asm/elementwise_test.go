package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// accuracyInputs are dense and random points over the range where SiLU
// changes, the ends of exp's range and their neighbours, and a sweep of every
// float32 binade (subnormals included) with several mantissas, both signs.
func accuracyInputs() []float32 {
	var xs []float32
	for x := float32(-100); x < 100; x += 1.0 / 512 {
		xs = append(xs, x)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 1 << 17 {
		xs = append(xs, float32(rng.NormFloat64()*4), float32(rng.Float64()*180-90))
	}
	for exp := uint32(0); exp < 255; exp++ {
		for _, m := range []uint32{0, 1, 0x2aaaab, 0x400000, 0x7fffff, rng.Uint32() & 0x7fffff, rng.Uint32() & 0x7fffff} {
			v := math.Float32frombits(exp<<23 | m)
			xs = append(xs, v, -v)
		}
	}
	for _, v := range []float32{expMin, expMax} {
		xs = append(xs, v, math.Nextafter32(v, 0), math.Nextafter32(v, 2*v))
	}
	return append(xs, 0, 1e-30, -1e-30, 0x1p-126, math.MaxFloat32, -math.MaxFloat32)
}

// TestExpNegAccuracy measures the relative error of the vectorised exp used
// by SiLU against math.Exp in float64 over its domain x ≥ expMin, wherever
// the result is normal; beyond expMax it must be flushed to 0.
func TestExpNegAccuracy(t *testing.T) {
	var worst float64
	for _, x := range accuracyInputs() {
		if x < expMin {
			continue
		}
		want := math.Exp(-float64(x))
		got := float64(expNeg(x))
		switch {
		case x > expMax:
			if got != 0 {
				t.Fatalf("expNeg(%v) = %v, want 0 (flushed)", x, got)
			}
		case want < 0x1p-126:
			// Between expMax and the float32 nearest to it: may be subnormal.
			if math.Abs(got-want) > 0x1p-126 {
				t.Fatalf("expNeg(%v) = %v, want %v within 2⁻¹²⁶", x, got, want)
			}
		default:
			worst = max(worst, math.Abs(got-want)/want/eps32)
		}
	}
	t.Logf("max relative error of expNeg: %.2f·2⁻²⁴", worst)
	if !(worst <= expUlps) {
		t.Errorf("max relative error %.2f·2⁻²⁴ exceeds %d·2⁻²⁴", worst, expUlps)
	}
}

// TestSiLUAccuracy measures SiLU and SiLUGrad of every implementation against
// the float64 evaluation of their definitions, with the bounds their doc
// comments state: SiLU within siluUlps·u relative (plus one subnormal
// spacing, 2⁻¹⁴⁹, where the result is subnormal), SiLUGrad within
// siluGradUlps·u of the size of its terms; below expMin both return ±0.
func TestSiLUAccuracy(t *testing.T) {
	xs := accuracyInputs()
	ones := make([]float32, len(xs))
	for i := range ones {
		ones[i] = 1
	}
	forEachImpl(t, func(t *testing.T) {
		y := make([]float32, len(xs))
		g := make([]float32, len(xs))
		SiLU(y, xs)
		SiLUGrad(g, xs, ones)
		var worstY, worstG float64
		for i, x := range xs {
			s, terms := sigmoidTerms(x)
			wantY := float64(x) * s
			wantG := s * (1 + float64(x)*(1-s))
			if x < expMin {
				if y[i] != 0 || !math.Signbit(float64(y[i])) || g[i] != 0 {
					t.Fatalf("x = %v below expMin: SiLU %v, SiLUGrad %v, want -0 and ±0", x, y[i], g[i])
				}
				continue
			}
			errY := math.Abs(float64(y[i]) - wantY)
			if math.Abs(wantY) < 0x1p-126 {
				if errY > 0x1p-149 {
					t.Fatalf("SiLU(%v) = %v, want %v within 2⁻¹⁴⁹", x, y[i], wantY)
				}
			} else {
				worstY = max(worstY, errY/math.Abs(wantY)/eps32)
			}
			worstG = max(worstG, math.Abs(float64(g[i])-wantG)/terms/eps32)
		}
		t.Logf("max relative error: SiLU %.2f·2⁻²⁴, SiLUGrad %.2f·2⁻²⁴ of σ(x)·(1+|x|·(1−σ(x)))", worstY, worstG)
		if !(worstY <= siluUlps) {
			t.Errorf("SiLU max relative error %.2f·2⁻²⁴ exceeds %d·2⁻²⁴", worstY, siluUlps)
		}
		if !(worstG <= siluGradUlps) {
			t.Errorf("SiLUGrad max error %.2f·2⁻²⁴ exceeds %d·2⁻²⁴", worstG, siluGradUlps)
		}
	})
}

// TestSiLUSpecial pins the IEEE behaviour the doc comments promise.
func TestSiLUSpecial(t *testing.T) {
	inf := float32(math.Inf(1))
	forEachImpl(t, func(t *testing.T) {
		x := []float32{inf, -inf, float32(math.NaN()), 0, -200, -math.MaxFloat32}
		y := make([]float32, len(x))
		SiLU(y, x)
		if y[0] != inf || !isNaN(y[1]) || !isNaN(y[2]) || y[3] != 0 ||
			y[4] != 0 || !math.Signbit(float64(y[4])) || y[5] != 0 || !math.Signbit(float64(y[5])) {
			t.Errorf("SiLU(%v) = %v, want [+Inf NaN NaN 0 -0 -0]", x, y)
		}
		dy := []float32{1, 1, 1, 1, 1, 1}
		g := make([]float32, len(x))
		SiLUGrad(g, x, dy)
		if !isNaN(g[0]) || !isNaN(g[1]) || !isNaN(g[2]) || g[3] != 0.5 || g[4] != 0 || g[5] != 0 {
			t.Errorf("SiLUGrad(%v) = %v, want [NaN NaN NaN 0.5 ±0 ±0]", x, g)
		}
	})
}

func isNaN(v float32) bool { return v != v }

func TestSiLUAlias(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		x := randSlice(rng, 37)
		dy := randSlice(rng, 37)
		want := make([]float32, 37)
		SiLU(want, x)
		got := append([]float32(nil), x...)
		SiLU(got, got)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("SiLU in place = %v, want %v", got, want)
		}
		SiLUGrad(want, x, dy)
		SiLUGrad(dy, x, dy)
		if fmt.Sprint(dy) != fmt.Sprint(want) {
			t.Errorf("SiLUGrad with dst = dy: %v, want %v", dy, want)
		}
	})
}

// rowsCase runs AddBias and SumRows on a rows×n matrix under the selected
// implementation and checks them exactly against the reference loops in
// float32 (additions in the same order give the same bits).
func rowsCase(t *testing.T, x, bias []float32, off int) {
	t.Helper()
	n := len(bias)
	rows := len(x) / n

	dst, whole := guarded(rows*n, off)
	copy(dst, x)
	AddBias(dst, bias)
	checkGuard(t, "AddBias", dst, whole, off)
	for r := 0; r < rows; r++ {
		for j := 0; j < n; j++ {
			if want := x[r*n+j] + bias[j]; dst[r*n+j] != want {
				t.Fatalf("AddBias rows=%d n=%d: [%d,%d] = %v, want %v", rows, n, r, j, dst[r*n+j], want)
			}
		}
	}

	sum, whole := guarded(n, off)
	SumRows(sum, x)
	checkGuard(t, "SumRows", sum, whole, off)
	for j := 0; j < n; j++ {
		var want float32
		for r := 0; r < rows; r++ {
			want += x[r*n+j]
		}
		if sum[j] != want {
			t.Fatalf("SumRows rows=%d n=%d: [%d] = %v, want %v", rows, n, j, sum[j], want)
		}
	}
}

func TestRows(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for n := 1; n <= 40; n++ {
			for rows := 0; rows <= 4; rows++ {
				for off := range 4 {
					rowsCase(t, randSlice(rng, rows*n+off)[off:], randSlice(rng, n), off)
				}
			}
		}
		// W1's shapes, and shapes that make the Go loop split the rows
		// (rows·n > chunk) and the columns (n > chunk) between calls.
		for _, s := range [][2]int{{1024, 256}, {1024, 2}, {3, chunk + 5}, {chunk/7 + 3, 7}} {
			rowsCase(t, randSlice(rng, s[0]*s[1]+1)[1:], randSlice(rng, s[1]), 1)
		}
	})
}

// addBiasSiLUCase runs AddBiasSiLU on a rows×n matrix under the selected
// implementation, with both outputs guarded and placed off elements into
// their allocations. pre must come out as AddBias leaves it and h with the
// bits of SiLU(pre) under the same implementation (the kernel runs the
// same instructions), and h within the SiLU tolerance of generic's. With h
// and pre the same slice, h must hold the same values.
func addBiasSiLUCase(t *testing.T, x, bias []float32, off int) {
	t.Helper()
	n := len(bias)
	rows := len(x) / n

	wantPre := append([]float32(nil), x...)
	AddBias(wantPre, bias)
	wantH := make([]float32, len(x))
	SiLU(wantH, wantPre)
	genH := make([]float32, len(x))
	withImpl(Generic, func() { AddBiasSiLU(genH, append([]float32(nil), x...), bias) })

	pre, wholePre := guarded(rows*n, off)
	copy(pre, x)
	h, wholeH := guarded(rows*n, off)
	AddBiasSiLU(h, pre, bias)
	checkGuard(t, "AddBiasSiLU pre", pre, wholePre, off)
	checkGuard(t, "AddBiasSiLU h", h, wholeH, off)
	for i := range x {
		if pre[i] != wantPre[i] {
			t.Fatalf("AddBiasSiLU rows=%d n=%d off=%d: pre[%d] = %v, want %v", rows, n, off, i, pre[i], wantPre[i])
		}
		if math.Float32bits(h[i]) != math.Float32bits(wantH[i]) {
			t.Fatalf("AddBiasSiLU rows=%d n=%d off=%d: h[%d] = %v, SiLU(pre) %v", rows, n, off, i, h[i], wantH[i])
		}
		if d := math.Abs(float64(h[i]) - float64(genH[i])); !(d <= 2*siluUlps*eps32*math.Abs(float64(genH[i]))) {
			t.Fatalf("AddBiasSiLU rows=%d n=%d off=%d: h[%d] = %v, generic %v", rows, n, off, i, h[i], genH[i])
		}
	}

	copy(pre, x)
	AddBiasSiLU(pre, pre, bias)
	checkGuard(t, "AddBiasSiLU in place", pre, wholePre, off)
	for i := range x {
		if math.Float32bits(pre[i]) != math.Float32bits(wantH[i]) {
			t.Fatalf("AddBiasSiLU in place rows=%d n=%d off=%d: [%d] = %v, want %v", rows, n, off, i, pre[i], wantH[i])
		}
	}
}

func TestAddBiasSiLU(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(15, 16))
		scaled := func(n int) []float32 { // the range where SiLU bends, and beyond
			s := randSlice(rng, n)
			for i := range s {
				s[i] *= 12
			}
			return s
		}
		for n := 1; n <= 40; n++ {
			for rows := 0; rows <= 4; rows++ {
				for off := range 4 {
					addBiasSiLUCase(t, scaled(rows*n + off)[off:], scaled(n), off)
				}
			}
		}
		// W1's shapes, and shapes that make the Go loop split the rows
		// (rows·n > chunk) and the columns (n > chunk) between calls.
		for _, s := range [][2]int{{1024, 256}, {1024, 2}, {3, chunk + 5}, {chunk/7 + 3, 7}, {chunk/40 + 3, 40}} {
			addBiasSiLUCase(t, scaled(s[0]*s[1] + 1)[1:], scaled(s[1]), 1)
		}
	})
}

// siluSlope bounds |SiLU′| (its maximum is 1.0998, near x = 2.4), which
// carries an error of SiLU's argument into its result.
const siluSlope = 1.1

// linearSiLUCase runs LinearSiLU on the rows of x (in values each) under the
// selected implementation, with h guarded and placed off elements into its
// allocation, and checks it against the float64 evaluation of its
// definition: within SiLU's bound plus the sum's error, at most
// (in+1)·2⁻²⁴ of the sizes of its terms, carried through SiLU's slope.
// Where Sgemm takes its blocked path (more than dotMaxN rows and columns),
// h must also have the bits of Sgemm followed by AddBiasSiLU.
func linearSiLUCase(t *testing.T, x, w, bias []float32, in, off int) {
	t.Helper()
	out := len(bias)
	rows := len(x) / max(in, 1)
	if in == 0 {
		rows = len(x)
		x = nil
	}
	h, whole := guarded(rows*out, off)
	LinearSiLU(h, x, w, bias)
	checkGuard(t, "LinearSiLU h", h, whole, off)
	for r := range rows {
		for j, b := range bias {
			v, terms := float64(b), math.Abs(float64(b))
			for c := range in {
				p := float64(x[r*in+c]) * float64(w[c*out+j])
				v += p
				terms += math.Abs(p)
			}
			want := v / (1 + math.Exp(-v))
			got := float64(h[r*out+j])
			tol := siluSlope*float64(in+1)*eps32*terms + siluUlps*eps32*math.Abs(want) + 0x1p-149
			if !(math.Abs(got-want) <= tol) {
				t.Fatalf("LinearSiLU rows=%d in=%d out=%d off=%d: h[%d,%d] = %v, want %v within %.3g", rows, in, out, off, r, j, got, want, tol)
			}
		}
	}
	if rows <= dotMaxN || out <= dotMaxN {
		return
	}
	pre, wantH := make([]float32, rows*out), make([]float32, rows*out)
	Sgemm(false, false, rows, out, in, 1, x, max(in, 1), w, out, 0, pre, out)
	AddBiasSiLU(wantH, pre, bias)
	for i := range wantH {
		if math.Float32bits(h[i]) != math.Float32bits(wantH[i]) {
			t.Fatalf("LinearSiLU rows=%d in=%d out=%d off=%d: h[%d] = %v, Sgemm and AddBiasSiLU give %v", rows, in, out, off, i, h[i], wantH[i])
		}
	}
}

func TestLinearSiLU(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(17, 18))
		scaled := func(n int, s float32) []float32 {
			v := randSlice(rng, n)
			for i := range v {
				v[i] *= s
			}
			return v
		}
		run := func(rows, in, out, off int) {
			x := scaled(rows*in, 3)
			if in == 0 {
				x = make([]float32, rows) // only its length counts the rows
			}
			linearSiLUCase(t, x, scaled(in*out, 2), scaled(out, 4), in, off)
		}
		for _, in := range []int{0, 1, 2, 3, 8} {
			for out := 1; out <= 40; out++ {
				for _, rows := range []int{0, 1, 5, 7} {
					run(rows, in, out, out%4)
				}
			}
			for _, out := range []int{64, 100, 256} {
				run(33, in, out, 1)
			}
		}
		// W5's first layer, and shapes that make the Go loop split the
		// rows (rows·out·in > chunk) and the columns (out > chunk).
		run(1024, 2, 256, 1)
		run(chunk/64+3, 2, 32, 0)
		run(3, 1, chunk+5, 2)
	})
}

func TestRowsPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"AddBias ragged":  func() { AddBias(make([]float32, 5), make([]float32, 2)) },
		"AddBias no bias": func() { AddBias(make([]float32, 5), nil) },
		"AddBiasSiLU length": func() {
			AddBiasSiLU(make([]float32, 4), make([]float32, 6), make([]float32, 2))
		},
		"AddBiasSiLU ragged":  func() { AddBiasSiLU(make([]float32, 5), make([]float32, 5), make([]float32, 2)) },
		"AddBiasSiLU no bias": func() { AddBiasSiLU(make([]float32, 5), make([]float32, 5), nil) },
		"LinearSiLU ragged w": func() { LinearSiLU(make([]float32, 4), make([]float32, 4), make([]float32, 5), make([]float32, 2)) },
		"LinearSiLU ragged h": func() { LinearSiLU(make([]float32, 5), make([]float32, 4), make([]float32, 4), make([]float32, 2)) },
		"LinearSiLU x length": func() { LinearSiLU(make([]float32, 4), make([]float32, 5), make([]float32, 4), make([]float32, 2)) },
		"LinearSiLU no bias":  func() { LinearSiLU(make([]float32, 4), make([]float32, 2), nil, nil) },
		"SumRows ragged":      func() { SumRows(make([]float32, 2), make([]float32, 5)) },
		"SumRows no dst":      func() { SumRows(nil, make([]float32, 5)) },
		"SiLU length":         func() { SiLU(make([]float32, 2), make([]float32, 3)) },
		"SiLUGrad length":     func() { SiLUGrad(make([]float32, 2), make([]float32, 2), make([]float32, 3)) },
		"EulerStep length":    func() { EulerStep(make([]float32, 2), make([]float32, 2), make([]float32, 1), 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// FuzzAddBias and FuzzSumRows check every implementation against the
// reference loops on fuzzed shapes and entries.
func FuzzAddBias(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789"), uint8(3), uint8(1))
	f.Add(make([]byte, 200), uint8(17), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, n, off uint8) {
		fuzzRows(t, data, n, off)
	})
}

func FuzzSumRows(f *testing.F) {
	f.Add([]byte("the rows of a matrix, summed"), uint8(5), uint8(2))
	f.Add(make([]byte, 300), uint8(33), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, n, off uint8) {
		fuzzRows(t, data, n, off)
	})
}

// FuzzLinearSiLU reads a bias row of n%64+1 values, weights for in%9
// inputs and as many whole rows of inputs as the rest of data holds, and
// runs linearSiLUCase under every implementation.
func FuzzLinearSiLU(f *testing.F) {
	f.Add([]byte("a linear layer with two inputs, then SiLU"), uint8(2), uint8(17), uint8(1))
	f.Add(make([]byte, 400), uint8(0), uint8(31), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, in, n, off uint8) {
		width, k := int(n%64)+1, int(in%9)
		vals := fuzzFloats(data, len(data)/2)
		if len(vals) < width*(k+1) {
			return
		}
		bias, w, rest := vals[:width], vals[width:width*(k+1)], vals[width*(k+1):]
		x := rest[:len(rest)/max(k, 1)*k]
		if k == 0 {
			x = rest // only its length counts the rows
		}
		forEachImpl(t, func(t *testing.T) {
			linearSiLUCase(t, x, w, bias, k, int(off%16))
		})
	})
}

// fuzzAddBiasSiLU reads a bias row of n%64+1 values and as many whole rows
// as the rest of data holds, and runs addBiasSiLUCase under every
// implementation.
func fuzzAddBiasSiLU(t *testing.T, data []byte, n, off uint8) {
	width := int(n%64) + 1
	vals := fuzzFloats(data, len(data)/2)
	if len(vals) < width {
		return
	}
	bias, rest := vals[:width], vals[width:]
	x := rest[:len(rest)/width*width]
	forEachImpl(t, func(t *testing.T) {
		addBiasSiLUCase(t, x, bias, int(off%16))
	})
}

// fuzzRows reads a bias row of n%64+1 values and as many whole rows as the
// rest of data holds.
func fuzzRows(t *testing.T, data []byte, n, off uint8) {
	width := int(n%64) + 1
	vals := fuzzFloats(data, len(data)/2)
	if len(vals) < width {
		return
	}
	bias, rest := vals[:width], vals[width:]
	x := rest[:len(rest)/width*width]
	forEachImpl(t, func(t *testing.T) {
		rowsCase(t, x, bias, int(off%16))
	})
}
