//go:build gccgo
// +build gccgo

package nofp

// Call: gccgo builds no Go assembly; a plain call there.
//
//go:noinline
func Call(n int) {
	callHook(n)
}
