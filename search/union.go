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
	if len(bms) <= unionManyFrom {
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
	for _, b := range bms {
		if b.GetCardinality() < smallUnionPart { // no iterator to allocate
			b.Iterate(func(d uint32) bool {
				w[d>>6] |= 1 << (d & 63)
				return true
			})
			continue
		}
		it := b.ManyIterator()
		for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
			for _, d := range buf[:k] {
				w[d>>6] |= 1 << (d & 63)
			}
		}
	}
	out := roaring.FromDense(w, true)
	clear(w)
	return out
}

// smallUnionPart is the size under which a bitmap's elements are visited
// with Iterate rather than a batch iterator (an allocation each).
const smallUnionPart = 256

// unionManyFrom is how many bitmaps make a union worth a dense bitset.
const unionManyFrom = 8

var densePool = sync.Pool{New: func() any { return new([]uint64) }}
