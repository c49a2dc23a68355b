package background

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// lower sets the calling thread's scheduling: with idle, idle scheduling
// (SCHED_IDLE), else, or where the kernel refuses it, niceness n (0:
// unchanged). On Linux both are the thread's, not the process's
// (setpriority(2), "Bugs"; sched_setattr(2)), and a thread it cloned
// would inherit them: Go clones the threads it makes while a goroutine
// holds its thread from a template thread of its own.
func lower(n int, idle bool) error {
	if idle {
		err := idleThread(0)
		if err == nil || n == 0 {
			return err
		}
	}
	if n == 0 {
		return nil
	}
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), n)
}

// threadID is the calling thread's id.
func threadID() int { return unix.Gettid() }

// waitedForCore is how long thread tid of this process has been runnable
// but kept off every core, in all since it started: the second figure of
// its schedstat (the kernel's scheduler statistics, proc(5)).
func waitedForCore(tid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/schedstat")
	if err != nil {
		return 0, fmt.Errorf("read thread %d's scheduler statistics: %w", tid, err)
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, fmt.Errorf("thread %d's scheduler statistics: %q", tid, b)
	}
	ns, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("thread %d's scheduler statistics: %w", tid, err)
	}
	return time.Duration(ns), nil
}

// lift moves thread tid of this process from idle scheduling to normal
// scheduling at niceness n.
func lift(tid, n int) error {
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_NORMAL, Nice: int32(n)}
	if err := unix.SchedSetAttr(tid, &attr, 0); err != nil {
		return fmt.Errorf("lift thread %d to niceness %d: %w", tid, n, err)
	}
	return nil
}

// canLift says why a thread of this process could not be lifted out of
// idle scheduling to niceness n, or nil when it could: it tries, on a
// thread discarded after.
func canLift(n int) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		if err := lower(0, true); err != nil {
			done <- err
			return
		}
		done <- lift(threadID(), n)
	}()
	return <-done
}

// Idle reports whether the calling thread runs on idle CPU time only
// (SCHED_IDLE). A goroutine runs so only while it holds its thread, as
// one started by Go does.
func Idle() (bool, error) {
	attr, err := unix.SchedGetAttr(0, 0)
	if err != nil {
		return false, fmt.Errorf("read the thread's scheduling policy: %w", err)
	}
	return attr.Policy == unix.SCHED_IDLE, nil
}

// Nice is the calling thread's niceness as the kernel reports it. A
// goroutine runs at it only while it holds its thread, as one started by
// Go does.
func Nice() (int, error) {
	b, err := os.ReadFile("/proc/thread-self/stat")
	if err != nil {
		return 0, fmt.Errorf("read the thread's niceness: %w", err)
	}
	// pid (comm) state ppid … : nice is field 19, the 17th after the comm.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 17 {
		return 0, fmt.Errorf("read the thread's niceness: %q has %d fields after the command", s, len(fields))
	}
	n, err := strconv.Atoi(fields[16])
	if err != nil {
		return 0, fmt.Errorf("read the thread's niceness: %w", err)
	}
	return n, nil
}

// LowerProcess sets the niceness of every thread of the process to n, for
// a process that is background work as a whole. A thread the kernel
// creates after it inherits its creator's niceness, so every later thread
// is lowered too.
func LowerProcess(n int) error {
	n = max(0, min(n, MaxNice))
	return eachThread(func(tid int) error {
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, n); err != nil {
			return fmt.Errorf("lower thread %d to niceness %d: %w", tid, n, err)
		}
		return nil
	})
}

// IdleProcess runs every thread of the process, and every thread it makes
// later (the policy is inherited), only on CPU time that nothing else of
// normal priority wants (SCHED_IDLE): a build beside a server, whose
// searches take a core from it at once whenever they want one.
func IdleProcess() error {
	return eachThread(func(tid int) error {
		if err := idleThread(tid); err != nil {
			return fmt.Errorf("set thread %d to idle scheduling: %w", tid, err)
		}
		return nil
	})
}

// idleThread sets thread tid (0: the calling one) to idle scheduling.
func idleThread(tid int) error {
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE}
	return unix.SchedSetAttr(tid, &attr, 0)
}

// eachThread calls fn with the id of every thread of the process. A
// thread created while the list is read is cloned from one already
// listed; the list is read again until a pass finds none new. A thread
// that exits meanwhile is passed by.
func eachThread(fn func(tid int) error) error {
	done := map[int]bool{}
	for {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("list the process's threads: %w", err)
		}
		fresh := 0
		for _, task := range tasks {
			tid, err := strconv.Atoi(task.Name())
			if err != nil || done[tid] {
				continue
			}
			fresh++
			if err := fn(tid); err != nil && !errors.Is(err, syscall.ESRCH) {
				return err
			}
			done[tid] = true
		}
		if fresh == 0 {
			return nil
		}
	}
}
