package search

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// SetOffersTopShortcut turns matcher.runOffersTop on or off, for a test
// that compares it with the full walk; the returned func restores it.
func SetOffersTopShortcut(on bool) (restore func()) {
	old := offersTopShortcut
	offersTopShortcut = on
	return func() { offersTopShortcut = old }
}

// SetSegmentListsOver sets how many values a segment's keyword column may
// have and keep bitmaps (listsOver), for a test that runs every column of
// the segments as lists; the returned func restores it.
func SetSegmentListsOver(n int) (restore func()) {
	old := segmentListsOver
	segmentListsOver = n
	return func() { segmentListsOver = old }
}

// SetSortedWalks makes sorted searches walk their sort's order always
// (true) or never, for a test that compares the two; the returned func
// restores the default, which walks it when that is cheaper.
func SetSortedWalks(always bool) (restore func()) {
	old := sortedWalks
	sortedWalks = sortedNever
	if always {
		sortedWalks = sortedAlways
	}
	return func() { sortedWalks = old }
}

// Dump lists each segment's records, dead ones marked, for a failing test.
func (o *Overlay) Dump() string {
	out := ""
	for i, s := range o.segs {
		out += fmt.Sprintf("seg %d:", i)
		for _, k := range slices.Sorted(maps.Keys(s.docs)) {
			mark := ""
			if s.dead(s.docs[k]) {
				mark = "(dead)"
			}
			out += " " + k + mark
		}
		out += "\n"
	}
	return out
}

// MatchedOffers runs r's text match and returns the offers it yields, and
// the offers that every group holds through an alternative whose every
// term's own test holds them (termHits.offers, asked offer by offer): the
// walk, which combines the terms' treatments, facilities and doctors
// before it materialises any offer, must yield exactly these.
func MatchedOffers(ix *Index, r Request) (walked, byTerm []uint32, err error) {
	r, err = r.Validate(ix.rates)
	if err != nil {
		return nil, nil, err
	}
	p, err := ix.compile(context.Background(), &r, nil)
	if err != nil {
		return nil, nil, err
	}
	m := p.m
	err = m.run(context.Background(), nil, func(doc uint32, _ float64) {
		if m.offers.Contains(doc) {
			walked = append(walked, doc)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	m.offers.Iterate(func(doc uint32) bool {
		for _, g := range m.groups {
			if !slices.ContainsFunc(g.alts, func(a matchAlt) bool {
				return !slices.ContainsFunc(a.hits, func(h *termHits) bool { return !h.offers.has(doc) })
			}) {
				return true
			}
		}
		byTerm = append(byTerm, doc)
		return true
	})
	return walked, byTerm, nil
}

// PlainCounts counts a text search's plain offers (those matched only
// through their treatment) by treatment both ways runOffersTop can: from
// the treatments' bitmaps (whole reports whether it may) and offer by
// offer. Each part reads "ordinal:count:first offer".
func PlainCounts(ix *Index, r Request) (fromTreatments, oneByOne []string, whole bool, err error) {
	r, err = r.Validate(ix.rates)
	if err != nil {
		return nil, nil, false, err
	}
	p, err := ix.compile(context.Background(), &r, nil)
	if err != nil {
		return nil, nil, false, err
	}
	m := p.m
	walk := m.offerWalk(nil)
	m.prepareOfferScores()
	whole = m.offersPred.nFac == 0
	scored := m.scoredOffers(walk, whole)
	// Every way of finding the offers scored one by one finds the same.
	ways := []*roaring.Bitmap{m.scoredInWalk(walk, false)}
	if whole {
		ways = append(ways, m.scoredInWalk(walk, true))
	}
	for _, w := range ways {
		if !w.Equals(scored) {
			return nil, nil, false, fmt.Errorf("scored offers: %v, read from the walk %v", scored.ToArray(), w.ToArray())
		}
	}
	matched := m.matchedTreatments()
	show := func(parts []part) []string {
		var out []string
		for _, p := range parts {
			if p.n > 0 {
				out = append(out, fmt.Sprintf("%d:%d:%d", p.ord, p.n, p.some))
			}
		}
		return out
	}
	// touched must list each part counted, once: runOffersTop gathers
	// the parts from it.
	listed := func(parts []part, touched []uint32) error {
		var counted []uint32
		for _, p := range parts {
			if p.n > 0 {
				counted = append(counted, p.ord)
			}
		}
		slices.Sort(touched)
		if !slices.Equal(counted, touched) {
			return fmt.Errorf("parts counted %v, listed as touched %v", counted, touched)
		}
		return nil
	}
	a, b := make([]part, len(m.tcol.values)), make([]part, len(m.tcol.values))
	var ta, tb []uint32
	if !m.countPlain(a, scored, matched, &ta) {
		a = nil
	} else if err := listed(a, ta); err != nil {
		return nil, nil, false, err
	}
	ok, err := countPlainDocs(context.Background(), b, roaring.AndNot(walk, scored), m.tcol, matched, &tb)
	if err != nil {
		return nil, nil, false, err
	}
	if !ok {
		b = nil
	} else if err := listed(b, tb); err != nil {
		return nil, nil, false, err
	}
	return show(a), show(b), whole, nil
}

// SideCacheHits is how many times a search found a segment's side kept
// (sideCache) in the overlay's segments as it sees them.
func (o *Overlay) SideCacheHits() uint64 {
	var n uint64
	for _, s := range o.segs {
		if s.sides != nil {
			n += s.sides.hits.Load()
		}
	}
	return n
}

// SidesCarried is how many sides the overlay's segments took over kept
// from the overlay it was made from (sideCache.next).
func (o *Overlay) SidesCarried() int {
	n := 0
	for _, s := range o.segs {
		if s.sides != nil {
			n += s.sides.carried
		}
	}
	return n
}

// SetTreatmentFacets turns counting a text search's facets by treatment
// (countWholeOf) on or off, for a test that compares it with counting
// each match; the returned func restores it.
func SetTreatmentFacets(on bool) (restore func()) {
	old := byTreatmentFacets
	byTreatmentFacets = on
	return func() { byTreatmentFacets = old }
}

// TreatmentFacetsKept is how many treatments' values of a facet column ix
// keeps (treatfacets.go), counted over every column.
func (ix *Index) TreatmentFacetsKept() int {
	t := ix.cols.treatFacets
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, slots := range t.cols {
		for i := range slots {
			if slots[i].Load() != nil {
				n++
			}
		}
	}
	return n
}
