//go:build amd64 && gc && !purego && !noasm

package asm

// sinCosTailMask holds four all-ones lanes then four zero lanes; the AVX2
// kernels load the mask of their last n < 4 elements from
// &sinCosTailMask[4−n], as 32-bit lanes or sign-extended to 64-bit ones.
var sinCosTailMask = [8]int32{-1, -1, -1, -1}

// The drivers call the kernels directly rather than through a function
// value, so that the slices do not escape (callers pass stack buffers).

func sinCos(s, c, a []float64) {
	if active == implGeneric {
		sinCosGeneric(s, c, a)
		return
	}
	for len(a) > 0 {
		n := min(len(a), chunk)
		s1, c1, a1 := s[:n], c[:n], a[:n]
		var fallback bool
		if active == implAVX512 {
			fallback = sinCosAVX512(s1, c1, a1)
		} else {
			fallback = sinCosAVX2(s1, c1, a1)
		}
		if fallback {
			sinCosFallback(s1, c1, a1)
		}
		s, c, a = s[n:], c[n:], a[n:]
	}
}

// sinusoids runs the kernel over blocks of at most about chunk values:
// whole rows, or parts of rows longer than chunk.
func sinusoids(dst []float32, ld int, t []float32, freq []float64) {
	nf := len(freq)
	if active == implGeneric {
		sinusoidsGeneric(dst, ld, nf, t, freq)
		return
	}
	for j0 := 0; j0 < nf; j0 += chunk {
		f := freq[j0:min(j0+chunk, nf)]
		step := max(1, chunk/len(f))
		for i0 := 0; i0 < len(t); i0 += step {
			d, ts := dst[i0*ld+j0:], t[i0:min(i0+step, len(t))]
			var fallback bool
			if active == implAVX512 {
				fallback = sinusoidsAVX512(d, ld, nf, ts, f)
			} else {
				fallback = sinusoidsAVX2(d, ld, nf, ts, f)
			}
			if fallback {
				sinusoidsFallback(d, ld, nf, ts, f)
			}
		}
	}
}

// The kernels compute every value with sinCos1's reduction and series and
// report whether some argument needs the fallback (|a| ≥ sinCosMax, NaN or
// ±Inf); the values they leave there are meaningless. The sinusoids kernels
// write row i's cosines at dst[i*ld:] and its sines sinOff values further;
// the caller has checked that dst holds them.

//go:noescape
func sinCosAVX512(s, c, a []float64) (fallback bool)

//go:noescape
func sinCosAVX2(s, c, a []float64) (fallback bool)

//go:noescape
func sinusoidsAVX512(dst []float32, ld, sinOff int, t []float32, freq []float64) (fallback bool)

//go:noescape
func sinusoidsAVX2(dst []float32, ld, sinOff int, t []float32, freq []float64) (fallback bool)
