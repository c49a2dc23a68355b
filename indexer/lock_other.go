//go:build !unix

package indexer

import "errors"

// ErrBuildRunning is returned when another build holds an index directory.
var ErrBuildRunning = errors.New("another build is running in this index directory")

// lockIndexDir takes no lock where flock(2) is missing: builds then do not
// remove each other's directories, and abandoned ones go after an hour
// (search.Publish's pruning).
func lockIndexDir(dir string) (func(), error) { return func() {}, nil }

// canCleanUp is false: without the lock, an unfinished generation may be
// another build's.
const canCleanUp = false
