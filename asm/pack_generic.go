package asm

// packColumnsGeneric is packColumns in Go: d[q*w+c] = src[c*ld+q] for
// q < kb, c < n, and zero for n ≤ c < w.
func packColumnsGeneric(d []float32, w int, src []float32, ld, n, kb int) {
	checkPackColumns(w, ld, n, kb)
	packColumnsFrom(d, w, src, ld, 0, n, kb)
}

// packColumnsFrom is packColumnsGeneric for the columns c0 ≤ c < w only,
// leaving the others of d as they are: the assembly implementations pack
// the leading columns and leave the last few to it. It transposes four rows
// of src at a time so that each store fills four adjacent values.
func packColumnsFrom(d []float32, w int, src []float32, ld, c0, n, kb int) {
	d = d[:kb*w]
	c := c0
	for ; c+4 <= n; c += 4 {
		r0 := src[c*ld:][:kb]
		r1 := src[(c+1)*ld:][:kb]
		r2 := src[(c+2)*ld:][:kb]
		r3 := src[(c+3)*ld:][:kb]
		for q := range kb {
			dq := d[q*w+c : q*w+c+4 : q*w+c+4]
			dq[0], dq[1], dq[2], dq[3] = r0[q], r1[q], r2[q], r3[q]
		}
	}
	for ; c < n; c++ {
		r := src[c*ld:][:kb]
		for q, v := range r {
			d[q*w+c] = v
		}
	}
	for ; c < w; c++ {
		for q := range kb {
			d[q*w+c] = 0
		}
	}
}

// checkPackShape panics unless w ≥ 1 and n, ld, kb ≥ 0: with those, the
// bounds of d and src at their last elements cover every access of a pack.
func checkPackShape(w, ld, n, kb int) {
	if w < 1 || n < 0 || ld < 0 || kb < 0 {
		panic("asm: pack: negative shape")
	}
}

// checkPackColumns is checkPackShape for packColumns, which also needs
// n ≤ w.
func checkPackColumns(w, ld, n, kb int) {
	checkPackShape(w, ld, n, kb)
	if n > w {
		panic("asm: packColumns: more columns than the sliver width")
	}
}

// packRowsGeneric is packRows in Go: d[s*w*kb+q*w+c] = src[q*ld+s*w+c] for
// s*w+c < n, zero past n. It reads each source row once, in order.
func packRowsGeneric(d []float32, w int, src []float32, ld, n, kb int) {
	checkPackShape(w, ld, n, kb)
	for q := range kb {
		row := src[q*ld : q*ld+n]
		for s := 0; s*w < n; s++ {
			dq := d[s*w*kb+q*w : s*w*kb+q*w+w]
			if part := row[s*w:]; len(part) >= w {
				copy(dq, part[:w])
			} else {
				// A last, partial sliver: a loop beats calls to copy
				// and clear for a few values.
				for c := range dq {
					dq[c] = 0
					if c < len(part) {
						dq[c] = part[c]
					}
				}
			}
		}
	}
}
