package search

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// sideCache keeps what a segment answered the searches that reached it
// (its side: total, facet counts, price bands and best candidates), for
// the same search again. A segment never changes; what a search finds in
// it changes with the overlay's view of it (its rates and stars: view)
// and with what the overlay left out of it (dead), and a cache is of one
// of each: Overlay.seal makes a new one when either is new, so a cached
// side is never stale. Segments are small and searched by every query
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
	m    map[string]*collector // nil collector: the segment cannot match (an empty side)
	size int                   // bytes held, roughly
	hits atomic.Uint64
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

// get returns the side kept under key; ok is false when none is.
func (c *sideCache) get(key string) (col *collector, ok bool) {
	c.mu.RLock()
	col, ok = c.m[key]
	c.mu.RUnlock()
	if ok {
		c.hits.Add(1)
	}
	return col, ok
}

// put keeps a copy of col (nil: an empty side) under key. col's facet
// counts go back to their pool with it; the copy owns its own.
func (c *sideCache) put(key string, col *collector) {
	var kept *collector
	size := len(key) + 64
	if col != nil {
		if len(col.best.items) > maxCachedCandidates {
			return
		}
		kept = &collector{ix: col.ix, cols: col.cols, total: col.total,
			best: candidates{sort: col.best.sort, items: append([]candidate(nil), col.best.items...)}}
		for _, f := range col.facets {
			kept.facets = append(kept.facets, facetCounts{name: f.name, col: f.col, counts: append([]int(nil), f.counts...)})
			size += 8*len(f.counts) + 64
		}
		kept.bandCnt = append([]int(nil), col.bandCnt...)
		size += 24*len(kept.best.items) + 8*len(kept.bandCnt) + 256
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.size+size > maxSideCacheBytes {
		c.m, c.size = map[string]*collector{}, 0
	}
	if _, ok := c.m[key]; !ok {
		c.m[key] = kept
		c.size += size
	}
}

// sideKey is what a segment's side of r depends on, besides the segment
// and the overlay's view of it: the words as the base understood them
// (every alternative's terms and weight), the filters, exclusions and
// boosts, the price bounds and their currency, the place and radius, the
// facets, the sort and how many candidates it keeps. "" when r is not
// kept (explain reads each side's plan).
func sideKey(r *Request, u *understood) string {
	if r.Explain {
		return ""
	}
	// Every string is written with its length, so no two requests' keys
	// run together ("a=b" as one value, or "a" and "b" as two).
	var b strings.Builder
	b.Grow(256)
	str := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	num := func(f float64) {
		b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		b.WriteByte(',')
	}
	str(r.Sort)
	num(float64(r.Page * r.PerPage))
	str(r.Currency)
	for _, p := range []*float64{r.PriceMin, r.PriceMax} {
		if p == nil {
			b.WriteByte('-')
		} else {
			num(*p)
		}
	}
	if r.Near == nil {
		b.WriteByte('-')
	} else {
		b.WriteByte('n')
		num(r.Near.Lat)
		num(r.Near.Lon)
	}
	num(r.RadiusKM)
	b.WriteString(strconv.Itoa(len(r.Facets)))
	for _, f := range r.Facets {
		str(f)
	}
	for _, cs := range [][]clause{r.clauses, r.excludes, r.boosts} {
		b.WriteString("|" + strconv.Itoa(len(cs)))
		for _, c := range cs {
			str(c.filter.Field)
			b.WriteString(strconv.Itoa(len(c.values)))
			for _, v := range c.values {
				str(v)
			}
		}
	}
	if u != nil {
		b.WriteString("|" + strconv.Itoa(len(u.groups)))
		for _, g := range u.groups {
			if g.known {
				b.WriteByte('k')
			}
			b.WriteString(strconv.Itoa(len(g.alts)))
			for _, a := range g.alts {
				num(a.weight)
				b.WriteString(strconv.Itoa(len(a.terms)))
				for _, t := range a.terms {
					str(t.lang)
					str(t.term)
				}
			}
		}
	}
	return b.String()
}
