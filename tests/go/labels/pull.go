//go:build go1.23

package main

import "iter"

// pulled queries from an iter.Pull iterator: on the goroutine of the coroutine the checkout
// handler starts (Go 1.23+; pull_old.go before), which inherits its labels and is within it.
//
//go:noinline
func pulled(scopes []string) {
	next, stop := iter.Pull(func(yield func(int) bool) {
		for i := 0; i < checkoutPulled; i++ {
			sink += query(scopes, "pulled")
			if !yield(i) {
				return
			}
		}
	})
	defer stop()
	for {
		if _, ok := next(); !ok {
			return
		}
	}
}
