//go:build !amd64 || !gc || purego || noasm

package asm

// gemmKernelFor returns the SGEMM micro-kernel of implementation im; without
// assembly every implementation is the generic one.
func gemmKernelFor(impl) *gemmKernel { return &gemmGeneric }

func dot4(a []float32, b *[dotMaxN][]float32, s *[dotMaxN]float32) { dot4Generic(a, b, s) }
