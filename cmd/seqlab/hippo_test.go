package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// hippoTable parses the rows "measure N mseWindow mseHistory" of the table.
func hippoTable(t *testing.T, out string) map[string][2]float64 {
	t.Helper()
	rows := map[string][2]float64{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 4 {
			continue
		}
		w, err1 := strconv.ParseFloat(f[2], 64)
		h, err2 := strconv.ParseFloat(f[3], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		rows[f[0]+" "+f[1]] = [2]float64{w, h}
	}
	return rows
}

// TestHippoCommand: the table has a row per measure and N, LegT wins on its
// window and LegS on the history, and the PNG decodes.
func TestHippoCommand(t *testing.T) {
	png := filepath.Join(t.TempDir(), "h.png")
	out, err := run(t, "hippo", "--measure", "legs,legt", "--n", "8,16", "--T", "2", "--freq", "3", "--theta", "0.5", "--out", png)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	rows := hippoTable(t, out)
	for _, k := range []string{"legs 8", "legs 16", "legt 8", "legt 16"} {
		if _, ok := rows[k]; !ok {
			t.Fatalf("no row %q in\n%s", k, out)
		}
	}
	if rows["legt 16"][0] >= rows["legs 16"][0] || rows["legs 16"][1] >= rows["legt 16"][1] {
		t.Errorf("want LegT better on the window and LegS on the history:\n%s", out)
	}
	if !strings.Contains(out, "white noise T=2 dt=0.001 freq=3 seed=0: 2000 samples") || !strings.Contains(out, "wrote "+png) {
		t.Errorf("output:\n%s", out)
	}
	checkPNG(t, png)
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Fatalf("%s: %v image", path, b)
	}
}

// TestHippoCSV: a column chosen by header name or by index gives the same
// table.
func TestHippoCSV(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "s.csv")
	var b strings.Builder
	b.WriteString("t,x\n")
	for k := range 500 {
		x := float64(k) / 500
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64) + "," + strconv.FormatFloat(x*x-x, 'g', -1, 64) + "\n")
	}
	if err := os.WriteFile(data, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var tables []map[string][2]float64
	for _, col := range []string{"x", "2"} {
		out, err := run(t, "hippo", "--csv", data, "--column", col, "--n", "4,8", "--measure", "legs", "--theta", "0.2", "--out", filepath.Join(dir, col+".png"))
		if err != nil {
			t.Fatalf("--column %s: %v\n%s", col, err, out)
		}
		if !strings.Contains(out, "500 samples") {
			t.Errorf("output:\n%s", out)
		}
		tables = append(tables, hippoTable(t, out))
		checkPNG(t, filepath.Join(dir, col+".png"))
	}
	if len(tables[0]) != 2 || tables[0]["legs 8"] != tables[1]["legs 8"] {
		t.Errorf("by name %v, by index %v", tables[0], tables[1])
	}
	// A quadratic is reproduced by LegS with N > 2, up to the bilinear
	// discretisation error.
	if e := tables[0]["legs 4"][1]; e > 1e-4 {
		t.Errorf("quadratic: MSE %v", e)
	}
}

// TestHippoErrors: bad input fails with an error that says what and where,
// and writes no picture.
func TestHippoErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("a,b,huge\n1,2,1\n3,abc,1e308\n5,6,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.csv")
	if err := os.WriteFile(short, []byte("1,2\n3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "never.png")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--measure", "legs,lmu"}, []string{`"lmu"`, "valid: legs, legt, lagt, fout"}},
		{[]string{"--csv", bad, "--column", "b"}, []string{bad, "line 3", `"abc"`, "not a finite number"}},
		{[]string{"--csv", bad, "--column", "c"}, []string{bad, `no column named "c"`, "header: a, b, huge"}},
		{[]string{"--csv", bad, "--column", "huge"}, []string{bad, "line 3", `"1e308"`, "rescale"}},
		{[]string{"--csv", short, "--column", "2"}, []string{short, "line 2", "has 1 fields"}},
		{[]string{"--csv", filepath.Join(dir, "missing.csv")}, []string{"missing.csv", "no such file"}},
		{[]string{"--n", "8,x"}, []string{`"x" is not a positive integer`}},
		{[]string{"--measure", "fout", "--n", "7"}, []string{"must be even"}},
		{[]string{"--freq", "0.1"}, []string{"at least 1/T"}},
		{[]string{"--theta", "0"}, []string{"--theta 0"}},
	} {
		out, err := run(t, append([]string{"hippo", "--out", png}, tc.args...)...)
		if err == nil {
			t.Errorf("%v: no error\n%s", tc.args, out)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not contain %q", tc.args, err, w)
			}
		}
	}
	if _, err := os.Stat(png); !os.IsNotExist(err) {
		t.Errorf("a failed run wrote %s", png)
	}
}
