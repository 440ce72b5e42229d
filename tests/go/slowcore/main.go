// Command slowcore makes calls whose time goes one way each, and measures them itself, for
// gofuncslower's smoke test (tests/test_gofuncslower_core.py). Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"calls": [{"func": F, "goid": G, "lat_ns": L, "cpu_ns": C}, ...], "fast": N}
//	-> done
//	<- any line or EOF (exit 0)
//
// coreSpin spins on a locked thread (cpu_ns: the thread's CPU time, getrusage(RUSAGE_THREAD));
// coreSleep sleeps; coreChan waits on a channel; coreRead blocks in read(2) on a pipe; coreFast
// returns at once (N calls, each far under any threshold the test sets).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

const wait = 40 * time.Millisecond

type call struct {
	Func  string `json:"func"`
	Goid  uint64 `json:"goid"`
	LatNs int64  `json:"lat_ns"`
	CPUNs int64  `json:"cpu_ns,omitempty"`
}

var calls []call

func goid() uint64 {
	b := make([]byte, 64)
	b = b[:runtime.Stack(b, false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	n, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return n
}

func threadCPU() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return ru.Utime.Nano() + ru.Stime.Nano()
}

//go:noinline
func coreSpin(d time.Duration) int {
	c0, t0, x := threadCPU(), time.Now(), 0
	for time.Since(t0) < d {
		x++
	}
	calls = append(calls, call{"main.coreSpin", goid(), int64(time.Since(t0)), threadCPU() - c0})
	return x
}

//go:noinline
func coreSleep() {
	t0 := time.Now()
	time.Sleep(wait)
	calls = append(calls, call{"main.coreSleep", goid(), int64(time.Since(t0)), 0})
}

//go:noinline
func coreChan(c chan int) int {
	t0 := time.Now()
	v := <-c
	calls = append(calls, call{"main.coreChan", goid(), int64(time.Since(t0)), 0})
	return v
}

//go:noinline
func coreRead(fd int) int {
	t0, b := time.Now(), make([]byte, 1)
	n, _ := syscall.Read(fd, b)
	calls = append(calls, call{"main.coreRead", goid(), int64(time.Since(t0)), 0})
	return n
}

//go:noinline
func coreFast(i int) int { return i * 2 }

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	runtime.LockOSThread()
	fast := 0
	for i := 0; i < 2; i++ {
		coreSpin(wait)
		coreSleep()
		c := make(chan int)
		go func() { time.Sleep(wait); c <- 1 }()
		coreChan(c)
		var p [2]int
		if err := syscall.Pipe(p[:]); err != nil {
			panic(err)
		}
		go func() { time.Sleep(wait); syscall.Write(p[1], []byte{1}) }()
		coreRead(p[0])
		syscall.Close(p[0])
		syscall.Close(p[1])
		for j := 0; j < 1000; j++ {
			fast += coreFast(j) & 1
			fast++
		}
	}
	out, _ := json.Marshal(map[string]interface{}{"calls": calls, "fast": fast})
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
