package search

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestKeyLosesOnlyWhenNoScoreWins checks that consider drops a match by its
// key alone exactly when no score could rank it before the k-th kept: for
// every sort, and keys better, worse, tied or missing on either side.
func TestKeyLosesOnlyWhenNoScoreWins(t *testing.T) {
	keys := []float64{math.NaN(), 1, 2}
	scores := []float64{0, 1, 2}
	for _, sort := range []string{SortRelevance, SortPriceAsc, SortPriceDesc, SortRating, SortDistance} {
		h := &candidates{sort: sort}
		for _, a := range keys {
			for _, b := range keys {
				canWin := false
				for _, sa := range scores {
					for _, sb := range scores {
						for _, docs := range [][2]uint32{{1, 2}, {2, 1}} {
							if h.better(candidate{doc: docs[0], score: sa, key: a}, candidate{doc: docs[1], score: sb, key: b}) {
								canWin = true
							}
						}
					}
				}
				if got := h.keyLoses(a, b); got != !canWin {
					t.Errorf("by %s, key %v against %v: keyLoses %v, but some score wins: %v", sort, a, b, got, canWin)
				}
			}
		}
	}
}

// TestCandidatesKeepTheBestK feeds random candidates (tied keys and
// scores among them, some keys missing) to a heap of k, as consider
// does, and checks that the page popped off it from every position is
// the best k of them all, in order: for every sort.
func TestCandidatesKeepTheBestK(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sort := range Sorts {
		for _, k := range []int{1, 3, 20, 200} {
			h := &candidates{sort: sort}
			var all []candidate
			for doc := range uint32(500) {
				c := candidate{doc: doc, score: float64(rng.IntN(5)), key: float64(rng.IntN(50))}
				if rng.IntN(10) == 0 {
					c.key = math.NaN()
				}
				all = append(all, c)
				h.keep(c, k)
			}
			want := slices.Clone(all)
			slices.SortFunc(want, func(a, b candidate) int {
				if h.better(a, b) {
					return -1
				}
				return 1
			})
			want = want[:k]
			for _, from := range []int{0, k / 2, k - 1} {
				kept := &candidates{sort: sort, items: slices.Clone(h.items)}
				if got := kept.ranked(); !slices.EqualFunc(got, want, sameCandidate) {
					t.Fatalf("by %s, k %d: ranked %v, want %v", sort, k, got, want)
				}
				if got := kept.rankedFrom(from); !slices.EqualFunc(got, want[from:], sameCandidate) {
					t.Fatalf("by %s, k %d, from %d: %v, want %v", sort, k, from, got, want[from:])
				}
				if len(kept.items) != from {
					t.Fatalf("by %s, k %d: %d candidates left after rankedFrom(%d)", sort, k, len(kept.items), from)
				}
			}
		}
	}
}

// sameCandidate compares candidates whose keys may be NaN.
func sameCandidate(a, b candidate) bool {
	return a.doc == b.doc && a.score == b.score && (a.key == b.key || math.IsNaN(a.key) && math.IsNaN(b.key))
}

// TestCountAllLeavesOutTheDead: an overlay's dead documents are counted
// with the matches and taken off again, whichever way they are found (a
// bit per match tested, the dense matches a word at a time, as a sorted
// walk holds them): the total and the facet counts are those of the live
// matches alone.
func TestCountAllLeavesOutTheDead(t *testing.T) {
	const docs, values = 200_000, 7
	rng := rand.New(rand.NewPCG(5, 6))
	bitmaps := make([]*roaring.Bitmap, values)
	for v := range bitmaps {
		bitmaps[v] = roaring.New()
	}
	for d := range uint32(docs) {
		if d%13 != 0 { // some documents have no value
			bitmaps[rng.IntN(values)].Add(d)
		}
	}
	kc := &keywordColumn{values: make([]string, values), bitmaps: bitmaps}
	kc.index(docs)
	cols := &columns{docs: docs, keywords: map[string]*keywordColumn{"f": kc}}
	dead := roaring.New()
	for dead.GetCardinality() < 3000 {
		dead.Add(uint32(rng.IntN(docs)))
	}
	dd := newDeadDocs(dead, docs)
	for _, n := range []int{500, 20_000, 150_000} { // fewer matches than dead documents, and more
		matched := roaring.New()
		for matched.GetCardinality() < uint64(n) {
			matched.Add(uint32(rng.IntN(docs)))
		}
		live := roaring.AndNot(matched, dead)
		count := func(m *roaring.Bitmap, dead *deadDocs, dense bool) (uint64, []int) {
			c := &collector{cols: cols, p: &plan{dead: dead}, facets: []facetCounts{{col: kc, counts: make([]int, values)}}}
			if dense {
				in := denseOf(m, docs)
				defer releaseDense(in)
				c.countAllIn(m, in)
			} else {
				c.countAll(m)
			}
			return c.total, c.facets[0].counts
		}
		wantTotal, want := count(live, nil, false)
		if wantTotal != live.GetCardinality() {
			t.Fatalf("%d live matches counted %d", live.GetCardinality(), wantTotal)
		}
		for _, dense := range []bool{false, true} {
			if total, got := count(matched, dd, dense); total != wantTotal || !slices.Equal(got, want) {
				t.Errorf("%d matches, dense %v: total %d, counts %v; want %d, %v", n, dense, total, got, wantTotal, want)
			}
		}
	}
}
