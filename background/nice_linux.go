package background

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
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
