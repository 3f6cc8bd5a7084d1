package main

import (
	"fmt"
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
	} {
		if !strings.Contains(out, want) {
			t.Errorf("cpuinfo output lacks %q:\n%s", want, out)
		}
	}
}
