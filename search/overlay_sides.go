package search

import (
	"encoding/binary"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
)

// sideCache keeps what a segment answered the searches that reached it
// (its side: total, facet counts, price bands and best candidates), for
// the same search again. A segment never changes; what a search finds in
// it changes with the overlay's view of it (its rates and stars: view)
// and with what the overlay left out of it (dead), and a cache is of one
// of each: Overlay.seal makes a new one when either is new, with only the
// sides of the last that the change cannot have changed (next), so a
// cached side is never stale. Segments are small and searched by every query
// that can match them, for a fixed cost of their own (a plan, a matcher
// of every word's alternatives in ten languages, a collector): about
// 15–30 µs each, most of what an overlay of a few changes added to a
// query whose answer it did not change (BENCHMARKS.md, freshness). The
// same words, filters and sort come again within a segment's life (the
// popular queries, each page of results), and then the segment costs a
// lookup. Lucene's query cache keeps per-segment match sets for the same
// reason.
type sideCache struct {
	view *Index
	dead *deadDocs
	mu   sync.RWMutex
	m    map[string]keptSide
	size int // bytes held, roughly
	hits atomic.Uint64
	// carried is how many sides it took over from the cache before (next).
	carried int
}

// keptSide is a segment's side of one search: its collector (nil: the
// segment cannot match, an empty side) and the documents it counted,
// the only ones whose deletion or new stars can change it.
type keptSide struct {
	c    *collector
	seen *roaring.Bitmap
	size int
}

// Bounds on a segment's cache: sides with more candidates than
// maxCachedCandidates (a deep page) are not kept, and a cache past
// maxSideCacheBytes is emptied before it keeps more (the queries a
// segment meets come again soon or not at all: it lives minutes).
const (
	maxCachedCandidates = 200
	maxSideCacheBytes   = 2 << 20
)

func newSideCache(view *Index, dead *deadDocs) *sideCache {
	return &sideCache{view: view, dead: dead}
}

// next is the cache of the segment seen as view less dead, where c (nil:
// none) was of an earlier view or dead set of it: it holds the sides of c
// that the change cannot have changed. A later batch leaves out some of
// the segment's documents (dead grows) and a facility's new stars patch
// the rating and trust of its offers (a view of other stars); a side that
// counted none of those documents is what a search would find again,
// since neither change makes a document count that did not (no filter
// reads stars) and a side is made of only what it counts. A view at
// other exchange rates reprices every side's bands and bounds: c keeps
// nothing then.
func (c *sideCache) next(view *Index, dead *deadDocs) *sideCache {
	n := newSideCache(view, dead)
	if c == nil {
		return n
	}
	changed, ok := changedDocs(c.view, c.dead, view, dead)
	if !ok {
		return n
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for key, k := range c.m {
		if k.c != nil && k.seen.Intersects(changed) {
			continue
		}
		if k.c != nil && k.c.ix != view {
			moved := *k.c
			moved.ix, moved.cols = view, view.cols
			k.c = &moved
		}
		if n.m == nil {
			n.m = make(map[string]keptSide, len(c.m))
		}
		n.m[key] = k
		n.size += k.size
	}
	n.carried = len(n.m)
	return n
}

// changedDocs are the documents of one segment that count otherwise seen
// as view less dead than as was less wasDead: the newly dead, and those
// whose rating or trust the views differ in. ok is false when the views
// differ in anything else (their rates), or a document came back.
func changedDocs(was *Index, wasDead *deadDocs, view *Index, dead *deadDocs) (changed *roaring.Bitmap, ok bool) {
	bitmapOf := func(d *deadDocs) *roaring.Bitmap {
		if d == nil {
			return roaring.New()
		}
		return d.b
	}
	before, now := bitmapOf(wasDead), bitmapOf(dead)
	if !roaring.AndNot(before, now).IsEmpty() {
		return nil, false
	}
	changed = roaring.AndNot(now, before)
	if was == view {
		return changed, true
	}
	a, b := was.cols, view.cols
	if was.mem != view.mem || was.typical != view.typical || !sameRates(was.rates, view.rates) ||
		len(a.price) != len(b.price) || unsafe.SliceData(a.price) != unsafe.SliceData(b.price) ||
		len(a.rating) != len(b.rating) || len(a.trust) != len(b.trust) {
		return nil, false
	}
	for doc := range a.rating {
		if math.Float32bits(a.rating[doc]) != math.Float32bits(b.rating[doc]) ||
			math.Float32bits(a.trust[doc]) != math.Float32bits(b.trust[doc]) {
			changed.Add(uint32(doc))
		}
	}
	return changed, true
}

// get returns the side kept under key; ok is false when none is.
func (c *sideCache) get(key []byte) (col *collector, ok bool) {
	c.mu.RLock()
	k, ok := c.m[string(key)] // not a copy: a lookup
	c.mu.RUnlock()
	if ok {
		c.hits.Add(1)
	}
	return k.c, ok
}

// put keeps a copy of col (nil: an empty side) under key, with the
// documents col counted (its seen, which it must have recorded). col's
// facet counts go back to their pool with it; the copy owns its own.
func (c *sideCache) put(key []byte, col *collector) {
	k := keptSide{size: len(key) + 64}
	if col != nil {
		if len(col.best.items) > maxCachedCandidates || col.seen == nil {
			return
		}
		k.c = &collector{ix: col.ix, cols: col.cols, total: col.total,
			best: candidates{sort: col.best.sort, items: append([]candidate(nil), col.best.items...)}}
		for _, f := range col.facets {
			k.c.facets = append(k.c.facets, facetCounts{name: f.name, col: f.col, counts: append([]int(nil), f.counts...)})
			k.size += 8*len(f.counts) + 64
		}
		k.c.bandCnt = append([]int(nil), col.bandCnt...)
		k.seen = col.seen.bitmap()
		k.size += 24*len(k.c.best.items) + 8*len(k.c.bandCnt) + 256 + int(k.seen.GetSizeInBytes())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.size+k.size > maxSideCacheBytes {
		c.m, c.size = map[string]keptSide{}, 0
	}
	if _, ok := c.m[string(key)]; !ok {
		c.m[string(key)] = k
		c.size += k.size
	}
}

// sideKey appends to b what a segment's side of r depends on, besides
// the segment and the overlay's view of it: the words as the base
// understood them (every alternative's terms and weight), the filters,
// exclusions and boosts, the price bounds and their currency, the place
// and radius, the facets, the sort and how many candidates it keeps. nil
// when r is not kept (explain reads each side's plan; a deep page keeps
// too many).
//
// Every string is written after its length, so no two requests' keys run
// together ("a=b" as one value, or "a" and "b" as two), and every number
// as its bits: formatting the weights as text was a twentieth of what a
// search of a query whose answer the overlay did not change cost beyond
// the generation's (issue 12).
func sideKey(b []byte, r *Request, u *understood) []byte {
	if r.Explain || r.Page*r.PerPage > maxCachedCandidates {
		return nil
	}
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	count := func(sep byte, n int) {
		b = append(b, sep)
		b = binary.AppendUvarint(b, uint64(n))
	}
	num := func(f float64) { b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f)) }
	str(r.Sort)
	count('k', r.Page*r.PerPage)
	str(r.Currency)
	for _, p := range []*float64{r.PriceMin, r.PriceMax} {
		if p == nil {
			b = append(b, '-')
		} else {
			b = append(b, 'p')
			num(*p)
		}
	}
	if r.Near == nil {
		b = append(b, '-')
	} else {
		b = append(b, 'n')
		num(r.Near.Lat)
		num(r.Near.Lon)
	}
	num(r.RadiusKM)
	count('f', len(r.Facets))
	for _, f := range r.Facets {
		str(f)
	}
	for _, cs := range [][]clause{r.clauses, r.excludes, r.boosts} {
		count('|', len(cs))
		for _, c := range cs {
			str(c.filter.Field)
			count('v', len(c.values))
			for _, v := range c.values {
				str(v)
			}
		}
	}
	if u != nil {
		count('|', len(u.groups))
		for _, g := range u.groups {
			if g.known {
				b = append(b, 'k')
			}
			count('a', len(g.alts))
			for _, a := range g.alts {
				num(a.weight)
				count('t', len(a.terms))
				for _, t := range a.terms {
					str(t.lang)
					str(t.term)
				}
			}
		}
	}
	return b
}
