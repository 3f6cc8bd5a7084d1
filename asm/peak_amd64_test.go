//go:build amd64 && gc && !purego && !noasm

package asm

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BenchmarkFMAPeak measures the FP32 FMA throughput the kernels' GFLOP/s
// compare against, on one goroutine per thread.
func BenchmarkFMAPeak(b *testing.B) {
	for _, isa := range []struct {
		name  string
		ok    bool
		lanes int
		f     func(int)
	}{{AVX512, hasAVX512, 16, fmaPeakAVX512}, {AVX2, hasAVX2, 8, fmaPeakAVX2}} {
		if !isa.ok {
			continue
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("isa=%s/threads=%d", isa.name, threads), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
				const iters = 100000
				for b.Loop() {
					var wg sync.WaitGroup
					for range threads {
						wg.Add(1)
						go func() {
							defer wg.Done()
							isa.f(iters)
						}()
					}
					wg.Wait()
				}
				flops := float64(b.N) * float64(threads) * iters * 24 * float64(2*isa.lanes)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// measureCorePeak times the FMA loop on one goroutine for about 50 ms.
func measureCorePeak() float64 {
	f, lanes := fmaPeakAVX2, 8
	if hasAVX512 {
		f, lanes = fmaPeakAVX512, 16
	}
	const iters = 100000
	f(iters) // warm up the vector units
	start, n := time.Now(), 0
	for time.Since(start) < 50*time.Millisecond {
		f(iters)
		n++
	}
	return float64(n) * iters * 24 * float64(2*lanes) / time.Since(start).Seconds() / 1e9
}
