package asm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// parallel runs part(0), ..., part(n-1) at once (n ≥ 1), part(0) on the
// calling goroutine, and returns when all have returned.
//
// The other parts run on persistent worker goroutines that, after each
// part, poll for the next one for spinTime before they park. The products
// of a training step or a sampling loop follow each other within
// microseconds, while waking a parked goroutine took 60 µs on average on a
// KVM guest (a sixth of a 1024×256×256 bfloat16 product); a worker that is
// still polling starts at once. Concurrent callers each take idle workers
// or start new ones, so no caller waits for another's part.
func parallel(n int, part func(t int)) {
	if n <= 1 {
		part(0)
		return
	}
	var left atomic.Int32
	left.Store(int32(n - 1))
	ws := make([]*worker, n-1)
	for t := range ws {
		ws[t] = idleWorker()
		ws[t].start(&job{part: part, t: t + 1, left: &left})
	}
	part(0)
	for !spin(spinTime, func() bool { return left.Load() == 0 }) {
	}
	workers.mu.Lock()
	workers.idle = append(workers.idle, ws...)
	workers.mu.Unlock()
}

// spinTime is how long a worker or a barrier polls before it parks.
const spinTime = 200 * time.Microsecond

// spin polls done, yielding the processor every few polls, until done
// returns true (spin returns true) or d has passed (false).
func spin(d time.Duration, done func() bool) bool {
	start := time.Now()
	for i := 0; ; i++ {
		if done() {
			return true
		}
		if i%64 == 63 {
			if time.Since(start) > d {
				return false
			}
			runtime.Gosched()
		}
	}
}

// workers holds the idle workers.
var workers struct {
	mu   sync.Mutex
	idle []*worker
}

// idleWorker returns an idle worker, starting one when none is idle.
func idleWorker() *worker {
	workers.mu.Lock()
	defer workers.mu.Unlock()
	if k := len(workers.idle); k > 0 {
		w := workers.idle[k-1]
		workers.idle = workers.idle[:k-1]
		return w
	}
	w := &worker{wake: make(chan struct{}, 1)}
	go w.loop()
	return w
}

// A job is part t of a parallel call; left counts the parts still running.
type job struct {
	part func(t int)
	t    int
	left *atomic.Int32
}

// A worker runs the jobs it is given, one at a time. It parks on wake
// when it has polled for spinTime without a job; start wakes it then.
type worker struct {
	next     atomic.Pointer[job]
	sleeping atomic.Bool
	wake     chan struct{}
}

func (w *worker) loop() {
	for {
		j := w.await()
		j.part(j.t)
		j.left.Add(-1)
	}
}

// await returns the worker's next job, polling and then parking for it.
func (w *worker) await() *job {
	for {
		var j *job
		if spin(spinTime, func() bool { j = w.next.Swap(nil); return j != nil }) {
			return j
		}
		w.sleeping.Store(true)
		if j := w.next.Swap(nil); j != nil {
			// A job came before the worker parked. If start saw the
			// worker asleep, it sends a wake-up, taken here.
			if !w.sleeping.CompareAndSwap(true, false) {
				<-w.wake
			}
			return j
		}
		<-w.wake
	}
}

// start gives the worker a job and wakes it when it is parked.
func (w *worker) start(j *job) {
	w.next.Store(j)
	if w.sleeping.CompareAndSwap(true, false) {
		w.wake <- struct{}{}
	}
}
