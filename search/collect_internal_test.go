package search

import (
	"math"
	"testing"
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
