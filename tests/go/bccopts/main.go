// Command bccopts makes calls whose thread, CPU, user, cgroup and nesting are known, for
// checking the bcc options that select them. Protocol:
//
//	-> ready pid=<PID>
//	-> tid=<TID>                   (the thread that runs the locked goroutine)
//	<- any line                    (start)
//	-> {"locked": N, "other": M, "nest": K, "depth": D, "cpu": C}
//	-> done
//	<- any line or EOF (exit 0)
//
// A goroutine locked to thread TID (runtime.LockOSThread) calls work N times; other goroutines,
// which never run on that thread while it is locked, call work M times. Then nest recurses D
// levels deep, K times (nest(D) calls nest(D-1) ... nest(1)). echo is called once with a
// 200-byte string. C is the CPU the locked thread last ran on (sched_getcpu), meaningful when
// the program is pinned to one CPU.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

const (
	lockedCalls = 100
	otherCalls  = 50 // per goroutine
	others      = 4
	nestCalls   = 10
	nestDepth   = 5
)

var sink int

//go:noinline
func work(i int) int {
	sink += i
	return sink
}

//go:noinline
func nest(d int) int {
	if d <= 1 {
		return 1
	}
	return nest(d-1) + 1
}

//go:noinline
func echo(s string) int {
	return len(s)
}

// getcpu: the CPU the calling thread runs on (getcpu(2); x86-64 syscall 309).
func getcpu() int {
	var cpu, node uint32
	syscall.Syscall(309, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0)
	return int(cpu)
}

// The main goroutine keeps the main thread, so that the locked goroutine's thread is another.
func init() {
	runtime.LockOSThread()
}

func main() {
	tids := make(chan int)
	start := make(chan struct{})
	done := make(chan int)
	go func() {
		runtime.LockOSThread() // held until the goroutine ends: the thread runs nothing else
		tids <- syscall.Gettid()
		<-start
		for i := 0; i < lockedCalls; i++ {
			work(i)
		}
		done <- getcpu()
	}()
	tid := <-tids
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\ntid=%d\n", os.Getpid(), tid)
	if !in.Scan() {
		return
	}
	close(start)
	cpu := <-done
	var wg sync.WaitGroup
	for g := 0; g < others; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < otherCalls; i++ {
				work(i)
			}
		}()
	}
	wg.Wait()
	for i := 0; i < nestCalls; i++ {
		nest(nestDepth)
	}
	echo(strings.Repeat("abcdefghij", 20))
	report, _ := json.Marshal(map[string]int{"locked": lockedCalls, "other": others * otherCalls,
		"nest": nestCalls, "depth": nestDepth, "cpu": cpu})
	fmt.Println(string(report))
	fmt.Println("done")
	in.Scan()
}
