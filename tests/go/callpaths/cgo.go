//go:build cgo
// +build cgo

package main

/*
#include <pthread.h>

void goCallback(int);
void goNested(int);

static void callGo(int n) { for (int i = 0; i < n; i++) goCallback(i); }
static void callNested(int n) { for (int i = 0; i < n; i++) goNested(i); }
static void callBack(int i) { goCallback(i); }

static void *threadMain(void *arg) {
	int n = *(int *)arg;
	for (int i = 0; i < n; i++)
		goCallback(i);
	return 0;
}

static void callFromThread(int n) {
	pthread_t t;
	pthread_create(&t, 0, threadMain, &n);
	pthread_join(t, 0);
}
*/
import "C"

const cgoBuild = true

const (
	callbackCalls = 21
	nestedCalls   = 22
	threadCalls   = 23
)

//export goCallback
func goCallback(i C.int) {
	sink += leaf(int(i))
}

//export goNested
func goNested(i C.int) {
	intoC(i)
}

//go:noinline
func intoC(i C.int) {
	C.callBack(i)
}

//go:noinline
func viaC(n int) {
	C.callGo(C.int(n))
}

//go:noinline
func viaNested(n int) {
	C.callNested(C.int(n))
}

//go:noinline
func viaThread(n int) {
	C.callFromThread(C.int(n))
}

func runCgo() {
	current = "cgo-callback"
	viaC(callbackCalls)
	current = "cgo-nested"
	viaNested(nestedCalls)
	current = "cgo-thread"
	viaThread(threadCalls)
}
