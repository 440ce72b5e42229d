// Package nofp calls a function with no frame pointer, as hand-written assembly that keeps a
// value in BP does (crypto's does): a walk by frame pointers cannot go on above that call; Go's
// own traceback, which goes by frame sizes, does. (A package of its own: a package that uses
// cgo cannot hold Go assembly.)
package nofp

// Hook is what Call calls.
var Hook func(int) int

var sink int

//go:noinline
func callHook(n int) {
	sink += Hook(n)
}
