//go:build cgo

package main

/*
#include <stdint.h>
int64_t c_calls_back(int64_t n);
*/
import "C"

import "sync/atomic"

var callbacks atomic.Int64

// goCallback is called from C, by c_calls_back, on the goroutine that called into C (not
// inlined into its cgo wrapper, so that it is a function of its own to trace).
//
//export goCallback
//go:noinline
func goCallback(x C.int64_t) C.int64_t {
	callbacks.Add(1)
	return C.int64_t(work(int64(x)))
}

func roundCgo() {
	var s int64
	for i := 0; i < 200; i++ {
		s += int64(C.c_calls_back(10))
	}
	// sum over x < 10 of x*x+1 = 285 + 10
	if s != 200*295 {
		fail("cgo round: %d, want %d", s, 200*295)
	}
}

func init() { modes["cgo"] = roundCgo }

func extraReport() map[string]any {
	return map[string]any{"main.goCallback": callbacks.Load()}
}
