package search

import (
	"context"
	"errors"

	"github.com/RoaringBitmap/roaring/v2"
)

// A search's cost is bounded twice. What a query can ask for is capped
// (maxQueryWords, maxTypoWords, maxTypoCandidates, MaxResultWindow), and
// what it may spend is a budget: the caller gives the context a deadline
// whose cause is ErrOverBudget (context.WithTimeoutCause), and the loops
// that walk postings, candidates and words look at it every
// checkDoneEvery steps (match.go), so a search that overruns stops within
// a millisecond instead of holding a core.

// ErrOverBudget is the cause a caller gives the deadline of a search's
// budget; a search stopped by it returns an error that wraps it.
var ErrOverBudget = errors.New("the search exceeded its time budget")

// stopped returns why ctx is done — its cause, such as ErrOverBudget, when
// it has one — or nil while it is not.
func stopped(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return context.Cause(ctx)
}

// eachDoc calls fn with every document of b in order, looking at whether
// ctx is done every checkDoneEvery documents; fn returns false to skip the
// rest of b.
func eachDoc(ctx context.Context, b *roaring.Bitmap, fn func(doc uint32) bool) error {
	n := 0
	var err error
	b.Iterate(func(doc uint32) bool {
		if n++; n%checkDoneEvery == 0 {
			if err = stopped(ctx); err != nil {
				return false
			}
		}
		return fn(doc)
	})
	return err
}
