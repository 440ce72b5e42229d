//go:build !cgo

package main

func extraReport() map[string]any { return nil }
