package asm

// gemmGeneric is the pure-Go micro-kernel: a 4×4 tile held in sixteen scalar
// accumulators (4×2 and 2×4 tiles measured no faster, 2–3 GFLOP/s all).
// Blocks: a 256×4 sliver of B is 4 KB, a 256×128 block of A 128 KB.
var gemmGeneric = gemmKernel{mr: 4, nr: 4, kc: 256, mc: 128, nc: 4096, micro: sgemmMicroGeneric}

// sgemmMicroGeneric computes the 4×4 tile
// c[i*ldc+j] = alpha·Σ_{p<kc} a[p*4+i]·b[p*ldb+j] + beta·c[i*ldc+j], not
// reading c when beta is 0.
func sgemmMicroGeneric(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:4*kc]
	for p := range kc {
		a, b := a[4*p:4*p+4], b[p*ldb:p*ldb+4]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a0 := a[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := a[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := a[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := a[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	storeRow4(c[0*ldc:0*ldc+4], c00, c01, c02, c03, alpha, beta)
	storeRow4(c[1*ldc:1*ldc+4], c10, c11, c12, c13, alpha, beta)
	storeRow4(c[2*ldc:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	storeRow4(c[3*ldc:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

// storeRow4 sets c[j] = alpha·s_j + beta·c[j], not reading c when beta is 0.
func storeRow4(c []float32, s0, s1, s2, s3, alpha, beta float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}

// dot4Generic sets s[j] = Σ_l a[l]·b[j][l] for the four rows b[j], each at
// least len(a) long.
func dot4Generic(a []float32, b *[dotMaxN][]float32, s *[dotMaxN]float32) {
	b0, b1, b2, b3 := b[0][:len(a)], b[1][:len(a)], b[2][:len(a)], b[3][:len(a)]
	var s0, s1, s2, s3 float32
	for l, v := range a {
		s0 += v * b0[l]
		s1 += v * b1[l]
		s2 += v * b2[l]
		s3 += v * b3[l]
	}
	s[0], s[1], s[2], s[3] = s0, s1, s2, s3
}
