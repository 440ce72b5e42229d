// Command fleet is one "host" of a fleet that tests/test_prometheus.py scrapes: it calls
// main.work (fast, or with a 5 ms sleep) and main.describe (with values of several dynamic
// types, one of whose names holds quotes and backslashes), as many times as its argument says,
// and reports what it did. Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"work": N, "slow": S, "work_ns": T, "types": {"int": I, ...}}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"
)

const slowTime = 5 * time.Millisecond

// tagged's type name, as %T prints it, holds '"' and '\': a label value to escape.
type tagged = struct {
	A int `x:"q\"b\\s"`
}

var sink int

//go:noinline
func work(slow bool) int {
	if slow {
		time.Sleep(slowTime)
	}
	sink++
	return sink
}

//go:noinline
func describe(v interface{}) string {
	return fmt.Sprintf("%T", v)
}

func main() {
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		panic(err)
	}
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	report := struct {
		Work   int            `json:"work"`
		Slow   int            `json:"slow"`
		WorkNs int64          `json:"work_ns"`
		Types  map[string]int `json:"types"`
	}{Types: map[string]int{}}
	values := []interface{}{1, "s", tagged{A: 1}, 2.5}
	for i := 0; i < n; i++ {
		slow := i%5 == 4 // one call in five sleeps
		start := time.Now()
		work(slow)
		report.WorkNs += time.Since(start).Nanoseconds()
		report.Work++
		if slow {
			report.Slow++
		}
		// the types in proportions 1:2:3:4, from the last
		for j := 0; j <= i%4; j++ {
			v := values[len(values)-1-j]
			report.Types[describe(v)]++
		}
	}
	out, err := json.Marshal(report)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
