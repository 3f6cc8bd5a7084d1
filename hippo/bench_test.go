package hippo

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkLegSStep(b *testing.B) {
	for _, n := range []int{64, 256} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			x := make([]float64, n)
			for b.Loop() {
				LegSStep(x, x, 1, 1e-3, 0.5)
			}
		})
	}
}

func BenchmarkKernel(b *testing.B) {
	const n, L, dt = 64, 1024, 0.01
	init, err := NewSSMInit("legs", n, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	k := make([]float64, L)
	b.Run(fmt.Sprintf("DPLR/N=%d/L=%d", n, L), func(b *testing.B) {
		for b.Loop() {
			KernelDPLR(k, init.A, init.P, init.B, init.C, dt)
		}
	})
	b.Run(fmt.Sprintf("Diag/N=%d/L=%d", n, L), func(b *testing.B) {
		dA, dB := make([]complex128, n/2), make([]complex128, n/2)
		for b.Loop() {
			DiscretizeDiag(dA, dB, init.A, init.B, dt, ZOH)
			KernelDiag(k, dA, dB, init.C)
		}
	})
}

func BenchmarkOnline(b *testing.B) {
	sig, err := WhiteSignal(3, 1e-3, 3, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range []string{"legs", "legt"} {
		b.Run(fmt.Sprintf("%s/N=64/L=%d", m, len(sig)), func(b *testing.B) {
			for b.Loop() {
				o, err := NewOnline(m, 64, 1e-3, 1, Bilinear)
				if err != nil {
					b.Fatal(err)
				}
				for _, u := range sig {
					o.Update(u)
				}
			}
		})
	}
}
