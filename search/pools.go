package search

import "sync"

// Slices as long as an index has documents, treatments, facilities or a
// column's values are made for every search; the pools of this package
// keep them for the next. fromPool and toPool are the one way in and out.

// fromPool returns n elements of a slice pool holds when it holds one long
// enough (as its last user left them: the caller clears them if it must),
// else n zero ones. A slice too short is dropped.
func fromPool[T any](pool *sync.Pool, n int) []T {
	if s, ok := pool.Get().(*[]T); ok && cap(*s) >= n {
		return (*s)[:n]
	}
	return make([]T, n)
}

// toPool gives s back to pool; the caller no longer reads or writes it.
func toPool[T any](pool *sync.Pool, s []T) { pool.Put(&s) }
