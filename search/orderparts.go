package search

import (
	"iter"
	"math"
)

// Parts of a price order. A search filtered by category matches a few
// percent of the offers, and they are priced apart from the rest: in the
// order of every price the cheapest orthopaedic offers lie past hundreds
// of thousands of cheaper check-ups, so a walk of that order gave up
// after twice the matches and visited every match instead, a price read
// each and most of them a cache miss (3–4 ms for the 30,000 orthopaedic
// offers in the United States at a million). So a price order is also
// kept split by category: part v lists the positions in the order of the
// documents of category v, and a search filtered by categories walks only
// their parts, merged by position: the same documents in the same order,
// with the others (which cannot match) left out.
//
// Only an order whose documents have one category each is split: a
// document of two would be in one part, and a search for the other would
// miss it. (Facilities have several, but have no price.)

// split fills o's parts from col, the category column.
func (o *madeOrder) split(col *keywordColumn) {
	if col == nil || len(o.docs) == 0 {
		return
	}
	// Each document's category ordinal plus one (0: none).
	one := func(doc uint32) uint32 {
		if col.dense() {
			return col.one(doc)
		}
		switch col.start[doc+1] - col.start[doc] {
		case 0:
			return 0
		case 1:
			return col.ords[col.start[doc]] + 1
		}
		return math.MaxUint32
	}
	sizes := make([]int, len(col.values))
	for _, doc := range o.docs {
		switch v := one(doc); {
		case v == math.MaxUint32:
			return
		case v != 0:
			sizes[v-1]++
		}
	}
	parts := make([][]uint32, len(sizes))
	for v, n := range sizes {
		parts[v] = make([]uint32, 0, n)
	}
	for i, doc := range o.docs {
		if v := one(doc); v != 0 {
			parts[v-1] = append(parts[v-1], uint32(i))
		}
	}
	o.parts = parts
}

// partsOf returns the parts of o a search whose matches all have one of
// categories (their ordinals; nil: any) walks, and how many documents
// they hold; nil (walk all of o) when o is not split, or when those parts
// hold more than half of o, where merging costs more than it leaves out.
func (o *madeOrder) partsOf(categories []uint32) ([][]uint32, int) {
	if o.parts == nil || categories == nil {
		return nil, len(o.docs)
	}
	parts, size := [][]uint32{}, 0
	for _, v := range categories {
		if int(v) < len(o.parts) && len(o.parts[v]) > 0 {
			parts = append(parts, o.parts[v])
			size += len(o.parts[v])
		}
	}
	if 2*size > len(o.docs) {
		return nil, len(o.docs)
	}
	return parts, size
}

// walk yields the documents of parts (partsOf; nil: every one) in o's
// order, each with how many came before it.
func (o *madeOrder) walk(parts [][]uint32) iter.Seq2[int, uint32] {
	return func(yield func(int, uint32) bool) {
		switch len(parts) {
		case 0:
			if parts == nil {
				for i, doc := range o.docs {
					if !yield(i, doc) {
						return
					}
				}
			}
			return
		case 1:
			for i, p := range parts[0] {
				if !yield(i, o.docs[p]) {
					return
				}
			}
			return
		}
		// A few parts: the head of least position next.
		at := make([]int, len(parts))
		for i := 0; ; i++ {
			best, bp := -1, uint32(0)
			for j, ps := range parts {
				if at[j] < len(ps) && (best < 0 || ps[at[j]] < bp) {
					best, bp = j, ps[at[j]]
				}
			}
			if best < 0 || !yield(i, o.docs[bp]) {
				return
			}
			at[best]++
		}
	}
}
