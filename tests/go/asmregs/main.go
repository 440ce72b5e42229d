// Command asmregs calls functions whose probes the tools must plan and read right: main.f, g
// and h, traced together with functions whose entry the kernel cannot probe (main.trap and
// runtime.abort start with INT3); an assembly function that uses R14 as scratch (main.clobber)
// and crypto/sha256, whose assembly does too; or, with "hold N", N goroutines that are all
// inside main.hold at once.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.f": 100, ..., "goids": {"<goid>": <calls of main.clobber>, ...}, "goid": <main's>}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

func trap()
func clobber(x int) int

var (
	trapFn = trap // keeps trap in the binary
	sink   int
	mu     sync.Mutex
)

//go:noinline
func f(i int) int { return i + 1 }

//go:noinline
func g(i int) int { return i * 2 }

//go:noinline
func h(i int) int { return i - 3 }

// hold waits inside the call until all n goroutines are in it.
//
//go:noinline
func hold(in *sync.WaitGroup, release <-chan struct{}) int {
	in.Done()
	<-release
	return 1
}

// goid returns the current goroutine's id, from the header of its stack trace.
func goid() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	fields := strings.Fields(string(buf))
	if len(fields) < 2 || fields[0] != "goroutine" {
		panic("unexpected stack header: " + string(buf))
	}
	id, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}

const (
	clobberers             = 4  // goroutines calling clobber
	clobberCalls           = 50 // calls of clobber by each
	sums                   = 30 // sha256.Sum256 calls: one block each (nothing, padded to one block)
	fCalls, gCalls, hCalls = 100, 200, 300
)

func calls() map[string]interface{} {
	for i := 0; i < fCalls; i++ {
		sink += f(i)
	}
	for i := 0; i < gCalls; i++ {
		sink += g(i)
	}
	for i := 0; i < hCalls; i++ {
		sink += h(i)
	}
	for i := 0; i < sums; i++ {
		s := sha256.Sum256(nil)
		sink += int(s[0])
	}
	goids := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < clobberers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := goid()
			sum := 0
			for i := 0; i < clobberCalls; i++ {
				sum += clobber(i)
			}
			mu.Lock()
			goids[strconv.FormatInt(id, 10)] = clobberCalls
			sink += sum
			mu.Unlock()
		}()
	}
	wg.Wait()
	return map[string]interface{}{
		"main.f": fCalls, "main.g": gCalls, "main.h": hCalls,
		"main.clobber": clobberers * clobberCalls, "sha256": sums, "goids": goids,
		"goid": goid(), // of the goroutine that called f, g, h and sha256.Sum256
	}
}

func holdAll(n int) map[string]interface{} {
	var in, out sync.WaitGroup
	release := make(chan struct{})
	in.Add(n)
	out.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			defer out.Done()
			hold(&in, release)
		}()
	}
	in.Wait()
	close(release)
	out.Wait()
	return map[string]interface{}{"main.hold": n}
}

func main() {
	hold := 0
	if len(os.Args) == 3 && os.Args[1] == "hold" {
		hold, _ = strconv.Atoi(os.Args[2])
	}
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	var report map[string]interface{}
	if hold > 0 {
		report = holdAll(hold)
	} else {
		report = calls()
	}
	if trapFn == nil {
		trap()
	}
	out, err := json.Marshal(report)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
