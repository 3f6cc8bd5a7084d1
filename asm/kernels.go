package asm

import "fmt"

// Kernel says which implementation an operation runs with now.
type Kernel struct {
	Op     string // the exported function, e.g. "Sgemm" or "AdamW.Step"
	Impl   string // AVX512, AVX2 or Generic
	Detail string // for Sgemm, its register tile and cache blocks; else empty
}

// Kernels lists every operation of the package with the implementation it
// uses under the current selection (see Select): the selected one, except
// AdamW.Step, whose AVX2 kernel also serves AVX-512. Sgemm's Detail gives
// its micro-kernel's tile of C and its block sizes. Whatever the
// implementation, rows narrower than 16 values in AddBias, AddBiasSiLU and
// SumRows, and products of at most four columns (or rows) in Sgemm, take
// the paths their doc comments describe; BF16Unit reports the bfloat16
// products.
func Kernels() []Kernel {
	sel := implNames[active]
	g := gemmKernelFor(active)
	out := []Kernel{{
		Op: "Sgemm", Impl: sel,
		Detail: fmt.Sprintf("%d×%d tile, kc %d, mc %d, nc %d", g.mr, g.nr, g.kc, g.mc, g.nc),
	}}
	for _, op := range []string{
		"SiLU", "SiLUGrad", "AddBias", "AddBiasSiLU", "LinearSiLU", "SumRows",
		"EulerStep", "HeunStep", "RK4Step", "Combine", "DormandPrince5", "EulerMaruyama",
		"SinCos", "Sinusoids",
	} {
		out = append(out, Kernel{Op: op, Impl: sel})
	}
	return append(out, Kernel{Op: "AdamW.Step", Impl: implNames[adamImpl()]})
}
