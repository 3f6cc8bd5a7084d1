package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
	"github.com/seqlab/seqlab/asm"
	"github.com/urfave/cli/v2"
)

func cpuinfoCommand() *cli.Command {
	return &cli.Command{
		Name:  "cpuinfo",
		Usage: "print the CPU's features and which kernel each operation uses",
		Action: func(c *cli.Context) error {
			w := c.App.Writer
			fmt.Fprintf(w, "cpu:             %s (family %d, model %d)\n", cpuid.CPU.BrandName, cpuid.CPU.Family, cpuid.CPU.Model)
			// A virtual machine's cpuid may describe its host's cores, not
			// the ones this process can run on.
			fmt.Fprintf(w, "cores:           %d usable, GOMAXPROCS %d (cpuid: %d physical, %d logical)\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), cpuid.CPU.PhysicalCores, cpuid.CPU.LogicalCores)
			var feats []string
			for _, f := range []cpuid.FeatureID{cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F, cpuid.AVX512VL, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512BF16, cpuid.AMXTILE, cpuid.AMXBF16} {
				if cpuid.CPU.Supports(f) {
					feats = append(feats, f.String())
				}
			}
			fmt.Fprintf(w, "features:        %s\n", strings.Join(feats, " "))
			fmt.Fprintf(w, "implementations: %s\n", strings.Join(asm.Implementations(), " "))
			fmt.Fprintf(w, "selected:        %s (override with SEQLAB_ASM)\n", asm.Selected())
			bf16 := "available (--precision bf16)"
			if err := asm.SetMatmulPrecision(asm.BF16); err != nil {
				bf16 = "unavailable: " + err.Error()
			} else if unit, err := asm.BF16Unit(); err == nil {
				bf16 += " on " + unit
			}
			if err := asm.SetMatmulPrecision(asm.FP32); err != nil {
				return err
			}
			fmt.Fprintf(w, "bf16 matmul:     %s\n", bf16)
			fmt.Fprintln(w, "kernels:")
			for _, k := range asm.Kernels() {
				fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-16s %-8s %s", k.Op, k.Impl, k.Detail), " "))
			}
			return nil
		},
	}
}
