//go:build !amd64 || !gc || purego || noasm

package asm

// measureCorePeak returns 0: this build has no FMA loop to time.
func measureCorePeak() float64 { return 0 }
