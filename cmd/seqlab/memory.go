package main

import (
	"fmt"
	"slices"

	"github.com/seqlab/seqlab/seqmodel"
)

// checkMemory returns an error naming what when an estimated need of bytes
// is more than the machine's physical memory, so that a mistyped size
// fails with a message instead of the runtime's out-of-memory crash.
// Where the physical memory is unknown (outside Linux) it checks nothing.
func checkMemory(what string, need float64) error {
	total := physicalMemory()
	if total <= 0 || !(need > total) { // NaN (from a NaN flag) is left to the flag's own check
		return nil
	}
	return fmt.Errorf("%s needs about %.1f GiB of memory; this machine has %.1f GiB", what, need/(1<<30), total/(1<<30))
}

// trainMemory estimates the bytes a Trainer of cfg's network holds for
// batches of batch samples: 16 per activation of a sample (its value, its
// gradient and two intermediates) and 32 per parameter (its value, the
// gradients of the batch's parts, Adam's two moments, the EMA copy).
// `seqlab train --width 256 --depth 4` measured 16.6 KB per sample (peak
// RSS at batch 16,384 and 131,072); the estimate is 17.5 KB.
func trainMemory(cfg seqmodel.Config, batch int) float64 {
	params := 0
	if ps, err := seqmodel.Layout(cfg); err == nil {
		params = ps.Count()
	}
	activations := 2*cfg.Dim + cfg.TimeDim + cfg.Width*cfg.Depth
	return 16*float64(batch)*float64(activations) + 32*float64(params)
}

// sampleMemory estimates the bytes `seqlab sample` holds for n samples of
// dim values: the samples, the sampler's stages, the .npy and the scatter
// plot. It measured 354 bytes per 2-D sample (peak RSS at n = 1,000,000
// and 4,000,000); the estimate is 384.
func sampleMemory(dim, n int) float64 {
	return 192 * float64(dim) * float64(n)
}

// hippoMemory estimates the bytes of the largest HiPPO memory among the
// state sizes ns: its N×N float64 transition matrix.
func hippoMemory(ns []int) float64 {
	n := float64(slices.Max(ns))
	return 8 * n * n
}

// hippoSignalMemory estimates the bytes `seqlab hippo` holds for a signal of
// samples values reconstructed by runs memories: 768 per sample for the
// signal, its generation and the plot (it measured 540 at 10⁵ and 10⁶
// samples), and 8 per sample and run for the reconstructions.
func hippoSignalMemory(samples float64, runs int) float64 {
	return (768 + 8*float64(runs)) * samples
}
