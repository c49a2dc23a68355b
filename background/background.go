// Package background runs the server's background work — following the
// change log, applying its batches, merging overlay segments, making sort
// orders — on OS
// threads of its own at a lower CPU priority than the searches.
//
// Go schedules goroutines without priorities, and on a machine of few
// cores a batch being indexed or a merge takes a core for milliseconds
// while searches wait for one. The kernel does have priorities: a
// background goroutine here runs locked to a thread of its own whose
// priority is lowered, and Setup gives the runtime a P for each such
// thread beyond the cores, so that a background thread holding a P never
// leaves the searches short of one. When a search and background work
// both want a core, the kernel runs the search; when the cores are free,
// the background work runs at full speed. (RocksDB lowers its compaction
// threads' priority in the same way.)
//
// Lowered is idle scheduling by default (Linux SCHED_IDLE): a search's
// thread that wakes takes the core from a background thread at once, and
// the kernel sends it to a core running only background work as to an idle
// one. A raised niceness alone leaves the background thread the rest of
// its turn first (on two cores, up to a millisecond and a half): at a
// million offers, under bench fresh's writes, those turns were most of
// what the follower added to the searches' tail (BENCHMARKS.md,
// twenty-ninth session).
//
// A background goroutine's thread exits with it, so its niceness never
// passes to a goroutine that did not ask for it, and threads the runtime
// creates while a background goroutine runs are cloned from its template
// thread, not from the lowered one.
package background

import (
	"log/slog"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Threads is the most background goroutines that usually do work at once
// in a server: the follower reading and decoding the next batch, the
// batch before it being applied, and a merge of overlay segments. Setup
// adds a P for each. A sort order being made (search/sorted.go, one at a
// time, every few seconds under writes) is background work too, without
// a P of its own: a fourth P would raise the collector's mark workers
// from one P's worth to one and a half (a quarter of GOMAXPROCS, rounded),
// on two cores the searches' own.
const Threads = 3

// MaxNice is the highest niceness Setup accepts (the kernel's lowest
// priority).
const MaxNice = 19

// nice is the niceness background goroutines run at; 0: as any other.
var nice atomic.Int32

// idle says background goroutines run on idle CPU time only.
var idle atomic.Bool

// Setup makes background goroutines run from now on at niceness n (0: at
// the searches' priority, as plain goroutines), or with idleOnly on CPU
// time nothing else wants (SCHED_IDLE), lifted to niceness n once they
// have waited LiftAfter for a core. Idle scheduling needs the kernel to let the
// process lift a thread out of it again (CAP_SYS_NICE, or an RLIMIT_NICE
// of 20-n): a thread that never could would wait behind every search of a
// busy server, the follower's batches with it. Where it cannot, Setup
// says so in the log and lowers to niceness n only. When background work
// is lowered it raises GOMAXPROCS by Threads unless $GOMAXPROCS says
// otherwise, and it returns GOMAXPROCS as it leaves it.
func Setup(n int, idleOnly bool) int {
	n = max(0, min(n, MaxNice))
	if idleOnly {
		if err := canLift(n); err != nil {
			slog.Warn("background work runs at its niceness, not on idle CPU time: a thread could not be lifted out of idle scheduling (give the server CAP_SYS_NICE)",
				"nice", n, "err", err)
			idleOnly = false
		}
	}
	nice.Store(int32(n))
	idle.Store(idleOnly)
	if (n > 0 || idleOnly) && os.Getenv("GOMAXPROCS") == "" && !raised.Swap(true) {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + Threads)
	}
	return runtime.GOMAXPROCS(0)
}

// Idling reports whether background goroutines start on idle CPU time
// (Setup).
func Idling() bool { return idle.Load() }

// raised says whether Setup raised GOMAXPROCS already.
var raised atomic.Bool

// LiftAfter is how long a background goroutine may wait for a core, in
// all, on idle CPU time before its thread is lifted to the background
// niceness. A batch of changes is applied in a few tens of milliseconds,
// a merge or a sort order made in less, and on a server with a core to
// spare none waits that long. Work that the searches keep from the cores
// for longer (a server busy on both) is lifted and gets its niceness'
// share of a core, so that changes keep reaching search however busy
// the server is. Waiting for anything else (a lock, the database, a
// search to let go of an overlay) does not count. A test may set it.
var LiftAfter = 100 * time.Millisecond

// lifted counts the background goroutines lifted out of idle scheduling.
var lifted atomic.Int64

// Lifted is how many background goroutines have been lifted out of idle
// scheduling since the process started.
func Lifted() int64 { return lifted.Load() }

// lowering counts the goroutines Go started on a lowered thread until
// each has stopped its lifter: a test waits for those of earlier tests,
// which a loaded machine may keep from a core long enough to be lifted
// after they have done their work.
var lowering sync.WaitGroup

// Go runs f in a new goroutine at background priority.
func Go(f func()) {
	n, idleOnly := int(nice.Load()), idle.Load()
	if n == 0 && !idleOnly {
		go f()
		return
	}
	lowering.Add(1)
	go func() {
		defer lowering.Done() // after the lifter's stop, deferred below
		runtime.LockOSThread()
		if err := lower(n, idleOnly); err != nil {
			// The thread is as it was: hand it back for other goroutines.
			runtime.UnlockOSThread()
			warnOnce.Do(func() {
				slog.Warn("background work runs at the searches' priority: cannot lower a thread's", "nice", n, "idle", idleOnly, "err", err)
			})
			f()
			return
		}
		// Not unlocked once lowered: the thread exits with the goroutine.
		if idleOnly {
			defer liftLater(n).stop()
		}
		f()
	}()
}

// Run runs f at background priority (Go) and waits for it.
func Run(f func()) {
	done := make(chan struct{})
	Go(func() {
		defer close(done)
		f()
	})
	<-done
}

// lifter lifts the calling goroutine's thread to niceness n once the
// kernel has kept it waiting for a core for LiftAfter since it started,
// unless stopped first; it looks every LiftAfter. The goroutine holds the
// thread until it exits, and stop comes before that, so the thread lifted
// is never another one given the same id.
type lifter struct {
	mu      sync.Mutex
	stopped bool
	timer   *time.Timer
}

func liftLater(n int) *lifter {
	l := &lifter{}
	tid, after := threadID(), LiftAfter // read once: the timer's func runs on other goroutines
	from, err := waitedForCore(tid)
	if err != nil {
		liftOnce.Do(func() {
			slog.Warn("background work stays on idle CPU time: cannot tell how long it waits for a core", "err", err)
		})
		return l
	}
	l.mu.Lock() // the timer's func reads l.timer
	defer l.mu.Unlock()
	l.timer = time.AfterFunc(after, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.stopped {
			return
		}
		waited, err := waitedForCore(tid)
		if err == nil && waited-from < after {
			l.timer.Reset(after)
			return
		}
		if err == nil {
			err = lift(tid, n)
		}
		if err != nil {
			liftOnce.Do(func() {
				slog.Warn("background work stays on idle CPU time: cannot lift a thread out of it", "nice", n, "err", err)
			})
			return
		}
		lifted.Add(1)
	})
	return l
}

func (l *lifter) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
	if l.timer != nil {
		l.timer.Stop()
	}
}

var warnOnce, liftOnce sync.Once
