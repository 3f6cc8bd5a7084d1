package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbinet/npyio"
	"github.com/seqlab/seqlab/diffusion"
)

// trainSmall trains a small run with extra flags into a fresh directory and
// returns its checkpoint path.
func trainSmall(t *testing.T, extra ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	if out, err := run(t, small(dir, extra...)...); err != nil {
		t.Fatalf("train %v: %v\n%s", extra, err, out)
	}
	return filepath.Join(dir, fileCheckpoint)
}

// TestSamplerBudget checks that --nfe is the number of network evaluations
// each sampler spends, counting the final denoising evaluation on schedules
// that stop short of t = 0.
func TestSamplerBudget(t *testing.T) {
	ckpt := trainSmall(t, "--objective", "ddpm")
	r, err := loadRun(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		sampler        string
		nfe            int
		steps, wantNFE int
	}{
		{"euler", 10, 9, 10}, // 9 steps + denoise
		{"heun", 11, 5, 11},  // 5·2 + denoise
		{"rk4", 13, 3, 13},   // 3·4 + denoise
		{"em", 10, 9, 10},    // 9 + denoise
		{"pc", 9, 4, 9},      // 4·(1+1) + denoise
		{"ddpm", 10, 10, 10}, // the DDPM family ends on x̂0 itself
		{"ddim", 7, 7, 7},
		{"analytic-ddpm", 6, 6, 6},
	}
	for _, c := range cases {
		s := sampleSettings{name: c.sampler, nfe: c.nfe, n: 20, opts: diffusion.DefaultOptions()}
		rng := rand.New(rand.NewPCG(1, 2))
		smp, prep, err := s.sampler(r, rng)
		if err != nil {
			t.Fatalf("%s: %v", c.sampler, err)
		}
		_, st, err := s.draw(smp, r, rng)
		if err != nil {
			t.Fatalf("%s: %v", c.sampler, err)
		}
		if st.NFE != c.wantNFE || st.Steps != c.steps {
			t.Errorf("%s --nfe %d: %d steps, NFE %d; want %d steps, NFE %d", c.sampler, c.nfe, st.Steps, st.NFE, c.steps, c.wantNFE)
		}
		if strings.HasPrefix(c.sampler, "analytic") && prep.NFE != c.steps {
			t.Errorf("%s: Γ estimated with %d evaluations, want one per step (%d)", c.sampler, prep.NFE, c.steps)
		}
	}
}

// TestAnalyticFamily runs the Analytic-DPM family end to end from the
// command line: Γ estimated on the fly, covariance heads trained by seqlab
// head, and the likelihood columns of eval --nll.
func TestAnalyticFamily(t *testing.T) {
	ckpt := trainSmall(t, "--objective", "ddpm")
	evalArgs := []string{"eval", "--ckpt", ckpt, "--n", "100", "--nfe", "10"}
	if _, err := run(t, append(evalArgs, "--sampler", "sn-ddpm")...); err == nil || !strings.Contains(err.Error(), "seqlab head --kind sn") {
		t.Errorf("sn-ddpm without a head: error %v, want one saying how to train it", err)
	}
	for _, kind := range []string{"sn", "npr"} {
		if out, err := run(t, "head", "--ckpt", ckpt, "--kind", kind, "--steps", "30", "--batch", "64"); err != nil {
			t.Fatalf("head --kind %s: %v\n%s", kind, err, out)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(ckpt), headFile(kind))); err != nil {
			t.Errorf("head --kind %s wrote no %s", kind, headFile(kind))
		}
	}
	out, err := run(t, append(evalArgs, "--samplers", "ddpm,analytic-ddpm,sn-ddpm,npr-ddim,ddim,heun", "--eta", "0", "--nll", "--nll-n", "30")...)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, out)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			rows[f[0]] = line
		}
	}
	// The DDPM family with η > 0 has a bound; DDIM at η = 0 and the ODE do not.
	for name, hasELBO := range map[string]bool{"ddpm": true, "analytic-ddpm": true, "sn-ddpm": true, "npr-ddim": false, "ddim": false, "heun": false} {
		row, ok := rows[name]
		if !ok {
			t.Fatalf("eval table lacks %s:\n%s", name, out)
		}
		// A bound is "mean ± se", or "inf (σ²=0)" where a head leaves a step no variance.
		cell := strings.Contains(row, "±") || strings.Contains(row, "inf (σ²=0)")
		if cell != hasELBO || strings.Contains(row, "error") {
			t.Errorf("row %q: want an ELBO cell %t", row, hasELBO)
		}
	}
	if !strings.Contains(out, "probability-flow ODE (rk45, exact divergence): −log p =") {
		t.Errorf("eval --nll lacks the ODE likelihood:\n%s", out)
	}
	// A head belongs to its run: it is refused for another one.
	other := trainSmall(t, "--objective", "score")
	_, err = run(t, "eval", "--ckpt", other, "--sampler", "npr-ddpm", "--head", filepath.Join(filepath.Dir(ckpt), headFile("npr")), "--n", "10")
	if err == nil || !strings.Contains(err.Error(), "was trained for a ddpm") {
		t.Errorf("a ddpm head on a score run: error %v", err)
	}
}

func TestHeadRejectsBadInput(t *testing.T) {
	flow := trainSmall(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--ckpt", flow}, "ε-objective"},
		{[]string{"--ckpt", flow, "--kind", "full"}, "sn, npr"},
		{[]string{"--ckpt", flow + ".missing"}, ".missing"},
	} {
		_, err := run(t, append([]string{"head", "--steps", "5"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("head %v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
	// eval refuses what it cannot finish before it prints or samples anything.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--nfes", "10,x"}, `"x"`},
		{[]string{"--nll", "--probes", "-2"}, "probes"},
		{[]string{"--nll", "--atol", "0"}, "atol"},
		{[]string{"--sampler", "sn-ddpm"}, "no covariance head"},
	} {
		out, err := run(t, append([]string{"eval", "--ckpt", flow, "-n", "10"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) || out != "" {
			t.Errorf("eval %v: error %v and output %q, want an error containing %q and no output", c.args, err, out, c.want)
		}
	}
}

// TestSampleLogp checks sample --logp: one finite log-density per sample,
// and each equal to the log-density the likelihood computes afresh at the
// returned point (the forward and reverse ODE solves agree).
func TestSampleLogp(t *testing.T) {
	ckpt := trainSmall(t)
	prefix := filepath.Join(t.TempDir(), "s")
	if out, err := run(t, "sample", "--ckpt", ckpt, "--logp", "--n", "20", "--rtol", "1e-7", "--atol", "1e-7", "--out", prefix); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var x, logp []float32
	readNpy(t, prefix+".npy", &x)
	readNpy(t, prefix+"-logp.npy", &logp)
	if len(x) != 40 || len(logp) != 20 {
		t.Fatalf("%d sample values and %d log-densities, want 40 and 20", len(x), len(logp))
	}
	r, err := loadRun(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	again := make([]float64, 20)
	l := diffusion.DefaultLikelihood()
	l.RTol, l.ATol = 1e-7, 1e-7
	if _, err := l.LogDensity(again, nil, r.model, x, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Both solves run at rtol = atol = 1e-7 (at the default 1e-5 the two
	// disagree by up to ~5e-2 nats on this model).
	const tolNats = 1e-3
	for i := range logp {
		if math.IsNaN(float64(logp[i])) || !(math.Abs(float64(logp[i])-again[i]) <= tolNats) {
			t.Errorf("sample %d: log p %v from sampling, %v recomputed", i, logp[i], again[i])
		}
	}
}

func readNpy(t *testing.T, path string, dst *[]float32) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := npyio.Read(f, dst); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
