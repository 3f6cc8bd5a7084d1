package main

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func runBench(args ...string) (string, error) {
	app := newApp()
	var out, errOut bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errOut
	err := app.Run(append([]string{"seqlab", "bench"}, args...))
	return out.String(), err
}

// TestBenchGEMMLine checks that GEMM prints one line in the peer script's
// form, with the size the flag asks for.
func TestBenchGEMMLine(t *testing.T) {
	out, err := runBench("--size", "48", "--reps", "2", "gemm")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^GEMM sgemm-48 [0-9]+\.[0-9] GFLOP/s\n$`).MatchString(out) {
		t.Errorf("output %q is not one line `GEMM sgemm-48 <figure> GFLOP/s`", out)
	}
}

// TestBenchW1W5Lines runs W1 and W5 on tiny shapes and checks their lines
// against the peer script's forms (`W1 toy-fm-train <f> steps/s`, `W5 sample
// <f> samples/s`, the figure positive).
func TestBenchW1W5Lines(t *testing.T) {
	out, err := runBench("--batch", "16", "--width", "8", "--depth", "2", "--n", "50", "--nfe", "3", "--reps", "2", "w1", "W5")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^W1 toy-fm-train ([0-9]+\.[0-9]) steps/s\nW5 sample ([0-9]+) samples/s\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output %q is not the lines `W1 toy-fm-train <figure> steps/s` and `W5 sample <figure> samples/s`", out)
	}
	for _, f := range m[1:] {
		if v, err := strconv.ParseFloat(f, 64); err != nil || !(v > 0) {
			t.Errorf("figure %q is not positive", f)
		}
	}
}

// TestBenchW1Trains checks that W1's step is a real training step: over a
// few hundred steps of a small network the flow-matching loss falls, which
// a timing loop that skipped the optimizer or fed empty batches would not
// show.
func TestBenchW1Trains(t *testing.T) {
	step, err := newW1(benchConfig{batch: 64, width: 32, depth: 2})
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	for range 300 {
		loss, err := step()
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, loss)
	}
	mean := func(x []float64) (m float64) {
		for _, v := range x {
			m += v / float64(len(x))
		}
		return m
	}
	// At initialisation the network outputs about 0 and the loss is
	// E|x1 − x0|²/2 = (2 + 2)/2 = 2 (checkerboard has E|x0|² = 2, the noise
	// is standard normal); the best velocity field explains part of it.
	first, last := mean(losses[:30]), mean(losses[len(losses)-30:])
	if math.Abs(first-2) > 0.5 {
		t.Errorf("mean loss of the first 30 steps %.3f, want about 2", first)
	}
	if !(last < 0.9*first) {
		t.Errorf("mean loss of the first 30 steps %.3f, of the last 30 %.3f: not falling", first, last)
	}
}

// TestBenchW5Samples checks that W5's run evaluates the network once per
// Euler step and that the network moves the samples: the same run with the
// network's output layer zeroed (velocity 0) returns the prior it drew, and
// the run with the initial weights ends elsewhere.
func TestBenchW5Samples(t *testing.T) {
	cfg := benchConfig{width: 16, depth: 2, n: 400, nfe: 7}
	var samples [2][]float32
	for i, zero := range []bool{false, true} {
		run, x, net, err := newW5(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if zero {
			ps := net.Params().All()
			for _, p := range ps[len(ps)-2:] { // the output layer's weight and bias
				clear(p.Data)
			}
		}
		st, err := run()
		if err != nil {
			t.Fatal(err)
		}
		if st.NFE != cfg.nfe || st.Steps != cfg.nfe {
			t.Errorf("%d network evaluations in %d steps, want %d and %d", st.NFE, st.Steps, cfg.nfe, cfg.nfe)
		}
		samples[i] = x
	}
	// The initial network's velocities are of order 0.1–1, so 7 steps over
	// t ∈ [0, 1] move a sample by about as much; rounding alone moves it by
	// less than 1e-6.
	var moved float64
	for i, v := range samples[0] {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("sample value %v", v)
		}
		moved = max(moved, math.Abs(float64(v-samples[1][i])))
	}
	if !(moved > 1e-2) {
		t.Errorf("samples moved by at most %g from the prior: the network's velocity was not applied", moved)
	}
}

// TestBenchShapeFlags checks that impossible shapes are errors.
func TestBenchShapeFlags(t *testing.T) {
	for _, args := range [][]string{{"--batch", "0", "W1"}, {"--width", "0", "W1"}, {"--depth", "-1", "W5"}, {"--n", "0", "W5"}, {"--nfe", "0", "W5"}, {"--reps", "-1"}} {
		if _, err := runBench(args...); err == nil {
			t.Errorf("bench %v: no error", args)
		}
	}
}

func TestBenchUnknownWorkload(t *testing.T) {
	_, err := runBench("W9")
	if err == nil || !strings.Contains(err.Error(), `"W9"`) || !strings.Contains(err.Error(), "GEMM") {
		t.Errorf("unknown workload: error %v, want one naming W9 and listing GEMM", err)
	}
	_, err = runBench("GEMM", "--size", "64")
	if err == nil || !strings.Contains(err.Error(), "--size") || !strings.Contains(err.Error(), "flags go first") {
		t.Errorf("bench GEMM --size 64: error %v, want one saying flags go first", err)
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--size", "0"}, {"--threads", "-1"}, {"--asm", "sse9"}, {"--precision", "fp8"}} {
		if _, err := runBench(args...); err == nil {
			t.Errorf("bench %v: no error", args)
		}
	}
}
