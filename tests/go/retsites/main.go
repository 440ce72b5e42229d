// Command retsites calls functions whose returns gofunclatency sees in their callers (return
// sites): each call below is followed, in a straight line, by a call of main.note, the first
// instruction there that the kernel emulates, which is also a call site of main.note. The calls
// recurse (main.rec), grow the stack (main.grow, on fresh goroutines), panic into a recover in
// the caller (main.mayPanic), end their goroutine with runtime.Goexit (main.exiter), and block
// on 40,000 goroutines at once (main.wait). main.try is called last in a loop's body, so that
// the loop's first jump to its condition leads into the code before its return site (a guard);
// so is main.sometimes, in main.looper, where it also panics.
// Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (one round)
//	-> {"main.rec": N, ...}   the calls of each function that returned, per round
//	-> done
//	<- any line (another round) or EOF (exit 0)
//
// "unwound" counts the calls that did not return (panics, Goexit).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

const waiters = 40000

var (
	noted                                   int64
	recRet, growRet, panicRet, exitRet      int64
	waitRet, noteRet, unwound, sinkRecovers int64
	sometimesRet                            int64
)

//go:noinline
func note(v int) {
	atomic.AddInt64(&noted, int64(v))
	atomic.AddInt64(&noteRet, 1)
}

//go:noinline
func rec(n int) int {
	if n == 0 {
		atomic.AddInt64(&recRet, 1)
		return 0
	}
	r := rec(n - 1)
	note(r)
	atomic.AddInt64(&recRet, 1)
	return r + 1
}

//go:noinline
func grow(n int) int {
	var buf [512]byte
	buf[n%512] = byte(n)
	if n == 0 {
		atomic.AddInt64(&growRet, 1)
		return int(buf[0])
	}
	r := grow(n - 1)
	note(r)
	atomic.AddInt64(&growRet, 1)
	return r + int(buf[n%512])
}

//go:noinline
func mayPanic(i int) int {
	if i%3 == 0 {
		atomic.AddInt64(&unwound, 1)
		panic("three")
	}
	atomic.AddInt64(&panicRet, 1)
	return i
}

func try(i int) {
	defer func() {
		if recover() != nil {
			sinkRecovers++
		}
	}()
	v := mayPanic(i)
	note(v)
}

//go:noinline
func sometimes(i int) int {
	if i == 7 {
		atomic.AddInt64(&unwound, 1)
		panic("seven")
	}
	atomic.AddInt64(&sometimesRet, 1)
	return i
}

// looper's loop begins with a jump to its condition, which is in the code between the call of
// main.sometimes and its return site: the passage there on each looper call is no return, even
// though the call of main.sometimes left by the last panic is still on record at that depth.
//
//go:noinline
func looper(n int) (s int) {
	for i := 0; i < n; i++ {
		s += sometimes(i)
	}
	return s
}

//go:noinline
func exiter(i int) int {
	if i%2 == 0 {
		atomic.AddInt64(&unwound, 1)
		runtime.Goexit()
	}
	atomic.AddInt64(&exitRet, 1)
	return i
}

//go:noinline
func wait(ch chan int) int {
	v := <-ch
	atomic.AddInt64(&waitRet, 1)
	return v
}

func round() map[string]int64 {
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		note(rec(50))
	}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := grow(300)
			note(v)
		}()
	}
	wg.Wait()
	for i := 0; i < 300; i++ {
		try(i)
	}
	for j := 0; j < 20; j++ {
		func() {
			defer func() { recover() }()
			looper(10)
		}()
	}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			v := exiter(i)
			note(v)
		}(i)
	}
	wg.Wait()
	ch := make(chan int)
	for i := 0; i < waiters; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := wait(ch)
			note(v)
		}()
	}
	for i := 0; i < waiters; i++ {
		ch <- 1
	}
	wg.Wait()
	return map[string]int64{
		"main.rec": recRet, "main.grow": growRet, "main.mayPanic": panicRet,
		"main.exiter": exitRet, "main.wait": waitRet, "main.note": noteRet, "unwound": unwound,
		"main.try": 300, "main.sometimes": sometimesRet,
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	for in.Scan() {
		for _, p := range []*int64{&recRet, &growRet, &panicRet, &exitRet, &waitRet, &noteRet, &unwound, &sometimesRet} {
			atomic.StoreInt64(p, 0)
		}
		out, err := json.Marshal(round())
		if err != nil {
			panic(err)
		}
		fmt.Println(string(out))
		fmt.Println("done")
	}
}
