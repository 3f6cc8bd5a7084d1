package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seqlab/seqlab/asm"
	"github.com/seqlab/seqlab/seqmodel"
)

// run executes the seqlab command line in-process and returns its output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &out
	err := app.Run(append([]string{"seqlab"}, args...))
	return out.String(), err
}

// small is a training run that finishes in a second or two.
func small(dir string, extra ...string) []string {
	return append([]string{"train", "--steps", "60", "--batch", "64", "--width", "32", "--depth", "2",
		"--time-dim", "8", "--n", "400", "--nfe", "10", "--ckpt-every", "20", "--log-every", "10", "--out", dir}, extra...)
}

func TestTrainWritesRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out, err := run(t, small(dir)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, f := range []string{fileConfig, fileMetrics, fileCheckpoint, fileSamples, fileSamplesNpy, fileLoss, fileEval} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run directory lacks %s", f)
		}
	}
	for _, f := range []string{fileSamples, fileLoss} {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(fh); err != nil {
			t.Errorf("%s is not a PNG: %v", f, err)
		}
		fh.Close()
	}
	// metrics.jsonl: one line per 10 steps with finite, falling loss.
	fh, _ := os.Open(filepath.Join(dir, fileMetrics))
	defer fh.Close()
	var lines []metricsLine
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		var m metricsLine
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("metrics line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 6 || lines[5].Step != 60 {
		t.Fatalf("metrics.jsonl has %d lines ending at step %d, want 6 ending at 60", len(lines), lines[len(lines)-1].Step)
	}
	if !(lines[5].Loss < lines[0].Loss) {
		t.Errorf("loss did not fall: %v → %v", lines[0].Loss, lines[5].Loss)
	}
	ck, err := seqmodel.LoadCheckpoint(filepath.Join(dir, fileCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	if ck.Step != 60 || ck.EMA == nil || ck.M == nil {
		t.Errorf("checkpoint step %d, EMA %t, moments %t", ck.Step, ck.EMA != nil, ck.M != nil)
	}
	var ev evalResult
	b, _ := os.ReadFile(filepath.Join(dir, fileEval))
	if err := json.Unmarshal(b, &ev); err != nil || ev.NFE == 0 || !(ev.Samples.SlicedW2 > 0) || !(ev.Baseline.SlicedW2 > 0) {
		t.Errorf("eval.json %s: %v", b, err)
	}

	// sample and eval work on the checkpoint.
	prefix := filepath.Join(t.TempDir(), "s")
	if out, err := run(t, "sample", "--ckpt", filepath.Join(dir, fileCheckpoint), "--sampler", "rk4", "--nfe", "8", "--n", "50", "--out", prefix); err != nil {
		t.Fatalf("sample: %v\n%s", err, out)
	}
	for _, f := range []string{prefix + ".npy", prefix + ".png"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("sample did not write %s", f)
		}
	}
	out, err = run(t, "eval", "--ckpt", filepath.Join(dir, fileCheckpoint), "--samplers", "euler,heun,rk4", "--nfe", "8", "--n", "100")
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, out)
	}
	for _, want := range []string{"euler", "heun", "rk4", "data vs data"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval table lacks %q:\n%s", want, out)
		}
	}
}

// TestTrainReproducible checks that the same seed and flags give
// bit-identical checkpoints, and that a run split with --stop-after and
// --resume ends with the same bits as an uninterrupted one.
func TestTrainReproducible(t *testing.T) {
	base := t.TempDir()
	a, b, c := filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "c")
	for _, dir := range []string{a, b} {
		if out, err := run(t, small(dir)...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	if out, err := run(t, small(c, "--stop-after", "30")...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(c, fileSamples)); err == nil {
		t.Errorf("a stopped run evaluated early")
	}
	if out, err := run(t, small(c, "--resume")...); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	ref, _ := os.ReadFile(filepath.Join(a, fileCheckpoint))
	for _, dir := range []string{b, c} {
		got, _ := os.ReadFile(filepath.Join(dir, fileCheckpoint))
		if !bytes.Equal(got, ref) {
			t.Errorf("%s/%s differs from %s's", filepath.Base(dir), fileCheckpoint, filepath.Base(a))
		}
	}
}

// bf16LossTol bounds the relative difference of the final losses of a
// bfloat16 and a float32 run of 60 steps: bfloat16 rounding perturbs each
// product by about 2⁻⁸, far less than the minibatch noise of the loss
// (measured: 1.925 and 1.925); a broken product (a wrong tile, a missed
// block) leaves the loss at its initial level or above.
const bf16LossTol = 0.05

// TestTrainBF16 checks a run with bfloat16 matmuls: it records its
// precision, reproduces bit for bit, resumes in the precision it was
// started in, and learns (its loss falls, to where the float32 run's
// does). Where the machine has no AVX512-BF16, the run must fail before
// writing anything, saying why.
func TestTrainBF16(t *testing.T) {
	defer asm.SetMatmulPrecision(asm.FP32)
	base := t.TempDir()
	a, b, f := filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "f")
	out, err := run(t, small(a, "--precision", "bf16")...)
	if err != nil {
		if asm.SetMatmulPrecision(asm.BF16) == nil {
			t.Fatalf("bf16 run failed on a machine with AVX512-BF16: %v\n%s", err, out)
		}
		if !strings.Contains(err.Error(), "--precision") {
			t.Errorf("bf16 run without AVX512-BF16: error %v does not name --precision", err)
		}
		if _, serr := os.Stat(a); serr == nil {
			t.Errorf("bf16 run without AVX512-BF16 wrote %s", a)
		}
		return
	}
	var rc runConfig
	raw, _ := os.ReadFile(filepath.Join(a, fileConfig))
	if err := json.Unmarshal(raw, &rc); err != nil || rc.Precision != asm.BF16 {
		t.Fatalf("config.json precision %q (%v), want bf16", rc.Precision, err)
	}
	// Half the run, then a resume without the flag: the checkpoint's
	// precision must carry on.
	if out, err := run(t, small(b, "--precision", "bf16", "--stop-after", "30")...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err := run(t, small(b, "--resume")...); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	ref, _ := os.ReadFile(filepath.Join(a, fileCheckpoint))
	got, _ := os.ReadFile(filepath.Join(b, fileCheckpoint))
	if !bytes.Equal(got, ref) {
		t.Errorf("a bf16 run stopped and resumed differs from an uninterrupted one")
	}
	if out, err := run(t, small(f)...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lossBF, lossF := lastLoss(t, a), lastLoss(t, f)
	firstBF := firstLoss(t, a)
	if !(lossBF < firstBF) || !(math.Abs(lossBF-lossF) <= bf16LossTol*lossF) {
		t.Errorf("bf16 loss %.4g (first %.4g), fp32 loss %.4g: bf16 did not train like fp32", lossBF, firstBF, lossF)
	}
}

// firstLoss and lastLoss return the loss on the first and the last line of
// a run's metrics.jsonl.
func firstLoss(t *testing.T, dir string) float64 { return metricsLoss(t, dir, true) }
func lastLoss(t *testing.T, dir string) float64  { return metricsLoss(t, dir, false) }

func metricsLoss(t *testing.T, dir string, first bool) float64 {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, fileMetrics))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	line := lines[len(lines)-1]
	if first {
		line = lines[0]
	}
	var m metricsLine
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%s: %v", fileMetrics, err)
	}
	return m.Loss
}

func TestTrainRejectsBadInput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--data", "spiral"}, "checkerboard"},
		{[]string{"--backbone", "transformer"}, "mlp"},
		{[]string{"--objective", "gan"}, "flow"},
		{[]string{"--sampler", "euler2"}, "heun"},
		{[]string{"--activation", "swish"}, "silu"},
		{[]string{"--precision", "fp16"}, "bf16"},
		{[]string{"--batch", "0"}, "--batch"},
		{[]string{"--n", "1"}, "-n 1"},
		{[]string{"--objective", "score", "--sampler", "pc", "--corrector", "1000000000"}, "--corrector"},
		{[]string{"--objective", "score", "--sampler", "pc", "--corrector", "-1"}, "--corrector"},
		{[]string{"--clip", "NaN"}, "clip"},
		{[]string{"--sampler", "rk45", "--rtol", "Inf"}, "rtol"},
		{[]string{"--sampler", "rk45", "--atol", "1e-300"}, "atol"},
		{[]string{"--resume"}, "resume"},
		{[]string{"moons", "--steps", "5"}, `unexpected argument "moons"`},
	}
	for _, c := range cases {
		out, err := run(t, small(dir, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q\n%s", c.args, err, c.want, out)
		}
		if _, serr := os.Stat(dir); serr == nil {
			t.Fatalf("%v: wrote %s despite the error", c.args, dir)
		}
	}
	// An existing run is never overwritten.
	if out, err := run(t, small(dir)...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	before, _ := os.ReadFile(filepath.Join(dir, fileCheckpoint))
	if _, err := run(t, small(dir, "--seed", "2")...); err == nil || !strings.Contains(err.Error(), "already holds a run") {
		t.Errorf("second run into %s: error %v", dir, err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, fileCheckpoint))
	if !bytes.Equal(before, after) {
		t.Errorf("the existing checkpoint changed")
	}
}

// TestTrainStopsOnNaN drives the loss to infinity with an absurd learning
// rate: training must stop naming the step, and the checkpoint on disk must
// be the last good one.
func TestTrainStopsOnNaN(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out, err := run(t, small(dir, "--lr", "1e30", "--warmup", "0", "--ckpt-every", "1")...)
	if err == nil || !strings.Contains(err.Error(), "step") || !strings.Contains(err.Error(), "last good checkpoint") {
		t.Fatalf("error %v, want a non-finite stop naming the step and the checkpoint\n%s", err, out)
	}
	ck, err := seqmodel.LoadCheckpoint(filepath.Join(dir, fileCheckpoint))
	if err != nil {
		t.Fatalf("the last good checkpoint does not load: %v", err)
	}
	if ck.Step >= 60 {
		t.Errorf("checkpoint at step %d: training did not stop early", ck.Step)
	}
	for _, p := range ck.Params.All() {
		for _, v := range p.Data {
			if v != v || v > 3e38 || v < -3e38 {
				t.Fatalf("checkpoint weight %s holds %v", p.Name, v)
			}
		}
	}
}

func TestSampleRejectsBadCheckpoint(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(bad, []byte("not a checkpoint at all"), 0o644)
	for _, path := range []string{filepath.Join(dir, "missing.safetensors"), bad} {
		_, err := run(t, "sample", "--ckpt", path)
		if err == nil || !strings.Contains(err.Error(), filepath.Base(path)) {
			t.Errorf("sample --ckpt %s: error %v, want one naming the file", path, err)
		}
	}
}

func TestTrainConfigFile(t *testing.T) {
	base := t.TempDir()
	cfg := filepath.Join(base, "run.yaml")
	os.WriteFile(cfg, []byte("steps: 20\nwidth: 16\nlr: 0.01\nseed: 7\nactivation: relu\n"), 0o644)
	dir := filepath.Join(base, "run")
	// --width on the command line wins over the file; SEQLAB_ACTIVATION over the file and the default.
	t.Setenv("SEQLAB_ACTIVATION", "gelu")
	if out, err := run(t, small(dir, "--config", cfg, "--width", "24")...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var rc runConfig
	b, _ := os.ReadFile(filepath.Join(dir, fileConfig))
	if err := json.Unmarshal(b, &rc); err != nil {
		t.Fatal(err)
	}
	// small() passes --steps 60 on the command line, so the file's 20 loses.
	if rc.Optim.Steps != 60 || rc.Net.Width != 24 || rc.Net.Activation != "gelu" || rc.Optim.LR != 0.01 || rc.Seed != 7 {
		t.Errorf("config.json %+v: want steps 60 (flag), width 24 (flag), activation gelu (env), lr 0.01 and seed 7 (file)", rc)
	}
	for content, want := range map[string]string{
		"stepz: 5\n":         `unknown key "stepz"`,
		"warmup: many\n":     `key "warmup"`,
		"steps: [1, 2]\n":    "single value",
		"- just\n- a list\n": "not a YAML map",
	} {
		os.WriteFile(cfg, []byte(content), 0o644)
		bad := filepath.Join(base, "bad")
		_, err := run(t, small(bad, "--config", cfg)...)
		os.RemoveAll(bad)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "run.yaml") {
			t.Errorf("config %q: error %v, want one naming run.yaml and containing %q", content, err, want)
		}
	}
}

// A run's config.json, passed back as --config, reproduces the run: the
// second run's config and checkpoint are byte for byte the first's.
func TestTrainConfigFromRun(t *testing.T) {
	base := t.TempDir()
	first, again := filepath.Join(base, "first"), filepath.Join(base, "again")
	settings := []string{"--data", "moons", "--objective", "ddpm", "--steps", "30", "--batch", "32", "--width", "16", "--depth", "2",
		"--time-dim", "8", "--activation", "gelu", "--lr", "0.004", "--weight-decay", "0.01", "--clip", "0.5",
		"--warmup", "5", "--ema", "0.99", "--seed", "9"}
	perInvocation := []string{"--n", "200", "--nfe", "8", "--ckpt-every", "10", "--log-every", "10"}
	if out, err := run(t, append(append([]string{"train", "--out", first}, settings...), perInvocation...)...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	cfg := filepath.Join(first, fileConfig)
	if out, err := run(t, append([]string{"train", "--out", again, "--config", cfg}, perInvocation...)...); err != nil {
		t.Fatalf("train --config %s: %v\n%s", cfg, err, out)
	}
	for _, f := range []string{fileConfig, fileCheckpoint} {
		a, errA := os.ReadFile(filepath.Join(first, f))
		b, errB := os.ReadFile(filepath.Join(again, f))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the run and its rerun from config.json (%v, %v)", f, errA, errB)
		}
	}

	// A config.json that no set of flags reproduces is refused, naming the file.
	raw, _ := os.ReadFile(cfg)
	for _, tc := range []struct{ from, to, want string }{
		{`"beta1": 0.9,`, `"beta1": 0.8,`, "beta1"},
		{`"dim": 2,`, `"dim": 3,`, "net.dim"},
		{`"data": "moons",`, `"unheard_of": 1, "data": "moons",`, "unheard_of"},
	} {
		bad := strings.Replace(string(raw), tc.from, tc.to, 1)
		if bad == string(raw) {
			t.Fatalf("config.json has no %s to edit:\n%s", tc.from, raw)
		}
		badPath := filepath.Join(base, "edited.json")
		os.WriteFile(badPath, []byte(bad), 0o644)
		_, err := run(t, "train", "--out", filepath.Join(base, "never"), "--config", badPath)
		if err == nil || !strings.Contains(err.Error(), "edited.json") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config.json edited to %s: error %v, want one naming edited.json and %q", tc.to, err, tc.want)
		}
	}
}
