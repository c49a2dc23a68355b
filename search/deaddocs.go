package search

import (
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// deadDocs is a set of documents an overlay leaves out of an index, as a
// bitmap and as a bit per document: the collector tests every match it
// counts or keeps against it, and a bit costs a shift where a bitmap's
// Contains searches a container. Leaving them out there, rather than
// intersecting a filter of every live document with the matches, keeps
// the plan without a filter, and so on the paths an unfiltered search
// takes (the top shortcuts that count a bitmap and visit only what can
// rank): an overlaid search does what the generation's would, plus a
// test per document it counts one by one.
//
// What searches read of it besides (the dead offers by treatment, their
// facet values, the dead treatments) is made by the first search that
// needs it, and then, for each overlay after, made from the last set's by
// the follower (next): an overlay's documents left out only grow, a few
// dozen a batch, and a search should not list twelve thousand of them
// again twice a second.
type deadDocs struct {
	b    *roaring.Bitmap
	bits ordSet
	// words are the indices of bits' words that are not zero, in order:
	// the dead among matches held as bits too (collector.countAllIn) are
	// found a word at a time, in a few thousand steps.
	words []uint32

	mu sync.Mutex // held while a part below is made
	// byTreatment lists the dead offers by treatment ordinal, made on
	// first use (ofTreatments).
	byTreatment atomic.Pointer[cowList[[]uint32]]
	// facets holds, by facet column (*keywordColumn), how many of each
	// treatment's dead offers hold each of the column's values
	// (cowList[[]ordCount], by treatment ordinal), made on first use
	// (facetsOfTreatments).
	facets sync.Map
	// treatments are the ids of the dead treatments' own documents, made
	// on first use (deadTreatments).
	treatments atomic.Pointer[map[int64]bool]
	// values holds, by column (*keywordColumn) of a value per document,
	// each dead document's value there (its ordinal plus one, 0: none),
	// in the documents' order ([]uint32, made on first use: rankedValues).
	values sync.Map
	// holding lists, by value of a column (deadValue), the dead documents
	// that hold it ([]uint32, made on first use and carried to the next
	// set with the documents it adds: holdingValue).
	holding sync.Map
}

// deadValue is a value of a column, by ordinal.
type deadValue struct {
	col *keywordColumn
	ord uint32
}

// newDeadDocs returns the set of b among docs documents; nil when b is
// empty.
func newDeadDocs(b *roaring.Bitmap, docs uint64) *deadDocs {
	if b == nil || b.IsEmpty() {
		return nil
	}
	d := &deadDocs{b: b, bits: make(ordSet, (docs+63)/64)}
	d.mark(b)
	return d
}

// mark adds the documents of b to d's bits and their words to d's words,
// in order.
func (d *deadDocs) mark(b *roaring.Bitmap) {
	unsorted := false
	b.Iterate(func(doc uint32) bool {
		if w := doc >> 6; d.bits[w] == 0 {
			unsorted = unsorted || len(d.words) > 0 && d.words[len(d.words)-1] > w
			d.words = append(d.words, w)
		}
		d.bits.add(doc)
		return true
	})
	if unsorted {
		slices.Sort(d.words)
	}
}

// next returns the set of b among the documents of cols' index, where d
// (nil: none) was an earlier set of that index: when b holds all of d,
// what d made for searches is carried over with only the documents b adds
// (a copy: searches in flight still read d). The parts d has not made
// are left to the first search that needs them.
func (d *deadDocs) next(b *roaring.Bitmap, cols *columns) *deadDocs {
	if d == nil || b == nil || b.IsEmpty() || !roaring.AndNot(d.b, b).IsEmpty() {
		return newDeadDocs(b, cols.docs)
	}
	added := roaring.AndNot(b, d.b)
	n := &deadDocs{b: b, bits: slices.Clone(d.bits), words: slices.Clone(d.words)}
	n.mark(added)
	d.values.Range(func(k, v any) bool {
		col, was := k.(*keywordColumn), v.([]uint32)
		vals, i := make([]uint32, 0, b.GetCardinality()), 0
		b.Iterate(func(doc uint32) bool {
			if d.bits.has(doc) {
				vals, i = append(vals, was[i]), i+1
			} else {
				vals = append(vals, col.one(doc))
			}
			return true
		})
		n.values.Store(col, vals)
		return true
	})
	// Most values gain none of a batch's few dozen documents: their lists
	// are d's, shared (read only). Copied whole each batch, they were a
	// quarter of what next allocated.
	d.holding.Range(func(k, v any) bool {
		dv, was := k.(deadValue), v.([]uint32)
		var more []uint32
		added.Iterate(func(doc uint32) bool {
			if dv.col.holds(doc, dv.ord) {
				more = append(more, doc)
			}
			return true
		})
		if len(more) > 0 {
			was = append(slices.Clip(was), more...)
		}
		n.holding.Store(dv, was)
		return true
	})
	tcol, types := cols.keywords[fieldTreatmentID], cols.keywords[fieldType]
	if tcol == nil || types == nil {
		return n
	}
	if p := d.treatments.Load(); p != nil {
		ts := make(map[int64]bool, len(*p))
		for id := range *p {
			ts[id] = true
		}
		addTreatments(ts, roaring.And(added, types.bitmap(TypeTreatment)), tcol)
		n.treatments.Store(&ts)
	}
	p := d.byTreatment.Load()
	if p == nil {
		return n
	}
	byT := p.writer()
	var touched []uint32 // treatment ordinals with offers added
	roaring.And(added, types.bitmap(TypeOffer)).Iterate(func(doc uint32) bool {
		if ord, ok := tcol.first(doc); ok {
			was := byT.at(int(ord))
			if !slices.Contains(touched, ord) {
				touched = append(touched, ord)
				was = slices.Clip(was) // d's list stays d's
			}
			byT.set(int(ord), append(was, doc))
		}
		return true
	})
	for _, ord := range touched {
		slices.Sort(byT.at(int(ord)))
	}
	made := byT.list()
	n.byTreatment.Store(&made)
	d.facets.Range(func(k, v any) bool {
		col, counts := k.(*keywordColumn), v.(cowList[[]ordCount]).writer()
		tally := map[uint32]int32{}
		for _, ord := range touched {
			counts.set(int(ord), valuesOf(col, made.at(int(ord)), tally))
		}
		n.facets.Store(col, counts.list())
		return true
	})
	return n
}

func (d *deadDocs) has(doc uint32) bool { return d.bits.has(doc) }

// eachInRanked calls fn with each dead document marked in in, a bit per
// document (denseOf), and its rank among the dead (its place in d.b,
// from 0): where it is in rankedValues' lists.
func (d *deadDocs) eachInRanked(in []uint64, fn func(doc uint32, rank int)) {
	rank := 0
	for _, w := range d.words {
		dw := d.bits[w]
		for x := dw & in[w]; x != 0; x &= x - 1 {
			j := bits.TrailingZeros64(x)
			fn(w<<6|uint32(j), rank+bits.OnesCount64(dw&(1<<j-1)))
		}
		rank += bits.OnesCount64(dw)
	}
}

// rankedValues is each dead document's value in col (its ordinal plus one,
// 0: none), by rank; nil when a document may hold two values there. A
// search that counted the dead among a broad filter's matches takes them
// off again (collector.countAllIn): thousands of reads at random places
// in a column of every document, where these lists, kept per overlay and
// carried to the next (next), are a few kilobytes read in order.
func (d *deadDocs) rankedValues(col *keywordColumn) []uint32 {
	if !col.dense() {
		return nil
	}
	if v, ok := d.values.Load(col); ok {
		return v.([]uint32)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.values.Load(col); ok {
		return v.([]uint32)
	}
	vals := make([]uint32, 0, d.b.GetCardinality())
	d.b.Iterate(func(doc uint32) bool {
		vals = append(vals, col.one(doc))
		return true
	})
	d.values.Store(col, vals)
	return vals
}

// holdingValue lists the dead documents that hold value ord of col, in no
// particular order. A search filtered by one category finds the dead among
// its matches in its category's few hundred, where the dead set's words
// number thousands after a minute of writes (collector.countAllIn).
func (d *deadDocs) holdingValue(col *keywordColumn, ord uint32) []uint32 {
	k := deadValue{col, ord}
	if v, ok := d.holding.Load(k); ok {
		return v.([]uint32)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.holding.Load(k); ok {
		return v.([]uint32)
	}
	docs := roaring.And(d.b, col.valueBitmap(ord)).ToArray()
	d.holding.Store(k, docs)
	return docs
}

// deadTreatments are the ids of the treatments whose own document is dead,
// made on first use and carried to the next set (next); cols are the
// index's. Overlay.seal lists them among the treatments a page's hits
// find otherwise than in the generation (Overlay.treatment), where a
// lookup of each one's document number in Bleve's dictionary cost a few
// microseconds a search.
func (d *deadDocs) deadTreatments(cols *columns) map[int64]bool {
	if p := d.treatments.Load(); p != nil {
		return *p
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.treatments.Load(); p != nil {
		return *p
	}
	ts := map[int64]bool{}
	addTreatments(ts, roaring.And(d.b, cols.keywords[fieldType].bitmap(TypeTreatment)), cols.keywords[fieldTreatmentID])
	d.treatments.Store(&ts)
	return ts
}

// addTreatments adds to ts the ids of the treatments' own documents docs.
func addTreatments(ts map[int64]bool, docs *roaring.Bitmap, tcol *keywordColumn) {
	docs.Iterate(func(doc uint32) bool {
		if ord, ok := tcol.first(doc); ok {
			if n, err := strconv.ParseInt(tcol.values[ord], 10, 64); err == nil {
				ts[n] = true
			}
		}
		return true
	})
}

// ofTreatments lists the dead offers by their treatment's ordinal in
// tcol, the index's column of treatment ids; offers are the index's
// offers (a treatment's own document has its id too). Both are one
// index's: a deadDocs is of one.
func (d *deadDocs) ofTreatments(tcol *keywordColumn, offers *roaring.Bitmap) cowList[[]uint32] {
	if p := d.byTreatment.Load(); p != nil {
		return *p
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.byTreatment.Load(); p != nil {
		return *p
	}
	byT := make([][]uint32, len(tcol.values))
	roaring.And(d.b, offers).Iterate(func(doc uint32) bool {
		if ord, ok := tcol.first(doc); ok {
			byT[ord] = append(byT[ord], doc)
		}
		return true
	})
	l := cowListOf(byT)
	d.byTreatment.Store(&l)
	return l
}

// ordCount is how many documents hold one value of a column.
type ordCount struct {
	ord uint32
	n   int32
}

// facetsOfTreatments is, by treatment ordinal, how many of the treatment's
// dead offers (byT, ofTreatments') hold each value of col: what a search
// that counted them takes off again, a few values per treatment instead
// of a column read per dead offer.
func (d *deadDocs) facetsOfTreatments(col *keywordColumn, byT cowList[[]uint32]) cowList[[]ordCount] {
	if v, ok := d.facets.Load(col); ok {
		return v.(cowList[[]ordCount])
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.facets.Load(col); ok {
		return v.(cowList[[]ordCount])
	}
	out := make([][]ordCount, byT.len())
	tally := map[uint32]int32{}
	for t := range out {
		if docs := byT.at(t); len(docs) > 0 {
			out[t] = valuesOf(col, docs, tally)
		}
	}
	l := cowListOf(out)
	d.facets.Store(col, l)
	return l
}

// valuesOf counts the values of col that docs hold (tally is scratch).
func valuesOf(col *keywordColumn, docs []uint32, tally map[uint32]int32) []ordCount {
	clear(tally)
	for _, doc := range docs {
		if col.dense() {
			if v := col.one(doc); v != 0 {
				tally[v-1]++
			}
			continue
		}
		for _, ord := range col.ords[col.start[doc]:col.start[doc+1]] {
			tally[ord]++
		}
	}
	out := make([]ordCount, 0, len(tally))
	for ord, n := range tally {
		out = append(out, ordCount{ord, n})
	}
	return out
}
