package search

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// Filter sets: the documents a search's filter clauses leave (country TR,
// category Dental, type offer) are the intersection of their columns'
// bitmaps, a new bitmap of up to a million bits made for every such
// search. Patients ask for the same few hundred combinations again and
// again, and a generation's keyword columns never change, so a
// generation keeps the intersections asked for lately and hands them out
// to be read, never changed (compile treats them as it treats a column's
// own bitmap). At a million offers the intersections were a seventh of
// all the bytes the searches allocated, and so of the collector's work.
//
// The sets hang off the columns, whose copies (new prices, new stars)
// share their keyword columns, and so the sets too.

// filterSetsMax bounds the sets kept; when full, they are all dropped
// and the next searches make them again. A set holds at most 8 KiB for
// each 65,536 documents (160 KiB at a million offers), most far less.
const filterSetsMax = 256

type filterSets struct {
	mu   sync.RWMutex
	sets map[string]*keptSet
	// countBytes is what the kept sets' facet counts take (keptSet.counts),
	// bounded by maxKeptCountBytes; counted afresh with new sets.
	countBytes atomic.Int64
}

// keptSet is a kept filter set: the documents, and the key that names
// them (clausesKey), by which the sort orders list them (orderlists.go).
type keptSet struct {
	key string
	b   *roaring.Bitmap
	// counts holds the set's facet counts by column (*keywordColumn to
	// []int, by ordinal), counted on first use (facetCountsOf). Read only.
	counts sync.Map
}

// maxKeptCountBytes bounds the facet counts the kept sets hold: a city
// facet's counts are 8 bytes a city, tens of thousands of cities at a
// million offers.
const maxKeptCountBytes = 16 << 20

// facetCountsOf returns s's documents' count of each value of col, made
// by count (into counts as long as col's values) on first use and kept
// with s: a category's offers by rating with facets of country, kind and
// city counted 130,000 documents' values in every search, the same
// counts every time (bench fresh's broad_facets). nil when the kept
// counts are at their bound: the caller counts its own.
func (fs *filterSets) facetCountsOf(s *keptSet, col *keywordColumn, count func(counts []int)) []int {
	if v, ok := s.counts.Load(col); ok {
		return v.([]int)
	}
	size := int64(8 * len(col.values))
	if fs.countBytes.Add(size) > maxKeptCountBytes {
		fs.countBytes.Add(-size)
		return nil
	}
	counts := make([]int, len(col.values))
	count(counts)
	if v, loaded := s.counts.LoadOrStore(col, counts); loaded {
		fs.countBytes.Add(-size) // another search counted them meanwhile
		return v.([]int)
	}
	return counts
}

// of returns the documents clauses leave, made by build when not kept.
func (fs *filterSets) of(clauses []clause, build func() *roaring.Bitmap) *keptSet {
	key := clausesKey(clauses)
	fs.mu.RLock()
	s, ok := fs.sets[key]
	fs.mu.RUnlock()
	if ok {
		return s
	}
	s = &keptSet{key: key, b: build()}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if kept, ok := fs.sets[key]; ok {
		return kept // another search made it meanwhile
	}
	if fs.sets == nil || len(fs.sets) >= filterSetsMax {
		fs.sets = make(map[string]*keptSet, filterSetsMax)
		fs.countBytes.Store(0) // the old sets' counts go with them
	}
	fs.sets[key] = s
	return s
}

// clausesKey names the documents clauses leave, whatever the order of the
// clauses and of each one's values (an intersection of unions).
func clausesKey(clauses []clause) string {
	parts := make([]string, len(clauses))
	for i, c := range clauses {
		values := c.values
		if len(values) > 1 {
			values = slices.Compact(slices.Sorted(slices.Values(values)))
		}
		parts[i] = c.filter.Field + "\x00" + strings.Join(values, "\x00")
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x01")
}

// keepsFilterSet says whether the documents clauses leave are worth
// keeping: they are a new bitmap (more than one clause, or a clause of
// more than one value), not a column's own.
func keepsFilterSet(clauses []clause) bool {
	return len(clauses) > 1 || len(clauses) == 1 && len(clauses[0].values) > 1
}

// unionCache keeps an index's unions of its treatments' offers (or of the
// facilities and doctors providing them: matcher.treatmentUnion) for the
// searches after: the same words find the same treatments in every
// search of them, and an index's treatments and offers never change. At a
// million offers, unioning the offers of the treatments a query matched
// was a fifth of the CPU the text searches took through the API, made
// again for every search of the same words. The bitmaps are shared, and
// nothing writes them. It hangs off the columns, as the filter sets do,
// so that their copies (new prices, new stars) share it.
type unionCache struct {
	mu    sync.RWMutex
	m     map[string]*roaring.Bitmap
	bytes uint64 // the kept bitmaps' sizes
}

// maxKeptUnions and maxKeptUnionBytes bound a unionCache: when a union
// would pass either, every kept one is dropped and the next searches
// make them again, as filterSets does. A union is the offers of the
// treatments one query matched: kilobytes in a segment, up to a few
// hundred in a generation, where the cache keeps a few hundred queries'.
const (
	maxKeptUnions     = 1024
	maxKeptUnionBytes = 32 << 20
)

func (c *unionCache) get(k string) *roaring.Bitmap {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[k]
}

// put keeps b as k's union and reports whether it did: not when b alone
// would take an eighth of the bound.
func (c *unionCache) put(k string, b *roaring.Bitmap) bool {
	size := b.GetSizeInBytes()
	if size > maxKeptUnionBytes/8 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return true // another search made it meanwhile: b is as good
	}
	if c.m == nil || len(c.m) >= maxKeptUnions || c.bytes+size > maxKeptUnionBytes {
		c.m, c.bytes = make(map[string]*roaring.Bitmap), 0
	}
	c.m[k] = b
	c.bytes += size
	return true
}
