//go:build !amd64 || !gc || purego || noasm

package asm

func silu(dst, x []float32) { siluGeneric(dst, x) }

func siluGrad(dst, x, dy []float32) { siluGradGeneric(dst, x, dy) }

func addBias(dst, bias []float32) { addBiasGeneric(dst, bias) }

func addBiasSiLU(h, pre, bias []float32) { addBiasSiLUGeneric(h, pre, bias) }

func linearSiLU(h, x, w, bias []float32, in int) { linearSiLUGeneric(h, x, w, bias, in) }

func sumRows(dst, x []float32) { sumRowsGeneric(dst, x) }
