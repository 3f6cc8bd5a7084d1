//go:build !amd64 || !gc || purego || noasm

package asm

func adamStep(p, m, v, g []float32, k *adamConsts) { adamStepGeneric(p, m, v, g, k) }

// adamImpl is the implementation adamStep runs.
func adamImpl() impl { return implGeneric }
