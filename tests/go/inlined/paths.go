package main

// The line "paths" runs paths(): main.helper inlined into main.inner, which main.viaA and
// main.viaB call; into main.bare, a function without a frame; twice into main.mid, itself
// inlined into main.viaMid; and called out of line through fv. On the line of each such call
// the caller notes (main.note) the stack Go sees there, runtime.CallersFrames' frames from the
// caller down, once per path, and counts the path's calls, so that a tool's stacks of
// main.helper can be checked frame by frame: main.helper, the functions it was inlined into
// (at the "site:" lines), then the frames noted.

import (
	"runtime"
)

const (
	pathsA     = 300
	pathsB     = 200
	pathsBare  = 150
	pathsMid   = 100
	pathsValue = 50
)

type frame struct {
	Func string `json:"func"`
	File string `json:"file"`
	Line int    `json:"line"`
}

type path struct {
	Count  int64   `json:"count"`
	Frames []frame `json:"frames"`
}

var noted = map[string]*path{}

// note counts a call of path name, and the first time keeps its caller's stack.
//
//go:noinline
func note(name string) int {
	return noteAt(name, 3) // skip runtime.Callers, noteAt, note
}

// noteMid2 notes path "mid2" when main.mid called main.helper a second time (mid2Calls moved
// on from before).
//
//go:noinline
func noteMid2(before int64) int {
	if mid2Calls == before {
		return 0
	}
	return noteAt("mid2", 3)
}

//go:noinline
func noteAt(name string, skip int) int {
	p := noted[name]
	if p == nil {
		p = &path{}
		noted[name] = p
		pcs := make([]uintptr, 64)
		frames := runtime.CallersFrames(pcs[:runtime.Callers(skip, pcs)])
		for {
			f, more := frames.Next()
			p.Frames = append(p.Frames, frame{f.Function, f.File, f.Line})
			if !more {
				break
			}
		}
	}
	p.Count++
	return 0
}

//go:noinline
func inner(n int, name string) int {
	s := 0
	for i := 0; i < n; i++ {
		s += helper(i) + note(name) // site:inner
	}
	return s
}

//go:noinline
func viaA() int { return inner(pathsA, "viaA") }

//go:noinline
func viaB() int { return inner(pathsB, "viaB") }

// bare keeps no frame (its code calls nothing): its return address is at SP.
//
//go:noinline
func bare(x int) int {
	return helper(x) // site:bare
}

//go:noinline
func viaBare() int {
	s := 0
	for i := 0; i < pathsBare; i++ {
		s += bare(i) + note("bare")
	}
	return s
}

//go:noinline
func viaMid() int {
	s := 0
	for i := 0; i < pathsMid; i++ {
		before := mid2Calls
		s += mid(i) + note("mid1") + noteMid2(before)
	}
	return s
}

//go:noinline
func viaValue() int {
	s := 0
	for i := 0; i < pathsValue; i++ {
		s += fv(i) + note("value")
	}
	return s
}

// paths: each path's calls and stack, and main.helper's calls.
func paths() map[string]any {
	helperCalls = 0
	noted = map[string]*path{}
	sink += viaA() + viaB() + viaBare() + viaMid() + viaValue()
	return map[string]any{"main.helper": helperCalls, "paths": noted}
}
