package search

import (
	"context"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// Order lists: a filtered search sorted by price or rating walks its
// sort's order (the filter's category's part of it) and tests each
// document against the filter, a bit per document written out for the
// search and cleared after it (denseOf). At a million offers, writing
// those bits was a third of a country's category by price (18 µs of 55),
// and a filter whose matches lie late in the order (a country of high
// prices) tested thousands of documents to find ten. A kept filter set
// (filterset.go) is asked for again and again, and an order never
// changes once made, so the order keeps the set's documents in its own
// order, listed on the set's first walk: the next searches read the list
// from its start, each entry a match, and test nothing.

// maxListedBytes bounds the lists one order keeps; when a list would pass
// it they are all dropped, as filterSets does. maxListedShare: a set of
// more than this share of the order's documents is not listed (its
// matches lie early in any order, and its list would be megabytes).
const (
	maxListedBytes = 32 << 20
	maxListedShare = 8
)

type orderLists struct {
	mu    sync.RWMutex
	m     map[string][]uint32 // by the set's clausesKey
	bytes int
}

// listOf returns the documents of s that o keys, in o's order, listed on
// first use from the walk of parts (partsOf: a search's category's part,
// which holds all of s when s is of the category); nil when s is too
// large to list or the walk was stopped. Read only.
func (o *madeOrder) listOf(ctx context.Context, s *keptSet, parts [][]uint32, docs uint64) ([]uint32, error) {
	o.lists.mu.RLock()
	l, ok := o.lists.m[s.key]
	o.lists.mu.RUnlock()
	if ok {
		return l, nil
	}
	// (Listed whatever their size when every sorted search walks its
	// order, as tests ask: a small catalogue's sets are large shares.)
	if n := s.b.GetCardinality(); n*maxListedShare > uint64(len(o.docs)) && sortedWalks != sortedAlways {
		return nil, nil
	}
	in := denseOf(s.b, docs)
	defer releaseDense(in)
	l = make([]uint32, 0, s.b.AndCardinality(o.keyed))
	for i, doc := range o.walk(parts) {
		if i%checkDoneEvery == checkDoneEvery-1 {
			if err := stopped(ctx); err != nil {
				return nil, err
			}
		}
		if (*in)[doc>>6]&(1<<(doc&63)) != 0 {
			l = append(l, doc)
		}
	}
	o.lists.mu.Lock()
	defer o.lists.mu.Unlock()
	if kept, ok := o.lists.m[s.key]; ok {
		return kept, nil // another search listed it meanwhile
	}
	if o.lists.m == nil || o.lists.bytes+4*len(l) > maxListedBytes {
		o.lists.m, o.lists.bytes = map[string][]uint32{}, 0
	}
	o.lists.m[s.key] = l
	o.lists.bytes += 4 * len(l)
	return l, nil
}

// countListed counts every document of walk, a kept filter set, but the
// dead (countAll). A set of one category holds only that category's
// documents: where the category's dead are a few (listed per overlay),
// each is looked for in walk; with 85 dead at a million offers, a
// country's category by price took 68 µs on the overlay when countAllIn
// looked for every dead document (a search of a container each, cold in
// a server's caches), 61 this way. Past a few, as after a minute of
// writes (12,000 dead), the set is written out as a bit per document
// and the dead found in it, as the walk without a list did: testing
// each of a few thousand matches against the dead set's bits, at random
// places in 160 KB, took a filtered search's p99 under writes up by a
// fifth.
func (c *collector) countListed(walk *roaring.Bitmap) {
	if c.p.dead == nil {
		c.countAllIn(walk, nil)
		return
	}
	var dead []uint32
	if len(c.p.categories) == 1 {
		dead = c.p.dead.holdingValue(c.cols.keywords[fieldCategory], c.p.categories[0])
	}
	if len(c.p.categories) != 1 || len(dead) > probeDead {
		in := denseOf(walk, c.cols.docs)
		defer releaseDense(in)
		c.countAllIn(walk, in)
		return
	}
	c.countWhole(walk)
	for _, doc := range dead {
		if walk.Contains(doc) {
			c.uncount(doc)
		}
	}
}
