//go:build !amd64 || !gc || purego || noasm

package asm

// packColumns sets d[q*w+c] = src[c*ld+q] for q < kb, c < n ≤ w, and zero
// for n ≤ c < w; without assembly it is packColumnsGeneric.
func packColumns(d []float32, w int, src []float32, ld, n, kb int) {
	packColumnsGeneric(d, w, src, ld, n, kb)
}

// packRows packs kb rows of n contiguous values (row q at src[q*ld:]) into
// ⌈n/w⌉ slivers of width w, d[s*w*kb+q*w+c] = src[q*ld+s*w+c], zero past
// n; without assembly it is packRowsGeneric.
func packRows(d []float32, w int, src []float32, ld, n, kb int) {
	packRowsGeneric(d, w, src, ld, n, kb)
}
