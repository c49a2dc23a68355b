package search

import (
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

func TestUnionMany(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const docs = 300_000
	for _, n := range []int{0, 1, 5, 9, 200, 3000} {
		var bms []*roaring.Bitmap
		for range n {
			b := roaring.New()
			switch rng.IntN(3) {
			case 0: // sparse
				for range 1 + rng.IntN(40) {
					b.Add(uint32(rng.IntN(docs)))
				}
			case 1: // dense
				lo := uint32(rng.IntN(docs - 70_000))
				for d := lo; d < lo+70_000; d += uint32(1 + rng.IntN(3)) {
					b.Add(d)
				}
			default: // runs
				lo := uint64(rng.IntN(docs - 5000))
				b.AddRange(lo, lo+uint64(rng.IntN(5000)))
				b.RunOptimize()
			}
			bms = append(bms, b)
		}
		want := roaring.FastOr(bms...)
		for range 2 { // the second reuses a pooled bitset, which must come back clear
			if got := unionMany(bms, docs); !got.Equals(want) {
				t.Fatalf("%d bitmaps: union of %d, want %d", n, got.GetCardinality(), want.GetCardinality())
			}
		}
		// The same sets read as lists, half of them, the rest as bitmaps.
		lists := newCSR(bms)
		var ords []uint32
		var rest []*roaring.Bitmap
		for i, b := range bms {
			if i%2 == 0 {
				ords = append(ords, uint32(i))
				if got := lists.of(uint32(i)); !roaring.BitmapOf(got...).Equals(b) {
					t.Fatalf("list %d holds %d documents, its bitmap %d", i, len(got), b.GetCardinality())
				}
			} else {
				rest = append(rest, b)
			}
		}
		if got := unionOf(rest, lists, ords, docs); !got.Equals(want) {
			t.Fatalf("%d sets, lists and bitmaps: union of %d, want %d", n, got.GetCardinality(), want.GetCardinality())
		}
	}
}
