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

// impl identifies an implementation; kernels switch on the active one.
type impl uint8

const (
	implGeneric impl = iota
	implAVX2
	implAVX512
)

var implNames = [...]string{implGeneric: Generic, implAVX2: AVX2, implAVX512: AVX512}

// active is the implementation every kernel uses. It is set once at start
// and changed only by Select.
var active = implGeneric

func init() {
	active = available()[0]
	if env := os.Getenv("SEQLAB_ASM"); env != "" {
		if err := Select(env); err != nil {
			fmt.Fprintf(os.Stderr, "seqlab: SEQLAB_ASM: %v; using %s\n", err, Selected())
		}
	}
}

// available lists the implementations this CPU and build can run, fastest
// first. It depends only on the CPU and the build, never on the selection, so
// selecting one implementation cannot hide another.
func available() []impl {
	var out []impl
	if hasAVX512 {
		out = append(out, implAVX512)
	}
	if hasAVX2 {
		out = append(out, implAVX2)
	}
	return append(out, implGeneric)
}

// Implementations lists the implementations this CPU and build can run,
// fastest first. Generic is always last.
func Implementations() []string {
	var out []string
	for _, im := range available() {
		out = append(out, implNames[im])
	}
	return out
}

// Selected returns the name of the active implementation.
func Selected() string { return implNames[active] }

// Select makes name the active implementation. It fails, listing the valid
// names, when name is unknown or this CPU cannot run it.
func Select(name string) error {
	for _, im := range available() {
		if implNames[im] == name {
			active = im
			return nil
		}
	}
	return fmt.Errorf("implementation %q is not available here (valid: %s)", name, strings.Join(Implementations(), ", "))
}
