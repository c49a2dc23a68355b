package search_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/careatlas/careatlas/search"
)

// TestFacetsByTreatmentCountAsEachMatch: a text search for offers counts
// its facets from each found treatment's kept values (treatfacets.go)
// exactly as counting every match does: the total and every facet's
// values and counts, for words that find treatments alone, treatments and
// doctors, treatments and facilities ("heart", "hospital": those
// facilities' other offers counted one by one), and with a filter
// (counted match by match), on the bundled catalogue. Dead offers are
// taken off apart (overlay_test.go's rebuild comparison covers an
// overlay's).
func TestFacetsByTreatmentCountAsEachMatch(t *testing.T) {
	ctx := context.Background()
	live := bundledIndex(t)
	// Not city: a facet of more than maxBitmapFacet values is counted
	// match by match whatever the words found (collector.onlyTop).
	facets := []string{"country", "category", "kind", "accreditation", "language"}
	queries := []struct {
		q, lang string
		filter  [2]string
	}{
		{q: "knee replacement"}, {q: "heart failure"}, {q: "nose job"}, {q: "IVF"}, {q: "cataract surgery"},
		{q: "weight loss surgery"}, {q: "hip"}, {q: "dental implants"}, {q: "breast"}, {q: "cancer"},
		{q: "surgery"}, {q: "heart"}, {q: "Hüftprothese", lang: "de"}, {q: "kne replacment"},
		{q: "clinic"}, {q: "hospital"}, {q: "knee", filter: [2]string{search.FilterCountry, "TR"}},
	}
	before := live.ix.TreatmentFacetsKept()
	for _, c := range queries {
		r := search.Request{Query: c.q, Lang: c.lang, Facets: facets}.MustWhere(search.FilterType, search.TypeOffer)
		if c.filter[0] != "" {
			r = r.MustWhere(c.filter[0], c.filter[1])
		}
		each := func() *search.Result {
			defer search.SetTreatmentFacets(false)()
			res, err := live.Search(ctx, r)
			if err != nil {
				t.Fatalf("%q: %v", c.q, err)
			}
			return res
		}()
		byT, err := live.Search(ctx, r)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if byT.Total != each.Total || !reflect.DeepEqual(byT.Facets, each.Facets) {
			t.Errorf("%q: by treatment %d matches, facets %v;\ncounting each match %d, facets %v",
				c.q, byT.Total, byT.Facets, each.Total, each.Facets)
		}
	}
	// The comparison means something only if searches took the new way.
	if kept := live.ix.TreatmentFacetsKept(); kept <= before {
		t.Errorf("no treatment's facet values were kept (%d before, %d after): every search counted each match", before, kept)
	}
}
