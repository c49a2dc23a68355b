//go:build !linux

package background

import "errors"

// lower cannot set one thread's priority here: the niceness is the
// process's.
func lower(int) error { return errors.ErrUnsupported }
