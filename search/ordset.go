package search

import (
	"iter"
	"math/bits"
	"slices"
)

// An ordSet marks ordinals of a column (or documents: deadDocs), a bit
// each. A term that a place
// or facility name matches marks the facilities holding it among the
// column's hundred thousand ordinals at a million offers: 12.5 KB where a
// []bool took 100 KB, made for every such term of every search, and
// walked a word at a time.
type ordSet []uint64

// newOrdSet marks list among size ordinals, and says how many it marks;
// nil when list is empty.
func newOrdSet(size int, list []uint32) (ordSet, int) {
	if len(list) == 0 {
		return nil, 0
	}
	s, n := make(ordSet, (size+63)/64), 0
	for _, ord := range list {
		if !s.has(ord) {
			s.add(ord)
			n++
		}
	}
	return s, n
}

// has reports whether ord is marked.
func (s ordSet) has(ord uint32) bool { return s[ord>>6]&(1<<(ord&63)) != 0 }

// add marks ord.
func (s ordSet) add(ord uint32) { s[ord>>6] |= 1 << (ord & 63) }

// all yields the marked ordinals in order.
func (s ordSet) all() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		for w, word := range s {
			for word != 0 {
				if !yield(uint32(w<<6 + bits.TrailingZeros64(word))) {
					return
				}
				word &= word - 1
			}
		}
	}
}

// ords lists the n marked ordinals in order.
func (s ordSet) ords(n int) []uint32 {
	return slices.AppendSeq(make([]uint32, 0, n), s.all())
}

// count is how many ordinals s marks.
func (s ordSet) count() int {
	n := 0
	for _, word := range s {
		n += bits.OnesCount64(word)
	}
	return n
}

// orOrdSets adds the n marks of from to into (made when nil), and
// returns it and how many it marks.
func orOrdSets(into, from ordSet, n int) (ordSet, int) {
	if n == 0 {
		return into, into.count()
	}
	if into == nil {
		return slices.Clone(from), n
	}
	for w, word := range from {
		into[w] |= word
	}
	return into, into.count()
}
