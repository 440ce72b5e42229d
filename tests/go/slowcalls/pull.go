//go:build go1.23 && !gccgo

// main.pull, on gc releases with iter.Pull (its coroutines switch goroutines without the
// scheduler: runtime.coroswitch_m).

package main

import (
	"iter"
	"time"
)

const pulls = true

// produce yields n values, each after spinning on the CPU for spinEach, then sleeping napEach.
func produce(n int, spinEach, napEach time.Duration) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			start := time.Now()
			x := 0
			for time.Since(start) < spinEach {
				x = x*31 + i
			}
			sink += x
			if napEach > 0 {
				time.Sleep(napEach)
			}
			if !yield(i) {
				return
			}
		}
	}
}

// pull takes n values from an iter.Pull iterator over produce, then stops it: while the
// producer runs, pull's goroutine waits in its coroutine. coro_ns: the time in the iterator's
// next and stop, where pull waits.
//
//go:noinline
func pull(n int, spinEach, napEach time.Duration) record {
	start := time.Now()
	next, stop := iter.Pull(produce(n, spinEach, napEach))
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
	return done(start, record{"func": "main.pull", "coro_ns": in.Nanoseconds(), "stack": stack()})
}
