//go:build !linux

package background

import (
	"errors"
	"time"
)

// lower cannot set one thread's priority here: the niceness is the
// process's.
func lower(int, bool) error { return errors.ErrUnsupported }

// Idle reports whether the calling thread runs on idle CPU time only:
// unknown here.
func Idle() (bool, error) { return false, errors.ErrUnsupported }

// Nice is the calling thread's niceness: unknown here.
func Nice() (int, error) { return 0, errors.ErrUnsupported }

// LowerProcess lowers the whole process to niceness n: not done here.
func LowerProcess(int) error { return errors.ErrUnsupported }

// IdleProcess runs the process on idle CPU time only: not done here.
func IdleProcess() error { return errors.ErrUnsupported }

func threadID() int { return 0 }

func lift(int, int) error { return errors.ErrUnsupported }

func waitedForCore(int) (time.Duration, error) { return 0, errors.ErrUnsupported }

// canLift: idle scheduling is not done here.
func canLift(int) error { return errors.ErrUnsupported }
