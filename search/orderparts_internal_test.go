package search

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestOrderParts checks an order split by category: a search filtered by
// categories walks their parts, which yield the documents of those
// categories in the order's own order, and the whole order when they hold
// most of it, when it is not filtered by category, or when a document may
// have two categories.
func TestOrderParts(t *testing.T) {
	const docs, values = 20_000, 12
	rng := rand.New(rand.NewPCG(1, 2))
	start, ords := make([]uint32, docs+1), []uint32{}
	category := make([]int, docs) // -1: none
	keys := make([]float64, docs)
	for d := range docs {
		category[d] = -1
		if d%10 != 0 { // every tenth document has no category
			// Skewed: the first categories hold most documents.
			category[d] = min(int(rng.ExpFloat64()*2), values-1)
			ords = append(ords, uint32(category[d]))
		}
		start[d+1] = uint32(len(ords))
		keys[d] = math.NaN()
		if d%7 != 0 { // and every seventh no key
			keys[d] = float64(rng.IntN(500))
		}
	}
	col := &keywordColumn{values: make([]string, values), start: start, ords: ords}
	col.densify()
	o := makeOrder(docs, func(d uint32) float64 { return keys[d] }, false)
	o.split(col)

	for _, c := range []struct {
		name       string
		categories []uint32
		whole      bool // the whole order is walked
	}{
		{"one small category", []uint32{9}, false},
		{"two small categories", []uint32{6, 8}, false},
		{"the largest categories", []uint32{0, 1}, true},
		{"no category the index holds", []uint32{}, false},
		{"not filtered by category", nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			parts, size := o.partsOf(c.categories)
			var want []uint32
			for _, doc := range o.docs {
				if c.whole || slices.Contains(c.categories, uint32(category[doc])) {
					want = append(want, doc)
				}
			}
			if c.whole != (parts == nil) {
				t.Fatalf("walks %d parts (nil: the whole order) of %d documents, want the whole order: %v", len(parts), size, c.whole)
			}
			if size != len(want) {
				t.Errorf("size %d, want %d", size, len(want))
			}
			var got []uint32
			for i, doc := range o.walk(parts) {
				if i != len(got) {
					t.Fatalf("document %d counted as %d", len(got), i)
				}
				got = append(got, doc)
			}
			if !slices.Equal(got, want) {
				t.Errorf("walked %d documents, want %d in the order's order", len(got), len(want))
			}
		})
	}

	// A document of two categories would be in one part only.
	two := &keywordColumn{values: []string{"a", "b"}, start: []uint32{0, 2, 3}, ords: []uint32{0, 1, 1}}
	two.densify()
	o = makeOrder(2, func(d uint32) float64 { return float64(d) }, false)
	o.split(two)
	if parts, _ := o.partsOf([]uint32{1}); parts != nil {
		t.Errorf("an order by a column of two categories a document walks %d parts, want the whole order", len(parts))
	}
}
