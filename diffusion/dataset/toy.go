package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Default is the toy set a bare `seqlab train` learns.
const Default = "checkerboard"

// Toy is a seeded generator of 2-D points.
type Toy interface {
	// Name is the set's name as accepted by New.
	Name() string
	// Sample fills dst (n·2 values, row-major x,y pairs) with n = len(dst)/2
	// fresh points drawn from rng. It panics if len(dst) is odd.
	Sample(dst []float32, rng *rand.Rand)
}

// Names returns the names of all toy sets, sorted.
func Names() []string {
	names := make([]string, 0, len(toys))
	for name := range toys {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// New returns the toy set called name; for an unknown name the error lists
// the valid ones. All sets have mean 0 and E|x|² = 2 (see the package doc);
// "FFJORD" below means rtqichen/ffjord lib/toy_data.py, whose coordinates
// are multiplied by the stated factor. Per-axis standard deviations are
// exact values of the distribution:
//
//	checkerboard  x ~ U[−2, 2], y uniform on the 2 of 4 unit cells in x's column
//	              with floor(x) ≡ floor(y) mod 2 (8 filled squares); × √3/2.
//	              std (1, 1).
//	moons         sklearn two moons (upper arc (cos t, sin t), lower arc
//	              (1 − cos t, ½ − sin t), t ~ U[0, π], noise 0.1), centred by
//	              (½, ¼), × 1.40429. std (1.22423, 0.70800).
//	8gaussians    N(c, 0.5²I) with c uniform over the 8 points of radius 4 at
//	              angles kπ/4; × 1/√8.25 = 0.348155 (FFJORD: 1/1.414).
//	              std (1, 1).
//	2spirals      FFJORD 2spirals (two opposite spirals r = n, n = 3π√U,
//	              U[0, ½] jitter, /3, noise 0.1); × 0.626040. std (1.00821, 0.99172).
//	swissroll     sklearn swiss roll (t cos t, t sin t), t ~ U[1.5π, 4.5π],
//	              noise 1, centred by (2, 2/(3π)), × 0.145723 (FFJORD: 1/5).
//	              std (0.97606, 1.02338).
//	pinwheel      FFJORD pinwheel (5 arms, radial std 0.3, tangential std 0.1,
//	              rate 0.25, ×2), × 1/√2.2 = 0.674200. std (1, 1).
//	rings         FFJORD rings (4 circles of radius 3, 2.25, 1.5, 0.75, equal
//	              weights, noise 0.08), × 0.687488. std (1, 1).
//	circles       FFJORD circles (sklearn circles: radius 1 and 0.5, equal
//	              weights, noise 0.08, then ×3), here × 1.77081 on the radius-1
//	              scale. std (1, 1).
func New(name string) (Toy, error) {
	point, ok := toys[name]
	if !ok {
		return nil, fmt.Errorf("dataset: unknown toy set %q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	return toy{name: name, point: point}, nil
}

// toy implements Toy with a function that draws one point.
type toy struct {
	name  string
	point func(rng *rand.Rand) (x, y float64)
}

func (t toy) Name() string { return t.name }

func (t toy) Sample(dst []float32, rng *rand.Rand) {
	if len(dst)%2 != 0 {
		panic(fmt.Sprintf("dataset: %s.Sample: len(dst) = %d is not a multiple of 2", t.name, len(dst)))
	}
	for i := 0; i < len(dst); i += 2 {
		x, y := t.point(rng)
		dst[i], dst[i+1] = float32(x), float32(y)
	}
}

var toys = map[string]func(rng *rand.Rand) (x, y float64){
	"checkerboard": checkerboard,
	"moons":        moons,
	"8gaussians":   eightGaussians,
	"2spirals":     twoSpirals,
	"swissroll":    swissRoll,
	"pinwheel":     pinwheel,
	"rings":        rings,
	"circles":      circles,
}

// Scale factors and centres. Each scale is √(2 / (Var x + Var y)) of the
// unscaled set, with the variances derived in the comment of its generator.
var (
	// U[−2, 2] has variance 4/3 on each axis.
	checkerboardScale = math.Sqrt(3) / 2

	moonsNoise  = 0.1
	moonsMeanX  = 0.5
	moonsMeanY  = 0.25
	moonsVarX   = 0.75 + moonsNoise*moonsNoise
	moonsVarY   = 9.0/16 - 1/math.Pi + moonsNoise*moonsNoise
	moonsScale  = math.Sqrt(2 / (moonsVarX + moonsVarY))
	gaussRadius = 4.0
	gaussStd    = 0.5
	gaussScale  = 1 / math.Sqrt(gaussRadius*gaussRadius/2+gaussStd*gaussStd)

	spiralsVarX  = (9*math.Pi*math.Pi/4+0.75+2/(3*math.Pi)+1.0/12)/9 + 0.01
	spiralsVarY  = (9*math.Pi*math.Pi/4-0.75+1-4/(9*math.Pi*math.Pi)+1.0/12)/9 + 0.01
	spiralsScale = math.Sqrt(2 / (spiralsVarX + spiralsVarY))

	swissMeanX = 2.0
	swissMeanY = 2 / (3 * math.Pi)
	swissVarX  = 39*math.Pi*math.Pi/8 - 0.25 - swissMeanX*swissMeanX + 1
	swissVarY  = 39*math.Pi*math.Pi/8 + 0.25 - swissMeanY*swissMeanY + 1
	swissScale = math.Sqrt(2 / (swissVarX + swissVarY))

	// The rotated features (r, τ) have E[r² + τ²] = 1 + 0.3² + 0.1² = 1.1;
	// FFJORD doubles them, giving per-axis variance 4·1.1/2 = 2.2.
	pinwheelScale = 1 / math.Sqrt(2.2)

	ringsNoise = 0.08
	// Per-axis variance E[R²]/2 + noise² with R uniform on {3, 2.25, 1.5, 0.75}.
	ringsScale = 1 / math.Sqrt((9+5.0625+2.25+0.5625)/8+ringsNoise*ringsNoise)

	circlesNoise = 0.08
	// Per-axis variance E[R²]/2 + noise² with R uniform on {1, 0.5}.
	circlesScale = 1 / math.Sqrt((1+0.25)/4+circlesNoise*circlesNoise)
)

// checkerboard follows FFJORD: x ~ U[−2, 2]; y = u − 2b + (floor(x) mod 2)
// with u ~ U[0, 1), b ∈ {0, 1}, so y is uniform on the two unit cells of x's
// column whose row has the parity of x's column. Both marginals are U[−2, 2].
func checkerboard(rng *rand.Rand) (x, y float64) {
	x = 4*rng.Float64() - 2
	col := int(math.Floor(x)) & 1 // floor(x) mod 2, in {0, 1} also for negative x
	y = rng.Float64() - 2*float64(rng.IntN(2)) + float64(col)
	return x * checkerboardScale, y * checkerboardScale
}

// moons is sklearn's make_moons with noise 0.1, with the arc position drawn
// uniformly instead of on a grid. With t ~ U[0, π] the upper arc has mean
// (0, 2/π), the lower (1, ½ − 2/π); the mixture has mean (½, ¼),
// E[x²] = 1 and E[y²] = 5/8 − 1/π, so Var x = 3/4 and Var y = 9/16 − 1/π,
// plus the noise variance on each.
func moons(rng *rand.Rand) (x, y float64) {
	t := math.Pi * rng.Float64()
	if rng.IntN(2) == 0 {
		x, y = math.Cos(t), math.Sin(t)
	} else {
		x, y = 1-math.Cos(t), 0.5-math.Sin(t)
	}
	x += moonsNoise*rng.NormFloat64() - moonsMeanX
	y += moonsNoise*rng.NormFloat64() - moonsMeanY
	return x * moonsScale, y * moonsScale
}

// eightGaussians is FFJORD's 8gaussians: N(c, 0.5²I) with c one of the 8
// points of radius 4 at angles kπ/4, k uniform. By symmetry the mean is 0 and
// the covariance (R²/2 + σ²) I = 8.25 I.
func eightGaussians(rng *rand.Rand) (x, y float64) {
	angle := float64(rng.IntN(8)) * math.Pi / 4
	x = gaussRadius*math.Cos(angle) + gaussStd*rng.NormFloat64()
	y = gaussRadius*math.Sin(angle) + gaussStd*rng.NormFloat64()
	return x * gaussScale, y * gaussScale
}

// twoSpirals is FFJORD's 2spirals: n = 3π√u (540°), a point
// (−n cos n + u₁/2, n sin n + u₂/2) with u₁, u₂ ~ U[0, 1), negated for the
// second spiral, divided by 3, plus N(0, 0.1²) noise. The mean is 0 by the
// ± symmetry. With n's density 2n/(3π)² on [0, 3π]:
// E[n² cos² n] = 9π²/4 + 3/4, E[n² sin² n] = 9π²/4 − 3/4,
// E[n cos n] = −4/(3π), E[n sin n] = 2 − 8/(9π²), which give
// Var x = (9π²/4 + 3/4 + 2/(3π) + 1/12)/9 + 0.01 and
// Var y = (9π²/4 − 3/4 + 1 − 4/(9π²) + 1/12)/9 + 0.01.
func twoSpirals(rng *rand.Rand) (x, y float64) {
	n := 3 * math.Pi * math.Sqrt(rng.Float64())
	x = -n*math.Cos(n) + rng.Float64()/2
	y = n*math.Sin(n) + rng.Float64()/2
	if rng.IntN(2) == 1 {
		x, y = -x, -y
	}
	x = x/3 + 0.1*rng.NormFloat64()
	y = y/3 + 0.1*rng.NormFloat64()
	return x * spiralsScale, y * spiralsScale
}

// swissRoll is sklearn's make_swiss_roll(noise=1) projected on its first and
// third coordinates as in FFJORD: (t cos t, t sin t) + N(0, I) with
// t ~ U[1.5π, 4.5π]. Integrating over t: E[t cos t] = 2,
// E[t sin t] = 2/(3π), E[t²] = 39π²/4, E[t² cos² t] = E[t²]/2 − 1/4 and
// E[t² sin² t] = E[t²]/2 + 1/4.
func swissRoll(rng *rand.Rand) (x, y float64) {
	t := 1.5 * math.Pi * (1 + 2*rng.Float64())
	x = t*math.Cos(t) + rng.NormFloat64() - swissMeanX
	y = t*math.Sin(t) + rng.NormFloat64() - swissMeanY
	return x * swissScale, y * swissScale
}

// pinwheel is FFJORD's pinwheel: features r ~ N(1, 0.3²), τ ~ N(0, 0.1²)
// rotated by −(2πk/5 + 0.25·exp(r)) for an arm k uniform in 0..4, times 2.
// Rotation keeps |x|², and the 5-fold symmetry makes the mean 0 and the
// covariance isotropic.
func pinwheel(rng *rand.Rand) (x, y float64) {
	r := 1 + 0.3*rng.NormFloat64()
	tau := 0.1 * rng.NormFloat64()
	angle := 2*math.Pi*float64(rng.IntN(5))/5 + 0.25*math.Exp(r)
	sin, cos := math.Sincos(angle)
	x = r*cos + tau*sin
	y = -r*sin + tau*cos
	return 2 * x * pinwheelScale, 2 * y * pinwheelScale
}

// rings is FFJORD's rings: a circle of radius 3, 2.25, 1.5 or 0.75 chosen
// uniformly, a uniform angle and N(0, 0.08²) noise.
func rings(rng *rand.Rand) (x, y float64) {
	radius := 0.75 * float64(1+rng.IntN(4))
	sin, cos := math.Sincos(2 * math.Pi * rng.Float64())
	x = radius*cos + ringsNoise*rng.NormFloat64()
	y = radius*sin + ringsNoise*rng.NormFloat64()
	return x * ringsScale, y * ringsScale
}

// circles is sklearn's make_circles(factor=0.5, noise=0.08): a circle of
// radius 1 or 0.5 chosen uniformly, a uniform angle and N(0, 0.08²) noise.
func circles(rng *rand.Rand) (x, y float64) {
	radius := 1.0
	if rng.IntN(2) == 1 {
		radius = 0.5
	}
	sin, cos := math.Sincos(2 * math.Pi * rng.Float64())
	x = radius*cos + circlesNoise*rng.NormFloat64()
	y = radius*sin + circlesNoise*rng.NormFloat64()
	return x * circlesScale, y * circlesScale
}
