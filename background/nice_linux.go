package background

import "syscall"

// lower sets the calling thread's niceness to n. On Linux the niceness is
// the thread's, not the process's (setpriority(2), "Bugs").
func lower(n int) error {
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), n)
}
