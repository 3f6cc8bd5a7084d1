package seqmodel

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testConfig() Config {
	return Config{Backbone: "mlp", Dim: 2, Width: 8, Depth: 2, Activation: SiLU, TimeDim: 4}
}

// trainedTrainer returns a trainer after a few steps on random data, so
// weights, moments and EMA all differ from their initial values.
func trainedTrainer(t testing.TB, steps int) *Trainer {
	t.Helper()
	net, err := NewBackbone(testConfig(), rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(net, 16, DefaultOptim(100))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x, tt, y := make([]float32, 32), make([]float32, 16), make([]float32, 32)
	for range steps {
		fillNormal(x, rng)
		fillNormal(y, rng)
		for i := range tt {
			tt[i] = float32(rng.Float64())
		}
		if _, err := tr.Step(x, tt, y, nil); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func fillNormal(dst []float32, rng *rand.Rand) {
	for i := range dst {
		dst[i] = float32(rng.NormFloat64())
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	tr := trainedTrainer(t, 5)
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	meta := map[string]string{"run": `{"data":"checkerboard"}`}
	if err := SaveCheckpoint(path, tr.Checkpoint(meta)); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Config != tr.Net.Config() || ck.Optim != tr.Opt.Config || ck.Step != 5 || ck.Meta["run"] != meta["run"] {
		t.Fatalf("loaded config %+v optim %+v step %d meta %v", ck.Config, ck.Optim, ck.Step, ck.Meta)
	}
	for _, c := range []struct {
		name      string
		got, want *Params
	}{{"params", ck.Params, tr.Net.Params()}, {"ema", ck.EMA, tr.EMA}, {"m", ck.M, tr.Opt.M}, {"v", ck.V, tr.Opt.V}} {
		for i, p := range c.want.All() {
			q := c.got.All()[i]
			if q.Name != p.Name {
				t.Fatalf("%s: tensor %d is %s, want %s", c.name, i, q.Name, p.Name)
			}
			for j := range p.Data {
				if math.Float32bits(q.Data[j]) != math.Float32bits(p.Data[j]) {
					t.Fatalf("%s: %s[%d] = %v, want %v", c.name, p.Name, j, q.Data[j], p.Data[j])
				}
			}
		}
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries after an atomic write, want 1", len(entries))
	}
}

// TestResumeMatchesUninterrupted checks that stopping, saving, loading and
// continuing gives bit-identical weights to training straight through.
func TestResumeMatchesUninterrupted(t *testing.T) {
	straight := trainedTrainer(t, 10)

	first := trainedTrainer(t, 4)
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	if err := SaveCheckpoint(path, first.Checkpoint(nil)); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	net, _ := NewBackbone(testConfig(), rand.New(rand.NewPCG(9, 9)))
	resumed, err := NewTrainer(net, 16, DefaultOptim(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.Restore(ck); err != nil {
		t.Fatal(err)
	}
	// Replay the data stream of trainedTrainer past the first 4 steps.
	rng := rand.New(rand.NewPCG(3, 4))
	x, tt, y := make([]float32, 32), make([]float32, 16), make([]float32, 32)
	for step := range 10 {
		fillNormal(x, rng)
		fillNormal(y, rng)
		for i := range tt {
			tt[i] = float32(rng.Float64())
		}
		if step < 4 {
			continue
		}
		if _, err := resumed.Step(x, tt, y, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range straight.Net.Params().All() {
		q := resumed.Net.Params().All()[i]
		for j := range p.Data {
			if math.Float32bits(p.Data[j]) != math.Float32bits(q.Data[j]) {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", p.Name, j, q.Data[j], p.Data[j])
			}
		}
	}
}

// TestSafetensorsLayout checks the bytes against the format by hand.
func TestSafetensorsLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	err := WriteSafetensors(path, []Tensor{
		{Name: "a", Shape: []int{2}, Data: []float32{1, -2}},
		{Name: "b", Shape: []int{1, 1}, Data: []float32{0.5}},
	}, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	n := binary.LittleEndian.Uint64(raw)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &hdr); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"__metadata__": `{"k":"v"}`,
		"a":            `{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`,
		"b":            `{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}`,
	}
	for k, w := range want {
		if string(hdr[k]) != w {
			t.Errorf("header[%s] = %s, want %s", k, hdr[k], w)
		}
	}
	data := raw[8+n:]
	wantData := []float32{1, -2, 0.5}
	if len(data) != 4*len(wantData) {
		t.Fatalf("%d data bytes, want %d", len(data), 4*len(wantData))
	}
	for i, w := range wantData {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])); got != w {
			t.Errorf("value %d = %v, want %v", i, got, w)
		}
	}
}

func TestSafetensorsRejectsMalformed(t *testing.T) {
	header := func(js string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
		b = append(b, js...)
		return append(b, make([]byte, data)...)
	}
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "shorter than"},
		{"huge header", binary.LittleEndian.AppendUint64(nil, 1<<40), "exceeds"},
		{"header past end", header(`{}`, 0)[:9], "exceeds"},
		{"not json", header(`{"a":`, 0), "not a JSON object"},
		{"bad dtype", header(`{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}`, 2), "dtype"},
		{"shape mismatch", header(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8), "needs 12 bytes"},
		{"negative shape", header(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, 0), "negative"},
		{"offsets past end", header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4), "outside"},
		{"overlap", header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "overlaps"},
		{"gap", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "gap"},
		{"trailing", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8), "cover 4 of 8"},
		{"bad metadata", header(`{"__metadata__":{"a":1}}`, 0), "__metadata__"},
		{"unknown field", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, 4), "bad entry"},
	}
	for _, c := range cases {
		_, _, err := parseSafetensors(c.raw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestLoadCheckpointErrors(t *testing.T) {
	dir := t.TempDir()
	tr := trainedTrainer(t, 1)
	good := filepath.Join(dir, "good.safetensors")
	if err := SaveCheckpoint(good, tr.Checkpoint(nil)); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := filepath.Join(dir, "plain.safetensors")
	if err := WriteSafetensors(plain, []Tensor{{Name: "w", Shape: []int{1}, Data: []float32{1}}}, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing.safetensors"), "no such file"},
		{write("truncated.safetensors", raw[:len(raw)-3]), "truncated.safetensors"},
		{plain, "not a seqlab checkpoint"},
	}
	for _, c := range cases {
		_, err := LoadCheckpoint(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", filepath.Base(c.path), err, c.want)
		}
	}
}

// tinyCheckpoint is the smallest real checkpoint, a one-layer MLP with
// optimizer state and EMA: a fast seed for fuzzing. It is assembled without
// a training graph so the fuzz workers stay lean.
func tinyCheckpoint(t testing.TB) []byte {
	t.Helper()
	net, err := NewBackbone(Config{Backbone: "mlp", Dim: 1, Width: 1, Depth: 0, Activation: SiLU, TimeDim: 0}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	opt, err := NewAdamW(net.Params(), DefaultOptim(10))
	if err != nil {
		t.Fatal(err)
	}
	opt.Update(net.Params(), [][]float32{{0.5}, {-1}}, 1.2)
	ck := &Checkpoint{Config: net.Config(), Optim: opt.Config, Step: opt.Step, Params: net.Params(),
		EMA: net.Params().Clone(), M: opt.M, V: opt.V, Meta: map[string]string{"k": "v"}}
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := SaveCheckpoint(path, ck); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// loadBytes runs the checkpoint loader on raw bytes; a checkpoint it accepts
// must build its backbone.
func loadBytes(t *testing.T, b []byte) {
	ts, meta, err := parseSafetensors(b)
	if err != nil {
		return
	}
	ck, err := checkpointFrom(ts, meta)
	if err != nil {
		return
	}
	if _, err := ck.Backbone(); err != nil {
		t.Fatalf("checkpoint loaded but its backbone does not build: %v", err)
	}
}

// FuzzLoadCheckpoint feeds mutated checkpoints to the loader: it must return
// an error or a usable checkpoint, never panic or allocate without bound.
func FuzzLoadCheckpoint(f *testing.F) {
	raw := tinyCheckpoint(f)
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	f.Add(bytes.Replace(raw, []byte(`"F32"`), []byte(`"F64"`), 1))
	f.Add(bytes.Replace(raw, []byte(`\"width\":1`), []byte(`\"width\":99999999`), 1))
	f.Fuzz(loadBytes)
}

// TestLoadCheckpointMutations is a deterministic stand-in for the fuzzer that
// runs with every test: thousands of random byte edits and truncations of a
// real checkpoint.
func TestLoadCheckpointMutations(t *testing.T) {
	raw := tinyCheckpoint(t)
	rng := rand.New(rand.NewPCG(5, 5))
	for range 5000 {
		b := bytes.Clone(raw)
		for range 1 + rng.IntN(4) {
			b[rng.IntN(len(b))] = byte(rng.IntN(256))
		}
		if rng.IntN(4) == 0 {
			b = b[:rng.IntN(len(b))]
		}
		loadBytes(t, b)
	}
}
