package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestDenseColumnWidths: a column where no document holds two values is
// read through one slice, 16 bits wide below 65,535 values and 32 bits
// above (a facility's id at a million offers); either way each document's
// value, the facet counts and the counts taken back are those the
// documents hold, and a column where one document holds two keeps its
// ordinals by document (start and ords) alone.
func TestDenseColumnWidths(t *testing.T) {
	tests := []struct {
		values    int
		twoValues bool   // one document holds two values
		want      string // how the column keeps them
	}{
		{values: 3, want: "16"},
		{values: 65_534, want: "16"},
		{values: 65_535, want: "32"},
		{values: 70_000, want: "32"},
		{values: 3, twoValues: true, want: "by document"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d values, two in a document %v", tt.values, tt.twoValues), func(t *testing.T) {
			// Document d holds value d mod values, but every seventh none.
			docs := tt.values + 10
			held := make([][]uint32, docs)
			for d := range docs {
				if d%7 != 3 {
					held[d] = []uint32{uint32(d % tt.values)}
				}
			}
			if tt.twoValues {
				held[5] = append(held[5], 2)
			}
			kc := &keywordColumn{values: make([]string, tt.values), start: []uint32{0}}
			wantCounts := make([]int, tt.values)
			for _, vs := range held {
				kc.ords = append(kc.ords, vs...)
				kc.start = append(kc.start, uint32(len(kc.ords)))
				for _, v := range vs {
					wantCounts[v]++
				}
			}
			kc.densify()
			got := "by document"
			switch {
			case kc.single16 != nil && kc.single == nil:
				got = "16"
			case kc.single != nil && kc.single16 == nil:
				got = "32"
			case kc.single != nil || kc.single16 != nil:
				got = "both"
			}
			if got != tt.want {
				t.Fatalf("the column keeps its values as %s, want %s", got, tt.want)
			}
			all := make([]uint32, docs)
			for d := range docs {
				all[d] = uint32(d)
				ord, ok := kc.first(uint32(d))
				if ok != (len(held[d]) > 0) || ok && ord != held[d][0] {
					t.Fatalf("document %d: first gives %d, %v; it holds %v", d, ord, ok, held[d])
				}
			}
			f := facetCounts{col: kc, counts: make([]int, tt.values)}
			f.countEach(all)
			if !slices.Equal(f.counts, wantCounts) {
				t.Fatalf("counting every document gives counts that differ from the values held")
			}
			for d := range docs {
				f.uncount(uint32(d))
			}
			for d := range docs {
				f.count(uint32(d))
			}
			if !slices.Equal(f.counts, wantCounts) {
				t.Fatalf("uncounting and counting each document again gives counts that differ from the values held")
			}
		})
	}
}

// BenchmarkFacetCount counts a facet of 200 values over a third of a
// million documents, as a broad search does, with the column kept 16 and
// 32 bits wide and by document; values either change at every document or
// hold for ten (a facility's offers, where one tally's increments wait on
// each other).
func BenchmarkFacetCount(b *testing.B) {
	const docs, values = 1_000_000, 200
	for _, run := range []int{1, 10} {
		start, ords := make([]uint32, docs+1), make([]uint32, docs)
		for d := range docs {
			ords[d] = uint32(d/run*7919) % values
			start[d+1] = uint32(d + 1)
		}
		matched := roaring.New()
		for d := 0; d < docs; d += 3 {
			matched.Add(uint32(d))
		}
		for _, c := range []struct {
			name string
			kc   *keywordColumn
		}{
			{"16bit", &keywordColumn{single16: singleOf[uint16](start, ords)}},
			{"32bit", &keywordColumn{single: singleOf[uint32](start, ords)}},
			{"by_document", &keywordColumn{start: start, ords: ords}},
		} {
			c.kc.values = make([]string, values)
			b.Run(fmt.Sprintf("%s/run_%d", c.name, run), func(b *testing.B) {
				f := []facetCounts{{col: c.kc, counts: make([]int, values)}}
				for b.Loop() {
					countPerMatch(matched, f)
				}
			})
		}
	}
}

// TestFacetCountsInTallies: counting many matches of a column kept in 16
// bits, in four tallies folded at the end, gives the counts that counting
// each match's value one by one gives, whatever the number of matches
// (not a multiple of four, fewer than it takes to tally) and with
// documents holding no value.
func TestFacetCountsInTallies(t *testing.T) {
	const docs, values = 50_000, 300
	rng := rand.New(rand.NewPCG(5, 8))
	start, ords := []uint32{0}, []uint32{}
	v := uint32(0)
	for range docs {
		if rng.IntN(4) == 0 { // a run of one value ends
			v = uint32(rng.IntN(values))
		}
		if rng.IntN(20) != 0 { // one document in twenty holds none
			ords = append(ords, v)
		}
		start = append(start, uint32(len(ords)))
	}
	kc := &keywordColumn{values: make([]string, values), start: start, ords: ords}
	kc.densify()
	if kc.single16 == nil {
		t.Fatal("the column is not kept in 16 bits")
	}
	for _, every := range []int{1, 3, 7, 2000} {
		matched := roaring.New()
		for d := rng.IntN(every); d < docs; d += 1 + rng.IntN(2*every-1) {
			matched.Add(uint32(d))
		}
		want := facetCounts{col: kc, counts: make([]int, values)}
		matched.Iterate(func(doc uint32) bool { want.count(doc); return true })
		got := []facetCounts{{col: kc, counts: make([]int, values)}}
		got[0].tallyFor(matched.GetCardinality())
		tallied := got[0].tallies != nil
		got[0].fold()
		countPerMatch(matched, got)
		if !slices.Equal(got[0].counts, want.counts) {
			t.Errorf("%d matches: counts differ from each match's value counted one by one", matched.GetCardinality())
		}
		if tallied != (every < 2000) {
			t.Errorf("%d matches of %d values: tallied %v", matched.GetCardinality(), values, tallied)
		}
		if got[0].tallies != nil {
			t.Errorf("%d matches: the tallies are kept after counting", matched.GetCardinality())
		}
	}
}

// TestFacetCountsFromLists: a column kept as lists (listsOver) counts a
// facet as the same column kept as bitmaps does, whether the matches are
// few (read per match) or most of the documents (where bitmaps would be
// intersected, and lists are read per match instead).
func TestFacetCountsFromLists(t *testing.T) {
	const docs, values = 3000, 40
	bitmaps := make([]*roaring.Bitmap, values)
	for v := range bitmaps {
		bitmaps[v] = roaring.New()
	}
	for d := range uint32(docs) {
		if d%11 != 0 {
			bitmaps[d*7%values].Add(d)
		}
		if d%5 == 0 { // some documents hold two values
			bitmaps[(d+1)%values].Add(d)
		}
	}
	column := func() *keywordColumn {
		kc := &keywordColumn{values: make([]string, values)}
		for _, b := range bitmaps {
			kc.bitmaps = append(kc.bitmaps, b.Clone())
		}
		kc.index(docs)
		return kc
	}
	asBitmaps := &columns{docs: docs, keywords: map[string]*keywordColumn{"f": column()}}
	asLists := &columns{docs: docs, keywords: map[string]*keywordColumn{"f": column()}}
	asLists.listsOver(values - 1)
	if asLists.keywords["f"].lists == nil || asLists.keywords["f"].bitmaps != nil {
		t.Fatal("listsOver kept the bitmaps of a column over its threshold")
	}
	// A filter reads the value's documents from the list, as a bitmap
	// made once and kept (segments are searched again and again).
	for v := range uint32(values) {
		got := asLists.keywords["f"].valueBitmap(v)
		if !got.Equals(bitmaps[v]) {
			t.Fatalf("value %d: the bitmap made from its list holds %v, want %v", v, got.ToArray(), bitmaps[v].ToArray())
		}
		if again := asLists.keywords["f"].valueBitmap(v); again != got {
			t.Fatalf("value %d: its bitmap was made again, not kept", v)
		}
	}
	for _, every := range []uint32{1, 2, 9} { // most of the documents, half, a few
		matched := roaring.New()
		for d := uint32(0); d < docs; d += every {
			matched.Add(d)
		}
		count := func(c *columns) []int {
			col := &collector{cols: c, facets: []facetCounts{{col: c.keywords["f"], counts: make([]int, values)}}}
			col.countFacets(matched)
			return col.facets[0].counts
		}
		if got, want := count(asLists), count(asBitmaps); !slices.Equal(got, want) {
			t.Errorf("every %dth document matched: counts from lists %v, from bitmaps %v", every, got, want)
		}
	}
}

// TestInBaseOf: a segment's column's ordinals in its generation's column,
// by value, -1 where the generation lacks the value; asked against
// another column, they are made again for it.
func TestInBaseOf(t *testing.T) {
	column := func(values ...string) *keywordColumn {
		kc := &keywordColumn{ordinal: map[string]uint32{}}
		for i, v := range values {
			kc.values = append(kc.values, v)
			kc.ordinal[v] = uint32(i)
		}
		return kc
	}
	seg := column("Izmir", "Ankara", "Bursa")
	gen := column("Ankara", "Antalya", "Izmir", "Istanbul")
	other := column("Bursa")
	for _, c := range []struct {
		base *keywordColumn
		want []int32
	}{
		{gen, []int32{2, 0, -1}},
		{gen, []int32{2, 0, -1}}, // kept
		{other, []int32{-1, -1, 0}},
		{gen, []int32{2, 0, -1}},
	} {
		if got := seg.inBaseOf(c.base); !slices.Equal(got, c.want) {
			t.Errorf("inBaseOf(%v) = %v, want %v", c.base.values, got, c.want)
		}
	}
}
