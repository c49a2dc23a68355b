package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
)

// TestOneEntryMakesAFilter adds a filter that exists only in this test —
// the first letter of a facility's name — as one entry in search.Filters,
// and checks that everything else follows from it: the parameter parses,
// the mapping indexes it, the columns load it, offers inherit it from
// their facility, it filters, and it facets.
func TestOneEntryMakesAFilter(t *testing.T) {
	saved := search.Filters
	t.Cleanup(func() { search.Filters = saved })
	search.Filters = append(slices.Clone(saved), search.Filter{
		Param: "initial", Field: "test_initial", Facet: true, Inherit: search.TypeFacility,
		Read: func(v string) (string, string) { return strings.ToUpper(v), "" },
		Of: func(r *search.Record) []string {
			if r.Type == search.TypeFacility {
				return []string{r.Name[:1]}
			}
			return nil
		},
	})

	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: mini}, dir, nil); err != nil {
		t.Fatal(err)
	}
	ix, err := openIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	req, err := search.ParseRequest(search.Params{"initial": {"i"}, "type": {"offer"}, "facets": {"initial,country"}},
		search.Rates{Rates: map[string]float64{"USD": 1}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	// Facility 12, Istanbul Aesthetic Clinic, has offers 1004 and 1006.
	got := ids(res.Hits)
	slices.Sort(got)
	if !slices.Equal(got, []int64{1004, 1006}) {
		t.Errorf("initial=I offers: %v, want [1004 1006]", got)
	}
	want := []search.FacetValue{{Value: "I", Count: 2}}
	if !slices.Equal(res.Facets["initial"], want) {
		t.Errorf("initial facet %v, want %v", res.Facets["initial"], want)
	}
	all, err := ix.Search(context.Background(), search.Request{Facets: []string{"initial"}}.MustWhere(search.FilterType, search.TypeOffer))
	if err != nil {
		t.Fatal(err)
	}
	wantAll := []search.FacetValue{{Value: "H", Count: 2}, {Value: "I", Count: 2}, {Value: "M", Count: 2}, {Value: "B", Count: 1}}
	slices.SortFunc(wantAll, func(a, b search.FacetValue) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	if !slices.Equal(all.Facets["initial"], wantAll) {
		t.Errorf("every offer by initial: %v, want %v", all.Facets["initial"], wantAll)
	}
}

// TestWhereNarrows: a restriction added to a request (what a key adds) is
// ANDed with the patient's own filters; it never widens them.
func TestWhereNarrows(t *testing.T) {
	ix, _ := miniIndex(t)
	ctx := context.Background()
	base := search.Request{}.MustWhere(search.FilterType, search.TypeOffer)
	res, err := ix.Search(ctx, base.MustWhere(search.FilterFacility, "12"))
	if err != nil {
		t.Fatal(err)
	}
	got := ids(res.Hits)
	slices.Sort(got)
	if !slices.Equal(got, []int64{1004, 1006}) {
		t.Errorf("facility 12: %v", got)
	}
	// The patient asks for the US; the restriction allows only facility 12
	// (in Turkey): nothing, not the US's offers.
	res, err = ix.Search(ctx, base.MustWhere(search.FilterCountry, "US").MustWhere(search.FilterFacility, "12"))
	if err != nil || res.Total != 0 {
		t.Errorf("US within facility 12: %d hits (%v), want none", res.Total, err)
	}
	if _, err := base.Where(search.FilterFacility, "twelve"); err == nil {
		t.Error("a bad id was accepted")
	}
}
