// demo: a small Go service for the tools to watch. It keeps a store that goroutines read and
// write, hashes keys, and sleeps a little between rounds, until it is killed.
package main

import (
	"fmt"
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

func main() {
	s := &Store{m: make(map[string]int)}
	fmt.Printf("demo: pid %d\n", os.Getpid())
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; ; r++ {
				work(s, w, r)
			}
		}(w)
	}
	wg.Wait()
}
