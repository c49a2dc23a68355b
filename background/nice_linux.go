package background

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// lower sets the calling thread's niceness to n. On Linux the niceness is
// the thread's, not the process's (setpriority(2), "Bugs").
func lower(n int) error {
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), n)
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
		attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE}
		if err := unix.SchedSetAttr(tid, &attr, 0); err != nil {
			return fmt.Errorf("set thread %d to idle scheduling: %w", tid, err)
		}
		return nil
	})
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
