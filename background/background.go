// Package background runs the server's background work — following the
// change log, applying its batches, merging overlay segments, making sort
// orders — on OS
// threads of its own at a lower CPU priority than the searches.
//
// Go schedules goroutines without priorities, and on a machine of few
// cores a batch being indexed or a merge takes a core for milliseconds
// while searches wait for one. The kernel does have priorities: a
// background goroutine here runs locked to a thread whose niceness is
// raised, and Setup gives the runtime a P for each such thread beyond the
// cores, so that a background thread holding a P never leaves the
// searches short of one. When a search and background work both want a
// core, the kernel runs the search; when the cores are free, the
// background work runs at full speed. (RocksDB lowers its compaction
// threads' priority in the same way.)
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

// Setup makes background goroutines run at niceness n (0: at the
// searches' priority, as plain goroutines) from now on. With n > 0 it
// raises GOMAXPROCS by Threads unless $GOMAXPROCS says otherwise, and
// returns GOMAXPROCS as it leaves it.
func Setup(n int) int {
	n = max(0, min(n, MaxNice))
	nice.Store(int32(n))
	if n > 0 && os.Getenv("GOMAXPROCS") == "" && !raised.Swap(true) {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + Threads)
	}
	return runtime.GOMAXPROCS(0)
}

// raised says whether Setup raised GOMAXPROCS already.
var raised atomic.Bool

// Go runs f in a new goroutine at background priority.
func Go(f func()) {
	n := int(nice.Load())
	if n == 0 {
		go f()
		return
	}
	go func() {
		runtime.LockOSThread()
		if err := lower(n); err != nil {
			// The thread is as it was: hand it back for other goroutines.
			runtime.UnlockOSThread()
			warnOnce.Do(func() {
				slog.Warn("background work runs at the searches' priority: cannot lower a thread's", "nice", n, "err", err)
			})
		}
		// Not unlocked once lowered: the thread exits with the goroutine.
		f()
	}()
}

var warnOnce sync.Once
