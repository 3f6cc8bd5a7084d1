package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/seqlab/seqlab/seqmodel"
)

// TestHugeSizesFailCleanly asks every command for more memory than any
// machine has: each must return an error naming the flag and the memory
// it would need, before allocating (the runtime's out-of-memory crash
// cannot be recovered) and before writing anything.
func TestHugeSizesFailCleanly(t *testing.T) {
	base := t.TempDir()
	ddpm := filepath.Join(base, "ddpm")
	if out, err := run(t, small(ddpm, "--objective", "ddpm")...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ckpt := filepath.Join(ddpm, fileCheckpoint)
	fresh := filepath.Join(base, "fresh")
	cases := []struct {
		args []string
		flag string
	}{
		{[]string{"bench", "--size", "10000000", "gemm"}, "--size 10000000"},
		{[]string{"bench", "--batch", "1000000000", "w1"}, "--batch 1000000000"},
		{[]string{"bench", "--width", "1000000", "w1"}, "--width 1000000"},
		{[]string{"bench", "--n", "10000000000", "w5"}, "-n 10000000000"},
		{small(fresh, "--batch", "1000000000"), "--batch 1000000000"},
		{small(fresh, "--n", "10000000000"), "-n 10000000000"},
		{[]string{"sample", "--ckpt", ckpt, "--n", "10000000000", "--out", filepath.Join(base, "s")}, "-n 10000000000"},
		{[]string{"eval", "--ckpt", ckpt, "--n", "10000000000"}, "-n 10000000000"},
		{[]string{"head", "--ckpt", ckpt, "--batch", "1000000000", "--out", filepath.Join(base, "h")}, "--batch 1000000000"},
		{[]string{"hippo", "-n", "1000000", "--out", filepath.Join(base, "p.png")}, "-n 1000000"},
		{[]string{"hippo", "-T", "1e12", "--out", filepath.Join(base, "p.png")}, "-T 1e+12"},
	}
	for _, c := range cases {
		out, err := run(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.flag) || !strings.Contains(err.Error(), "GiB of memory") {
			t.Errorf("%v: error %v, want one naming %q and the memory needed\n%s", c.args, err, c.flag, out)
		}
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("%s holds %d entries after the refused commands, want only the ddpm run", base, len(entries))
	}
}

// TestTrainMemoryEstimate checks trainMemory against the heap a trainer
// really takes, so that the estimate behind the refusals above stays
// within a factor of two of the truth.
func TestTrainMemoryEstimate(t *testing.T) {
	cfg := seqmodel.Config{Backbone: "mlp", Dim: 2, Width: 256, Depth: 4, Activation: seqmodel.SiLU, TimeDim: 64}
	const batch = 8192
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	net, err := seqmodel.NewBackbone(cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := seqmodel.NewTrainer(net, batch, seqmodel.OptimConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Steps: 1})
	if err != nil {
		t.Fatal(err)
	}
	x, tt, target := make([]float32, 2*batch), make([]float32, batch), make([]float32, 2*batch)
	if _, err := tr.Step(x, tt, target, nil); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(tr)
	used := float64(after.HeapInuse) - float64(before.HeapInuse)
	est := trainMemory(cfg, batch)
	if est < used/2 || est > 2*used {
		t.Errorf("trainMemory = %.0f bytes, the trainer holds %.0f", est, used)
	}
}
