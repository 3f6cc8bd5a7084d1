package main

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestSaveLinesLogFewPoints draws log-scale line plots whose data span no
// range (one point: a run shorter than --log-every; none: every loss
// non-finite or non-positive). Each must write a PNG, not panic in the
// plotting library's log scale.
func TestSaveLinesLogFewPoints(t *testing.T) {
	cases := map[string]series{
		"one":          {X: []float64{20}, Y: []float64{0.48}},
		"none":         {},
		"non-positive": {X: []float64{1, 2}, Y: []float64{0, -1}},
	}
	for name, s := range cases {
		path := filepath.Join(t.TempDir(), name+".png")
		if err := saveLines(path, name, "step", "loss", true, s); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(f); err != nil {
			t.Errorf("%s: %s is not a PNG: %v", name, path, err)
		}
		f.Close()
	}
}
