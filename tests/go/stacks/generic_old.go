//go:build !go1.18
// +build !go1.18

package main

// Releases before Go 1.18 have no generics: no "generic" path.
func runGeneric() {}
