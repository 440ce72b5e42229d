// Command ux makes calls whose names, types and durations the tools' output must render
// exactly (issue 8): two methods whose names differ only inside the receiver, generic
// instantiations, a name with a non-ASCII letter, narrow signed arguments, and calls that take
// a known time. Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.busy": 200, "busy_inner_ns": ..., "busy_outer_ns": ..., ...}
//	-> done
//	<- any line or EOF (exit 0)
//
// busy_inner_ns sums the time busy spends from its first to its last line; busy_outer_ns the
// time around each call: a tool timing busy from its entry to its RET measures between them.
//
// With the argument "spin", a goroutine calls tick without pause from the start until exit.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

type DB struct{ n int }

type FooDB struct{ n int }

//go:noinline
func (d *DB) Query(x int) int { return x + d.n }

//go:noinline
func (d *FooDB) Query(x int) int { return 2*x + d.n }

// Gen has two shapes, int and string: Go 1.18-1.20 name both main.Gen[...] in the pclntab.
//
//go:noinline
func Gen[T any](x T) T { return x }

//go:noinline
func héllo(x int) int { return x + 1 }

// widths takes signed arguments narrower than a register, and one unsigned.
//
//go:noinline
func widths(a int8, b int16, c int32, d uint8, e int64) int64 {
	return int64(a) + int64(b) + int64(c) + int64(d) + e
}

var innerNs int64

// busy spins for 1.5 ms: with -m, each call is 1.5 units, which a sum of whole units loses.
//
//go:noinline
func busy() {
	start := time.Now()
	for time.Since(start) < 1500*time.Microsecond {
	}
	innerNs += int64(time.Since(start))
}

var ticks int64

//go:noinline
func tick() { ticks++ }

//go:noinline
func tock() { ticks-- }

var sink int64

func main() {
	if len(os.Args) > 1 && os.Args[1] == "spin" {
		go func() {
			for {
				tick()
			}
		}()
	}
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	db, foo := &DB{1}, &FooDB{2}
	for i := 0; i < 3; i++ {
		sink += int64(db.Query(i))
	}
	for i := 0; i < 5; i++ {
		sink += int64(foo.Query(i))
	}
	for i := 0; i < 3; i++ {
		sink += int64(Gen(i))
	}
	for i := 0; i < 4; i++ {
		sink += int64(len(Gen("four")))
	}
	for i := 0; i < 2; i++ {
		sink += int64(héllo(i))
	}
	sink += widths(-4, -300, -5, 200, -6)
	var outerNs int64
	for i := 0; i < 200; i++ {
		start := time.Now()
		busy()
		outerNs += int64(time.Since(start))
	}
	tock()

	out, err := json.Marshal(map[string]int64{
		"main.(*DB).Query":    3,
		"main.(*FooDB).Query": 5,
		"main.Gen[int]":       3,
		"main.Gen[string]":    4,
		"main.héllo":          2,
		"main.widths":         1,
		"main.busy":           200,
		"busy_inner_ns":       innerNs,
		"busy_outer_ns":       outerNs,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
