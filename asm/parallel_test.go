package asm

import (
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
