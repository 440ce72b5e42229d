// Command tracee makes calls with known arguments, for checking what gotrace prints.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"goid": <id of the goroutine that made the calls>, ...}
//	-> done
//	<- any line or EOF (exit 0)
//
// The calls, in order, all on one goroutine: add(42, 13); add(i, 100+i) for i in 0..4;
// greet("gopher"); greet("ebpf"); many(1, 2, ..., 12); asmAdd(40, 2); narrow(-5, 7, true);
// scale(1.5).
//
// With the argument "loop" it then keeps calling grow (whose stack grows while it runs) on new
// goroutines, and add, until a second line arrives; the report then also holds the number of
// grow and add calls made.
//
// With the argument "grow" it then calls grow(300) and growAny(300, i) on growRoots (20) new
// goroutines each, one at a time: the report also holds the calls of each, the goroutine ids
// of grow's roots ("grow_goids"), and how many roots saw their stack move (copied to a larger
// one) while they ran ("grow_moved", "growAny_moved").
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

var (
	addCalls     int
	growCalls    int
	growAnyCalls int
	sink         int
)

const growRoots = 20

//go:noinline
func add(x, y int) int {
	addCalls++
	return x + y
}

//go:noinline
func greet(name string) int {
	return len(name)
}

//go:noinline
func many(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12 int) int {
	return a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12
}

// narrow takes arguments narrower than a register, whose upper bits the ABI leaves undefined.
//
//go:noinline
func narrow(a int32, b uint8, c bool) int {
	if c {
		return int(a) + int(b)
	}
	return 0
}

// scale takes a float, which travels in an XMM register.
//
//go:noinline
func scale(f float64) float64 {
	return f * 2
}

// grow has a large frame and recurses, so its goroutine's stack is copied while it runs.
//
//go:noinline
func grow(n int) int {
	growCalls++
	var buf [512]byte
	buf[n%len(buf)] = byte(n)
	if n == 0 {
		return int(buf[0])
	}
	return grow(n-1) + int(buf[n%len(buf)])
}

// growAny is grow with an interface argument, for goiface.
//
//go:noinline
func growAny(n int, v interface{}) int {
	growAnyCalls++
	var buf [512]byte
	buf[n%len(buf)] = byte(n)
	if n == 0 {
		return int(buf[0]) + v.(int)
	}
	return growAny(n-1, v) + int(buf[n%len(buf)])
}

// rooted runs f on a new goroutine and reports its goroutine id and whether its stack moved
// while f ran (the address of a local changed: the runtime copied the stack to grow it).
func rooted(f func() int) (id int64, moved bool) {
	done := make(chan bool)
	go func() {
		var mark byte
		at := uintptr(unsafe.Pointer(&mark))
		id = goid()
		sink += f()
		done <- uintptr(unsafe.Pointer(&mark)) != at
	}()
	moved = <-done
	return id, moved
}

func growing(report map[string]interface{}) {
	var ids []int64
	moved := map[string]int{}
	for i := 0; i < growRoots; i++ {
		id, m := rooted(func() int { return grow(300) })
		ids = append(ids, id)
		if m {
			moved["grow_moved"]++
		}
		v := i
		if _, m := rooted(func() int { return growAny(300, v) }); m {
			moved["growAny_moved"]++
		}
	}
	report["grow_goids"] = ids
	report["main.grow"] = growCalls
	report["main.growAny"] = growAnyCalls
	report["grow_moved"] = moved["grow_moved"]
	report["growAny_moved"] = moved["growAny_moved"]
}

// goid is the current goroutine's id, from its stack trace's header "goroutine 18 [running]:".
func goid() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	fields := strings.Fields(string(buf))
	id, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}

func calls() {
	sink += add(42, 13)
	for i := 0; i < 5; i++ {
		sink += add(i, 100+i)
	}
	sink += greet("gopher") + greet("ebpf")
	sink += many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	sink += int(asmAdd(40, 2))
	sink += narrow(-5, 7, true)
	sink += int(scale(1.5))
}

func loop(lines <-chan string) {
	for {
		select {
		case <-lines:
			return
		default:
		}
		done := make(chan int)
		go func() { done <- grow(300) }()
		sink += <-done
		sink += add(1, 2)
	}
}

func main() {
	lines := make(chan string)
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			lines <- in.Text()
		}
		close(lines)
	}()
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if _, ok := <-lines; !ok {
		return
	}
	report := map[string]interface{}{"goid": goid()}
	calls()
	if len(os.Args) > 1 && os.Args[1] == "loop" {
		loop(lines)
		report["main.grow"] = growCalls
	}
	if len(os.Args) > 1 && os.Args[1] == "grow" {
		growing(report)
	}
	report["main.add"] = addCalls
	out, _ := json.Marshal(report)
	fmt.Println(string(out))
	fmt.Println("done")
	<-lines
}
