package search

import (
	"slices"
	"strings"
	"sync"

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
	sets map[string]*roaring.Bitmap
}

// of returns the documents clauses leave, made by build when not kept.
func (fs *filterSets) of(clauses []clause, build func() *roaring.Bitmap) *roaring.Bitmap {
	key := clausesKey(clauses)
	fs.mu.RLock()
	b, ok := fs.sets[key]
	fs.mu.RUnlock()
	if ok {
		return b
	}
	b = build()
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if kept, ok := fs.sets[key]; ok {
		return kept // another search made it meanwhile
	}
	if fs.sets == nil || len(fs.sets) >= filterSetsMax {
		fs.sets = make(map[string]*roaring.Bitmap, filterSetsMax)
	}
	fs.sets[key] = b
	return b
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
