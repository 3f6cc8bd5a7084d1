package dataset

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// zMax is how many standard errors a sample statistic may lie from its
// exact value before a test fails (a two-sided normal tail of 6e-7).
const zMax = 5.0

// testPoints is the sample size of the distribution tests.
func testPoints() int {
	if testing.Short() {
		return 50_000
	}
	return 200_000
}

// draw returns n points of the named set from a PCG generator seeded with seed.
func draw(t testing.TB, name string, n int, seed uint64) []float32 {
	t.Helper()
	toy, err := New(name)
	if err != nil {
		t.Fatal(err)
	}
	pts := make([]float32, 2*n)
	toy.Sample(pts, rand.New(rand.NewPCG(seed, 1)))
	return pts
}

// unscale maps point i back to the coordinates of its generator's comment.
func unscale(pts []float32, i int, scale, meanX, meanY float64) (x, y float64) {
	return float64(pts[2*i])/scale + meanX, float64(pts[2*i+1])/scale + meanY
}

// checkFrac checks that count/n is within zMax binomial standard errors of p.
func checkFrac(t *testing.T, what string, count, n int, p float64) {
	t.Helper()
	got := float64(count) / float64(n)
	if tol := zMax * math.Sqrt(p*(1-p)/float64(n)); !(math.Abs(got-p) <= tol) {
		t.Errorf("%s: fraction %.5f, want %.5f ± %.5f", what, got, p, tol)
	}
}

// wrap maps v to [−period/2, period/2).
func wrap(v, period float64) float64 {
	return v - period*math.Floor(v/period+0.5)
}

func TestNames(t *testing.T) {
	want := []string{"2spirals", "8gaussians", "checkerboard", "circles", "moons", "pinwheel", "rings", "swissroll"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range want {
		toy, err := New(name)
		if err != nil {
			t.Fatalf("New(%q): %v", name, err)
		}
		if toy.Name() != name {
			t.Errorf("New(%q).Name() = %q", name, toy.Name())
		}
	}
	if _, err := New(Default); err != nil {
		t.Errorf("Default %q: %v", Default, err)
	}
}

func TestNewUnknownListsValidNames(t *testing.T) {
	for _, bad := range []string{"", "checker", "Moons", "8gaussian"} {
		toy, err := New(bad)
		if err == nil || toy != nil {
			t.Fatalf("New(%q) = %v, %v; want nil and an error", bad, toy, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "\""+bad+"\"") {
			t.Errorf("New(%q) error %q does not name the input", bad, msg)
		}
		for _, name := range Names() {
			if !strings.Contains(msg, name) {
				t.Errorf("New(%q) error %q does not list %q", bad, msg, name)
			}
		}
	}
}

func TestSampleDeterministic(t *testing.T) {
	const n = 1000
	for _, name := range Names() {
		a := draw(t, name, n, 7)
		b := draw(t, name, n, 7)
		if !slices.Equal(a, b) {
			t.Errorf("%s: same seed gave different points", name)
		}
		if c := draw(t, name, n, 8); slices.Equal(a, c) {
			t.Errorf("%s: different seeds gave the same points", name)
		}
		// Filling the buffer in two calls continues the same stream.
		toy, _ := New(name)
		split := make([]float32, 2*n)
		rng := rand.New(rand.NewPCG(7, 1))
		toy.Sample(split[:2*317], rng)
		toy.Sample(split[2*317:], rng)
		if !slices.Equal(a, split) {
			t.Errorf("%s: sampling in two calls differs from one call", name)
		}
	}
}

func TestSampleOddLengthPanics(t *testing.T) {
	toy, _ := New(Default)
	defer func() {
		if recover() == nil {
			t.Error("Sample with an odd-length buffer did not panic")
		}
	}()
	toy.Sample(make([]float32, 5), rand.New(rand.NewPCG(1, 1)))
}

// TestMoments checks mean 0 and the per-axis standard deviations stated in
// New's doc comment (exact values of each distribution, derived in the
// generator comments), and the package contract E|x|² = 2.
func TestMoments(t *testing.T) {
	// maxKurtosis bounds the kurtosis of every marginal here (uniform 1.8,
	// Gaussian 3); the standard error of a sample std is about
	// σ·√((κ − 1)/(4n)).
	const maxKurtosis = 4.0
	cases := []struct {
		name       string
		stdX, stdY float64
	}{
		{"checkerboard", 1, 1},
		{"moons", 1.22423, 0.70800},
		{"8gaussians", 1, 1},
		{"2spirals", 1.00821, 0.99172},
		{"swissroll", 0.97606, 1.02338},
		{"pinwheel", 1, 1},
		{"rings", 1, 1},
		{"circles", 1, 1},
	}
	n := testPoints()
	for _, c := range cases {
		pts := draw(t, c.name, n, 1)
		var sum, sumSq [2]float64
		for i, v := range pts {
			sum[i%2] += float64(v)
			sumSq[i%2] += float64(v) * float64(v)
		}
		var second float64
		for axis, want := range [2]float64{c.stdX, c.stdY} {
			mean := sum[axis] / float64(n)
			std := math.Sqrt(sumSq[axis]/float64(n) - mean*mean)
			second += sumSq[axis] / float64(n)
			if tol := zMax * want / math.Sqrt(float64(n)); !(math.Abs(mean) <= tol) {
				t.Errorf("%s axis %d: mean %.5f, want 0 ± %.5f", c.name, axis, mean, tol)
			}
			if tol := zMax * want * math.Sqrt((maxKurtosis-1)/(4*float64(n))); !(math.Abs(std-want) <= tol) {
				t.Errorf("%s axis %d: std %.5f, want %.5f ± %.5f", c.name, axis, std, want, tol)
			}
		}
		// E|x|² = 2: the doc's contract, independent of the table above.
		if tol := zMax * 2 * math.Sqrt((maxKurtosis-1)/float64(n)); !(math.Abs(second-2) <= tol) {
			t.Errorf("%s: E|x|² = %.5f, want 2 ± %.5f", c.name, second, tol)
		}
	}
}

func TestCheckerboardSquares(t *testing.T) {
	// edge keeps float32 rounding at the cell borders out of the empty-cell count.
	const edge = 1e-5
	n := testPoints()
	pts := draw(t, "checkerboard", n, 2)
	var filled [4][4]int
	empty, outside := 0, 0
	for i := range n {
		x, y := unscale(pts, i, checkerboardScale, 0, 0)
		if math.Abs(x) > 2+edge || math.Abs(y) > 2+edge {
			outside++
			continue
		}
		cx, cy := math.Floor(x), math.Floor(y)
		col, row := min(int(cx)+2, 3), min(int(cy)+2, 3)
		if (col+row)%2 == 0 {
			filled[col][row]++
			continue
		}
		if x-cx > edge && cx+1-x > edge && y-cy > edge && cy+1-y > edge {
			empty++
		}
	}
	if outside != 0 || empty != 0 {
		t.Fatalf("%d points outside [−2, 2]², %d inside empty squares; want 0 and 0", outside, empty)
	}
	for col := range 4 {
		for row := range 4 {
			if (col+row)%2 == 0 {
				checkFrac(t, "checkerboard filled square", filled[col][row], n, 1.0/8)
			}
		}
	}
}

func TestEightGaussiansClusters(t *testing.T) {
	n := testPoints()
	pts := draw(t, "8gaussians", n, 3)
	var count [8]int
	var along, across, radialSq [8]float64 // coordinates in each centre's rotated frame
	far := 0
	for i := range n {
		x, y := unscale(pts, i, gaussScale, 0, 0)
		k := int(math.Round(math.Atan2(y, x)/(math.Pi/4))+8) % 8
		sin, cos := math.Sincos(float64(k) * math.Pi / 4)
		u, v := x*cos+y*sin, -x*sin+y*cos
		if math.Hypot(u-gaussRadius, v) > 6*gaussStd {
			far++
		}
		count[k]++
		along[k] += u
		across[k] += v
		radialSq[k] += (u - gaussRadius) * (u - gaussRadius)
	}
	if far != 0 {
		t.Errorf("%d points farther than 6σ from every centre, want 0", far)
	}
	for k := range 8 {
		checkFrac(t, "8gaussians cluster", count[k], n, 1.0/8)
		nk := float64(count[k])
		tol := zMax * gaussStd / math.Sqrt(nk)
		if u, v := along[k]/nk, across[k]/nk; !(math.Abs(u-gaussRadius) <= tol) || !(math.Abs(v) <= tol) {
			t.Errorf("cluster %d (angle %d·π/4): mean at (%.4f, %.4f) in its frame, want (%g, 0) ± %.4f",
				k, k, u, v, gaussRadius, tol)
		}
		// Spread along the radius (the angular spread is truncated where
		// clusters meet): the std of a normal sample has standard error σ/√(2n).
		std := math.Sqrt(radialSq[k] / nk)
		if tol := zMax * gaussStd / math.Sqrt(2*nk); !(math.Abs(std-gaussStd) <= tol) {
			t.Errorf("cluster %d: radial std %.4f, want %g ± %.4f", k, std, gaussStd, tol)
		}
	}
}

// checkRadii checks that the radii of a ring mixture peak at the given radii
// with the given weights, and that the density between rings is low.
func checkRadii(t *testing.T, name string, scale, noise float64, radii, weights []float64) {
	t.Helper()
	const (
		bin       = 0.02 // histogram bin width, a quarter of the noise std
		troughMax = 0.05 // largest density between rings, relative to the smaller peak
	)
	n := testPoints()
	pts := draw(t, name, n, 4)
	hist := make([]int, int(radii[len(radii)-1]/bin)+20)
	for i := range n {
		x, y := unscale(pts, i, scale, 0, 0)
		if b := int(math.Hypot(x, y) / bin); b < len(hist) {
			hist[b]++
		}
	}
	gap := radii[1] - radii[0]
	peaks := make([]int, len(radii))
	for k, r := range radii {
		lo, hi := int((r-gap/2)/bin), int((r+gap/2)/bin)
		mass, peak := 0, lo
		for b := lo; b < hi; b++ {
			mass += hist[b]
			if hist[b] > hist[peak] {
				peak = b
			}
		}
		checkFrac(t, name+" ring mass", mass, n, weights[k])
		if at := (float64(peak) + 0.5) * bin; math.Abs(at-r) > noise {
			t.Errorf("%s: radius histogram peaks at %.3f, want %.3f ± %.3f", name, at, r, noise)
		}
		peaks[k] = hist[peak]
		if k > 0 {
			trough := hist[int((r-gap/2)/bin)]
			if limit := troughMax * float64(min(peaks[k], peaks[k-1])); !(float64(trough) <= limit) {
				t.Errorf("%s: %d points per bin between radii %.3f and %.3f, want < %.0f", name, trough, radii[k-1], r, limit)
			}
		}
	}
}

func TestRingsRadii(t *testing.T) {
	checkRadii(t, "rings", ringsScale, ringsNoise, []float64{0.75, 1.5, 2.25, 3}, []float64{0.25, 0.25, 0.25, 0.25})
}

func TestCirclesRadii(t *testing.T) {
	checkRadii(t, "circles", circlesScale, circlesNoise, []float64{0.5, 1}, []float64{0.5, 0.5})
}

func TestMoonsTwoComponents(t *testing.T) {
	// arcDist is the distance from (x, y) to the upper half (up) or lower half
	// of the unit circle around (cx, cy).
	arcDist := func(x, y, cx, cy float64, up bool) float64 {
		dx, dy := x-cx, y-cy
		if (dy >= 0) == up {
			return math.Abs(math.Hypot(dx, dy) - 1)
		}
		return min(math.Hypot(dx-1, dy), math.Hypot(dx+1, dy))
	}
	n := testPoints()
	pts := draw(t, "moons", n, 5)
	var count [2]int
	var sumX, sumY, sumD2 [2]float64
	for i := range n {
		x, y := unscale(pts, i, moonsScale, moonsMeanX, moonsMeanY)
		d := [2]float64{arcDist(x, y, 0, 0, true), arcDist(x, y, 1, 0.5, false)}
		k := 0
		if d[1] < d[0] {
			k = 1
		}
		count[k]++
		sumX[k] += x
		sumY[k] += y
		sumD2[k] += d[k] * d[k]
	}
	// Component means for t ~ U[0, π]: upper (0, 2/π), lower (1, ½ − 2/π);
	// each coordinate has variance at most ½ + noise².
	want := [2][2]float64{{0, 2 / math.Pi}, {1, 0.5 - 2/math.Pi}}
	for k := range 2 {
		checkFrac(t, "moons component", count[k], n, 0.5)
		nk := float64(count[k])
		tol := zMax * math.Sqrt((0.5+moonsNoise*moonsNoise)/nk)
		if mx, my := sumX[k]/nk, sumY[k]/nk; !(math.Abs(mx-want[k][0]) <= tol) || !(math.Abs(my-want[k][1]) <= tol) {
			t.Errorf("moon %d: mean (%.4f, %.4f), want (%.4f, %.4f) ± %.4f", k, mx, my, want[k][0], want[k][1], tol)
		}
		// Distance to the own arc is the normal part of the noise: RMS ≈ 0.1.
		if rms := math.Sqrt(sumD2[k] / nk); math.Abs(rms-moonsNoise) > 0.1*moonsNoise {
			t.Errorf("moon %d: RMS distance to its arc %.4f, want %.2f ± 10%%", k, rms, moonsNoise)
		}
	}
}

// checkWinding checks that radius follows angle: for a curve with
// r = ±angle + c (mod period), the residual wrap(r ∓ angle, period) of most
// points is within a quarter period of 0, while a generator whose radius
// ignores the angle gives uniform residuals, of which half are.
func checkWinding(t *testing.T, name string, minFrac float64, residual func(x, y float64) float64, period, scale, meanX, meanY float64) {
	t.Helper()
	n := testPoints()
	pts := draw(t, name, n, 6)
	near := 0
	for i := range n {
		x, y := unscale(pts, i, scale, meanX, meanY)
		if math.Abs(wrap(residual(x, y), period)) < period/4 {
			near++
		}
	}
	if got := float64(near) / float64(n); got < minFrac {
		t.Errorf("%s: %.3f of points within a quarter period of the curve, want ≥ %.2f (uniform: 0.5)", name, got, minFrac)
	}
}

func TestTwoSpiralsRadiusGrowsWithAngle(t *testing.T) {
	// Undoing the /3: spiral one is n(−cos n, sin n) at angle π − n, spiral
	// two its negation at angle −n; both have r + angle ≡ 0 (mod π).
	checkWinding(t, "2spirals", 0.85, func(x, y float64) float64 {
		return 3*math.Hypot(x, y) + math.Atan2(y, x)
	}, math.Pi, spiralsScale, 0, 0)
}

func TestSwissRollRadiusGrowsWithAngle(t *testing.T) {
	// (t cos t, t sin t): r − angle ≡ 0 (mod 2π).
	checkWinding(t, "swissroll", 0.75, func(x, y float64) float64 {
		return math.Hypot(x, y) - math.Atan2(y, x)
	}, 2*math.Pi, swissScale, swissMeanX, swissMeanY)
}

func TestPinwheelArms(t *testing.T) {
	// Arm k lies at angle −(2πk/5 + 0.25·exp(r)) with r ≈ |x|/2: the
	// residual angle + 0.25·exp(|x|/2) is a multiple of 2π/5.
	const period = 2 * math.Pi / 5
	checkWinding(t, "pinwheel", 0.9, func(x, y float64) float64 {
		return math.Atan2(y, x) + 0.25*math.Exp(math.Hypot(x, y)/2)
	}, period, pinwheelScale, 0, 0)
	n := testPoints()
	pts := draw(t, "pinwheel", n, 6)
	var count [5]int
	for i := range n {
		x, y := unscale(pts, i, pinwheelScale, 0, 0)
		phase := -(math.Atan2(y, x) + 0.25*math.Exp(math.Hypot(x, y)/2))
		count[(int(math.Round(phase/period))%5+5)%5]++
	}
	for k := range 5 {
		checkFrac(t, "pinwheel arm", count[k], n, 1.0/5)
	}
}

func BenchmarkSample(b *testing.B) {
	const n = 10_000
	for _, name := range Names() {
		b.Run(name+"/n=10000", func(b *testing.B) {
			toy, _ := New(name)
			pts := make([]float32, 2*n)
			rng := rand.New(rand.NewPCG(1, 1))
			for b.Loop() {
				toy.Sample(pts, rng)
			}
		})
	}
}
