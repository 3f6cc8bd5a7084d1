//go:build amd64 && gc && !purego && !noasm

package asm

import "github.com/klauspost/cpuid/v2"

var (
	hasAVX512 = cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512VL, cpuid.AVX512DQ, cpuid.AVX512BW)
	hasAVX2   = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)
)
