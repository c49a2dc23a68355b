//go:build linux

package background

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
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

// lowerChildEnv makes TestLowerProcess's child lower itself.
const lowerChildEnv = "BACKGROUND_TEST_LOWER_PROCESS"

// TestLowerProcess runs itself again as a child process (lowering the
// test process would lower every test after it), which lowers the whole
// process: every thread it had, and every thread made after, runs at
// the niceness.
func TestLowerProcess(t *testing.T) {
	if os.Getenv(lowerChildEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLowerProcess$", "-test.v")
		cmd.Env = append(os.Environ(), lowerChildEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestLowerProcess") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	// Threads before: the runtime's, and some held by goroutines.
	hold := make(chan struct{})
	var held, wg sync.WaitGroup
	for range 4 {
		held.Add(1)
		wg.Go(func() {
			runtime.LockOSThread()
			held.Done()
			<-hold
		})
	}
	defer wg.Wait()
	defer close(hold)
	held.Wait()
	if err := LowerProcess(11); err != nil {
		t.Fatal(err)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 5 {
		t.Errorf("%d threads, want the runtime's and the four held", len(tasks))
	}
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
		if err != nil {
			continue // exited since
		}
		s := string(b)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) < 17 || f[16] != "11" {
			t.Errorf("thread %s: niceness %v, want 11", task.Name(), f[16:17])
		}
	}
	for i, n := range niceOfGoroutines(t, 8) {
		if n != 11 {
			t.Errorf("goroutine %d after: niceness %d, want 11", i, n)
		}
	}
}
