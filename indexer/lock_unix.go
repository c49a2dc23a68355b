//go:build unix

package indexer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockName is the file in an index directory that a build holds locked.
// The kernel releases the lock when the process dies however it dies
// (kill -9 included), so a build that takes it knows that every unfinished
// generation it finds was left by a build that is gone.
const lockName = "build.lock"

// ErrBuildRunning is returned when another build holds an index directory.
var ErrBuildRunning = errors.New("another build is running in this index directory")

// lockIndexDir takes the build lock of dir without waiting, and returns
// the function that releases it.
func lockIndexDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index directory: %w", err)
	}
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open build lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		owner, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s, pid %s)", ErrBuildRunning, dir, strings.TrimSpace(string(owner)))
		}
		return nil, fmt.Errorf("take build lock: %w", err)
	}
	// The pid is for the message above only; the lock is what counts.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() { f.Close() }, nil // closing the file releases the lock
}

// canCleanUp reports whether holding the lock proves that no other build
// is running, so that abandoned builds may be removed.
const canCleanUp = true
