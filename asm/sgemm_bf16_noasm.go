//go:build !amd64 || !gc || purego || noasm

package asm

import "errors"

// nativeBF16 fails: the bfloat16 product needs the AVX512-BF16 assembly.
func nativeBF16() (*bf16Kernels, error) {
	return nil, errors.New("this build has no bfloat16 kernels (built without assembly or not for amd64)")
}
