package asm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestParallel checks that parallel runs every part exactly once and
// returns only after all have run, for callers at once and one after
// another, with workers polling and (after spinTime idle) parked.
func TestParallel(t *testing.T) {
	run := func(n int) {
		runs := make([]atomic.Int32, n)
		parallel(n, func(i int) {
			time.Sleep(time.Duration(i%3) * 50 * time.Microsecond)
			runs[i].Add(1)
		})
		for i := range runs {
			if got := runs[i].Load(); got != 1 {
				t.Errorf("parallel(%d): part %d ran %d times", n, i, got)
			}
		}
	}
	for n := 1; n <= 5; n++ {
		run(n)
	}
	time.Sleep(3 * spinTime) // every worker parks
	run(4)
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 50 {
				run(1 + (c+r)%4)
				if r%10 == 0 {
					time.Sleep(2 * spinTime)
				}
			}
		}()
	}
	wg.Wait()
}

// TestBarrier checks that no goroutine passes a round of the barrier before
// all have reached it, with waiters that poll and waiters that park.
func TestBarrier(t *testing.T) {
	const n, rounds = 3, 40
	bar := newBarrier(n)
	var reached [rounds]atomic.Int32
	parallel(n, func(g int) {
		for r := range rounds {
			if g == r%n && r%8 == 0 {
				time.Sleep(2 * spinTime) // the others park
			}
			reached[r].Add(1)
			bar.wait()
			if got := reached[r].Load(); got != n {
				t.Errorf("goroutine %d passed round %d with %d of %d arrived", g, r, got, n)
			}
		}
	})
}

// TestReserveProcs checks that reserved goroutines count against the
// goroutines a product may use, and that release gives them back.
func TestReserveProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	gemmInFlight.Add(1) // as inside Sgemm
	defer gemmInFlight.Add(-1)
	if got := gemmProcs(); got != 4 {
		t.Fatalf("one product alone on 4 processors may use %d goroutines, want 4", got)
	}
	release := ReserveProcs(2)
	if got := gemmProcs(); got != 2 {
		t.Errorf("with 2 goroutines reserved: %d, want 2", got)
	}
	release2 := ReserveProcs(3)
	if got := gemmProcs(); got != 1 {
		t.Errorf("with 5 reserved: %d, want 1", got)
	}
	release2()
	release()
	if got := gemmProcs(); got != 4 {
		t.Errorf("after release: %d, want 4", got)
	}
}
