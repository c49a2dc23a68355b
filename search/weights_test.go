package search

import (
	"math/rand/v2"
	"testing"
)

// TestDocWeights checks the sorted weights against a map, with lookups in
// ascending order (as the matcher makes them), repeated, and out of order.
func TestDocWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[uint32]float64{}
	var d docWeights
	for range 4 {
		var p weightPass
		doc := uint32(0)
		for range 1 + rng.IntN(2000) {
			doc += uint32(rng.IntN(50))
			w := rng.Float64()
			p.add(doc, w)
			want[doc] += w
		}
		d.merge(p)
	}
	check := func(doc uint32) {
		if got := d.get(doc); got-want[doc] > 1e-9 || want[doc]-got > 1e-9 {
			t.Fatalf("doc %d: %v, want %v", doc, got, want[doc])
		}
	}
	for doc := uint32(0); doc < 60_000; doc++ {
		check(doc)
		check(doc) // the same one twice
	}
	for range 10_000 {
		check(uint32(rng.IntN(60_000)))
	}
}
