package main

import (
	"context"
	"runtime/pprof"
)

// escapeMe's name is patched in the binary, and so is this file's (tests/test_security.py).
//
//go:noinline
func escapeMe(x int) int {
	return x*3 + 1
}

// labelled calls escapeMe under pprof labels that hold escapes; how many times.
func labelled() int {
	n := 0
	pprof.Do(context.Background(), pprof.Labels("k\x1b[2J", "v\x07\nx"), func(context.Context) {
		for i := 0; i < 5; i++ {
			sink += escapeMe(i)
			n++
		}
	})
	return n
}
