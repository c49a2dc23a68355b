package search

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"testing"
)

// TestLargeSegmentWrittenInParts: a segment large enough to be written as
// several batches at once answers exactly as one written as one batch:
// every record found by its key, the same totals, facets and hits.
func TestLargeSegmentWrittenInParts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer func(n int) { memPartMin = n }(memPartMin)
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	var recs []*Record
	for i := int64(1); i <= 3; i++ {
		recs = append(recs, &Record{Type: TypeTreatment, ID: i, Name: fmt.Sprintf("Treatment %d replacement", i), Category: "Orthopaedics"})
	}
	for i := int64(1); i <= 40; i++ {
		recs = append(recs, &Record{Type: TypeFacility, ID: i, Name: fmt.Sprintf("Clinic %d", i), Country: "DE", City: []string{"Berlin", "Munich"}[i%2]})
	}
	for i := int64(1); i <= 300; i++ {
		f := &FacilityRef{ID: 1 + i%40, Name: fmt.Sprintf("Clinic %d", 1+i%40), Country: "DE"}
		recs = append(recs, &Record{Type: TypeOffer, ID: i, Treatment: &TreatmentRef{ID: 1 + i%3}, Facility: f,
			Price: &Money{Amount: float64(1000 + i), Currency: []string{"USD", "EUR"}[i%2]}})
	}
	ctx := context.Background()
	build := func(partMin int) *Index {
		memPartMin = partMin
		ix, err := memIndex(ctx, recs, rates)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	}
	one, parts := build(1_000_000), build(100)
	if n, _ := parts.idx.DocCount(); n != uint64(len(recs)) {
		t.Fatalf("%d documents written in parts, want %d", n, len(recs))
	}
	for _, r := range recs {
		if _, err := parts.Get(ctx, r.Type, r.ID); err != nil {
			t.Errorf("%s written in parts: %v", DocID(r.Type, r.ID), err)
		}
	}
	for _, r := range []Request{
		{Query: "replacement", PerPage: 50, Facets: []string{"type", "city", "price"}},
		Request{Query: "treatment 2", PerPage: 100, Facets: []string{"city"}}.MustWhere("city", "Berlin"),
		Request{Sort: SortPriceAsc, PerPage: 50, Facets: []string{"city"}}.MustWhere(FilterType, TypeOffer),
		Request{Query: "clinic 7", PerPage: 20}.MustWhere("city", "Munich"),
	} {
		want, err := one.Search(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parts.Search(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want.Total == 0 {
			t.Fatalf("%+v finds nothing: the test searches for nothing", r)
		}
		// Ties are ordered by document number, which differs between
		// the two: compare hits in (score, type, id) order, and only
		// counts when ties may cut the page differently.
		for _, res := range []*Result{want, got} {
			res.Took = 0
			if want.Total > uint64(len(want.Hits)) {
				res.Hits = nil
			}
			slices.SortStableFunc(res.Hits, func(a, b Hit) int {
				return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
			})
		}
		w, _ := json.Marshal(want)
		g, _ := json.Marshal(got)
		if string(w) != string(g) {
			t.Errorf("%+v written in parts:\n%s\nas one batch:\n%s", r, g, w)
		}
	}
}
