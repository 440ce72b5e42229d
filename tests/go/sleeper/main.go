// Command sleeper starts 40 goroutines that each call nap (a 20 ms sleep) ten times, for
// checking latency measurements. Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.nap": 400, "nap_ms": 20}   (calls made of nap; how long each sleeps)
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

const (
	sleepers = 40
	naps     = 10 // per goroutine
	napTime  = 20 * time.Millisecond
)

var napCalls int64

//go:noinline
func nap() {
	atomic.AddInt64(&napCalls, 1)
	time.Sleep(napTime)
}

func sleeper(wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < naps; i++ {
		nap()
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < sleepers; i++ {
		wg.Add(1)
		go sleeper(&wg)
	}
	wg.Wait()

	out, err := json.Marshal(map[string]int64{
		"main.nap": atomic.LoadInt64(&napCalls),
		"nap_ms":   napTime.Milliseconds(),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
