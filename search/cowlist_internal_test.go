package search

import (
	"slices"
	"testing"
)

// TestCowListSharesWhatIsNotWritten: a list written through a writer
// reads as the original with the writes made, the original is left as it
// was, and the copy shares every chunk not written to.
func TestCowListSharesWhatIsNotWritten(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		writes []int
	}{
		{"empty", 0, nil},
		{"one short chunk", 5, []int{0, 4}},
		{"a chunk's edges", 3*cowChunk + 7, []int{cowChunk - 1, cowChunk, 3 * cowChunk}},
		{"the same entry twice", 2 * cowChunk, []int{70, 70}},
		{"none", 2 * cowChunk, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := make([]int, tc.n)
			for i := range src {
				src[i] = i
			}
			want := slices.Clone(src)
			l := cowListOf(slices.Clone(src))
			w := l.writer()
			for k, i := range tc.writes {
				w.set(i, -1-k)
				want[i] = -1 - k
			}
			got := w.list()
			if got.len() != tc.n || l.len() != tc.n {
				t.Fatalf("lengths %d and %d, want %d", got.len(), l.len(), tc.n)
			}
			for i := range tc.n {
				if got.at(i) != want[i] {
					t.Errorf("entry %d: %d, want %d", i, got.at(i), want[i])
				}
				if l.at(i) != src[i] {
					t.Errorf("the original's entry %d: %d, want %d", i, l.at(i), src[i])
				}
			}
			for c := range l.chunks {
				written := slices.ContainsFunc(tc.writes, func(i int) bool { return i>>cowShift == c })
				if shared := &l.chunks[c][0] == &got.chunks[c][0]; shared == written {
					t.Errorf("chunk %d: shared %v, written %v", c, shared, written)
				}
			}
		})
	}
}
