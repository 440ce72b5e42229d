// Command benchprog is the traced program of scripts/bench.sh.
//
//	benchprog loop N   prints "ready pid=<PID>", then for each line read on stdin calls main.add
//	                   N times in a tight loop and prints
//	                   "ns_per_call=<ns> cpu_ns_per_call=<ns> calls=<N>": the wall time (time.Now
//	                   around the loop) and the thread's CPU time (user and system: a uprobe's
//	                   cost is the traced thread's system time) per call; exits at EOF or "quit".
//	                   The CPU time leaves out the time other processes of a busy machine take.
//	benchprog loop N step   the same with main.step, which calls main.add behind a frame.
//	benchprog loop N iface  the same with main.describe(v any), passed a string and an int in turn.
//	benchprog loop N memeq  the same with main.same(a, b string), whose == calls runtime.memequal,
//	                   a leaf of the runtime, once a call.
//	benchprog pingpong N   prints "ready pid=<PID>", then for each line read on stdin calls
//	                   main.rare once and makes N round trips of a value between two goroutines
//	                   over unbuffered channels, on one P (GOMAXPROCS=1: each trip is two parks,
//	                   two readies and two switches of Go's scheduler, no system call), and prints
//	                   "ns_per_call=<ns> cpu_ns_per_call=<ns> calls=<N>" per round trip (the CPU
//	                   time is the process's: the two goroutines share its one P).
//	benchprog loop N inline  the same with main.bump, which the compiler inlines into the loop:
//	                   a call that only gofunccount's inline sites see (its mark, a NOP).
//	benchprog spin     prints "ready pid=<PID>", then does a little work of every kind the runtime
//	                   does (allocation, maps, channels, goroutines, timers, GC) every few
//	                   milliseconds until EOF on stdin.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

//go:noinline
func add(x, y int) int {
	return x + y
}

// sum is add for step, so that add's only caller is the loop: step calls it last, where
// gofunclatency finds no return site (the next emulated instruction is past the RET), and
// would then time every call of add at its RETs.
//
//go:noinline
func sum(x, y int) int {
	return x + y
}

// step is a leaf behind a frame: not a leaf, so it begins with Go's stack check and its entry
// probe sits on the PUSH RBP after it, which the kernel emulates instead of single-stepping.
//
//go:noinline
func step(x, y int) int {
	return sum(x, y) + 1
}

// describe takes an interface, for goiface's cost next to gofunccount's on one function.
//
//go:noinline
func describe(v any) int {
	if s, ok := v.(string); ok {
		return len(s)
	}
	return 1
}

// same compares two strings of one length at different addresses: runtime.memequal does it.
//
//go:noinline
func same(a, b string) int {
	if a == b {
		return 1
	}
	return 0
}

var sink int

// bump is inlined into its caller (it is small): a call of it runs no code of its own.
func bump() {
	bumps++
}

var bumps int

// threadCPU is the calling thread's CPU time, user and system, in ns.
func threadCPU() int64 {
	const clockThreadCPUTimeID = 3
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID,
		uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return 0
	}
	return ts.Nano()
}

func loop(n int, fn string) {
	// One thread for the whole loop, so that its CPU clock is the loop's.
	runtime.LockOSThread()
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	for in.Scan() {
		if strings.TrimSpace(in.Text()) == "quit" {
			return
		}
		s := 0
		cpu := threadCPU()
		start := time.Now()
		if fn == "step" {
			for i := 0; i < n; i++ {
				s = step(s, i)
			}
		} else if fn == "memeq" {
			a, b := strings.Repeat("x", 24), strings.Repeat("x", 24)
			for i := 0; i < n; i++ {
				s += same(a, b)
			}
		} else if fn == "inline" {
			for i := 0; i < n; i++ {
				bump()
			}
			s = bumps
		} else if fn == "iface" {
			vs := [2]any{"hello", 4242}
			for i := 0; i < n; i++ {
				s += describe(vs[i&1])
			}
		} else {
			for i := 0; i < n; i++ {
				s = add(s, i)
			}
		}
		elapsed := time.Since(start)
		cpu = threadCPU() - cpu
		sink += s
		fmt.Printf("ns_per_call=%.3f cpu_ns_per_call=%.3f calls=%d\n",
			float64(elapsed.Nanoseconds())/float64(n), float64(cpu)/float64(n), n)
	}
}

// rare is called once per timed ping-pong: gofuncslower's target, whose scheduling probes see
// every switch of the ping-pong while no call of it is in progress.
//
//go:noinline
func rare(n int) int {
	return n + 1
}

// processCPU is the process's CPU time, user and system, in ns.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func pingpong(n int) {
	runtime.GOMAXPROCS(1)
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	for in.Scan() {
		if strings.TrimSpace(in.Text()) == "quit" {
			return
		}
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v + 1
			}
		}()
		cpu := processCPU()
		start := time.Now()
		s := rare(n)
		for i := 0; i < n; i++ {
			ping <- i
			s += <-pong
		}
		elapsed := time.Since(start)
		cpu = processCPU() - cpu
		close(ping)
		sink += s
		fmt.Printf("ns_per_call=%.3f cpu_ns_per_call=%.3f calls=%d\n",
			float64(elapsed.Nanoseconds())/float64(n), float64(cpu)/float64(n), n)
	}
}

func work(round int) {
	m := make(map[string][]byte)
	for i := 0; i < 64; i++ {
		m[strconv.Itoa(i+round)] = make([]byte, 128+i)
	}
	ch := make(chan int, 4)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			ch <- len(m) + g
		}(g)
	}
	wg.Wait()
	for i := 0; i < 4; i++ {
		sink += <-ch
	}
	if round%50 == 0 {
		runtime.GC()
	}
}

func spin() {
	done := make(chan struct{})
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
		}
		close(done)
	}()
	fmt.Printf("ready pid=%d\n", os.Getpid())
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for round := 0; ; round++ {
		select {
		case <-done:
			return
		case <-t.C:
			work(round)
		}
	}
}

func main() {
	if (len(os.Args) == 3 || len(os.Args) == 4) && os.Args[1] == "loop" {
		n, err := strconv.Atoi(os.Args[2])
		if err == nil && n > 0 {
			fn := "add"
			if len(os.Args) == 4 {
				fn = os.Args[3]
			}
			loop(n, fn)
			return
		}
	}
	if len(os.Args) == 3 && os.Args[1] == "pingpong" {
		if n, err := strconv.Atoi(os.Args[2]); err == nil && n > 0 {
			pingpong(n)
			return
		}
	}
	if len(os.Args) == 2 && os.Args[1] == "spin" {
		spin()
		return
	}
	fmt.Fprintln(os.Stderr, "usage: benchprog loop N [step|iface|memeq] | benchprog pingpong N | benchprog spin")
	os.Exit(2)
}
