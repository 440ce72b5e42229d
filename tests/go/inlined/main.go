// Command inlined calls small functions that the compiler inlines into their callers: main.helper
// at five call sites (a loop of several lines, a loop on one line, a condition, and twice inside
// main.mid, itself inlined, the second time only when the first's result says so), and out of line through a function value; and the method
// main.(*Counter).bump, which is only ever inlined (nothing makes a value of it, so the linker
// keeps no code of its own). Each counts its own calls. Built with -gcflags=-l nothing is inlined
// and the counts are the same.
// Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (one round)
//	-> {"main.helper": N, "main.(*Counter).bump": M, "sites": {"loop": L, ...}}
//	   the calls this round, and per call site (marked "site:NAME" below; "value": through fv)
//	-> done
//	<- "paths"         (main.helper's calls along known paths instead: paths.go)
//	-> {"main.helper": N, "paths": {"viaA": {"count": C, "frames": [{"func":...}, ...]}, ...}}
//	-> done
//	<- any line (another round) or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

const rounds = 1000

var helperCalls, bumpCalls, mid2Calls int64

var sink int

// fv holds helper as a value: a call through it is a call of helper's own code.
var fv = helper

func helper(x int) int {
	helperCalls++
	return x*3 + 1
}

func mid(x int) int {
	a := helper(x) // site:mid1
	if a%4 == 0 {
		a += helper(x ^ 5) // site:mid2
		mid2Calls++
	}
	return a
}

type Counter struct{ n int }

func (c *Counter) bump(d int) {
	c.n += d
	bumpCalls++
}

//go:noinline
func round(c *Counter) int {
	s := 0
	for i := 0; i < rounds; i++ {
		s += helper(i) // site:loop
		c.bump(1)      // site:bump1
	}
	for i := 0; i < rounds; i++ { s += helper(i) } // site:oneline
	for i := 0; i < rounds; i++ {
		if i%3 == 0 {
			s += helper(i) // site:cond
		}
	}
	for i := 0; i < rounds; i++ {
		s += mid(i)
		if i%2 == 0 {
			c.bump(2) // site:bump2
		}
	}
	for i := 0; i < rounds; i++ {
		s += fv(i) // site:value
	}
	return s
}

func main() {
	fmt.Printf("ready pid=%d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	c := &Counter{}
	for in.Scan() {
		if in.Text() == "paths" {
			out, _ := json.Marshal(paths())
			fmt.Println(string(out))
			fmt.Println("done")
			continue
		}
		helperCalls, bumpCalls, mid2Calls = 0, 0, 0
		sink += round(c)
		// each site's calls, as the loops above make them
		sites := map[string]int64{"loop": rounds, "bump1": rounds, "oneline": rounds,
			"cond": (rounds + 2) / 3, "mid1": rounds, "mid2": mid2Calls,
			"bump2": (rounds + 1) / 2, "value": rounds}
		out, _ := json.Marshal(map[string]any{"main.helper": helperCalls,
			"main.(*Counter).bump": bumpCalls, "sites": sites})
		fmt.Println(string(out))
		fmt.Println("done")
	}
}
