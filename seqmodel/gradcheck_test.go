package seqmodel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Tolerances of the finite-difference gradient checks. The graphs are
// float32, so central differences with step fdStep have truncation error
// O(fdStep²) and rounding error about 1e-7·|cost|/fdStep; the bounds below
// sit an order of magnitude above both for the small graphs used here.
const (
	fdStep = 1e-2
	fdAbs  = 2e-3
	fdRel  = 1e-2
)

// gradCheck compares the analytic gradient of cost = Σ R ⊙ build(...) with
// respect to every parameter in ps against central finite differences. R is a
// fixed random tensor, so every output element is weighted differently.
func gradCheck(t *testing.T, ps *Params, build func(g *Graph) (*G.Node, error)) {
	t.Helper()
	g := NewGraph()
	out, err := build(g)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	r := make([]float32, out.Shape().TotalSize())
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	rn := G.NewTensor(g.G, tensor.Float32, out.Dims(), G.WithShape(out.Shape()...), G.WithName("R"),
		G.WithValue(tensor.New(tensor.WithShape(out.Shape()...), tensor.WithBacking(r))))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(out, rn))))
	var wrt G.Nodes
	for _, p := range ps.All() {
		wrt = append(wrt, g.Param(p))
	}
	if _, err := G.Grad(cost, wrt...); err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g.G, G.BindDualValues(wrt...))
	defer m.Close()
	eval := func() float64 {
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		c := float64(cost.Value().Data().(float32))
		m.Reset()
		return c
	}
	eval()
	analytic := make([][]float32, len(wrt))
	for i, n := range wrt {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		analytic[i] = append([]float32(nil), f32(gv)...)
	}
	for i, p := range ps.All() {
		for j := range p.Data {
			orig := p.Data[j]
			p.Data[j] = orig + fdStep
			up := eval()
			p.Data[j] = orig - fdStep
			down := eval()
			p.Data[j] = orig
			fd := (up - down) / (2 * fdStep)
			an := float64(analytic[i][j])
			if math.Abs(fd-an) > fdAbs+fdRel*math.Abs(fd) {
				t.Errorf("%s[%d]: analytic %.6g, finite difference %.6g", p.Name, j, an, fd)
			}
		}
	}
}

func randomParam(ps *Params, name string, shape []int, rng *rand.Rand) *Param {
	return ps.Add(name, shape, 1, 1, Normal(1), rng)
}

func TestLinearGradient(t *testing.T) {
	for _, dims := range []int{2, 3} {
		rng := rand.New(rand.NewPCG(1, uint64(dims)))
		ps := NewParams()
		shape := []int{5, 3}
		if dims == 3 {
			shape = []int{2, 3, 3}
		}
		x := randomParam(ps, "x", shape, rng)
		l := NewLinear(ps, "lin", 3, 4, Normal(1), rng)
		Normal(1)(l.B.Data, 0, 0, rng)
		gradCheck(t, ps, func(g *Graph) (*G.Node, error) { return l.Apply(g, g.Param(x), true) })
	}
}

func TestActivationGradients(t *testing.T) {
	for _, act := range Activations() {
		t.Run(string(act), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2, 2))
			ps := NewParams()
			x := randomParam(ps, "x", []int{4, 6}, rng)
			for i, v := range x.Data { // keep ReLU's kink out of the difference stencil
				if math.Abs(float64(v)) < 5*fdStep {
					x.Data[i] = 0.3
				}
			}
			gradCheck(t, ps, func(g *Graph) (*G.Node, error) {
				return apply(&activationOp{act: act, dims: 2}, g.Param(x))
			})
		})
	}
}

// TestLinearActivationGradients checks the fused linear+activation op
// against finite differences for every activation, with x of two and three
// dimensions, and its output against the unfused graph (linearOp, then
// activationOp), which must give the same bits: the fused pass runs the
// same kernels on the same values.
func TestLinearActivationGradients(t *testing.T) {
	for _, act := range Activations() {
		for _, dims := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/dims=%d", act, dims), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(9, uint64(dims)))
				ps := NewParams()
				shape := []int{5, 3}
				if dims == 3 {
					shape = []int{2, 3, 3}
				}
				x := randomParam(ps, "x", shape, rng)
				l := NewLinear(ps, "lin", 3, 4, Normal(1), rng)
				Normal(1)(l.B.Data, 0, 0, rng)
				keepOffKinks(t, x, l, rng)
				gradCheck(t, ps, func(g *Graph) (*G.Node, error) {
					return l.applyActivation(g, g.Param(x), true, act)
				})

				g := NewGraph()
				fused, err := l.applyActivation(g, g.Param(x), true, act)
				if err != nil {
					t.Fatal(err)
				}
				got := runForward(t, g, fused)
				g = NewGraph()
				lin, err := l.Apply(g, g.Param(x), true)
				if err != nil {
					t.Fatal(err)
				}
				sep, err := apply(&activationOp{act: act, dims: dims}, lin)
				if err != nil {
					t.Fatal(err)
				}
				want := runForward(t, g, sep)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("fused output[%d] = %v, linear then %s %v", i, got[i], act, want[i])
					}
				}
			})
		}
	}
}

// keepOffKinks redraws x until every pre-activation x·Wᵀ + b is further from
// 0 than a finite-difference step of any one parameter can move it
// (fdStep·max(1, |x|, |W|)), so that ReLU's kink stays out of every
// stencil.
func keepOffKinks(t *testing.T, x *Param, l *Linear, rng *rand.Rand) {
	t.Helper()
	pre := make([]float32, len(x.Data)/l.In*l.Out)
	for range 100 {
		margin := 1.0
		for _, v := range append(append([]float32(nil), x.Data...), l.W.Data...) {
			margin = max(margin, math.Abs(float64(v)))
		}
		margin *= fdStep
		l.Forward(pre, x.Data)
		ok := true
		for _, v := range pre {
			ok = ok && math.Abs(float64(v)) > margin
		}
		if ok {
			return
		}
		Normal(1)(x.Data, 0, 0, rng)
	}
	t.Fatal("no x found with every pre-activation away from 0")
}

func TestMSEGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	ps := NewParams()
	p := randomParam(ps, "pred", []int{3, 4}, rng)
	target := make([]float32, 12)
	for i := range target {
		target[i] = float32(rng.NormFloat64())
	}
	gradCheck(t, ps, func(g *Graph) (*G.Node, error) {
		tn := G.NewTensor(g.G, tensor.Float32, 2, G.WithShape(3, 4), G.WithName("target"),
			G.WithValue(tensor.New(tensor.WithShape(3, 4), tensor.WithBacking(target))))
		loss, err := apply(&mseOp{dims: 2}, g.Param(p), tn)
		if err != nil {
			return nil, err
		}
		// Sum needs a tensor; lift the scalar loss into a 1-vector.
		return G.Reshape(loss, tensor.Shape{1})
	})
}

func TestNormGradients(t *testing.T) {
	for _, rms := range []bool{false, true} {
		name := "layernorm"
		if rms {
			name = "rmsnorm"
		}
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(4, 4))
			ps := NewParams()
			x := randomParam(ps, "x", []int{3, 2, 5}, rng)
			var n *Norm
			if rms {
				n = NewRMSNorm(ps, "norm", 5, rng)
			} else {
				n = NewLayerNorm(ps, "norm", 5, rng)
				Normal(1)(n.Bias.Data, 0, 0, rng)
			}
			Normal(1)(n.Gain.Data, 0, 0, rng)
			gradCheck(t, ps, func(g *Graph) (*G.Node, error) { return n.Apply(g, g.Param(x)) })
		})
	}
}

func TestMLPGradient(t *testing.T) {
	for _, act := range Activations() {
		t.Run(string(act), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 5))
			ps := NewParams()
			x := randomParam(ps, "x", []int{4, 3}, rng)
			m := NewMLP(ps, "mlp", 3, 6, 2, 2, act, rng)
			gradCheck(t, ps, func(g *Graph) (*G.Node, error) { return m.Apply(g, g.Param(x), true) })
		})
	}
}

// runForward evaluates a graph output once without gradients.
func runForward(t *testing.T, g *Graph, out *G.Node) []float32 {
	t.Helper()
	m := G.NewTapeMachine(g.G)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), f32(out.Value())...)
}

// TestForwardMatchesGraph checks that the gradient-free Forward paths used
// for sampling compute what the training graph computes.
func TestForwardMatchesGraph(t *testing.T) {
	const tol = 1e-5
	rng := rand.New(rand.NewPCG(6, 6))
	ps := NewParams()
	x := randomParam(ps, "x", []int{7, 5}, rng)
	mlp := NewMLP(ps, "mlp", 5, 8, 3, 2, SiLU, rng)
	ln := NewLayerNorm(ps, "ln", 5, rng)
	rms := NewRMSNorm(ps, "rms", 5, rng)
	Normal(1)(ln.Gain.Data, 0, 0, rng)
	Normal(1)(ln.Bias.Data, 0, 0, rng)
	Normal(1)(rms.Gain.Data, 0, 0, rng)

	cases := []struct {
		name    string
		build   func(g *Graph) (*G.Node, error)
		forward func() []float32
	}{
		{"mlp", func(g *Graph) (*G.Node, error) { return mlp.Apply(g, g.Param(x), false) }, func() []float32 {
			dst := make([]float32, 7*2)
			mlp.Forward(dst, x.Data, make([]float32, mlp.ScratchSize(7)))
			return dst
		}},
		{"layernorm", func(g *Graph) (*G.Node, error) { return ln.Apply(g, g.Param(x)) }, func() []float32 {
			dst := make([]float32, 35)
			ln.Forward(dst, x.Data)
			return dst
		}},
		{"rmsnorm", func(g *Graph) (*G.Node, error) { return rms.Apply(g, g.Param(x)) }, func() []float32 {
			dst := make([]float32, 35)
			rms.Forward(dst, x.Data)
			return dst
		}},
	}
	for _, c := range cases {
		g := NewGraph()
		out, err := c.build(g)
		if err != nil {
			t.Fatal(err)
		}
		want := runForward(t, g, out)
		got := c.forward()
		for i := range want {
			if !(math.Abs(float64(got[i]-want[i])) <= tol*(1+math.Abs(float64(want[i])))) {
				t.Fatalf("%s: Forward[%d] = %v, graph %v", c.name, i, got[i], want[i])
			}
		}
	}
}

// TestNormStatistics checks the normalised output against the definition:
// LayerNorm rows have mean 0 and variance 1 (up to ε), RMSNorm rows mean
// square 1, with unit gain and zero bias.
func TestNormStatistics(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	ps := NewParams()
	ln := NewLayerNorm(ps, "ln", 64, rng)
	rms := NewRMSNorm(ps, "rms", 64, rng)
	x := make([]float32, 4*64)
	for i := range x {
		x[i] = float32(3 + 2*rng.NormFloat64())
	}
	y := make([]float32, len(x))
	ln.Forward(y, x)
	for r := 0; r < 4; r++ {
		var m, v float64
		for _, e := range y[r*64 : (r+1)*64] {
			m += float64(e) / 64
		}
		for _, e := range y[r*64 : (r+1)*64] {
			v += (float64(e) - m) * (float64(e) - m) / 64
		}
		if math.Abs(m) > 1e-5 || math.Abs(v-1) > 1e-4 {
			t.Errorf("layernorm row %d: mean %g variance %g", r, m, v)
		}
	}
	rms.Forward(y, x)
	for r := 0; r < 4; r++ {
		var ms float64
		for _, e := range y[r*64 : (r+1)*64] {
			ms += float64(e) * float64(e) / 64
		}
		if math.Abs(ms-1) > 1e-4 {
			t.Errorf("rmsnorm row %d: mean square %g", r, ms)
		}
	}
}

func TestTimeEmbedding(t *testing.T) {
	const dim = 7 // odd: the last value stays 0
	dst := make([]float32, 2*dim)
	TimeEmbedding(dst, []float32{0, 0.25}, dim)
	want0 := []float32{1, 1, 1, 0, 0, 0, 0} // cos first: cos 0 = 1, sin 0 = 0
	for j, w := range want0 {
		if dst[j] != w {
			t.Fatalf("t=0: emb = %v, want %v", dst[:dim], want0)
		}
	}
	half := dim / 2
	for j := range half {
		a := TimeScale * 0.25 * math.Exp(-math.Log(10000)*float64(j)/float64(half))
		if math.Abs(float64(dst[dim+j])-math.Cos(a)) > 1e-6 || math.Abs(float64(dst[dim+half+j])-math.Sin(a)) > 1e-6 {
			t.Fatalf("t=0.25 frequency %d: got cos %v sin %v, want %v %v", j, dst[dim+j], dst[dim+half+j], math.Cos(a), math.Sin(a))
		}
	}
	if dst[2*dim-1] != 0 {
		t.Fatalf("odd dim: last value %v, want 0", dst[2*dim-1])
	}
}
