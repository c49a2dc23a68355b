//go:build linux

package background

import (
	"os"
	"runtime"
	"sync"
	"testing"
)

// threadNice is the calling thread's niceness (-100 when it cannot be
// read, and the test fails). The caller must hold its thread
// (runtime.LockOSThread); it may be any goroutine.
func threadNice(t *testing.T) int {
	n, err := Nice()
	if err != nil {
		t.Errorf("%v (these tests need Linux's /proc)", err)
		return -100
	}
	return n
}

// niceOfGoroutines runs n goroutines, each holding its thread, and
// returns the niceness each saw.
func niceOfGoroutines(t *testing.T, n int) []int {
	out := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			out[i] = threadNice(t)
		})
	}
	wg.Wait()
	return out
}

func TestBackgroundRunsLowered(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { Setup(0) })
	if got := Setup(7); os.Getenv("GOMAXPROCS") == "" && got != before+Threads {
		t.Errorf("Setup: GOMAXPROCS %d, want %d (one P per background thread beyond the %d)", got, before+Threads, before)
	}
	if got := Setup(7); os.Getenv("GOMAXPROCS") == "" && got != before+Threads {
		t.Errorf("Setup again: GOMAXPROCS %d, want it raised once, to %d", got, before+Threads)
	}
	for _, tc := range []struct {
		name string
		set  int
		want int
	}{
		{"lowered", 7, 7},
		{"clamped to the kernel's lowest", 40, MaxNice},
		{"off", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			Setup(tc.set)
			got := make(chan int, 1)
			Go(func() { got <- threadNice(t) })
			if n := <-got; n != tc.want {
				t.Errorf("a background goroutine runs at nice %d, want %d", n, tc.want)
			}
		})
	}
}

// The lowered priority stays with background work: neither the threads a
// background goroutine leaves behind nor those created while it runs
// serve other goroutines at it.
func TestBackgroundPriorityDoesNotLeak(t *testing.T) {
	t.Cleanup(func() { Setup(0) })
	Setup(9)
	const n = 64
	for range 8 {
		spawned := make(chan []int, 1)
		// Goroutines started here need threads the runtime makes now.
		Go(func() { spawned <- niceOfGoroutines(t, n) })
		for i, got := range <-spawned {
			if got != 0 {
				t.Fatalf("goroutine %d started by background work ran at nice %d", i, got)
			}
		}
	}
	for i, got := range niceOfGoroutines(t, n) {
		if got != 0 {
			t.Fatalf("goroutine %d started after background work ran at nice %d", i, got)
		}
	}
}
