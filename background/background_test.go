//go:build linux

package background

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
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

// threadIdle reports whether the calling thread runs on idle CPU time
// only (false when it cannot be read, and the test fails). The caller must
// hold its thread.
func threadIdle(t *testing.T) bool {
	idle, err := Idle()
	if err != nil {
		t.Errorf("%v (these tests need Linux)", err)
	}
	return idle
}

// lowered is how a thread is scheduled: its niceness, and whether it runs
// on idle CPU time only.
type lowered struct {
	nice int
	idle bool
}

// loweredOfGoroutines runs n goroutines, each holding its thread, and
// returns how each thread was scheduled.
func loweredOfGoroutines(t *testing.T, n int) []lowered {
	out := make([]lowered, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			out[i] = lowered{threadNice(t), threadIdle(t)}
		})
	}
	wg.Wait()
	return out
}

func TestBackgroundRunsLowered(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { Setup(0, false) })
	if got := Setup(7, false); os.Getenv("GOMAXPROCS") == "" && got != before+Threads {
		t.Errorf("Setup: GOMAXPROCS %d, want %d (one P per background thread beyond the %d)", got, before+Threads, before)
	}
	if got := Setup(0, true); os.Getenv("GOMAXPROCS") == "" && got != before+Threads {
		t.Errorf("Setup again: GOMAXPROCS %d, want it raised once, to %d", got, before+Threads)
	}
	for _, tc := range []struct {
		name string
		nice int
		idle bool
		want lowered
	}{
		{"lowered", 7, false, lowered{7, false}},
		{"clamped to the kernel's lowest", 40, false, lowered{MaxNice, false}},
		{"off", 0, false, lowered{0, false}},
		{"idle", 0, true, lowered{0, true}},
		// Idle scheduling is below every niceness: none is set besides.
		{"idle rather than lowered", 7, true, lowered{0, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			Setup(tc.nice, tc.idle)
			got := make(chan lowered, 1)
			Go(func() { got <- lowered{threadNice(t), threadIdle(t)} })
			if l := <-got; l != tc.want {
				t.Errorf("a background goroutine runs at %+v, want %+v", l, tc.want)
			}
		})
	}
}

// TestBackgroundWorkKeptFromTheCoresIsLifted: background work starts on
// idle CPU time; work the kernel keeps waiting for a core for LiftAfter,
// here behind a busy goroutine on every core, is lifted to the
// background niceness, so that a server busy on every core still
// applies its changes.
func TestBackgroundWorkKeptFromTheCoresIsLifted(t *testing.T) {
	restore := LiftAfter
	t.Cleanup(func() { Setup(0, false); LiftAfter = restore })
	LiftAfter = 50 * time.Millisecond
	if Setup(6, true); !Idling() {
		t.Fatal("Setup(6, true) left idle scheduling off: this process cannot lift a thread out of it (run the tests as root, or give them CAP_SYS_NICE)")
	}
	// Under load (other test binaries on the same cores) the goroutine may
	// be kept from a core long enough to be lifted before it first looks:
	// that is the mechanism at work, not the case tested, so try again.
	var got [2]lowered
	var lifted int64
	for try := 0; try < 5; try++ {
		if got, lifted = keptFromTheCores(t); got[0] != (lowered{6, false}) {
			break
		}
		t.Logf("try %d: lifted before it first ran (a loaded machine); again", try+1)
	}
	if want := [2]lowered{{0, true}, {6, false}}; got != want {
		t.Errorf("background work kept from the cores ran at %+v, then %+v; want idle, then lifted to nice 6", got[0], got[1])
	}
	if lifted != 1 {
		t.Errorf("Lifted counted %d goroutines, want 1", lifted)
	}
}

// keptFromTheCores runs background work that reports how it runs, idle,
// then with a busy goroutine on every core at the searches' priority; it
// returns the two reports and how many goroutines were lifted meanwhile.
func keptFromTheCores(t *testing.T) ([2]lowered, int64) {
	// Background goroutines of earlier tests and tries may still be
	// waiting for a core to return, long enough to be lifted: count only
	// this one.
	lowering.Wait()
	before := Lifted()
	first, start, then := make(chan lowered, 1), make(chan struct{}), make(chan lowered, 1)
	Go(func() {
		first <- lowered{threadNice(t), threadIdle(t)}
		<-start
		for deadline := time.Now().Add(20 * time.Second); threadIdle(t) && time.Now().Before(deadline); {
		}
		then <- lowered{threadNice(t), threadIdle(t)}
	})
	got := [2]lowered{<-first}
	stop := make(chan struct{})
	var busy sync.WaitGroup
	for range runtime.NumCPU() {
		busy.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for {
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}
	close(start)
	got[1] = <-then
	close(stop)
	busy.Wait()
	return got, Lifted() - before
}

// TestWaitedForCoreLeavesOutSleep: what lifts background work is the
// time the kernel kept its thread from a core, not the time it slept or
// waited for anything else.
func TestWaitedForCoreLeavesOutSleep(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := threadID()
	from, err := waitedForCore(tid)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	to, err := waitedForCore(tid)
	if err != nil {
		t.Fatal(err)
	}
	if to < from || to-from > 150*time.Millisecond {
		t.Errorf("a thread that slept 300 ms waited %v for a core", to-from)
	}
}

// The lowered priority stays with background work: neither the threads a
// background goroutine leaves behind nor those created while it runs
// serve other goroutines at it.
func TestBackgroundPriorityDoesNotLeak(t *testing.T) {
	t.Cleanup(func() { Setup(0, false) })
	for _, idle := range []bool{false, true} {
		Setup(9, idle)
		const n = 64
		for range 8 {
			spawned := make(chan []lowered, 1)
			// Goroutines started here need threads the runtime makes now.
			Go(func() { spawned <- loweredOfGoroutines(t, n) })
			for i, got := range <-spawned {
				if got != (lowered{}) {
					t.Fatalf("idle %v: goroutine %d started by background work ran at %+v", idle, i, got)
				}
			}
		}
		for i, got := range loweredOfGoroutines(t, n) {
			if got != (lowered{}) {
				t.Fatalf("idle %v: goroutine %d started after background work ran at %+v", idle, i, got)
			}
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
	for i, l := range loweredOfGoroutines(t, 8) {
		if l.nice != 11 {
			t.Errorf("goroutine %d after: niceness %d, want 11", i, l.nice)
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
