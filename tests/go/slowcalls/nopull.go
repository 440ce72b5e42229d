//go:build !(go1.23 || goexperiment.rangefunc) || gccgo

package main

import "time"

// No iter.Pull before Go 1.23 (but for 1.22's experiment) nor in gccgo: main.pull is never called.
const pulls = false

func pull(n int, spinEach, napEach time.Duration) record {
	panic("no iter.Pull before Go 1.23")
}
