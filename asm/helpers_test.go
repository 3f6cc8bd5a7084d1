package asm

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// eps32 is the unit roundoff of float32, u = 2⁻²⁴.
const eps32 = 1.0 / (1 << 24)

// gamma is Higham's γ_n = n·u/(1 − n·u), the relative error bound of a
// computation with n roundings in float32.
func gamma(n int) float64 { return float64(n) * eps32 / (1 - float64(n)*eps32) }

// forEachImpl runs f once per implementation this CPU can run, with that
// implementation selected, and restores the selection afterwards.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	prev := Selected()
	defer Select(prev)
	for _, name := range Implementations() {
		if err := Select(name); err != nil {
			t.Fatal(err)
		}
		t.Run("impl="+name, f)
	}
}

// withImpl runs f with implementation name selected.
func withImpl(name string, f func()) {
	prev := Selected()
	defer Select(prev)
	if err := Select(name); err != nil {
		panic(err)
	}
	f()
}

// guard is the value written around every output; a kernel that writes out
// of bounds changes it.
var guard = float32(math.Float32frombits(0x7fc0dead)) // a NaN with a payload

const guardLen = 19 // odd, longer than one vector of any implementation

// guarded returns a slice of length n with guard cells on both sides, placed
// off bytes past a 64-byte boundary's worth of alignment, and the whole
// backing array for checkGuard.
func guarded(n, off int) (s, whole []float32) {
	whole = make([]float32, guardLen+off+n+guardLen)
	for i := range whole {
		whole[i] = guard
	}
	return whole[guardLen+off : guardLen+off+n], whole
}

// checkGuard reports a write outside s within whole.
func checkGuard(t *testing.T, name string, s, whole []float32, off int) {
	t.Helper()
	start := guardLen + off
	for i, v := range whole {
		if i >= start && i < start+len(s) {
			continue
		}
		if math.Float32bits(v) != math.Float32bits(guard) {
			t.Fatalf("%s: element %d outside the output (length %d) was overwritten with %v", name, i-start, len(s), v)
		}
	}
}

// randSlice fills a new slice with values uniform in [-1, 1).
func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	fillRand(rng, s)
	return s
}

func fillRand(rng *rand.Rand, s []float32) {
	for i := range s {
		s[i] = float32(rng.Float64()*2 - 1)
	}
}

// fuzzFloats decodes data into bounded floats: each two bytes give a value
// in [-128, 128) with 8 fraction bits, so fuzzed inputs stay away from
// overflow, where FMA and separate rounding may legitimately disagree.
func fuzzFloats(data []byte, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		var v int16
		if 2*i+1 < len(data) {
			v = int16(binary.LittleEndian.Uint16(data[2*i:]))
		} else if len(data) > 0 {
			v = int16(data[i%len(data)]) - 128
		}
		s[i] = float32(v) / 256
	}
	return s
}

// sameFloat reports whether a and b are equal or both NaN.
func sameFloat(a, b float32) bool {
	return a == b || (a != a && b != b)
}

// mustPanic fails t unless f panics.
func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}
