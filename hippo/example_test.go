package hippo_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/seqlab/seqlab/hippo"
)

// The LegS matrix is lower triangular with eigenvalues −1, −2, −3.
func ExampleTransition() {
	A, B, err := hippo.Transition("legs", 3, hippo.Params{})
	if err != nil {
		panic(err)
	}
	for i := range 3 {
		fmt.Printf("%7.4f %7.4f %7.4f | %.4f\n", A.At(i, 0), A.At(i, 1), A.At(i, 2), B[i])
	}
	_, _, err = hippo.Transition("legx", 3, hippo.Params{})
	fmt.Println(err)
	// Output:
	// -1.0000  0.0000  0.0000 | 1.0000
	// -1.7321 -2.0000  0.0000 | 1.7321
	// -2.2361 -3.8730 -3.0000 | 2.2361
	// hippo: unknown measure "legx" (valid: legs, legsd, legt, lmu, lagt, tlagt, glagt, fout, fourier_decay, foud, random, diagonal)
}

// NPLR keeps one eigenvalue of each conjugate pair of LegS's normal part,
// all with real part −½. (For N = 4 the skew part's characteristic
// polynomial is ω⁴ − 21.5ω² + 105/16, so ω = 4.6033, 0.5565.)
func ExampleNPLR() {
	d, err := hippo.NPLR("legs", 4, 1)
	if err != nil {
		panic(err)
	}
	for _, l := range d.Lambda {
		fmt.Printf("%.4f\n", l)
	}
	// Output:
	// (-0.5000-4.6033i)
	// (-0.5000-0.5565i)
}

// S4D-Inv's modes for a state of size 8 (four conjugate pairs).
func ExampleNewSSMInit() {
	s, err := hippo.NewSSMInit("inv", 8, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	for _, a := range s.A {
		fmt.Printf("%.4f\n", a)
	}
	// Output:
	// (-0.5000-17.8254i)
	// (-0.5000-4.2441i)
	// (-0.5000-1.5279i)
	// (-0.5000-0.3638i)
}

// Online LegS projection of f(x) = x on [0, 1]: the coefficients are
// ⟨f, √(2n+1)P_n(2x−1)⟩ = ½, √3/6 ≈ 0.2887, 0, 0.
func ExampleOnline() {
	o, err := hippo.NewOnline("legs", 4, 1e-3, 0, hippo.ZOH)
	if err != nil {
		panic(err)
	}
	const L = 1000
	for k := range L {
		o.Update((float64(k) + 0.5) / L)
	}
	c := o.Coefficients()
	fmt.Printf("%.4f %.4f %v\n", c[0], c[1], math.Abs(c[2]) < 1e-6 && math.Abs(c[3]) < 1e-6)
	rec := make([]float64, 3)
	o.Reconstruct(rec) // the last three samples
	fmt.Printf("%.4f %.4f %.4f\n", rec[0], rec[1], rec[2])
	// Output:
	// 0.5000 0.2887 true
	// 0.9975 0.9985 0.9995
}

// The S4D kernel of one real mode A = −1 (S4D-Real), ZOH with Δ = ½:
// K_l = 2·Re(C·B̄·Ā^l) = (1 − e^{−½})·e^{−l/2} for C = ½, B = 1.
func ExampleKernelDiag() {
	A, B := []complex128{-1}, []complex128{1}
	dA, dB := make([]complex128, 1), make([]complex128, 1)
	hippo.DiscretizeDiag(dA, dB, A, B, 0.5, hippo.ZOH)
	k := make([]float64, 4)
	hippo.KernelDiag(k, dA, dB, []complex128{0.5})
	fmt.Printf("%.4f\n", k)
	// Output:
	// [0.3935 0.2387 0.1447 0.0878]
}

// One bilinear LegS step from rest with u = 1 and Δ = 1 is
// (I − A/2)⁻¹B = [2/3, 1/√3] for N = 2.
func ExampleLegSStep() {
	x := make([]float64, 2)
	hippo.LegSStep(x, x, 1, 1, 0.5)
	fmt.Printf("%.4f\n", x)
	// Output:
	// [0.6667 0.5774]
}

// Band-limited white noise of the HiPPO experiments: 3 s at 1 ms, up to 3 Hz.
func ExampleWhiteSignal() {
	sig, err := hippo.WhiteSignal(3, 1e-3, 3, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(sig), sig[0])
	// Output:
	// 3000 0
}
