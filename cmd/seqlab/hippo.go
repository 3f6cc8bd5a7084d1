package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/seqlab/seqlab/hippo"
	"github.com/urfave/cli/v2"
)

// hippoSignalStream names the random stream of the white-noise signal.
const hippoSignalStream = 0x6869_7070_6f // "hippo"

func hippoCommand() *cli.Command {
	return &cli.Command{
		Name:  "hippo",
		Usage: "approximate a signal online with HiPPO memories, print the errors, plot the reconstructions",
		Description: "Reads a signal one sample at a time into HiPPO memories of each measure and state size N\n" +
			"(bilinear discretisation, as the reference code), reconstructs it from the final coefficients\n" +
			"and prints the mean squared error over the last θ and over the whole history: scaled LegS\n" +
			"remembers the whole history, LegT and FouT only the last θ, LagT an exponentially fading past.\n" +
			"The signal is band-limited white noise (--T, --dt, --freq, --seed) or a column of a CSV file\n" +
			"(--csv, --column, sampled every --dt). The PNG shows the signal and each measure's\n" +
			"reconstruction at the largest N.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "measure", Value: "legs,legt", Usage: "comma-separated measures: " + strings.Join(hippo.OnlineMeasures(), ", "), EnvVars: env("measure")},
			&cli.StringFlag{Name: "n", Value: "8,16,32,64", Usage: "comma-separated state sizes N", EnvVars: env("n")},
			&cli.Float64Flag{Name: "T", Value: 3, Usage: "white-noise length in seconds", EnvVars: env("T")},
			&cli.Float64Flag{Name: "dt", Value: 1e-3, Usage: "sample spacing in seconds (white noise and CSV)", EnvVars: env("dt")},
			&cli.Float64Flag{Name: "freq", Value: 3, Usage: "white-noise band limit in Hz", EnvVars: env("freq")},
			&cli.Uint64Flag{Name: "seed", Value: 0, Usage: "random seed of the white noise", EnvVars: env("seed")},
			&cli.Float64Flag{Name: "theta", Value: 1, Usage: "window θ in seconds of legt and fout, timescale of lagt, and the span of the 'last θ' error", EnvVars: env("theta")},
			&cli.StringFlag{Name: "csv", Usage: "approximate a column of this CSV file instead of white noise", EnvVars: env("csv")},
			&cli.StringFlag{Name: "column", Value: "1", Usage: "the CSV column: a header name or a 1-based index", EnvVars: env("column")},
			&cli.StringFlag{Name: "out", Value: "hippo.png", Usage: "PNG of the signal and the reconstructions", EnvVars: env("out")},
		},
		Action: runHippo,
	}
}

// hippoRun is one measure at one N: its reconstruction and errors.
type hippoRun struct {
	measure            string
	n                  int
	rec                []float64
	mseWindow, mseHist float64
}

func runHippo(c *cli.Context) error {
	measures := splitList(c.String("measure"))
	ns, err := parseSizes(c.String("n"))
	if err != nil {
		return err
	}
	dt, theta := c.Float64("dt"), c.Float64("theta")
	if !(dt > 0) || !(theta > 0) || math.IsInf(dt, 1) || math.IsInf(theta, 1) {
		return fmt.Errorf("hippo: --dt %v and --theta %v must be positive and finite", dt, theta)
	}
	if len(measures) == 0 {
		return fmt.Errorf("hippo: no measure given (valid: %s)", strings.Join(hippo.OnlineMeasures(), ", "))
	}
	if err := checkMemory(fmt.Sprintf("hippo with -n %s", c.String("n")), hippoMemory(ns)); err != nil {
		return err
	}
	if c.String("csv") == "" {
		samples := c.Float64("T") / dt
		if err := checkMemory(fmt.Sprintf("hippo with -T %g and --dt %g", c.Float64("T"), dt), hippoSignalMemory(samples, len(measures)*len(ns))); err != nil {
			return err
		}
	}
	// Check every measure and N before reading or writing anything.
	for _, m := range measures {
		for _, n := range ns {
			if _, err := hippo.NewOnline(m, n, dt, theta, hippo.Bilinear); err != nil {
				return err
			}
		}
	}

	var sig []float64
	var desc string
	if path := c.String("csv"); path != "" {
		col := c.String("column")
		if sig, err = readCSVColumn(path, col); err != nil {
			return err
		}
		desc = fmt.Sprintf("%s column %s, dt=%g", path, col, dt)
	} else {
		rng := rand.New(rand.NewPCG(c.Uint64("seed"), hippoSignalStream))
		if sig, err = hippo.WhiteSignal(c.Float64("T"), dt, c.Float64("freq"), rng); err != nil {
			return err
		}
		desc = fmt.Sprintf("white noise T=%g dt=%g freq=%g seed=%d", c.Float64("T"), dt, c.Float64("freq"), c.Uint64("seed"))
	}
	L := len(sig)
	window := min(L, max(1, int(math.Round(theta/dt))))

	var runs []hippoRun
	for _, m := range measures {
		for _, n := range ns {
			o, err := hippo.NewOnline(m, n, dt, theta, hippo.Bilinear)
			if err != nil {
				return err
			}
			for _, u := range sig {
				o.Update(u)
			}
			rec := make([]float64, L)
			o.Reconstruct(rec)
			runs = append(runs, hippoRun{m, n, rec, meanSquaredError(rec[L-window:], sig[L-window:]), meanSquaredError(rec, sig)})
		}
	}

	w := c.App.Writer
	fmt.Fprintf(w, "signal: %s: %d samples, rms %.3g\n", desc, L, math.Sqrt(meanSquaredError(sig, make([]float64, L))))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "measure\tN\tMSE last θ=%g (%d samples)\tMSE whole history\n", theta, window)
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%d\t%.3e\t%.3e\n", r.measure, r.n, r.mseWindow, r.mseHist)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	out := c.String("out")
	if err := plotHippo(out, sig, runs, ns[len(ns)-1], dt, theta, window); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\n", out)
	return nil
}

// plotHippo draws the signal and, for each measure, its reconstruction at
// state size n; window measures are drawn only over their window.
func plotHippo(path string, sig []float64, runs []hippoRun, n int, dt, theta float64, window int) error {
	L := len(sig)
	times := make([]float64, L)
	for i := range times {
		times[i] = float64(i) * dt
	}
	lines := []series{{Name: "signal", X: times, Y: sig}}
	for _, r := range runs {
		if r.n != n {
			continue
		}
		from := 0
		if r.measure == "legt" || r.measure == "fout" {
			from = L - window
		}
		lines = append(lines, series{Name: fmt.Sprintf("%s N=%d", r.measure, r.n), X: times[from:], Y: r.rec[from:]})
	}
	title := fmt.Sprintf("HiPPO online approximation, N = %d, θ = %g", n, theta)
	return saveLines(path, title, "t (s)", "signal", false, lines...)
}

func meanSquaredError(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s / float64(len(a))
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseSizes parses --n, a comma-separated list of positive integers.
func parseSizes(s string) ([]int, error) {
	var ns []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("hippo: --n %q: %q is not a positive integer", s, f)
		}
		ns = append(ns, n)
	}
	if len(ns) == 0 {
		return nil, fmt.Errorf("hippo: --n %q names no state size", s)
	}
	return ns, nil
}

// maxSignal bounds the magnitude of a CSV signal: squares and sums of
// squares of larger values overflow float64.
const maxSignal = 1e150

// readCSVColumn returns the numbers in one column of a CSV file. column is
// a header name, or a 1-based index; a first row whose entry in that column
// is not a number is taken as the header.
func readCSVColumn(path, column string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hippo: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	idx := -1
	var out []float64
	for first := true; ; first = false {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("hippo: %s: %w", path, err)
		}
		if first {
			header := false
			for i, name := range rec {
				if strings.TrimSpace(name) == column {
					idx, header = i, true
				}
			}
			if idx < 0 {
				k, err := strconv.Atoi(column)
				if err != nil || k < 1 {
					return nil, fmt.Errorf("hippo: %s: no column named %q (header: %s)", path, column, strings.Join(rec, ", "))
				}
				idx = k - 1
				if idx < len(rec) {
					_, err := strconv.ParseFloat(strings.TrimSpace(rec[idx]), 64)
					header = err != nil
				}
			}
			if header {
				continue
			}
		}
		line, _ := r.FieldPos(0)
		if idx >= len(rec) {
			return nil, fmt.Errorf("hippo: %s: line %d: has %d fields, column %s is field %d", path, line, len(rec), column, idx+1)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[idx]), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("hippo: %s: line %d: field %d is %q, not a finite number", path, line, idx+1, rec[idx])
		}
		if math.Abs(v) > maxSignal {
			return nil, fmt.Errorf("hippo: %s: line %d: field %d is %q; values beyond ±%g overflow the squared errors, rescale the column", path, line, idx+1, rec[idx], maxSignal)
		}
		out = append(out, v)
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("hippo: %s: column %s has %d values, need at least 2", path, column, len(out))
	}
	return out, nil
}
