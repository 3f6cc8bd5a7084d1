package seqmodel

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Tensor is one named float32 array of a safetensors file.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// safetensors layout (https://github.com/huggingface/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON mapping each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data
// that follows the header) plus an optional "__metadata__" string map, then
// the raw little-endian tensor data.

// maxHeader bounds the JSON header a reader accepts, as the reference
// implementation does (100 MB).
const maxHeader = 100 << 20

type tensorEntry struct {
	Dtype   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets []int  `json:"data_offsets"`
}

// WriteSafetensors writes tensors (in the given order) and metadata to path
// in the safetensors format. It writes a temporary file in the same directory,
// syncs it and renames it over path, so a crash leaves either the old file or
// the new one, never a mix.
func WriteSafetensors(path string, tensors []Tensor, meta map[string]string) error {
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	off := 0
	for _, t := range tensors {
		if t.Name == "__metadata__" {
			return fmt.Errorf("write %s: tensor name %q is reserved", path, t.Name)
		}
		if _, dup := header[t.Name]; dup {
			return fmt.Errorf("write %s: duplicate tensor %q", path, t.Name)
		}
		if n := shapeSize(t.Shape); n != len(t.Data) {
			return fmt.Errorf("write %s: tensor %q has shape %v but %d values", path, t.Name, t.Shape, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = tensorEntry{Dtype: "F32", Shape: shape, Offsets: []int{off, off + 4*len(t.Data)}}
		off += 4 * len(t.Data)
	}
	js, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Pad the header with spaces so the data starts 8-byte aligned, as the
	// reference writer does.
	if r := len(js) % 8; r != 0 {
		js = append(js, bytes.Repeat([]byte{' '}, 8-r)...)
	}
	buf := make([]byte, 8+len(js)+off)
	binary.LittleEndian.PutUint64(buf, uint64(len(js)))
	copy(buf[8:], js)
	p := 8 + len(js)
	for _, t := range tensors {
		for _, v := range t.Data {
			binary.LittleEndian.PutUint32(buf[p:], math.Float32bits(v))
			p += 4
		}
	}
	return writeFileAtomic(path, buf)
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and
// renames it to path.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ReadSafetensors reads a safetensors file holding float32 tensors. It
// validates the whole layout first — header length within the file, JSON
// well-formed, F32 dtypes, shapes matching byte ranges, ranges inside the
// data, neither overlapping nor leaving gaps — and returns an error naming
// the file and the problem.
func ReadSafetensors(path string) ([]Tensor, map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	ts, meta, err := parseSafetensors(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return ts, meta, nil
}

func parseSafetensors(raw []byte) ([]Tensor, map[string]string, error) {
	if len(raw) < 8 {
		return nil, nil, fmt.Errorf("not a safetensors file: %d bytes, shorter than the 8-byte header length", len(raw))
	}
	n := binary.LittleEndian.Uint64(raw)
	if n > maxHeader || n > uint64(len(raw)-8) {
		return nil, nil, fmt.Errorf("header length %d exceeds the file (%d bytes) or the %d-byte limit: truncated or not safetensors", n, len(raw), maxHeader)
	}
	hdr, data := raw[8:8+n], raw[8+n:]
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &fields); err != nil {
		return nil, nil, fmt.Errorf("header is not a JSON object: %w", err)
	}
	var meta map[string]string
	if m, ok := fields["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, fmt.Errorf("__metadata__ is not a map of strings: %w", err)
		}
		delete(fields, "__metadata__")
	}
	type span struct {
		name       string
		begin, end int
	}
	var spans []span
	var ts []Tensor
	for name, msg := range fields {
		var e tensorEntry
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: bad entry: %w", name, err)
		}
		if e.Dtype != "F32" {
			return nil, nil, fmt.Errorf("tensor %q has dtype %q; seqlab reads F32 only", name, e.Dtype)
		}
		if len(e.Offsets) != 2 {
			return nil, nil, fmt.Errorf("tensor %q: data_offsets %v must be [begin, end]", name, e.Offsets)
		}
		size := 1
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && size > len(data)/d) {
				return nil, nil, fmt.Errorf("tensor %q: shape %v is negative or larger than the file", name, e.Shape)
			}
			size *= d
		}
		b, end := e.Offsets[0], e.Offsets[1]
		if b < 0 || end < b || end > len(data) {
			return nil, nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] outside the %d data bytes", name, b, end, len(data))
		}
		if end-b != 4*size {
			return nil, nil, fmt.Errorf("tensor %q: shape %v needs %d bytes but data_offsets span %d", name, e.Shape, 4*size, end-b)
		}
		spans = append(spans, span{name, b, end})
		t := Tensor{Name: name, Shape: e.Shape, Data: make([]float32, size)}
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[b+4*i:]))
		}
		ts = append(ts, t)
	}
	slices.SortFunc(spans, func(a, b span) int { return a.begin - b.begin })
	pos := 0
	for _, s := range spans {
		if s.begin < pos {
			return nil, nil, fmt.Errorf("tensor %q overlaps the tensor before it (offset %d < %d)", s.name, s.begin, pos)
		}
		if s.begin > pos {
			return nil, nil, fmt.Errorf("gap of %d bytes before tensor %q", s.begin-pos, s.name)
		}
		pos = s.end
	}
	if pos != len(data) {
		return nil, nil, fmt.Errorf("tensors cover %d of %d data bytes: trailing garbage or truncated header", pos, len(data))
	}
	slices.SortFunc(ts, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	return ts, meta, nil
}

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
