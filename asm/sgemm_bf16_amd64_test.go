//go:build amd64 && gc && !purego && !noasm

package asm

// bf16NativeSets returns the assembly kernel sets of the bfloat16 product
// this machine runs.
func bf16NativeSets() []*bf16Kernels {
	var sets []*bf16Kernels
	if hasAVX512BF16 {
		sets = append(sets, &bf16DP)
	}
	if hasAMX && enableAMX() == nil {
		sets = append(sets, &bf16AMX)
	}
	return sets
}
