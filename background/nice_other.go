//go:build !linux

package background

import "errors"

// lower cannot set one thread's priority here: the niceness is the
// process's.
func lower(int) error { return errors.ErrUnsupported }

// Nice is the calling thread's niceness: unknown here.
func Nice() (int, error) { return 0, errors.ErrUnsupported }

// LowerProcess lowers the whole process to niceness n: not done here.
func LowerProcess(int) error { return errors.ErrUnsupported }

// IdleProcess runs the process on idle CPU time only: not done here.
func IdleProcess() error { return errors.ErrUnsupported }
