//go:build (go1.23 || goexperiment.rangefunc) && !gccgo

// main.pull, on gc releases with iter.Pull (Go 1.23 and later, 1.22 with its rangefunc
// experiment), whose coroutines switch goroutines without the scheduler
// (runtime.coroswitch_m), and main.(*producer).run, the iterator it pulls from.

package main

import (
	"iter"
	"time"
)

const pulls = true

// A producer yields n values, each after spinning on the CPU for spinEach, then sleeping
// napEach, and measures itself: its goroutine, its wall time (wall_ns), its time spinning
// (spin_ns), in time.Sleep (sleep_ns) and in yield, switched out to its consumer (yield_ns).
type producer struct {
	n                 int
	spinEach, napEach time.Duration
	r                 record
}

//go:noinline
func (p *producer) run(yield func(int) bool) {
	start := time.Now()
	var spun, slept, yielded time.Duration
	p.r = record{"func": "main.(*producer).run", "goid": goid(), "stack": stack()}
	for i := 0; i < p.n; i++ {
		t := time.Now()
		x := 0
		for time.Since(t) < p.spinEach {
			x = x*31 + i
		}
		sink += x
		spun += time.Since(t)
		if p.napEach > 0 {
			t = time.Now()
			time.Sleep(p.napEach)
			slept += time.Since(t)
		}
		t = time.Now()
		more := yield(i)
		yielded += time.Since(t)
		if !more {
			break
		}
	}
	p.r["spin_ns"], p.r["sleep_ns"], p.r["yield_ns"] = spun.Nanoseconds(), slept.Nanoseconds(), yielded.Nanoseconds()
	p.r["wall_ns"] = time.Since(start).Nanoseconds()
}

// pull takes n values from an iter.Pull iterator over a producer, then stops it: while the
// producer runs, pull's goroutine waits in its coroutine. coro_ns: the time in the iterator's
// next and stop, where pull waits; "producer": the producer's record.
//
//go:noinline
func pull(n int, spinEach, napEach time.Duration) record {
	start := time.Now()
	p := &producer{n: n, spinEach: spinEach, napEach: napEach}
	next, stop := iter.Pull(p.run)
	var in time.Duration
	for i := 0; i < n; i++ {
		t := time.Now()
		v, ok := next()
		in += time.Since(t)
		if !ok || v != i {
			panic("the iterator ended early")
		}
	}
	t := time.Now()
	stop()
	in += time.Since(t)
	return done(start, record{"func": "main.pull", "coro_ns": in.Nanoseconds(), "stack": stack(),
		"producer": p.r})
}
