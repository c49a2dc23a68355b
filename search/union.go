package search

import (
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// unionMany returns the union of many bitmaps over documents below docs.
// Roaring's FastOr merges sorted arrays pairwise, which at a few thousand
// small bitmaps (the offers of every facility in a city, of every
// treatment a word names) costs milliseconds; setting their bits in one
// dense bitset and converting it back costs a pass over the elements and
// one over the bitset.
func unionMany(bms []*roaring.Bitmap, docs uint64) *roaring.Bitmap {
	return unionOf(bms, csr{}, nil, docs)
}

// unionOf is unionMany of bms and of the lists lists holds at ords.
// Small sets are better read from lists: a bitmap is read through an
// iterator set up afresh for each of its containers, which for a
// facility's dozen documents costs more than setting their bits.
func unionOf(bms []*roaring.Bitmap, lists csr, ords []uint32, docs uint64) *roaring.Bitmap {
	if len(ords) == 0 && len(bms) <= unionManyFrom {
		return roaring.FastOr(bms...)
	}
	words := densePool.Get().(*[]uint64)
	defer densePool.Put(words)
	n := int((docs + 63) / 64)
	if cap(*words) < n {
		*words = make([]uint64, n)
	}
	w := (*words)[:n]
	var buf [256]uint32
	var it roaring.ManyIntIterator // reused: no allocation per bitmap
	for _, b := range bms {
		it.Initialize(b)
		for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
			for _, d := range buf[:k] {
				w[d>>6] |= 1 << (d & 63)
			}
		}
	}
	for _, ord := range ords {
		for _, d := range lists.of(ord) {
			w[d>>6] |= 1 << (d & 63)
		}
	}
	out := roaring.FromDense(w, true)
	clear(w)
	return out
}

// unionManyFrom is how many bitmaps make a union worth a dense bitset.
const unionManyFrom = 8

var densePool = sync.Pool{New: func() any { return new([]uint64) }}

// csr holds the members of many small sets in one slice, set i's at
// docs[start[i]:start[i+1]], ascending.
type csr struct {
	start, docs []uint32
}

func newCSR(bms []*roaring.Bitmap) csr {
	c := csr{start: make([]uint32, len(bms)+1)}
	total := uint64(0)
	for _, b := range bms {
		total += b.GetCardinality()
	}
	c.docs = make([]uint32, 0, total)
	for i, b := range bms {
		b.Iterate(func(d uint32) bool {
			c.docs = append(c.docs, d)
			return true
		})
		c.start[i+1] = uint32(len(c.docs))
	}
	return c
}

func (c csr) of(ord uint32) []uint32 { return c.docs[c.start[ord]:c.start[ord+1]] }

// filter returns the sets of c holding only the members keep accepts.
func (c csr) filter(keep func(uint32) bool) csr {
	out := csr{start: make([]uint32, len(c.start))}
	for i := range len(c.start) - 1 {
		for _, d := range c.of(uint32(i)) {
			if keep(d) {
				out.docs = append(out.docs, d)
			}
		}
		out.start[i+1] = uint32(len(out.docs))
	}
	return out
}
