package search

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// Facets counted by treatment. A text search for offers matches every
// offer of the treatments its words find, and a few more (through a
// doctor's name, treatPred.extra, or a facility's), and its facets
// counted each match's value from the column: tens of thousands of column
// reads per facet, a few of them through two arrays for a column that
// holds several values (a category). "heart attack" with the country,
// category and kind facets took 2.1 ms at a million offers where it took
// 0.9 without them, the slowest search of bench fresh's mix and so its
// p99: streaming the columns is the work the other core's slows most
// (BENCHMARKS.md, sixteenth session). Offers of one treatment share most
// values (its category; a few dozen countries and kinds), so each
// treatment's offers' values and counts are kept once per column, made
// the first time a search counts them, and a search adds those of each
// treatment it found and reads only the offers it found otherwise:
// exact, as every offer has one treatment, and a pass over a few values
// per treatment instead of one over the offers.

// treatmentFacets keeps, per keyword column, each treatment's offers'
// values and counts, by treatment ordinal. Views of an index (other rates,
// other stars) share it: neither changes a keyword column.
type treatmentFacets struct {
	mu   sync.Mutex
	cols map[*keywordColumn][]atomic.Pointer[[]ordCount]
}

// byTreatmentFacets says whether countAllOf counts facets by treatment;
// a test turns it off to compare with counting each match.
var byTreatmentFacets = true

// slots are col's histograms by treatment ordinal, n of them.
func (t *treatmentFacets) slots(col *keywordColumn, n int) []atomic.Pointer[[]ordCount] {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.cols[col]
	if !ok {
		if t.cols == nil {
			t.cols = map[*keywordColumn][]atomic.Pointer[[]ordCount]{}
		}
		s = make([]atomic.Pointer[[]ordCount], n)
		t.cols[col] = s
	}
	return s
}

// treatmentValues is, for the offers of the treatment of ordinal ord
// (live or not: the dead are taken off apart), the values of col they
// hold and how many hold each, in order of value.
func (c *columns) treatmentValues(slots []atomic.Pointer[[]ordCount], col *keywordColumn, ord uint32) []ordCount {
	if h := slots[ord].Load(); h != nil {
		return *h
	}
	h := valuesOf(col, c.treatmentOfferLists.of(ord), map[uint32]int32{})
	slices.SortFunc(h, func(a, b ordCount) int { return int(a.ord) - int(b.ord) })
	slots[ord].Store(&h) // two searches may both make it: alike
	return h
}

// countWholeOf is countWhole for the offers of p, matched: every offer of
// the treatments p marks, and others (countAllOf). The total and seen are
// countWhole's; each facet is counted from the marked treatments' values,
// and from the offers of others through no marked treatment one by one.
// The dead are counted too; the caller takes them off.
func (c *collector) countWholeOf(matched *roaring.Bitmap, p *treatPred, tcol *keywordColumn, others *roaring.Bitmap) {
	if !byTreatmentFacets || len(c.facets) == 0 || p.n == 0 || c.cols.treatFacets == nil ||
		c.keptSet() != nil && c.keptSet().b == matched {
		c.countWhole(matched)
		return
	}
	c.total += matched.GetCardinality()
	if c.seen != nil {
		c.seen.many.Or(matched)
	}
	n := len(c.cols.treatmentOffers)
	for i := range c.facets {
		f := &c.facets[i]
		slots := c.cols.treatFacets.slots(f.col, n)
		for ord, marked := range p.treat {
			if !marked || ord >= n {
				continue
			}
			for _, oc := range c.cols.treatmentValues(slots, f.col, uint32(ord)) {
				f.counts[oc.ord] += int(oc.n)
			}
		}
	}
	if others == nil {
		return
	}
	others.Iterate(func(doc uint32) bool {
		if !p.throughTreatment(tcol, doc) {
			for i := range c.facets {
				c.facets[i].count(doc)
			}
		}
		return true
	})
}
