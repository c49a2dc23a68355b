package search

import (
	"context"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
)

// An overlay's segment is searched by every search, beside the
// generation, and most of a segment's part was opening the postings of
// each query term in each field it is matched in: Bleve's term reader
// allocates a dozen objects to find a term that a segment of a few
// thousand records mostly does not hold. A segment never changes, and the
// queries patients send repeat, so it keeps the postings it has read
// (none, for the terms it does not hold), up to memoMaxPostings of them;
// beyond that, searches read through as before.

// memoMaxPostings bounds the postings one segment keeps: 16 bytes each.
const memoMaxPostings = 1 << 20

// memoPosting is one posting, with what the tf-idf weight is made of.
type memoPosting struct {
	doc  uint32
	freq uint32
	norm float64
}

type memoKey struct{ field, term string }

// postingsMemo is one immutable index's postings as searches read them.
type postingsMemo struct {
	mu   sync.RWMutex
	m    map[memoKey][]memoPosting
	kept int // postings held
	full bool
}

// postings returns the postings of term in field, from the memo or read
// from r (and kept while there is room).
func (pm *postingsMemo) postings(ctx context.Context, r index.IndexReader, field, term string) ([]memoPosting, error) {
	key := memoKey{field, term}
	pm.mu.RLock()
	list, ok := pm.m[key]
	full := pm.full
	pm.mu.RUnlock()
	if ok {
		return list, nil
	}
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, true, true, false)
	if err != nil {
		return nil, err
	}
	defer tfr.Close()
	if n := tfr.Count(); n > 0 {
		list = make([]memoPosting, 0, n)
	}
	var doc index.TermFieldDoc
	for i := 1; ; i++ {
		if i%checkDoneEvery == 0 {
			if err := stopped(ctx); err != nil {
				return nil, err
			}
		}
		d, err := tfr.Next(&doc)
		if err != nil {
			return nil, err
		}
		if d == nil {
			break
		}
		list = append(list, memoPosting{doc: uint32(d.ID.Value()), freq: uint32(d.Freq), norm: d.Norm})
	}
	if full {
		return list, nil
	}
	pm.mu.Lock()
	defer pm.mu.Unlock()
	if _, ok := pm.m[key]; !ok && !pm.full {
		if pm.kept+len(list)+1 > memoMaxPostings {
			pm.full = true
		} else {
			if pm.m == nil {
				pm.m = map[memoKey][]memoPosting{}
			}
			pm.m[key] = list
			pm.kept += len(list) + 1 // an absent term costs its entry
		}
	}
	return list, nil
}
