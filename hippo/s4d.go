package hippo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// MinDecay bounds the real part of every initial A away from zero:
// Re A ≤ −MinDecay, as s4's inv_transform clamps −Re A at 1e-4 before
// storing it under the exp transform (so the HiPPO measures whose normal
// part has Re Λ = 0, i.e. legt, lagt and fout, decay slowly rather than
// not at all).
const MinDecay = 1e-4

// SSMInit is the initial state of one S4/S4D SSM in the conjugate-halved
// form: n states stored as n/2 complex modes, each standing for itself and
// its conjugate, so the real output is y = 2·Re(C x) (s4 SSMKernelDiag).
type SSMInit struct {
	// Name is the initialisation's name (see SSMInitNames).
	Name string
	// A is the diagonal of A: Re A ≤ −MinDecay, Im A ≤ 0.
	A []complex128
	// P is the low-rank term of the DPLR matrix A − PP* (rank × n/2) for
	// the HiPPO initialisations and nil for the purely diagonal ones; an
	// S4D layer ignores it.
	P [][]complex128
	// B is the input vector.
	B []complex128
	// C is the output vector, complex standard normal (E|C_n|² = 1).
	C []complex128
}

// ssmInits maps each name to its construction; the order is the one
// errors print.
var ssmInits = []struct {
	name string
	fill func(s *SSMInit, n int, rng *rand.Rand) error
}{
	{"legs", nplrInit("legs", 1)},
	{"legt", nplrInit("legt", 2)},
	{"lagt", nplrInit("lagt", 1)},
	{"fout", nplrInit("fout", 1)},
	{"inv", diagInit(func(k, n int, _ *rand.Rand) complex128 {
		return complex(-0.5, -float64(n)/math.Pi*(float64(n)/float64(2*k+1)-1))
	})},
	{"lin", diagInit(func(k, _ int, _ *rand.Rand) complex128 { return complex(-0.5, -math.Pi*float64(k)) })},
	{"real", diagInit(func(k, _ int, _ *rand.Rand) complex128 { return complex(-float64(k+1), 0) })},
	{"random", diagInit(func(_, _ int, rng *rand.Rand) complex128 { return complex(-0.5, -math.Exp(rng.NormFloat64())) })},
	{"quad", diagInit(func(k, _ int, _ *rand.Rand) complex128 {
		q := float64(1 + 2*k)
		return complex(-0.5, -q*q/math.Pi)
	})},
}

// SSMInitNames returns the names NewSSMInit accepts, the values of the
// command line's --ssm-init.
func SSMInitNames() []string {
	names := make([]string, len(ssmInits))
	for i, s := range ssmInits {
		names[i] = s.name
	}
	return names
}

// NewSSMInit returns the named initialisation of an SSM with n (even)
// states, drawing C (and the random init's A) from rng. With k = 0…n/2−1
// (s4 src/models/sequence/kernels/dplr.py and models/s4/s4.py dplr()):
//
//	legs    S4D-LegS: A, P, B from NPLR("legs", n, 1): A = −½ + i·Im eig(A + PPᵀ),
//	        B = V*B_legs with Im B clipped to ±2 (the ½ on B that the S4D theory
//	        asks for is dropped, as in the reference)
//	legt    NPLR("legt", n, 2), the same way (Re A = 0 → −MinDecay)
//	lagt    NPLR("lagt", n, 1) (Re A = 0 → −MinDecay)
//	fout    NPLR("fout", n, 1) (Re A = 0 → −MinDecay)
//	inv     S4D-Inv:  A_k = −½ − i(n/π)(n/(2k+1) − 1), B = 1
//	lin     S4D-Lin:  A_k = −½ − iπk, B = 1
//	real    S4D-Real: A_k = −(k+1), B = 1
//	random  A_k = −½ − i·exp(𝒩(0,1)), B = 1
//	quad    A_k = −½ − i(1+2k)²/π, B = 1
//
// and C_k = (𝒩(0,1) + i𝒩(0,1))/√2. Δ is drawn separately (LogUniformDt).
// An unknown name's error lists the valid ones.
func NewSSMInit(name string, n int, rng *rand.Rand) (*SSMInit, error) {
	for _, s := range ssmInits {
		if s.name != name {
			continue
		}
		if n < 2 || n%2 != 0 {
			return nil, fmt.Errorf("hippo: SSM init %s: state size %d must be even and at least 2", name, n)
		}
		if rng == nil {
			return nil, fmt.Errorf("hippo: SSM init %s: nil random source", name)
		}
		init := &SSMInit{Name: name}
		if err := s.fill(init, n, rng); err != nil {
			return nil, err
		}
		for i, a := range init.A {
			init.A[i] = complex(math.Min(real(a), -MinDecay), imag(a))
		}
		init.C = make([]complex128, n/2)
		for i := range init.C {
			init.C[i] = complex(rng.NormFloat64(), rng.NormFloat64()) / complex(math.Sqrt2, 0)
		}
		return init, nil
	}
	return nil, fmt.Errorf("hippo: unknown SSM init %q (valid: %s)", name, strings.Join(SSMInitNames(), ", "))
}

func nplrInit(measure string, rank int) func(*SSMInit, int, *rand.Rand) error {
	return func(s *SSMInit, n int, _ *rand.Rand) error {
		d, err := NPLR(measure, n, rank)
		if err != nil {
			return err
		}
		s.A, s.P, s.B = d.Lambda, d.P, d.B
		return nil
	}
}

func diagInit(a func(k, n int, rng *rand.Rand) complex128) func(*SSMInit, int, *rand.Rand) error {
	return func(s *SSMInit, n int, rng *rand.Rand) error {
		s.A = make([]complex128, n/2)
		s.B = make([]complex128, n/2)
		for k := range s.A {
			s.A[k] = a(k, n, rng)
			s.B[k] = 1
		}
		return nil
	}
}

// LogUniformDt fills dst with step sizes Δ = exp(U[ln dtMin, ln dtMax])
// (s4 SSMKernel.init_dt; the reference default range is [1e-3, 1e-1]).
func LogUniformDt(dst []float64, dtMin, dtMax float64, rng *rand.Rand) error {
	if !(dtMin > 0) || !(dtMax >= dtMin) || math.IsInf(dtMax, 1) {
		return fmt.Errorf("hippo: Δ range [%v, %v] must satisfy 0 < Δmin ≤ Δmax < ∞", dtMin, dtMax)
	}
	lo, hi := math.Log(dtMin), math.Log(dtMax)
	for i := range dst {
		dst[i] = math.Exp(lo + rng.Float64()*(hi-lo))
	}
	return nil
}

// MambaALog fills dst with Mamba's S4D-Real A_log_n = ln(n+1), so that
// A = −exp(A_log) = −(n+1) (state-spaces/mamba mamba_simple.py).
func MambaALog(dst []float64) {
	for i := range dst {
		dst[i] = math.Log(float64(i + 1))
	}
}

// MambaDtBias fills dst with Mamba's dt_proj bias: Δ = exp(U[ln dtMin,
// ln dtMax]) clamped below at floor (Mamba's dt_init_floor, 1e-4), stored
// as softplus⁻¹(Δ) so that softplus(bias) = Δ at initialisation
// (mamba_simple.py; defaults dtMin 1e-3, dtMax 1e-1).
func MambaDtBias(dst []float64, dtMin, dtMax, floor float64, rng *rand.Rand) error {
	if err := LogUniformDt(dst, dtMin, dtMax, rng); err != nil {
		return err
	}
	for i, d := range dst {
		dst[i] = SoftplusInverse(math.Max(d, floor))
	}
	return nil
}

// SoftplusInverse returns softplus⁻¹(x) = x + ln(1 − e^{−x}) for x > 0.
func SoftplusInverse(x float64) float64 { return x + math.Log(-math.Expm1(-x)) }

// Float32s converts to float32, the precision of seqmodel's graphs.
func Float32s(src []float64) []float32 {
	dst := make([]float32, len(src))
	for i, v := range src {
		dst[i] = float32(v)
	}
	return dst
}

// Complex64s converts to complex64.
func Complex64s(src []complex128) []complex64 {
	dst := make([]complex64, len(src))
	for i, v := range src {
		dst[i] = complex64(v)
	}
	return dst
}

// SplitComplex32 returns the real and imaginary parts of src as float32,
// the layout of a parameter stored as two real tensors.
func SplitComplex32(src []complex128) (re, im []float32) {
	re, im = make([]float32, len(src)), make([]float32, len(src))
	for i, v := range src {
		re[i], im[i] = float32(real(v)), float32(imag(v))
	}
	return re, im
}
