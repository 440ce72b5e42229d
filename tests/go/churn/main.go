// Command churn makes the shapes that fill the tools' tables: many distinct stacks, many short
// processes of one binary, and goroutines that outlive their process's work. Each mode reports
// what it did, so that tests compare the tools' counts with the program's own.
//
// Usage: churn MODE [N]
//
//	stacks   -> ready pid=<PID>; <- any line; calls tiny along paths 0 .. N-1 of walk (N: the
//	         argument, default 256), leafCalls times each, the word at the stack pointer
//	         different at each call; -> {"main.tiny": calls, "stacks": N}; -> done;
//	         <- any line or EOF
//	phases   -> ready pid=<PID>; then for each line "P" (a number), calls leaf along paths
//	         P*N .. P*N+N-1 of walk (N: the argument, default 32), leafCalls times each, and
//	         describe once with each of those path numbers, an int in an interface, and
//	         answers {"phase": P, "main.leaf": calls, "main.describe": N}; at "stop", exits
//	once     calls leaf along one path onceCalls times, prints {"main.leaf": calls}, exits
//	linger   starts N goroutines (default 20), each of which calls work once and then waits
//	         forever (never reaching runtime.goexit), and M more (the third argument, default
//	         0) that call hang, which recurses D deep (the fourth, default 0) and never returns;
//	         once every call of work has returned and the deepest call of hang has begun in
//	         each, prints {"main.work": N, "main.hang": M*(D+1)} (calls) and exits
//
// A path of walk is a number: at each of its depth levels the path goes through walkA or
// walkB, by one bit of it, so that each path is a stack of its own.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
)

const (
	depth     = 13 // levels of walk: 2^depth paths
	leafCalls = 3
	onceCalls = 5
)

var (
	sink      int
	tinyCalls int
	leafCount int
)

// tiny is a leaf without a frame: the tools probe the CALLs that enter it.
//
//go:noinline
func tiny(x int) int {
	return x*3 + 1
}

// leaf is a function with a frame.
//
//go:noinline
func leaf(x int) int {
	leafCount++
	return x + sink
}

// spill keeps its argument across a call, so that the register ABI spills it to the
// caller's frame, at the caller's stack pointer: the word there before the next CALL is x.
//
//go:noinline
func spill(x int) int {
	sink++
	other()
	return x
}

//go:noinline
func other() { sink-- }

// bottom calls the traced function from one call site, the word at SP a different one each time.
//
//go:noinline
func bottom(useTiny bool, seed int) {
	for i := 0; i < leafCalls; i++ {
		sink += spill(seed*leafCalls + i)
		if useTiny {
			sink += tiny(i)
			tinyCalls++
		} else {
			sink += leaf(i)
		}
	}
}

//go:noinline
func walk(path, level int, useTiny bool, seed int) {
	if level == depth {
		bottom(useTiny, seed)
		return
	}
	if path&1 == 1 {
		walkA(path>>1, level+1, useTiny, seed)
	} else {
		walkB(path>>1, level+1, useTiny, seed)
	}
}

//go:noinline
func walkA(path, level int, useTiny bool, seed int) { walk(path, level, useTiny, seed) }

//go:noinline
func walkB(path, level int, useTiny bool, seed int) { walk(path, level, useTiny, seed) }

// describe takes an interface argument, for goiface: phases pass it ints, a value each.
//
//go:noinline
func describe(v any) int {
	if x, ok := v.(int); ok {
		return x
	}
	return 0
}

var worked, hanging sync.WaitGroup

// work is what linger's goroutines call, once each.
//
//go:noinline
func work(x int) int {
	return x * 2
}

var never chan int

// hang's calls are still in progress when their process exits.
//
//go:noinline
func hang(depth int) int {
	if depth == 0 {
		hanging.Done()
		return <-never
	}
	return hang(depth-1) + 1
}

func report(v map[string]int) {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: churn stacks|phases|once|linger [N]")
		os.Exit(2)
	}
	n, m, d := 0, 0, 0
	if len(os.Args) > 2 {
		n, _ = strconv.Atoi(os.Args[2])
	}
	if len(os.Args) > 3 {
		m, _ = strconv.Atoi(os.Args[3])
	}
	if len(os.Args) > 4 {
		d, _ = strconv.Atoi(os.Args[4])
	}
	in := bufio.NewScanner(os.Stdin)
	switch os.Args[1] {
	case "once":
		for i := 0; i < onceCalls; i++ {
			walk(0, 0, false, i)
		}
		report(map[string]int{"main.leaf": leafCount})
		return
	case "linger":
		if n == 0 {
			n = 20
		}
		worked.Add(n)
		hanging.Add(m)
		for i := 0; i < n; i++ {
			go func(i int) {
				sink += work(i)
				worked.Done() // returned
				select {}
			}(i)
		}
		for i := 0; i < m; i++ {
			go func() { sink += hang(d) }()
		}
		worked.Wait()
		hanging.Wait()
		report(map[string]int{"main.work": n, "main.hang": m * (d + 1)})
		return
	}
	fmt.Printf("ready pid=%d\n", os.Getpid())
	switch os.Args[1] {
	case "stacks":
		if n == 0 {
			n = 256
		}
		if !in.Scan() {
			return
		}
		for p := 0; p < n; p++ {
			walk(p, 0, true, p)
		}
		report(map[string]int{"main.tiny": tinyCalls, "stacks": n})
		fmt.Println("done")
		in.Scan()
	case "phases":
		if n == 0 {
			n = 32
		}
		for in.Scan() && in.Text() != "stop" {
			phase, err := strconv.Atoi(in.Text())
			if err != nil || (phase+1)*n > 1<<depth {
				panic("bad phase " + in.Text())
			}
			before := leafCount
			for p := phase * n; p < (phase+1)*n; p++ {
				walk(p, 0, false, p)
				sink += describe(p)
			}
			report(map[string]int{"phase": phase, "main.leaf": leafCount - before, "main.describe": n})
		}
	}
}
