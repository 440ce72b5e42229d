// Command slowcalls makes slow calls whose time goes to one place each, and measures every call
// itself, for checking gofuncslower's breakdown of a call's time against the program's own
// account. Each call runs on a goroutine of its own (main.caller), which learns its id first.
//
//	main.spin     on the CPU: spins on a thread it locked, for a wall time; its CPU time is the
//	              thread's, from getrusage(RUSAGE_THREAD), the rest is time the kernel kept the
//	              thread waiting to run
//	main.nap      time.Sleep
//	main.recv     a receive from a channel that another goroutine sends to later
//	main.lock     sync.Mutex.Lock of a mutex that another goroutine unlocks later
//	main.readpipe read(2) on a blocking pipe (raw file descriptors, not Go's poller) that another
//	              goroutine writes to later
//	main.yield    runtime.Gosched with GOMAXPROCS=1 behind a goroutine that spins: runnable
//	              until the spinner is preempted; on a thread it locked, whose CPU time is its
//	              time on the CPU (the thread sleeps while the goroutine waits to run)
//	main.pull     (gc Go 1.23+, pull.go) values from an iter.Pull iterator whose producer,
//	              main.(*producer).run, spins and sleeps for each: waits in its coroutine
//	              while the producer runs, and the producer while it runs
//
// Each is called long (tens of milliseconds) and short (a millisecond or much less): a tracer
// with a threshold between the two sees only the long calls.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start; ROUNDS rounds, the argument, default 2, of every call)
//	-> {"go": "go1.26.8", "calls": [{"func": "main.spin", "goid": 7, "long": true,
//	    "outer_ns": ..., "wall_ns": ..., "cpu_ns": ..., "stack": ["main.spin", "main.caller",
//	    ...]}, ...]}
//	-> done
//	<- any line or EOF (exit 0)
//
// The figures of a call: outer_ns, the time around the call in its caller; the others measured
// inside the traced function, wall_ns from its first statement to its last; cpu_ns (spin: the
// thread's user and system time), sleep_ns (nap: the time in time.Sleep), wait_ns (recv, lock:
// the time in the receive or in Lock), syscall_ns (readpipe: the time in syscall.Read),
// runnable_ns (yield: the time in runtime.Gosched), coro_ns (pull: the time in the iterator's
// next and stop; the record of its producer's main.(*producer).run follows it, with spin_ns,
// sleep_ns, yield_ns, its time in yield, and its pull's outer_ns); and arranged_ns, how long
// the program arranged for the call to wait (nap: the sleep it asked for; long recv, lock and
// readpipe: how long the other goroutine sleeps before it sends, unlocks or writes; long pull:
// the producer's spins and sleeps), the least it can wait.
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
	"syscall"
	"time"
	"unsafe"
)

const (
	longTime  = 30 * time.Millisecond // a long call's wait (spin: its wall time)
	spinShort = 300 * time.Microsecond
	napShort  = time.Millisecond
	// the spinner behind yield: longer than the scheduler's 10 ms slice, so that it is preempted
	spinnerTime = 40 * time.Millisecond
	// pull's values, and its producer's spin and sleep for each (a short pull: pullShort values
	// after a short spin each, no sleep)
	pullValues = 4
	pullSpin   = 4 * time.Millisecond
	pullNap    = 4 * time.Millisecond
	pullShort  = 2
)

const (
	rusageThread       = 1 // RUSAGE_THREAD
	clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
)

type record map[string]interface{}

var sink int

// goid is the current goroutine's id, from its stack trace's header "goroutine 18 [running]:".
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

// stack is the caller's stack as runtime.CallersFrames names it, the caller first.
func stack() []string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	var names []string
	for {
		f, more := frames.Next()
		names = append(names, f.Function)
		if !more {
			return names
		}
	}
}

// threadCPU is the calling thread's user and system time, in ns, from getrusage(RUSAGE_THREAD).
// getrusage reads the kernel's account of the thread as of its last tick or switch (up to 4 ms
// old); clock_gettime(CLOCK_THREAD_CPUTIME_ID) first brings it up to date.
func threadCPU() int64 {
	var ts syscall.Timespec
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime,
		uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		panic(errno)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		panic(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// done adds a call's wall time since start to its record, last thing before it returns.
func done(start time.Time, r record) record {
	r["wall_ns"] = time.Since(start).Nanoseconds()
	return r
}

//go:noinline
func spin(d time.Duration) record {
	start := time.Now()
	cpu := threadCPU()
	x := 0
	for time.Since(start) < d {
		for i := 0; i < 1000; i++ {
			x = x*31 + i
		}
	}
	sink += x
	cpu = threadCPU() - cpu
	return done(start, record{"func": "main.spin", "cpu_ns": cpu, "stack": stack()})
}

//go:noinline
func nap(d time.Duration) record {
	start := time.Now()
	time.Sleep(d)
	slept := time.Since(start)
	return done(start, record{"func": "main.nap", "sleep_ns": slept.Nanoseconds(), "stack": stack()})
}

//go:noinline
func recv(ch chan int) record {
	start := time.Now()
	sink += <-ch
	waited := time.Since(start)
	return done(start, record{"func": "main.recv", "wait_ns": waited.Nanoseconds(), "stack": stack()})
}

//go:noinline
func lock(mu *sync.Mutex) record {
	start := time.Now()
	mu.Lock()
	waited := time.Since(start)
	mu.Unlock()
	return done(start, record{"func": "main.lock", "wait_ns": waited.Nanoseconds(), "stack": stack()})
}

//go:noinline
func readpipe(fd int) record {
	start := time.Now()
	buf := make([]byte, 16)
	n, err := syscall.Read(fd, buf)
	if err != nil || n != 1 {
		panic(fmt.Sprintf("read from the pipe: %d, %v", n, err))
	}
	inRead := time.Since(start)
	return done(start, record{"func": "main.readpipe", "syscall_ns": inRead.Nanoseconds(),
		"stack": stack()})
}

//go:noinline
func yield() record {
	start := time.Now()
	cpu := threadCPU()
	runtime.Gosched()
	ran := time.Since(start)
	cpu = threadCPU() - cpu
	return done(start, record{"func": "main.yield", "runnable_ns": ran.Nanoseconds(), "cpu_ns": cpu,
		"stack": stack()})
}

// later runs f after d, on a goroutine of its own.
func later(d time.Duration, f func()) {
	go func() {
		time.Sleep(d)
		f()
	}()
}

// caller makes one call of behaviour b, long or short, on the goroutine it runs on, and sends
// the call's record with the goroutine's id and the time the call took around it (outer_ns:
// from before the CALL to after the return, where wall_ns is from the callee's first statement
// to its last, so that a tracer's latency lies between the two).
func caller(b string, long bool, out chan<- record) {
	id := goid()
	d := napShort
	if long {
		d = longTime
	} else if b == "spin" {
		d = spinShort
	}
	ch := make(chan int, 1)
	var mu sync.Mutex
	var p [2]int
	switch b {
	case "spin", "yield":
		runtime.LockOSThread()
	case "recv":
		if long {
			later(d, func() { ch <- 1 })
		} else {
			ch <- 1
		}
	case "lock":
		mu.Lock()
		if long {
			later(d, mu.Unlock)
		} else {
			mu.Unlock()
		}
	case "readpipe":
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			panic(err)
		}
		if long {
			later(d, func() { writeByte(p[1]) })
		} else {
			writeByte(p[1])
		}
	}
	var r record
	start := time.Now()
	switch b {
	case "spin":
		r = spin(d)
	case "nap":
		r = nap(d)
	case "recv":
		r = recv(ch)
	case "lock":
		r = lock(&mu)
	case "readpipe":
		r = readpipe(p[0])
	case "yield":
		r = yield()
	case "pull":
		if long {
			r = pull(pullValues, pullSpin, pullNap)
		} else {
			r = pull(pullShort, spinShort/4, 0)
		}
	}
	outer := time.Since(start)
	switch b {
	case "spin", "yield":
		runtime.UnlockOSThread()
	case "readpipe":
		syscall.Close(p[0])
		syscall.Close(p[1])
	}
	r["outer_ns"] = outer.Nanoseconds()
	if b == "pull" && long {
		r["arranged_ns"] = (pullValues * (pullSpin + pullNap)).Nanoseconds()
	} else if b == "nap" || long && b != "spin" && b != "yield" && b != "pull" {
		r["arranged_ns"] = d.Nanoseconds()
	}
	r["goid"] = id
	r["long"] = long
	out <- r
}

func writeByte(fd int) {
	if n, err := syscall.Write(fd, []byte{'x'}); n != 1 || err != nil {
		panic(fmt.Sprintf("write to the pipe: %d, %v", n, err))
	}
}

// spinner keeps the only P busy for spinnerTime, then says it is done.
func spinner(done chan<- bool) {
	start := time.Now()
	x := 0
	for time.Since(start) < spinnerTime {
		x = x*31 + 1
	}
	sink += x
	done <- true
}

// call runs one call on a new goroutine and returns its record. A long yield runs with
// GOMAXPROCS=1 behind a spinner, both started before the caller's goroutine runs.
func call(b string, long bool) record {
	out := make(chan record)
	if b == "yield" && long {
		prev := runtime.GOMAXPROCS(1)
		done := make(chan bool)
		go spinner(done)
		go caller(b, long, out)
		r := <-out
		<-done
		runtime.GOMAXPROCS(prev)
		return r
	}
	go caller(b, long, out)
	return <-out
}

func main() {
	rounds := 2
	if len(os.Args) == 2 {
		var err error
		if rounds, err = strconv.Atoi(os.Args[1]); err != nil || rounds < 1 {
			fmt.Fprintln(os.Stderr, "usage: slowcalls [ROUNDS]")
			os.Exit(2)
		}
	} else if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: slowcalls [ROUNDS]")
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	calls := []record{}
	for i := 0; i < rounds; i++ {
		behaviours := []string{"spin", "nap", "recv", "lock", "readpipe", "yield"}
		if pulls {
			behaviours = append(behaviours, "pull")
		}
		for _, b := range behaviours {
			for _, long := range []bool{false, true, false} {
				calls = append(calls, call(b, long))
				if p, ok := calls[len(calls)-1]["producer"].(record); ok {
					delete(calls[len(calls)-1], "producer")
					p["outer_ns"], p["long"] = calls[len(calls)-1]["outer_ns"], long
					calls = append(calls, p)
				}
			}
		}
	}
	out, err := json.Marshal(record{"go": runtime.Version(), "calls": calls})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
