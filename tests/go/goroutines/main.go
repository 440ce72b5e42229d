// Command goroutines starts N goroutines (argument, default 8), each of which learns its own
// goroutine id. After the start line on stdin, each calls work(id, i) a fixed number of times,
// passing its own goroutine id, so that a tracer's goroutine-id column can be checked against it.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"<goid>": 5, ...}   (calls of main.work made by each goroutine, keyed by goroutine id)
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

const workTimes = 5 // calls of work per goroutine

var (
	mu    sync.Mutex
	calls = map[int64]int{} // goroutine id -> calls of work, counted inside work
	sink  int
)

//go:noinline
func work(id int64, i int) int {
	mu.Lock()
	calls[id]++
	mu.Unlock()
	return int(id)*100 + i
}

// goid returns the current goroutine's id, parsed from the header of its stack trace:
// "goroutine 18 [running]:".
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

// worker reports its goroutine id, waits for start to close, then calls work.
func worker(ids chan<- int64, start <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	id := goid()
	ids <- id
	<-start
	sum := 0
	for i := 0; i < workTimes; i++ {
		sum += work(id, i)
	}
	mu.Lock()
	sink += sum
	mu.Unlock()
}

func main() {
	n := 8
	if len(os.Args) == 2 {
		var err error
		if n, err = strconv.Atoi(os.Args[1]); err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "usage: goroutines [N]")
			os.Exit(2)
		}
	} else if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: goroutines [N]")
		os.Exit(2)
	}

	ids := make(chan int64)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go worker(ids, start, &wg)
	}
	for i := 0; i < n; i++ {
		<-ids // every goroutine exists and knows its id
	}

	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	close(start)
	wg.Wait()

	byID := map[string]int{}
	for id, c := range calls {
		byID[strconv.FormatInt(id, 10)] = c
	}
	out, err := json.Marshal(byID)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
