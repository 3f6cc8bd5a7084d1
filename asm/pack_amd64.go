//go:build amd64 && gc && !purego && !noasm

package asm

// packColumns sets d[q*w+c] = src[c*ld+q] for q < kb, c < n ≤ w, and zero
// for n ≤ c < w, with the active implementation: it transposes n rows of kb
// contiguous values, ld apart, into kb rows of w. The assembly transposes
// the leading columns in groups of 8 and 4 source rows (and 2 under AVX2,
// whose 6-row sliver needs them), blocks of 16 (AVX-512) or 8 (AVX2)
// depths at a time; packColumnsFrom does the last odd columns, the zero
// columns and depths shorter than one block.
func packColumns(d []float32, w int, src []float32, ld, n, kb int) {
	checkPackColumns(w, ld, n, kb)
	d = d[:kb*w]
	c := 0
	switch {
	case active == implAVX512 && kb >= 16:
		c = n &^ 3
	case active == implAVX2 && kb >= 8:
		c = n &^ 1
	}
	if c > 0 {
		// The kernels read rows r < c at src[r*ld : r*ld+kb] and write
		// d[q*w : q*w+c] for q < kb: in range, as c ≤ w and ld ≥ 0.
		_ = src[(c-1)*ld+kb-1]
		if active == implAVX512 {
			packColumnsAVX512(d, w, src, ld, c, kb)
		} else {
			packColumnsAVX2(d, w, src, ld, c, kb)
		}
	}
	packColumnsFrom(d, w, src, ld, c, n, kb)
}

// packRows packs kb rows of n contiguous values (row q at src[q*ld:]) into
// ⌈n/w⌉ slivers of width w, d[s*w*kb+q*w+c] = src[q*ld+s*w+c], zero past
// n, with the active implementation. The assembly takes src in blocks of
// 32 rows and moves one vector of a sliver's columns (16 under AVX-512, 8
// under AVX2) down a block at a time, reading only the values before n with
// masked loads.
func packRows(d []float32, w int, src []float32, ld, n, kb int) {
	if active == implGeneric {
		packRowsGeneric(d, w, src, ld, n, kb)
		return
	}
	checkPackShape(w, ld, n, kb)
	d = d[:ceilDiv(n, w)*w*kb]
	if n == 0 || kb == 0 {
		return
	}
	// The kernels read src[q*ld : q*ld+n] for q < kb.
	_ = src[(kb-1)*ld+n-1]
	if active == implAVX512 {
		packRowsAVX512(d, w, src, ld, n, kb)
	} else {
		packRowsAVX2(d, w, src, ld, n, kb)
	}
}

// packColumnsAVX512 sets d[q*w+c] = src[c*ld+q] for q < kb, c < n, with n
// a multiple of 4 and kb ≥ 16, and leaves the other columns of d.
//
//go:noescape
func packColumnsAVX512(d []float32, w int, src []float32, ld, n, kb int)

// packColumnsAVX2 sets d[q*w+c] = src[c*ld+q] for q < kb, c < n, with n
// even and kb ≥ 8, and leaves the other columns of d.
//
//go:noescape
func packColumnsAVX2(d []float32, w int, src []float32, ld, n, kb int)

// packRowsAVX512 is packRows for n, kb ≥ 1.
//
//go:noescape
func packRowsAVX512(d []float32, w int, src []float32, ld, n, kb int)

// packRowsAVX2 is packRows for n, kb ≥ 1.
//
//go:noescape
func packRowsAVX2(d []float32, w int, src []float32, ld, n, kb int)
