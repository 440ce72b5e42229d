// Command stress runs the Go runtime hard while tools trace it, and checks its own invariants.
//
// Usage: stress MODE, MODE one of goroutines, gc, panic, goexit, pprof, cgo, fork, work.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start: rounds of MODE's work, until the next line)
//	<- any line        (stop)
//	-> {"mode": MODE, "rounds": R, "main.work": N, "ok": true, "errors": [...]}
//	-> done
//	<- any line or EOF (exit 0)
//
// Every mode calls work, the function the tools trace, a known number of times per round, and
// compares what each round computed with what it must be: "ok" is false, and "errors" says
// why, when a result, a count, a recovered panic or a deferred call went wrong.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"sync/atomic"
)

var (
	workCalls  atomic.Int64
	ifaceCalls atomic.Int64
	errors     []string
	errorsMu   sync.Mutex
	rounds     int
	sinkBytes  []byte
)

func fail(format string, args ...any) {
	errorsMu.Lock()
	defer errorsMu.Unlock()
	if len(errors) < 20 {
		errors = append(errors, fmt.Sprintf(format, args...))
	}
}

// work is the traced function: x*x+1, with an allocation that the GC must keep intact.
//
//go:noinline
func work(x int64) int64 {
	workCalls.Add(1)
	b := make([]byte, 64+x%64)
	for i := range b {
		b[i] = byte(x)
	}
	if int64(b[len(b)-1]) != x&0xff {
		fail("allocation of work(%d) corrupted", x)
	}
	return x*x + 1
}

// describe takes an interface, for goiface.
//
//go:noinline
func describe(v any) int {
	ifaceCalls.Add(1)
	switch v := v.(type) {
	case int64:
		return int(v)
	case string:
		return len(v)
	}
	return -1
}

// mayPanic calls work and panics when x is odd; work's frame is unwound by the panic.
//
//go:noinline
func mayPanic(x int64) (r int64) {
	r = work(x)
	if x%2 == 1 {
		panic(x)
	}
	return r
}

//go:noinline
func recovered(x int64) (r int64, p bool) {
	defer func() {
		if v := recover(); v != nil {
			if v.(int64) != x {
				fail("recovered %v, want %d", v, x)
			}
			p = true
		}
	}()
	return mayPanic(x), false
}

// exiting calls work, then ends its goroutine from inside the traced call chain.
//
//go:noinline
func exiting(x int64, deferred *atomic.Int64) {
	defer deferred.Add(1)
	work(x)
	runtime.Goexit()
}

func roundGoroutines() {
	const n = 10000
	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make([]int64, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			results[i] = work(int64(i)) + int64(describe(int64(i)))
		}(i)
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if want := int64(i)*int64(i) + 1 + int64(i); r != want {
			fail("goroutine %d: %d, want %d", i, r, want)
		}
	}
}

func roundGC() {
	var s int64
	for i := int64(0); i < 2000; i++ {
		s += work(i)
		sinkBytes = make([]byte, 1024)
	}
	if want := int64(2000*1999*3999/6 + 2000); s != want {
		fail("gc round: %d, want %d", s, want)
	}
}

func roundPanic() {
	var panics int
	for i := int64(0); i < 1000; i++ {
		r, p := recovered(i)
		if p {
			panics++
		} else if r != i*i+1 {
			fail("recovered(%d) = %d", i, r)
		}
	}
	if panics != 500 {
		fail("%d panics recovered, want 500", panics)
	}
}

func roundGoexit() {
	var deferred atomic.Int64
	var wg sync.WaitGroup
	for i := int64(0); i < 500; i++ {
		wg.Add(1)
		go func(i int64) {
			defer wg.Done()
			exiting(i, &deferred)
			fail("exiting(%d) returned", i)
		}(i)
	}
	wg.Wait()
	if deferred.Load() != 500 {
		fail("%d deferred calls ran, want 500", deferred.Load())
	}
}

func roundPprof() {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		fail("StartCPUProfile: %v", err)
		return
	}
	var s int64
	for i := int64(0); i < 20000; i++ {
		s += work(i % 100)
	}
	pprof.StopCPUProfile()
	if want := int64(200) * (99*100*199/6 + 100); s != want {
		fail("pprof round: %d, want %d", s, want)
	}
	if buf.Len() == 0 {
		fail("empty CPU profile")
	}
}

func roundFork() {
	self, err := os.Executable()
	if err != nil {
		fail("os.Executable: %v", err)
		return
	}
	out, err := exec.Command(self, "child").Output()
	if err != nil || string(out) != "child 1025\n" {
		fail("child: %q, %v", out, err)
	}
	for i := int64(0); i < 100; i++ {
		work(i)
	}
}

func roundWork() {
	var s int64
	for i := int64(0); i < 1000; i++ {
		s += work(i) + int64(describe("abc"))
	}
	if want := int64(1000*999*1999/6 + 1000 + 3000); s != want {
		fail("work round: %d, want %d", s, want)
	}
}

var modes = map[string]func(){
	"goroutines": roundGoroutines,
	"gc":         roundGC,
	"panic":      roundPanic,
	"goexit":     roundGoexit,
	"pprof":      roundPprof,
	"fork":       roundFork,
	"work":       roundWork,
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "child" {
		fmt.Println("child", work(32))
		return
	}
	if len(os.Args) != 2 || modes[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: stress goroutines|gc|panic|goexit|pprof|cgo|fork|work")
		os.Exit(2)
	}
	mode := os.Args[1]
	if mode == "gc" {
		debug.SetGCPercent(1)
	}
	fmt.Printf("ready pid=%d\n", os.Getpid())
	lines := make(chan string)
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			lines <- in.Text()
		}
		close(lines)
	}()
	<-lines
	stop := false
	for !stop {
		modes[mode]()
		rounds++
		select {
		case <-lines:
			stop = true
		default:
		}
	}
	report := map[string]any{"mode": mode, "rounds": rounds, "main.work": workCalls.Load(),
		"main.describe": ifaceCalls.Load(), "ok": len(errors) == 0, "errors": errors}
	for k, v := range extraReport() {
		report[k] = v
	}
	out, _ := json.Marshal(report)
	fmt.Println(string(out))
	fmt.Println("done")
	<-lines
}
