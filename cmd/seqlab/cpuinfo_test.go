package main

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/seqlab/seqlab/asm"
)

// TestCpuinfo checks that cpuinfo reports the cores this process can use
// (a virtual machine's cpuid may count its host's) and the kernels chosen.
func TestCpuinfo(t *testing.T) {
	out, err := run(t, "cpuinfo")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		fmt.Sprintf("cores:           %d usable, GOMAXPROCS %d (cpuid:", runtime.NumCPU(), runtime.GOMAXPROCS(0)),
		"implementations: " + strings.Join(asm.Implementations(), " ") + "\n",
		"selected:        " + asm.Selected() + " ",
		"bf16 matmul:     ",
		"\nkernels:\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("cpuinfo output lacks %q:\n%s", want, out)
		}
	}
	// One line per operation: its name, implementation and any detail.
	for _, k := range asm.Kernels() {
		line := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(k.Op) + ` +` + k.Impl + ` *` + regexp.QuoteMeta(k.Detail) + `$`)
		if !line.MatchString(out) {
			t.Errorf("cpuinfo output lacks a line for %s on %s %s:\n%s", k.Op, k.Impl, k.Detail, out)
		}
	}
}
