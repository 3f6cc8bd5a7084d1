//go:build !amd64 || !gc || purego || noasm

package asm

import "errors"

// enableAMX fails: the bfloat16 product needs the AMX assembly.
func enableAMX() error {
	return errors.New("this build has no AMX kernels (built without assembly or not for amd64)")
}

// bf16Native is the generic twin; SetMatmulPrecision(BF16) never succeeds
// in this build, so Sgemm never uses it.
var bf16Native = bf16Generic
