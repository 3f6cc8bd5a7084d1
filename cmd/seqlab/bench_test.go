package main

import (
	"bytes"
	"regexp"
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

func TestBenchUnknownWorkload(t *testing.T) {
	_, err := runBench("W9")
	if err == nil || !strings.Contains(err.Error(), `"W9"`) || !strings.Contains(err.Error(), "GEMM") {
		t.Errorf("unknown workload: error %v, want one naming W9 and listing GEMM", err)
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--size", "0"}, {"--threads", "-1"}, {"--asm", "sse9"}} {
		if _, err := runBench(args...); err == nil {
			t.Errorf("bench %v: no error", args)
		}
	}
}
