//go:build !amd64 || !gc || purego || noasm

package asm

// bf16NativeSets returns no kernel sets: this build has no assembly.
func bf16NativeSets() []*bf16Kernels { return nil }
