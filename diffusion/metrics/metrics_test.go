package metrics

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// roundTol is the relative tolerance for results that agree in exact
// arithmetic but sum in a different order (float64 sums of at most ~10⁵ terms).
const roundTol = 1e-12

// gaussian returns n points of N(mu, I) in dimension len(mu), as float32.
func gaussian(n int, mu []float64, rng *rand.Rand) []float32 {
	d := len(mu)
	out := make([]float32, n*d)
	for i := range out {
		out[i] = float32(mu[i%d] + rng.NormFloat64())
	}
	return out
}

// dyadic returns n standard normal points in dimension d rounded to
// multiples of 2⁻¹⁰, so that adding small dyadic offsets is exact in float32.
func dyadic(n, d int, rng *rand.Rand) []float32 {
	out := make([]float32, n*d)
	for i := range out {
		out[i] = float32(math.Round(rng.NormFloat64()*1024) / 1024)
	}
	return out
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

// Brute-force oracles, straight from the defining formulas.

func oracleDist2(a, b []float32, d, i, j int) float64 {
	var s float64
	for k := range d {
		diff := float64(a[i*d+k]) - float64(b[j*d+k])
		s += diff * diff
	}
	return s
}

// oracleMean returns the mean of f(|aᵢ − bⱼ|²) over all pairs, or over
// i ≠ j when offDiagonal.
func oracleMean(a, b []float32, d int, offDiagonal bool, f func(r2 float64) float64) float64 {
	n, m := len(a)/d, len(b)/d
	var s float64
	var count int
	for i := range n {
		for j := range m {
			if offDiagonal && i == j {
				continue
			}
			s += f(oracleDist2(a, b, d, i, j))
			count++
		}
	}
	return s / float64(count)
}

func oracleEnergy(a, b []float32, d int) float64 {
	return 2*oracleMean(a, b, d, false, math.Sqrt) - oracleMean(a, a, d, false, math.Sqrt) - oracleMean(b, b, d, false, math.Sqrt)
}

func rbf(bandwidths []float64) func(r2 float64) float64 {
	return func(r2 float64) float64 {
		var s float64
		for _, sigma := range bandwidths {
			s += math.Exp(-r2 / (2 * sigma * sigma))
		}
		return s
	}
}

func oracleMMD(a, b []float32, d int, bandwidths []float64) float64 {
	k := rbf(bandwidths)
	return oracleMean(a, a, d, true, k) + oracleMean(b, b, d, true, k) - 2*oracleMean(a, b, d, false, k)
}

// oracleW2 integrates (F⁻¹(u) − G⁻¹(u))² with the midpoint rule on the n·m
// cells of width 1/(n·m), on each of which both quantile functions are
// constant, so the rule is exact.
func oracleW2(x, y []float64) float64 {
	x, y = slices.Sorted(slices.Values(x)), slices.Sorted(slices.Values(y))
	n, m := len(x), len(y)
	cells := n * m
	var s float64
	for c := range cells {
		u := (float64(c) + 0.5) / float64(cells)
		diff := x[int(u*float64(n))] - y[int(u*float64(m))]
		s += diff * diff
	}
	return s / float64(cells)
}

func TestW2SortedAgainstQuantileIntegral(t *testing.T) {
	// Known value: δ₀ against ½δ₀ + ½δ₁ is 0 on half of [0, 1] and 1 on the other.
	if got := w2Sorted([]float64{0}, []float64{0, 1}); got != 0.5 {
		t.Errorf("W₂²(δ₀, ½δ₀ + ½δ₁) = %v, want 0.5", got)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, size := range [][2]int{{1, 1}, {1, 5}, {3, 5}, {7, 7}, {10, 4}, {64, 96}, {100, 33}} {
		x, y := make([]float64, size[0]), make([]float64, size[1])
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		for i := range y {
			y[i] = 2*rng.NormFloat64() + 0.5
		}
		want := oracleW2(x, y)
		slices.Sort(x)
		slices.Sort(y)
		if got := w2Sorted(x, y); !near(got, want, roundTol) {
			t.Errorf("n=%d m=%d: w2Sorted = %.15g, quantile integral %.15g", size[0], size[1], got, want)
		}
		if got, swapped := w2Sorted(x, y), w2Sorted(y, x); got != swapped {
			t.Errorf("n=%d m=%d: w2Sorted not symmetric: %v vs %v", size[0], size[1], got, swapped)
		}
	}
}

func TestSlicedWassersteinIsW2InOneDimension(t *testing.T) {
	// In 1-D every direction is ±1, and W₂ is invariant under negating both sets.
	rng := rand.New(rand.NewPCG(2, 1))
	a, b := gaussian(37, []float64{0}, rng), gaussian(53, []float64{0.7}, rng)
	want := math.Sqrt(oracleW2(widen(a), widen(b)))
	if got := SlicedWasserstein(a, b, 1, 5, rng); !near(got, want, roundTol) {
		t.Errorf("1-D sliced W₂ = %.15g, W₂ = %.15g", got, want)
	}
}

// TestAgainstBruteForce compares the blocked, parallel sums with direct
// double loops, with sizes that straddle blockRows and batch.
func TestAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for _, c := range []struct{ n, m, d int }{
		{2, 3, 1}, {33, 70, 2}, {70, 300, 2}, {300, 65, 3}, {40, 41, 5},
	} {
		a := gaussian(c.n, make([]float64, c.d), rng)
		b := gaussian(c.m, slices.Repeat([]float64{0.5}, c.d), rng)
		if got, want := EnergyDistance(a, b, c.d), oracleEnergy(a, b, c.d); !near(got, want, roundTol) {
			t.Errorf("n=%d m=%d d=%d: EnergyDistance = %.15g, brute force %.15g", c.n, c.m, c.d, got, want)
		}
		for _, bw := range [][]float64{nil, {1}, {0.3, 0.6, 2}} {
			want := oracleMMD(a, b, c.d, bw)
			if bw == nil {
				want = oracleMMD(a, b, c.d, DefaultBandwidths[:])
			}
			if got := MMD(a, b, c.d, bw); !near(got, want, roundTol) {
				t.Errorf("n=%d m=%d d=%d σ=%v: MMD = %.15g, brute force %.15g", c.n, c.m, c.d, bw, got, want)
			}
		}
	}
}

// TestMMDFarApart checks the kernel terms that underflow (and the flush to
// 0 in fourth): for sets 40 apart every cross term is 0.
func TestMMDFarApart(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	a, b := gaussian(50, []float64{0, 0}, rng), gaussian(60, []float64{40, 0}, rng)
	for _, bw := range [][]float64{nil, {0.01, 0.02, 0.04}} {
		if bw == nil {
			bw = DefaultBandwidths[:]
		}
		if got, want := MMD(a, b, 2, bw), oracleMMD(a, b, 2, bw); !near(got, want, roundTol) {
			t.Errorf("σ=%v: MMD = %.15g, brute force %.15g", bw, got, want)
		}
	}
}

func TestIdenticalSets(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	const n, d = 300, 2
	a := gaussian(n, []float64{0, 0}, rng)
	same := slices.Clone(a)
	if got := SlicedWasserstein(a, same, d, 64, rng); got != 0 {
		t.Errorf("SlicedWasserstein(a, a) = %v, want exactly 0", got)
	}
	// Every point twice, shuffled: the same empirical distribution with m = 2n.
	twice := slices.Concat(a, a)
	perm := rng.Perm(2 * n)
	shuffled := make([]float32, len(twice))
	for i, p := range perm {
		copy(shuffled[i*d:(i+1)*d], twice[p*d:(p+1)*d])
	}
	if got := SlicedWasserstein(a, shuffled, d, 64, rng); got != 0 {
		t.Errorf("SlicedWasserstein(a, a twice shuffled) = %v, want exactly 0", got)
	}
	if got := EnergyDistance(a, same, d); got != 0 {
		t.Errorf("EnergyDistance(a, a) = %v, want exactly 0", got)
	}
	// MMD²ᵤ(a, a) = −(2/n)·(K − mean_{i≠j} k(aᵢ, aⱼ)) ∈ [−2K/n, 0].
	K := float64(len(DefaultBandwidths))
	want := -2 / float64(n) * (K - oracleMean(a, a, d, true, rbf(DefaultBandwidths[:])))
	got := MMD(a, same, d, nil)
	if !near(got, want, roundTol) || got > 0 || got < -2*K/n {
		t.Errorf("MMD(a, a) = %.15g, want %.15g in [−2K/n, 0] = [%g, 0]", got, want, -2*K/n)
	}
}

// TestInvariances checks symmetry, translation, scaling and rotation. Data
// on a dyadic grid make translated and scaled inputs exact, so distances
// that only depend on |xᵢ − yⱼ| must agree bit for bit.
func TestInvariances(t *testing.T) {
	const n, m, d = 150, 170, 2
	rng := rand.New(rand.NewPCG(6, 1))
	a, b := dyadic(n, d, rng), dyadic(m, d, rng)
	for i := 0; i < len(b); i += d {
		b[i] += 0.75
	}
	transform := func(set []float32, f func(x, y float32) (float32, float32)) []float32 {
		out := make([]float32, len(set))
		for i := 0; i < len(set); i += 2 {
			out[i], out[i+1] = f(set[i], set[i+1])
		}
		return out
	}
	shift := func(x, y float32) (float32, float32) { return x + 1.5, y - 0.75 }
	double := func(x, y float32) (float32, float32) { return 2 * x, 2 * y }
	rotate := func(x, y float32) (float32, float32) { return -y, x }
	sw := func(a, b []float32) float64 { return SlicedWasserstein(a, b, d, 32, rand.New(rand.NewPCG(7, 7))) }
	bw := []float64{0.3, 1}

	cases := []struct {
		name      string
		got, want float64
		exact     bool
	}{
		{"SW symmetric", sw(b, a), sw(a, b), false},
		{"SW translation", sw(transform(a, shift), transform(b, shift)), sw(a, b), false},
		{"SW scaling ×2", sw(transform(a, double), transform(b, double)), 2 * sw(a, b), true},
		{"energy symmetric", EnergyDistance(b, a, d), EnergyDistance(a, b, d), false},
		{"energy translation", EnergyDistance(transform(a, shift), transform(b, shift), d), EnergyDistance(a, b, d), true},
		{"energy scaling ×2", EnergyDistance(transform(a, double), transform(b, double), d), 2 * EnergyDistance(a, b, d), true},
		{"energy rotation", EnergyDistance(transform(a, rotate), transform(b, rotate), d), EnergyDistance(a, b, d), true},
		{"MMD symmetric", MMD(b, a, d, bw), MMD(a, b, d, bw), false},
		{"MMD translation", MMD(transform(a, shift), transform(b, shift), d, bw), MMD(a, b, d, bw), true},
		{"MMD scaling ×2 with σ ×2", MMD(transform(a, double), transform(b, double), d, []float64{0.6, 2}), MMD(a, b, d, bw), true},
		{"MMD rotation", MMD(transform(a, rotate), transform(b, rotate), d, bw), MMD(a, b, d, bw), true},
	}
	for _, c := range cases {
		if c.exact && c.got != c.want || !c.exact && !near(c.got, c.want, roundTol) {
			t.Errorf("%s: %.17g vs %.17g (exact: %v)", c.name, c.got, c.want, c.exact)
		}
	}
}

// TestMMDChainedBandwidths checks the halving shortcut: a mixture equals
// the sum of its single-bandwidth MMDs, each with its own exponential.
func TestMMDChainedBandwidths(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	a, b := gaussian(200, []float64{0, 0}, rng), gaussian(180, []float64{0.3, 0}, rng)
	for _, bw := range [][]float64{DefaultBandwidths[:], {4, 0.25, 1, 2, 0.5, 0.125}, {0.3, 1, 0.15}, {0.7, 1, 3}} {
		var want float64
		for _, s := range bw {
			want += MMD(a, b, 2, []float64{s})
		}
		// The mixture's value is a difference of sums of size ~K, so compare
		// with an absolute tolerance on that scale.
		if got := MMD(a, b, 2, bw); !(math.Abs(got-want) <= roundTol*float64(len(bw))) {
			t.Errorf("σ=%v: MMD = %.15g, sum over σ %.15g", bw, got, want)
		}
	}
	if k := newRBFMix(DefaultBandwidths[:]); !slices.Equal(k.chained, []bool{false, true, true, true, true}) {
		t.Errorf("DefaultBandwidths chained = %v, want every bandwidth after the first", k.chained)
	}
	if k := newRBFMix([]float64{0.7, 1, 3}); slices.Contains(k.chained, true) {
		t.Errorf("σ = {0.7, 1, 3} chained = %v, want none (no σ is half another)", k.chained)
	}
}

func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 1))
	a, b := gaussian(500, []float64{0, 0}, rng), gaussian(400, []float64{0.2, 0.1}, rng)
	run := func(procs int) Report {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return Compare(a, b, 2, rand.New(rand.NewPCG(10, 1)))
	}
	want := run(1)
	for _, procs := range []int{2, 3, 8} {
		if got := run(procs); got != want {
			t.Errorf("GOMAXPROCS=%d: %+v, GOMAXPROCS=1: %+v", procs, got, want)
		}
	}
}

func TestCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	a, b := gaussian(100, []float64{0, 0, 0}, rng), gaussian(120, []float64{1, 0, 0}, rng)
	got := Compare(a, b, 3, rand.New(rand.NewPCG(12, 1)))
	want := Report{
		SlicedW2: SlicedWasserstein(a, b, 3, DefaultProjections, rand.New(rand.NewPCG(12, 1))),
		Energy:   EnergyDistance(a, b, 3),
		MMD2:     MMD(a, b, 3, DefaultBandwidths[:]),
	}
	if got != want {
		t.Errorf("Compare = %+v, want %+v", got, want)
	}
	if s := (Report{SlicedW2: 0.0123456, Energy: 1.5e-4, MMD2: -2e-6}).String(); s != "sw2=0.01235 energy=0.00015 mmd2=-2e-06" {
		t.Errorf("Report.String() = %q", s)
	}
}

func TestPanics(t *testing.T) {
	ok := []float32{0, 0, 1, 1}
	rng := rand.New(rand.NewPCG(1, 1))
	cases := []struct {
		name string
		f    func()
	}{
		{"d = 0", func() { EnergyDistance(ok, ok, 0) }},
		{"length not a multiple of d", func() { EnergyDistance(ok, ok[:3], 2) }},
		{"empty set", func() { SlicedWasserstein(ok, nil, 2, 8, rng) }},
		{"no projections", func() { SlicedWasserstein(ok, ok, 2, 0, rng) }},
		{"MMD with one point", func() { MMD(ok[:2], ok, 2, nil) }},
		{"MMD with no bandwidths", func() { MMD(ok, ok, 2, []float64{}) }},
		{"MMD bandwidth 0", func() { MMD(ok, ok, 2, []float64{1, 0}) }},
		{"MMD bandwidth NaN", func() { MMD(ok, ok, 2, []float64{math.NaN()}) }},
		{"MMD bandwidth +Inf", func() { MMD(ok, ok, 2, []float64{math.Inf(1)}) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: did not panic", c.name)
				}
			}()
			c.f()
		}()
	}
}
