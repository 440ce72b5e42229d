// Command labels serves "requests" the way a Go service does under pprof labels: a checkout
// handler (labels route=/checkout, req=<n>) that calls query itself and through two goroutines
// it starts and waits for, which inherit its labels (the first starting a third, which queries
// once), and from Go 1.23 through an iter.Pull iterator, on the goroutine of its coroutine
// (pull.go); a browse handler (route=/browse); and
// unlabelled work. It counts the calls of query in each scope itself, so that a tracer's counts
// under --label and --within can be checked against it.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"query": N, "route=/checkout": N, "req=2": N, ...}   (calls of main.query in each scope)
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
)

const (
	requests       = 3 // of each handler
	checkoutOwn    = 1 // calls of query by the checkout handler itself
	checkoutChild  = 2 // by each of its two goroutines
	checkoutPulled = 2 // by its iterator's coroutine (Go 1.23+)
	browseCalls    = 3
	plainCalls     = 7
)

var (
	mu     sync.Mutex
	counts = map[string]int{}
	sink   int
)

type item struct{ n int }

// query is what the tools count; scope is the caller's account of where it runs.
//
//go:noinline
func query(scopes []string, v interface{}) int {
	mu.Lock()
	counts["query"]++
	for _, s := range scopes {
		counts[s]++
	}
	mu.Unlock()
	if it, ok := v.(item); ok {
		return it.n
	}
	return 0
}

// handleCheckout queries itself, then through two goroutines that it waits for.
//
//go:noinline
func handleCheckout(req int) {
	scopes := []string{"route=/checkout", "req=" + strconv.Itoa(req), "within"}
	for i := 0; i < checkoutOwn; i++ {
		sink += query(scopes, item{i})
	}
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(first bool) {
			defer wg.Done()
			for i := 0; i < checkoutChild; i++ {
				sink += query(scopes, "child")
			}
			if first {
				grandchild(scopes)
			}
		}(g == 0)
	}
	wg.Wait()
	pulled(scopes)
}

// grandchild queries on a goroutine that a goroutine of the checkout handler starts, and waits for.
//
//go:noinline
func grandchild(scopes []string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		sink += query(scopes, "grandchild")
	}()
	<-done
}

//go:noinline
func handleBrowse() {
	for i := 0; i < browseCalls; i++ {
		sink += query([]string{"route=/browse"}, i)
	}
}

func main() {
	fmt.Printf("ready pid=%d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	in.Scan()
	ctx := context.Background()
	for r := 1; r <= requests; r++ {
		pprof.Do(ctx, pprof.Labels("route", "/checkout", "req", strconv.Itoa(r)),
			func(context.Context) { handleCheckout(r) })
		pprof.Do(ctx, pprof.Labels("route", "/browse"), func(context.Context) { handleBrowse() })
	}
	for i := 0; i < plainCalls; i++ {
		sink += query([]string{"plain"}, nil)
	}
	out, _ := json.Marshal(counts)
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
