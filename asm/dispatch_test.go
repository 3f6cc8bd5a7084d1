package asm

import (
	"slices"
	"strings"
	"testing"
)

// TestSelect checks that selecting an implementation changes what Selected
// reports and what the kernels run, and never what Implementations lists.
func TestSelect(t *testing.T) {
	all := Implementations()
	if all[len(all)-1] != Generic {
		t.Fatalf("Implementations() = %v, want generic last", all)
	}
	prev := Selected()
	defer Select(prev)
	for _, name := range all {
		if err := Select(name); err != nil {
			t.Fatal(err)
		}
		if Selected() != name {
			t.Errorf("after Select(%q), Selected() = %q", name, Selected())
		}
		if got := Implementations(); !slices.Equal(got, all) {
			t.Errorf("after Select(%q), Implementations() = %v, want %v", name, got, all)
		}
		if name == Generic {
			continue
		}
		// x + h·v with h·v = 1 + 2⁻¹¹ + 2⁻²⁴ and x = −(1 + 2⁻¹¹): a fused
		// multiply-add keeps the 2⁻²⁴ that rounding h·v first would lose,
		// so this shows the assembly ran.
		h := float32(1 + 1.0/(1<<12))
		dst := []float32{0}
		EulerStep(dst, []float32{-(1 + 1.0/(1<<11))}, []float32{h}, h)
		if dst[0] != 1.0/(1<<24) {
			t.Errorf("%s: EulerStep = %g, want the fused result 2⁻²⁴", name, dst[0])
		}
	}
	err := Select("sse9")
	if err == nil || !strings.Contains(err.Error(), Generic) {
		t.Errorf("Select(unknown) = %v, want an error listing the valid names", err)
	}
	if Selected() != all[len(all)-1] {
		t.Errorf("a failed Select changed the selection to %q", Selected())
	}
}
