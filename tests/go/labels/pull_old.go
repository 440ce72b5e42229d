//go:build !go1.23

package main

// pulled: no iter.Pull before Go 1.23 (pull.go).
func pulled(scopes []string) {}
