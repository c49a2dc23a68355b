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

// childEnv makes a test that runs itself as a child process do its work
// there: lowering the test process would lower every test after it.
const childEnv = "BACKGROUND_TEST_CHILD"

// inChild runs the test t in a child process and reports whether this is
// the child, which then does the test's work.
func inChild(t *testing.T) bool {
	if os.Getenv(childEnv) != "" {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return false
}

// withHeldThreads runs fn while four goroutines hold threads of their own
// (threads the process had before fn), and then returns the fields of
// each thread's /proc stat after its command.
func withHeldThreads(t *testing.T, fn func() error) [][]string {
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
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 5 {
		t.Errorf("%d threads, want the runtime's and the four held", len(tasks))
	}
	var out [][]string
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
		if err != nil {
			continue // exited since
		}
		s := string(b)
		out = append(out, strings.Fields(s[strings.LastIndexByte(s, ')')+1:]))
	}
	return out
}

// The fields of /proc/PID/task/TID/stat after the command: state is 0.
const (
	statNice   = 16
	statPolicy = 38
)

// TestLowerProcess lowers a whole process: every thread it had, and
// every thread made after, runs at the niceness.
func TestLowerProcess(t *testing.T) {
	if !inChild(t) {
		return
	}
	for _, f := range withHeldThreads(t, func() error { return LowerProcess(11) }) {
		if f[statNice] != "11" {
			t.Errorf("a thread's niceness: %s, want 11", f[statNice])
		}
	}
	for i, n := range niceOfGoroutines(t, 8) {
		if n != 11 {
			t.Errorf("goroutine %d after: niceness %d, want 11", i, n)
		}
	}
}

// TestIdleProcess sets a whole process to idle scheduling: every thread
// it had, and every thread made after.
func TestIdleProcess(t *testing.T) {
	if !inChild(t) {
		return
	}
	const idle = "5" // SCHED_IDLE
	for _, f := range withHeldThreads(t, IdleProcess) {
		if f[statPolicy] != idle {
			t.Errorf("a thread's scheduling policy: %s, want SCHED_IDLE (%s)", f[statPolicy], idle)
		}
	}
	// Threads made after, each held by a goroutine at once.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b, err := os.ReadFile("/proc/thread-self/stat")
			if err != nil {
				t.Error(err)
				return
			}
			s := string(b)
			if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); f[statPolicy] != idle {
				t.Errorf("a thread made after: policy %s, want SCHED_IDLE", f[statPolicy])
			}
		})
	}
	wg.Wait()
}
