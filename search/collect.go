package search

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// candidate is a matching document while results are collected.
type candidate struct {
	doc   uint32
	score float64
	key   float64 // the sort value: price or rating; NaN sorts last
}

// plan is a request compiled against one index: the text part for Bleve,
// everything else against the columns.
type plan struct {
	u        *understood     // nil: no text, every document is a candidate
	m        *matcher        // the text's postings
	filter   *roaring.Bitmap // nil: no keyword filter; read only (it may be a column's own)
	kept     *keptSet        // the kept filter set filter is, if it is one (filterset.go)
	priceMin float64         // USD, inclusive; -Inf when open
	priceMax float64         // USD, inclusive; +Inf when open
	priced   bool            // a price bound was given: unpriced offers fail it
	sort     string
	k        int       // how many of the best to keep: offset + page size
	near     *GeoPoint // distances are from here
	// boost holds what lies in an ambiguous place a word named: its
	// scores are multiplied by placeBoost (intent.go).
	boost *roaring.Bitmap
	// facilityKM is each facility's distance from near, by facility
	// ordinal, when a radius measured them (NaN: outside it).
	facilityKM []float32
	measured   []uint32 // the facilities facilityKM measured
	// categories are the ordinals in the category column of those a
	// filter allows (nil: any): a price sort walks only their part of
	// its order (orderparts.go).
	categories []uint32
	// dead are documents an overlay left out (replaced or deleted since
	// the index was built): matched as any other, never counted or kept
	// (collector.tally, consider, countAll). Nil: none.
	dead *deadDocs
}

func (ix *Index) compile(ctx context.Context, r *Request, syn *Synonyms) (*plan, error) {
	return ix.compileAs(ctx, r, syn, nil)
}

// compileAs is compile with r's text understood as u already (nil: it
// is understood here).
func (ix *Index) compileAs(ctx context.Context, r *Request, syn *Synonyms, u *understood) (*plan, error) {
	p := &plan{sort: r.Sort, k: r.Page * r.PerPage, priceMin: math.Inf(-1), priceMax: math.Inf(1),
		near: r.Near}
	if q := r.textQuery(); q != "" {
		var err error
		if u == nil {
			if u, err = ix.understand(ctx, q, r.Lang, syn); err != nil {
				return nil, err
			}
		}
		if p.m, err = ix.newMatcher(ctx, u, r.types()); err != nil {
			return nil, err
		}
		p.u = u
	}
	// The filter is only read once compiled (run, the matcher's walks), so
	// a single clause's bitmap is used as it is, though it may be the
	// column's own; a second makes a new one. Cloning the first cost a
	// copy per search and per overlay segment.
	owned := false
	and := func(b *roaring.Bitmap) {
		switch {
		case p.filter == nil:
			p.filter = b
		case owned:
			p.filter.And(b)
		default:
			p.filter, owned = roaring.And(p.filter, b), true
		}
	}
	for _, c := range r.clauses {
		if c.filter.Field == fieldCategory && p.categories == nil {
			p.categories = ix.cols.keywords[fieldCategory].ordinals(c.values)
		}
	}
	intersect := func() *roaring.Bitmap {
		for _, c := range r.clauses {
			and(ix.cols.keywords[c.filter.Field].anyOf(c.values))
		}
		return p.filter
	}
	if ix.mem == nil && ix.cols.filters != nil && keepsFilterSet(r.clauses) {
		// A generation's: kept, and read by every search that asks for
		// it, so not owned (filterset.go).
		p.kept = ix.cols.filters.of(r.clauses, intersect)
		p.filter, owned = p.kept.b, false
	} else {
		intersect()
	}
	if len(r.excludes) > 0 {
		// An exclusion keeps what has a value of the field and not one of
		// the excluded: "abroad" is somewhere, and not at home.
		for _, c := range r.excludes {
			col := ix.cols.keywords[c.filter.Field]
			and(roaring.AndNot(col.anyOf(col.values), col.anyOf(c.values))) // anyOf may be the column's own
		}
	}
	for _, c := range r.boosts {
		b := ix.cols.keywords[c.filter.Field].anyOf(c.values)
		if p.boost == nil {
			p.boost = b.Clone() // anyOf may be the column's own bitmap
		} else {
			p.boost.Or(b)
		}
	}
	if r.RadiusKM > 0 {
		types := r.types()
		near, dist, measured := ix.cols.within(r.Near, r.RadiusKM, len(types) == 1 && types[0] == TypeOffer)
		and(near)
		p.facilityKM, p.measured = dist, measured
	}
	if r.PriceMin != nil {
		p.priceMin, p.priced = *usdBound(r.PriceMin, r.Currency, ix.rates), true
	}
	if r.PriceMax != nil {
		p.priceMax, p.priced = *usdBound(r.PriceMax, r.Currency, ix.rates), true
	}
	return p, nil
}

// filteredOut reports whether r's filters (its clauses: country,
// category, accreditation, …) leave none of ix's documents. An overlay's
// segment holds a few hundred records, and most hold nothing in the
// country and category a search asks for: such a segment is passed by, an
// empty side, as one that cannot match the words is (mayMatch), instead of
// compiling and running the search on it. Dead documents count as held, so
// false may still find nothing.
//
// Only the last two clauses' bitmaps are intersected without making a
// third (Intersects): a segment that is searched after all compiles the
// same intersection again, so the test should cost less than that.
func (ix *Index) filteredOut(r *Request) bool {
	var left *roaring.Bitmap
	for i, c := range r.clauses {
		b := ix.cols.keywords[c.filter.Field].anyOf(c.values) // may be the column's own: not changed
		switch {
		case left == nil:
			left = b
		case i == len(r.clauses)-1:
			return !left.Intersects(b)
		default:
			left = roaring.And(left, b)
		}
		if left.IsEmpty() {
			return true
		}
	}
	return false
}

// collector counts matches and facets and keeps the best k candidates.
type collector struct {
	ix      *Index
	cols    *columns
	typical [][]float32 // typical prices for price sorts (typical.go)
	p       *plan
	total   uint64
	best    candidates
	facets  []facetCounts
	bands   []band
	bandUSD []float64 // lower edges of bands in USD
	bandCnt []int
	fcol    *keywordColumn // the facility_id column, for distance sorts
	// seen, when not nil, records the documents matched, the dead and
	// those past the price bounds too, for a segment's side to be kept
	// (sideCache: only a change to one of them changes the side) and for
	// cleanKeys to learn whether any was dead.
	seen *seenDocs
}

// seenDocs are the documents a collector counted: one at a time as bits,
// in bulk as a bitmap.
type seenDocs struct {
	bits ordSet
	many *roaring.Bitmap
}

func newSeenDocs(docs uint64) *seenDocs {
	return &seenDocs{bits: make(ordSet, (docs+63)/64), many: roaring.New()}
}

// bitmap is every document seen, as one bitmap.
func (s *seenDocs) bitmap() *roaring.Bitmap {
	b := roaring.FromDense(s.bits, false)
	b.Or(s.many)
	b.RunOptimize()
	return b
}

func (c *collector) add(doc uint32, score float64) {
	if c.tally(doc) && c.p.k > 0 {
		c.consider(doc, score)
	}
}

// tally counts doc in the total, the facets and the price bands, and
// reports whether it passed the price bounds.
func (c *collector) tally(doc uint32) bool {
	if c.seen != nil {
		c.seen.bits.add(doc) // the dead too: cleanKeys asks whether any was
	}
	if c.p.dead != nil && c.p.dead.has(doc) {
		return false
	}
	// Every path that feeds the collector walks only documents within the
	// filter (and so within the radius): they are not checked again here.
	if c.p.priced {
		price := c.cols.price[doc]
		if math.IsNaN(price) || price < c.p.priceMin || price > c.p.priceMax {
			return false
		}
	}
	c.total++
	for i := range c.facets {
		c.facets[i].count(doc)
	}
	if c.bands != nil {
		if price := c.cols.price[doc]; !math.IsNaN(price) {
			// Bands are [lo, hi], as price_min and price_max bound a
			// search: a band's count is what a click on it finds. The last
			// edge at or below the price; a price on an edge is also in
			// the band below.
			i, found := slices.BinarySearch(c.bandUSD, price)
			if !found {
				i--
			} else if i > 0 {
				c.bandCnt[i-1]++
			}
			if i >= 0 {
				c.bandCnt[i]++
			}
		}
	}
	return true
}

// consider keeps doc among the best k if it ranks there; score is its text
// relevance, which its trust (and a place boost) multiply.
func (c *collector) consider(doc uint32, score float64) {
	if c.p.dead != nil && c.p.dead.has(doc) {
		return
	}
	key := c.sortKey(doc)
	if c.full() && c.best.keyLoses(key, c.worst().key) {
		// Sorted by a key, a match whose key is worse than the k-th's
		// cannot rank whatever its score: its trust is not read.
		return
	}
	score *= float64(c.cols.trust[doc])
	if c.p.boost != nil && c.p.boost.Contains(doc) {
		score *= placeBoost
	}
	c.best.keep(candidate{doc: doc, score: score, key: key}, c.p.k)
}

// onlyTop reports whether the collector wants nothing of a match but what
// a bitmap of matches gives at once (countAll) and, by relevance alone,
// the best k: no price bands or bounds, no place boost, and only facets
// of a few values. Then a match may be counted without being visited, and
// one that cannot rank skipped (matcher.runOffersTop).
func (c *collector) onlyTop() bool {
	if c.p.sort != SortRelevance || c.p.priced || c.bands != nil || c.p.boost != nil {
		return false
	}
	for _, f := range c.facets {
		if len(f.col.values) > maxBitmapFacet {
			return false
		}
	}
	return true
}

// maxBitmapFacet is the most values a facet may have to be counted by
// intersecting each value's bitmap with the matches (countAll): country,
// category and kind, not city. Past it, counting per match is cheaper.
const maxBitmapFacet = 512

// countAll counts every document of matched but the dead, as add would one
// by one, without the candidates: the total and each facet value.
func (c *collector) countAll(matched *roaring.Bitmap) { c.countAllIn(matched, nil) }

// countWhole counts every document of matched, the dead too, in the
// total and the facets (and seen): what countAll and its kin then take the
// dead off again.
func (c *collector) countWhole(matched *roaring.Bitmap) {
	c.total += matched.GetCardinality()
	if c.seen != nil {
		c.seen.many.Or(matched)
	}
	c.countFacets(matched)
}

// countAllIn is countAll for matches also held as a bit per document (in,
// nil: not), as a sorted walk holds them: the dead among them are found
// a word at a time, where intersecting the bitmaps took most of what an
// overlay added to a filtered search sorted by price (20 µs of 35, with
// 12,000 dead documents at a million).
func (c *collector) countAllIn(matched *roaring.Bitmap, in *[]uint64) {
	c.countWhole(matched)
	if c.p.dead == nil {
		return
	}
	// The dead among them were counted with the rest: they are taken off
	// again, being few beside the matches.
	uncount := c.uncount
	if in != nil && matched.GetCardinality() >= uint64(len(c.p.dead.words)) {
		if !c.uncountInCategory(*in) {
			c.uncountIn(*in)
		}
		return
	}
	if in != nil || matched.GetCardinality() < c.p.dead.b.GetCardinality() {
		// Fewer matches than dead documents (or, the matches held as
		// bits, than the dead's words: a country's offers of a category,
		// sorted by price): each match's bit is tested. Reading every
		// dead word cost such a search more than the rest of its
		// collection (6 µs against 5, at 12,000 dead documents).
		it := matched.ManyIterator()
		var buf [256]uint32
		for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
			for _, doc := range buf[:k] {
				if c.p.dead.has(doc) {
					uncount(doc)
				}
			}
		}
		return
	}
	if dead := c.p.dead.b.GetCardinality(); dead <= probeDead {
		// A few dead documents are each looked for among the matches:
		// writing a million matches out as bits, to find a few dozen,
		// was most of what an overlay of a few changes added to a search
		// that no segment could match.
		it := c.p.dead.b.ManyIterator()
		var buf [64]uint32
		for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
			for _, doc := range buf[:k] {
				if matched.Contains(doc) {
					uncount(doc)
				}
			}
		}
		return
	}
	in = denseOf(matched, c.cols.docs)
	c.uncountIn(*in)
	releaseDense(in)
}

// uncountInCategory takes the dead documents marked in in off again when
// the filter allows one category, so that the matches are all of it: the
// dead among them are among the category's dead, a few hundred where the
// dead set's words are thousands (a country's category by price paid 15
// µs of 100 for those words with 14,000 dead documents in eight
// segments). It reports whether it did; the caller walks the words
// otherwise. (Taken whatever the counts when every sorted search walks
// its order, as tests ask: a small catalogue's dead are few.)
func (c *collector) uncountInCategory(in ordSet) bool {
	if len(c.p.categories) != 1 {
		return false
	}
	dead := c.p.dead.holdingValue(c.cols.keywords[fieldCategory], c.p.categories[0])
	if len(dead) >= len(c.p.dead.words) && sortedWalks != sortedAlways {
		return false
	}
	for _, doc := range dead {
		if in.has(doc) {
			c.uncount(doc)
		}
	}
	return true
}

// uncountIn takes the dead documents marked in in (the matches, a bit
// per document) off again, each facet's values read from the dead's own
// lists where it has them (deadDocs.rankedValues).
func (c *collector) uncountIn(in []uint64) {
	var buf [8][]uint32
	vals := buf[:0]
	for i := range c.facets {
		vals = append(vals, c.p.dead.rankedValues(c.facets[i].col))
	}
	c.p.dead.eachInRanked(in, func(doc uint32, rank int) {
		c.total--
		for i := range c.facets {
			f := &c.facets[i]
			if vals[i] == nil {
				f.uncount(doc)
			} else if v := vals[i][rank]; v != 0 {
				f.counts[v-1]--
			}
		}
	})
}

// uncount takes a dead document counted with the matches off again.
func (c *collector) uncount(doc uint32) {
	c.total--
	for i := range c.facets {
		c.facets[i].uncount(doc)
	}
}

// countAllOf is countAll for the offers of p (matcher.offerWalk
// unfiltered): every offer of the treatments p marks, and others (nil:
// none), the rest of matched (p.extra, and the offers of the facilities
// p marks). The dead among them are the dead offers of those treatments,
// listed by treatment once per overlay, and the dead of others through
// no marked treatment: writing the matches out as bits to find them, and
// reading every dead document's word, was most of what thousands of
// changes added to a text search's count. tcol is the index's column of
// treatment ids (p's may be unset, when it matches nothing).
func (c *collector) countAllOf(matched *roaring.Bitmap, p *treatPred, tcol *keywordColumn, others *roaring.Bitmap) {
	c.countWholeOf(matched, p, tcol, others)
	if c.p.dead == nil {
		return
	}
	byT := c.p.dead.ofTreatments(tcol, c.cols.keywords[fieldType].bitmap(TypeOffer))
	var byFacet [8]cowList[[]ordCount] // the facets' counts of dead offers by treatment
	hists := byFacet[:0]
	for i := range c.facets {
		hists = append(hists, c.p.dead.facetsOfTreatments(c.facets[i].col, byT))
	}
	for ord, marked := range p.treat {
		if !marked {
			continue
		}
		dead := byT.at(ord)
		if len(dead) == 0 {
			continue
		}
		c.total -= uint64(len(dead))
		for i, h := range hists {
			counts := c.facets[i].counts
			for _, oc := range h.at(ord) {
				counts[oc.ord] -= int(oc.n)
			}
		}
	}
	if others == nil {
		return
	}
	throughTreatment := func(doc uint32) bool { return p.throughTreatment(tcol, doc) }
	if others.GetCardinality() > c.p.dead.b.GetCardinality() {
		c.p.dead.b.Iterate(func(doc uint32) bool {
			if others.Contains(doc) && !throughTreatment(doc) {
				c.uncount(doc)
			}
			return true
		})
		return
	}
	others.Iterate(func(doc uint32) bool {
		if c.p.dead.has(doc) && !throughTreatment(doc) {
			c.uncount(doc)
		}
		return true
	})
}

// probeDead is the most dead documents countAllIn looks for one by one
// among matches not held as bits (a search of a container each, about
// as long, at this many, as writing a million matches out as bits).
const probeDead = 256

// countFacets counts the facet values of every document of matched.
//
// Intersecting matched with every value's bitmap reads each value's
// documents, about every document of the index once per facet, whatever
// matched holds; reading the column of each match costs about three times
// as much per document, and so wins below a third of the index (a rare
// treatment's few thousand offers: 14 ms → under 1 ms at a million).
func (c *collector) countFacets(matched *roaring.Bitmap) {
	if len(c.facets) == 0 {
		return
	}
	if k := c.keptSet(); k != nil && k.b == matched {
		// A kept filter set's counts are kept with it (filterSets.facetCountsOf).
		for i := range c.facets {
			f := &c.facets[i]
			kept := c.cols.filters.facetCountsOf(k, f.col, func(counts []int) {
				countFacetsOf(matched, []facetCounts{{name: f.name, col: f.col, counts: counts}}, c.cols.docs)
			})
			if kept == nil {
				countFacetsOf(matched, c.facets[i:i+1], c.cols.docs)
				continue
			}
			for ord, n := range kept {
				f.counts[ord] += n
			}
		}
		return
	}
	countFacetsOf(matched, c.facets, c.cols.docs)
}

// countFacetsOf counts the facets fs of every document of matched, of an
// index of docs documents.
func countFacetsOf(matched *roaring.Bitmap, fs []facetCounts, docs uint64) {
	if 3*matched.GetCardinality() < docs {
		countPerMatch(matched, fs)
		return
	}
	for i := range fs {
		f := &fs[i]
		if f.col.lists != nil { // no bitmaps to intersect (listsOver)
			countPerMatch(matched, fs[i:i+1])
			continue
		}
		for ord, b := range f.col.bitmaps {
			f.counts[ord] += int(matched.AndCardinality(b))
		}
	}
}

// countPerMatch counts the facets fs of every document of matched, read
// from their columns.
func countPerMatch(matched *roaring.Bitmap, fs []facetCounts) {
	n := matched.GetCardinality()
	for i := range fs {
		fs[i].tallyFor(n)
	}
	it := matched.ManyIterator()
	buf := make([]uint32, 256)
	for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
		for i := range fs {
			fs[i].countEach(buf[:k])
		}
	}
	for i := range fs {
		fs[i].fold()
	}
}

// full reports whether k candidates are kept, and worst is the one a new
// candidate must beat then.
func (c *collector) full() bool       { return c.p.k > 0 && len(c.best.items) >= c.p.k }
func (c *collector) worst() candidate { return c.best.items[0] }

func (c *collector) sortKey(doc uint32) float64 {
	switch c.p.sort {
	case SortPriceAsc, SortPriceDesc:
		return c.ix.priceKey(doc, c.p.sort == SortPriceDesc, c.typical)
	case SortRating:
		return float64(c.cols.rating[doc])
	case SortDistance:
		// Within a radius every document stands at a measured facility.
		if c.p.facilityKM != nil {
			if c.fcol == nil {
				c.fcol = c.cols.keywords[fieldFacilityID]
			}
			if ord, ok := c.fcol.first(doc); ok {
				if d := c.p.facilityKM[ord]; d == d {
					return float64(d)
				}
			}
		}
		return c.cols.distanceKM(doc, c.p.near)
	}
	return 0
}

// facetCounts counts one keyword facet by value ordinal.
type facetCounts struct {
	name   string
	col    *keywordColumn
	counts []int
	// tallies, while countPerMatch counts many matches on a column kept
	// in 16 bits, holds ways tallies of the column's values plus one (slot
	// 0: documents with none), which fold adds to counts. Consecutive
	// matches mostly share a value (a facility's offers, one kind of
	// facility), and with one tally each increment waits for the last
	// one's store to the same counter; with four, four run at once, and
	// the slot for none spares a branch (country, kind and city counted
	// over the 390,000 documents of a category at a million offers: 3.3
	// to 1.1 ms).
	tallies []uint32
}

// ways is how many tallies countPerMatch keeps for a facet (countWays
// is written for four).
const ways = 4

// tallyPool holds facetCounts.tallies for reuse.
var tallyPool sync.Pool

// tallyFor sets f up to count matches documents: in ways tallies when
// the column is kept in 16 bits and the matches are many beside its values
// (so that folding the tallies costs little beside counting).
func (f *facetCounts) tallyFor(matches uint64) {
	if f.col.single16 == nil || matches < uint64(4*ways*(len(f.col.values)+1)) {
		return
	}
	f.tallies = fromPool[uint32](&tallyPool, ways*(len(f.col.values)+1))
	clear(f.tallies)
}

// fold adds f's tallies to its counts and lets them go.
func (f *facetCounts) fold() {
	if f.tallies == nil {
		return
	}
	n := len(f.tallies) / ways
	for w := range ways {
		for v, c := range f.tallies[w*n+1 : (w+1)*n] {
			f.counts[v] += int(c)
		}
	}
	toPool(&tallyPool, f.tallies)
	f.tallies = nil
}

// countEach counts the values of docs, with one loop for each way a
// column keeps them, so that the loop reading the column at every match
// does nothing else.
func (f *facetCounts) countEach(docs []uint32) {
	col, counts := f.col, f.counts
	switch {
	case f.tallies != nil:
		countWays(col.single16, docs, f.tallies)
	case col.single16 != nil:
		countSingle(col.single16, docs, counts)
	case col.single != nil:
		countSingle(col.single, docs, counts)
	default:
		for _, doc := range docs {
			for _, ord := range col.ords[col.start[doc]:col.start[doc+1]] {
				counts[ord]++
			}
		}
	}
}

// countSingle counts the value single holds for each of docs (its ordinal
// plus one, 0: none).
func countSingle[T uint16 | uint32](single []T, docs []uint32, counts []int) {
	for _, doc := range docs {
		if v := single[doc]; v != 0 {
			counts[v-1]++
		}
	}
}

// countWays counts the value single holds for each of docs (its ordinal
// plus one, 0: none) in the ways tallies of tallies, a document in each
// in turn.
func countWays(single []uint16, docs []uint32, tallies []uint32) {
	n := len(tallies) / ways
	t0, t1, t2, t3 := tallies[:n], tallies[n:2*n], tallies[2*n:3*n], tallies[3*n:4*n]
	i := 0
	for ; i+ways <= len(docs); i += ways {
		t0[single[docs[i]]]++
		t1[single[docs[i+1]]]++
		t2[single[docs[i+2]]]++
		t3[single[docs[i+3]]]++
	}
	for ; i < len(docs); i++ {
		t0[single[docs[i]]]++
	}
}

// count counts doc's values.
func (f *facetCounts) count(doc uint32) {
	if f.col.dense() {
		if v := f.col.one(doc); v != 0 {
			f.counts[v-1]++
		}
		return
	}
	for _, ord := range f.col.ords[f.col.start[doc]:f.col.start[doc+1]] {
		f.counts[ord]++
	}
}

// uncount takes back a count of doc's values.
func (f *facetCounts) uncount(doc uint32) {
	if f.col.dense() {
		if v := f.col.one(doc); v != 0 {
			f.counts[v-1]--
		}
		return
	}
	for _, ord := range f.col.ords[f.col.start[doc]:f.col.start[doc+1]] {
		f.counts[ord]--
	}
}

// candidates is a heap with the worst kept candidate on top.
type candidates struct {
	items []candidate
	sort  string
}

// keyLoses reports whether a candidate of key a ranks after one of key b
// whatever their scores: the sort is by a key and b's is better.
func (h *candidates) keyLoses(a, b float64) bool {
	if h.sort == SortRelevance {
		return false
	}
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an != bn:
		return an
	case an || a == b:
		return false
	case h.sort == SortPriceAsc || h.sort == SortDistance:
		return a > b
	}
	return a < b
}

// better reports whether a ranks before b.
func (h *candidates) better(a, b candidate) bool {
	if h.sort != SortRelevance {
		an, bn := math.IsNaN(a.key), math.IsNaN(b.key)
		switch {
		case an != bn:
			return bn // a value beats a missing one
		case !an && a.key != b.key:
			if h.sort == SortPriceAsc || h.sort == SortDistance {
				return a.key < b.key
			}
			return a.key > b.key
		}
	}
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// The heap's operations, typed: container/heap's take and give a
// candidate as an interface value, an allocation for every candidate kept
// and every one popped, and a dynamic call for every comparison.

// worse reports whether the candidate at i ranks after the one at j: the
// heap's order, the worst on top.
func (h *candidates) worse(i, j int) bool { return h.better(h.items[j], h.items[i]) }

// push adds x to the heap.
func (h *candidates) push(x candidate) {
	h.items = append(h.items, x)
	for j := len(h.items) - 1; j > 0; {
		i := (j - 1) / 2 // parent
		if !h.worse(j, i) {
			break
		}
		h.items[i], h.items[j] = h.items[j], h.items[i]
		j = i
	}
}

// down moves the candidate at i down the heap to its place.
func (h *candidates) down(i int) {
	n := len(h.items)
	for {
		j := 2*i + 1
		if j >= n || j < 0 {
			return
		}
		if r := j + 1; r < n && h.worse(r, j) {
			j = r
		}
		if !h.worse(j, i) {
			return
		}
		h.items[i], h.items[j] = h.items[j], h.items[i]
		i = j
	}
}

// keep adds x to a heap of the best k, if it ranks among them.
func (h *candidates) keep(x candidate, k int) {
	if len(h.items) < k {
		h.push(x)
	} else if len(h.items) > 0 && h.better(x, h.items[0]) {
		h.items[0] = x
		h.down(0)
	}
}

// pop removes and returns the worst candidate.
func (h *candidates) pop() candidate {
	n := len(h.items) - 1
	h.items[0], h.items[n] = h.items[n], h.items[0]
	x := h.items[n]
	h.items = h.items[:n]
	h.down(0)
	return x
}

// ranked returns the kept candidates best first.
func (h *candidates) ranked() []candidate {
	out := slices.Clone(h.items)
	slices.SortFunc(out, func(a, b candidate) int {
		if h.better(a, b) {
			return -1
		}
		if h.better(b, a) {
			return 1
		}
		return cmp.Compare(a.doc, b.doc)
	})
	return out
}

// rankedFrom returns the kept candidates ranked from position from on,
// best first, popped off h (the best from are left). They are the worst
// kept, so they are popped off the heap, whose top is the worst: a deep
// page (from 5,000 on) sorts ten, where ranked sorts all 5,010.
func (h *candidates) rankedFrom(from int) []candidate {
	n := max(len(h.items)-from, 0)
	out := make([]candidate, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = h.pop()
	}
	return out
}

// run feeds every match of the plan to the collector: the text's matches,
// or without text the filter bitmap (or every document).
func (ix *Index) run(ctx context.Context, p *plan, c *collector) error {
	if p.m != nil {
		return p.m.runFor(ctx, p.filter, c)
	}
	if p.priced {
		if done, err := c.priceRange(ctx, p.filter); done || err != nil {
			return err
		}
	}
	if c.walksOrders() {
		walk := p.filter
		if walk == nil {
			walk = roaring.New()
			walk.AddRange(0, ix.cols.docs)
		}
		if done, err := c.sortedTop(ctx, walk, func(uint32) float64 { return 1 }); done || err != nil {
			return err
		}
	}
	it := func(yield func(uint32)) {
		if p.filter != nil {
			p.filter.Iterate(func(d uint32) bool { yield(d); return true })
			return
		}
		for d := range uint32(ix.cols.docs) {
			yield(d)
		}
	}
	n := 0
	var err error
	it(func(d uint32) {
		if err != nil {
			return
		}
		if n++; n%checkDoneEvery == 0 {
			err = stopped(ctx)
		}
		c.add(d, 1)
	})
	return err
}

// source returns the stored record JSON of an internal document number.
func (ix *Index) source(doc uint32) ([]byte, error) {
	if ix.mem != nil {
		return ix.mem.source(doc)
	}
	if ix.zap != nil {
		return ix.zap.source(doc)
	}
	id, err := ix.reader.ExternalID(index.NewIndexInternalID(nil, uint64(doc)))
	if err != nil {
		return nil, err
	}
	d, err := ix.reader.Document(id)
	if err != nil || d == nil {
		return nil, err
	}
	return sourceOf(d), nil
}

// sourceOf returns the stored record JSON of a document, nil when it has none.
func sourceOf(d index.Document) []byte {
	var src []byte
	d.VisitFields(func(f index.Field) {
		if f.Name() == fieldSource {
			src = f.Value()
		}
	})
	return src
}

// keptSet is the kept filter set of the collector's plan, if any.
func (c *collector) keptSet() *keptSet {
	if c.p == nil {
		return nil
	}
	return c.p.kept
}
