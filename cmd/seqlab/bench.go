package main

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/seqlab/seqlab/asm"
	"github.com/urfave/cli/v2"
)

// benchWorkload is one named workload of `seqlab bench`. The names and the
// printed lines match bench/torch_peer.py, so the two can be run side by
// side and compared line by line.
type benchWorkload struct {
	name  string // as in DESIGN.md's table and the peer script: GEMM, W1, ...
	about string
	// run measures the workload and returns the label and figure of its
	// line, e.g. "sgemm-1024", 312.4, "GFLOP/s".
	run func(cfg benchConfig) (label string, value float64, unit string, err error)
}

// benchConfig is what the flags say about every workload.
type benchConfig struct {
	size int // matrix size of GEMM
	reps int // timed repetitions after the warm-up
}

// benchWorkloads is the table `seqlab bench` runs from, in order. W1..W5 of
// DESIGN.md join it as entries when the packages they measure land.
var benchWorkloads = []benchWorkload{
	{name: "GEMM", about: "C = A·B in float32, size×size×size (asm.Sgemm)", run: benchGEMM},
}

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:      "bench",
		Usage:     "measure the reference workloads; prints the lines bench/torch_peer.py prints",
		ArgsUsage: "[WORKLOAD ...]  (default: all of " + strings.Join(benchNames(), ", ") + ")",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "size", Value: 1024, Usage: "matrix size of GEMM", EnvVars: env("size")},
			&cli.IntFlag{Name: "threads", Usage: "threads for the kernels (GOMAXPROCS); 0 keeps the current", EnvVars: env("threads")},
			&cli.IntFlag{Name: "reps", Value: 20, Usage: "timed repetitions, after 3 untimed ones (the peer's count for GEMM)", EnvVars: env("reps")},
			&cli.StringFlag{Name: "asm", Usage: "kernel implementation (see seqlab cpuinfo); empty keeps the selected one", EnvVars: env("asm")},
		},
		Action: func(c *cli.Context) error {
			cfg := benchConfig{size: c.Int("size"), reps: c.Int("reps")}
			if cfg.size < 1 || cfg.reps < 1 {
				return fmt.Errorf("bench: --size and --reps must be positive (got %d and %d)", cfg.size, cfg.reps)
			}
			threads := c.Int("threads")
			if threads < 0 {
				return fmt.Errorf("bench: --threads must not be negative (got %d)", threads)
			}
			if threads > 0 {
				runtime.GOMAXPROCS(threads)
			}
			if name := c.String("asm"); name != "" {
				if err := asm.Select(name); err != nil {
					return fmt.Errorf("bench: --asm: %w", err)
				}
			}
			workloads, err := selectWorkloads(c.Args().Slice())
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.ErrWriter, "# asm %s, GOMAXPROCS %d\n", asm.Selected(), runtime.GOMAXPROCS(0))
			for _, w := range workloads {
				label, value, unit, err := w.run(cfg)
				if err != nil {
					return fmt.Errorf("bench %s: %w", w.name, err)
				}
				fmt.Fprintf(c.App.Writer, "%s %s %.1f %s\n", w.name, label, value, unit)
			}
			return nil
		},
	}
}

func benchNames() []string {
	var names []string
	for _, w := range benchWorkloads {
		names = append(names, w.name)
	}
	return names
}

// selectWorkloads returns the workloads named (case-insensitively), or all
// of them when names is empty.
func selectWorkloads(names []string) ([]benchWorkload, error) {
	if len(names) == 0 {
		return benchWorkloads, nil
	}
	var out []benchWorkload
	for _, name := range names {
		found := false
		for _, w := range benchWorkloads {
			if strings.EqualFold(w.name, name) {
				out = append(out, w)
				found = true
			}
		}
		if !found {
			var valid []string
			for _, w := range benchWorkloads {
				valid = append(valid, w.name+" ("+w.about+")")
			}
			return nil, fmt.Errorf("bench: unknown workload %q; valid: %s", name, strings.Join(valid, "; "))
		}
	}
	return out, nil
}

// timeReps runs f three times untimed and then reps times, and returns the
// mean time of the timed runs, as the peer script's timeit does.
func timeReps(reps int, f func()) time.Duration {
	for range 3 {
		f()
	}
	start := time.Now()
	for range reps {
		f()
	}
	return time.Since(start) / time.Duration(reps)
}

// benchGEMM times C = A·B for size×size float32 matrices with entries from
// a standard normal, like the peer's torch.randn operands.
func benchGEMM(cfg benchConfig) (string, float64, string, error) {
	n := cfg.size
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	t := timeReps(cfg.reps, func() { asm.Sgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n) })
	return fmt.Sprintf("sgemm-%d", n), 2 * float64(n) * float64(n) * float64(n) / t.Seconds() / 1e9, "GFLOP/s", nil
}
