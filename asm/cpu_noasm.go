//go:build !amd64 || !gc || purego || noasm

package asm

const (
	hasAVX512 = false
	hasAVX2   = false
)
