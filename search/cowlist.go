package search

import "slices"

// cowList is a list by ordinal (a treatment's, say), split in chunks of
// cowChunk entries that lists made from it share until written
// (cowWriter). A set of dead documents carries lists over every
// treatment to the next overlay's set with the few dozen a batch
// touches changed (deadDocs.next): copied whole, a list per treatment
// and per facet was copied for each batch, for each index.
type cowList[T any] struct {
	chunks [][]T
	n      int
}

// cowShift is log2 of cowChunk, the entries of a chunk: a batch touches a
// few dozen treatments of thousands, and a chunk of 64 entries copies
// about a tenth of them each.
const (
	cowShift = 6
	cowChunk = 1 << cowShift
)

// cowListOf returns the list of s's entries, which it keeps: s must not
// be written after.
func cowListOf[T any](s []T) cowList[T] {
	l := cowList[T]{chunks: make([][]T, 0, (len(s)+cowChunk-1)/cowChunk), n: len(s)}
	for i := 0; i < len(s); i += cowChunk {
		j := min(i+cowChunk, len(s))
		l.chunks = append(l.chunks, s[i:j:j])
	}
	return l
}

func (l cowList[T]) len() int { return l.n }

// at is entry i.
func (l cowList[T]) at(i int) T { return l.chunks[i>>cowShift][i&(cowChunk-1)] }

// cowWriter writes into a copy of a list, copying each chunk it writes to
// once: the list it was made from is left as it was.
type cowWriter[T any] struct {
	l      cowList[T]
	copied []bool // by chunk
}

// writer returns a writer of a copy of l.
func (l cowList[T]) writer() *cowWriter[T] {
	return &cowWriter[T]{l: cowList[T]{chunks: slices.Clone(l.chunks), n: l.n}, copied: make([]bool, len(l.chunks))}
}

// at is entry i of the list written.
func (w *cowWriter[T]) at(i int) T { return w.l.at(i) }

// set makes entry i v.
func (w *cowWriter[T]) set(i int, v T) {
	c := i >> cowShift
	if !w.copied[c] {
		w.l.chunks[c], w.copied[c] = slices.Clone(w.l.chunks[c]), true
	}
	w.l.chunks[c][i&(cowChunk-1)] = v
}

// list is the list written.
func (w *cowWriter[T]) list() cowList[T] { return w.l }
