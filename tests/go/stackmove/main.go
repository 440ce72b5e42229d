// Command stackmove makes goroutine stacks move under calls in progress, for gofunclatency on
// Go releases that keep g out of R14 (Go 1.16), where a call must be matched to its return by
// something a stack copy keeps:
//   - main.big has a 16 KB frame and runs on fresh goroutines: its stack grows in its prologue,
//     every call, entered by direct calls;
//   - main.outer calls main.deep, which recurses 20 frames of 1 KB deep: the stack grows, and
//     is copied, while main.outer and the main.deep calls above are in progress;
//   - main.parked blocks in time.Sleep on a stack grown to 64 KB and used no more, while the
//     program collects garbage, which shrinks (copies) idle stacks; it resumes, often on
//     another thread.
//
// Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.big": 200, "main.outer": 100, "main.deep": 2100, "main.parked": 20}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var bigCalls, outerCalls, deepCalls, parkedCalls int64

var sink int64

//go:noinline
func big(n int) int {
	var buf [16384]byte
	buf[n%len(buf)] = byte(n)
	atomic.AddInt64(&bigCalls, 1)
	return int(buf[(n*7)%len(buf)])
}

//go:noinline
func deep(n int) int {
	var buf [1024]byte
	buf[n%len(buf)] = byte(n)
	atomic.AddInt64(&deepCalls, 1)
	if n == 0 {
		return int(buf[0])
	}
	return deep(n-1) + int(buf[n%len(buf)])
}

//go:noinline
func outer(n int) int {
	atomic.AddInt64(&outerCalls, 1)
	return deep(n) + 1
}

// grown grows the goroutine's stack to some 64 KB, and returns.
//
//go:noinline
func grown(n int) int {
	var buf [4096]byte
	buf[n%len(buf)] = byte(n)
	if n == 0 {
		return 0
	}
	return grown(n-1) + int(buf[0])
}

//go:noinline
func parked(d time.Duration) int {
	atomic.AddInt64(&parkedCalls, 1)
	time.Sleep(d)
	return int(d)
}

func main() {
	fmt.Printf("ready pid=%d\n", os.Getpid())
	in := bufio.NewReader(os.Stdin)
	in.ReadString('\n')

	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			atomic.AddInt64(&sink, int64(big(i)))
		}(i)
		wg.Wait()
	}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomic.AddInt64(&sink, int64(outer(20)))
		}()
		wg.Wait()
	}
	done := make(chan bool)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomic.AddInt64(&sink, int64(grown(16)))
			atomic.AddInt64(&sink, int64(parked(30*time.Millisecond)))
		}()
	}
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				runtime.GC()
				time.Sleep(time.Millisecond)
			}
		}
	}()
	wg.Wait()
	close(done)

	report, _ := json.Marshal(map[string]int64{
		"main.big": bigCalls, "main.outer": outerCalls, "main.deep": deepCalls,
		"main.parked": parkedCalls,
	})
	fmt.Println(string(report))
	fmt.Println("done")
	in.ReadString('\n')
}
