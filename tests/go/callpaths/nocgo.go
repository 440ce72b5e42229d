//go:build !cgo
// +build !cgo

package main

const cgoBuild = false

func runCgo() {}
