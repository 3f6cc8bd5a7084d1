package asm

import (
	"fmt"
	"os"
	"strings"
)

// Names of the implementations, fastest first.
const (
	AVX512  = "avx512"
	AVX2    = "avx2"
	Generic = "generic"
)

// level is the active implementation; it is read by every kernel.
var level = Generic

func init() {
	level = best()
	if env := os.Getenv("SEQLAB_ASM"); env != "" {
		if err := Select(env); err != nil {
			fmt.Fprintf(os.Stderr, "seqlab: SEQLAB_ASM: %v; using %s\n", err, level)
		}
	}
}

// best returns the fastest implementation this CPU and build can run.
func best() string {
	if impls := Implementations(); len(impls) > 0 {
		return impls[0]
	}
	return Generic
}

// Implementations lists the implementations this CPU and build can run,
// fastest first. Generic is always last.
func Implementations() []string {
	var out []string
	if hasAVX512 {
		out = append(out, AVX512)
	}
	if hasAVX2 {
		out = append(out, AVX2)
	}
	return append(out, Generic)
}

// Selected returns the name of the active implementation.
func Selected() string { return level }

// Select makes name the active implementation. It fails, listing the valid
// names, when name is unknown or this CPU cannot run it.
func Select(name string) error {
	impls := Implementations()
	for _, n := range impls {
		if n == name {
			level = name
			return nil
		}
	}
	return fmt.Errorf("implementation %q is not available here (valid: %s)", name, strings.Join(impls, ", "))
}
