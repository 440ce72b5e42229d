// demo: a small Go service for the tools to watch. It keeps a store that goroutines read and
// write, hashes keys, and sleeps a little between rounds, until it is killed; twice a second it
// saves the store, a slow call that waits, computes, writes and sleeps.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

type Store struct {
	mu sync.Mutex
	m  map[string]int
}

//go:noinline
func (s *Store) Put(key string, val int) {
	s.mu.Lock()
	s.m[key] = val
	s.mu.Unlock()
}

//go:noinline
func (s *Store) Get(key string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

//go:noinline
func hash(key string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	return h
}

//go:noinline
func work(s *Store, worker, round int) {
	key := fmt.Sprintf("k%d", (worker*31+round)%97)
	s.Put(key, int(hash(key)))
	s.Get(key)
	time.Sleep(time.Duration(1+worker%5) * time.Millisecond)
}

// save is the service's slow call: it copies the store under its lock (waiting for the
// workers that hold it), encodes the copy (on the CPU), writes it out (system calls) and
// pauses before the next save (a sleep).
//
//go:noinline
func (s *Store) save(w io.Writer) {
	s.mu.Lock()
	snapshot := make(map[string]int, len(s.m))
	for k, v := range s.m {
		snapshot[k] = v
	}
	s.mu.Unlock()
	for i := 0; i < 50; i++ {
		out, err := json.Marshal(snapshot)
		if err == nil {
			w.Write(out)
		}
	}
	time.Sleep(10 * time.Millisecond)
}

func main() {
	s := &Store{m: make(map[string]int)}
	fmt.Printf("demo: pid %d\n", os.Getpid())
	for w := 0; w < 8; w++ {
		go func(w int) {
			for r := 0; ; r++ {
				work(s, w, r)
			}
		}(w)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	for range time.Tick(500 * time.Millisecond) {
		s.save(devnull)
	}
}
