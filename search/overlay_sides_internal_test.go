package search

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestSideKeys: a segment's kept side is found only by a search that
// would find the same in it: every input of its side changes the key,
// and strings cannot run together.
func TestSideKeys(t *testing.T) {
	words := func(terms ...string) *understood {
		var alts []alternative
		for _, term := range terms {
			alts = append(alts, alternative{terms: []langTerm{{lang: LangEnglish, term: term}}, weight: weightExact})
		}
		return &understood{groups: []group{{alts: alts, known: true}}}
	}
	f := func(v float64) *float64 { return &v }
	base := Request{Page: 1, PerPage: 10}.MustWhere(FilterType, TypeOffer)
	knee := words("knee")
	cases := []struct {
		name string
		r    Request
		u    *understood
	}{
		{"another page", func() Request { r := base; r.Page = 2; return r }(), knee},
		// Page 2 of 10 and page 1 of 20 keep the same 20 candidates.
		{"a longer page", func() Request { r := base; r.PerPage = 30; return r }(), knee},
		{"a sort", func() Request { r := base; r.Sort = SortPriceAsc; return r }(), knee},
		{"a currency", func() Request { r := base; r.Currency = "EUR"; return r }(), knee},
		{"a least price", func() Request { r := base; r.PriceMin = f(100); return r }(), knee},
		{"a most price", func() Request { r := base; r.PriceMax = f(100); return r }(), knee},
		{"a place", func() Request { r := base; r.Near = &GeoPoint{Lat: 1, Lon: 2}; return r }(), knee},
		{"a radius", func() Request { r := base; r.Near, r.RadiusKM = &GeoPoint{Lat: 1, Lon: 2}, 50; return r }(), knee},
		{"a facet", func() Request { r := base; r.Facets = []string{"country"}; return r }(), knee},
		{"a filter", base.MustWhere(FilterCountry, "TR"), knee},
		{"another value", base.MustWhere(FilterCountry, "DE"), knee},
		{"two values", base.MustWhere(FilterCountry, "TR", "DE"), knee},
		{"one value holding the other's separator", base.MustWhere("city", "a=b"), knee},
		{"two values that would run together", base.MustWhere("city", "a", "b"), knee},
		{"no words", base, nil},
		{"another word", base, words("hip")},
		{"another alternative", base, words("knee", "knees")},
		{"an alternative weighed less", base, func() *understood {
			u := words("knee")
			u.groups[0].alts[0].weight /= 2
			return u
		}()},
		{"a word only typos can match", base, func() *understood {
			u := words("knee")
			u.groups[0].known = false
			return u
		}()},
	}
	seen := map[string]string{string(sideKey(nil, &base, knee)): "the base request"}
	for _, c := range cases {
		k := string(sideKey(nil, &c.r, c.u))
		if other, ok := seen[k]; ok {
			t.Errorf("%s: the same key as %s: %q", c.name, other, k)
		}
		seen[k] = c.name
		if again := c.r; string(sideKey(nil, &again, c.u)) != k {
			t.Errorf("%s: the same search again has another key", c.name)
		}
	}
	explain := base
	explain.Explain = true
	if k := sideKey(nil, &explain, knee); k != nil {
		t.Errorf("a search that explains its scores is kept as %q: it reads each side's plan", k)
	}
}

// TestDeadTreatments: deadTreatments finds a treatment dead by its own
// document alone: an offer of it left out (which holds its id too) is not
// the treatment.
func TestDeadTreatments(t *testing.T) {
	fac := &FacilityRef{ID: 1, Name: "Clinic", Country: "TR", City: "Istanbul"}
	ix := indexRecords(t, Rates{Rates: map[string]float64{"USD": 1}}, []*Record{
		{Type: TypeFacility, ID: 1, Name: fac.Name, Country: "TR", City: "Istanbul"},
		{Type: TypeTreatment, ID: 10, Name: "Rhinoplasty", Category: "Cosmetic surgery"},
		{Type: TypeTreatment, ID: 11, Name: "Dental implant", Category: "Dental"},
		{Type: TypeOffer, ID: 100, Treatment: &TreatmentRef{ID: 10}, Facility: fac},
		{Type: TypeOffer, ID: 101, Treatment: &TreatmentRef{ID: 11}, Facility: fac},
	})
	dead := roaring.New()
	for _, key := range []string{DocID(TypeTreatment, 10), DocID(TypeOffer, 101)} {
		id, err := ix.reader.InternalID(key)
		if err != nil || len(id) == 0 {
			t.Fatalf("%s: %v", key, err)
		}
		dead.Add(uint32(id.Value()))
	}
	d := newDeadDocs(dead, ix.cols.docs)
	for id, want := range map[int64]bool{10: true, 11: false, 12: false} {
		if got := d.deadTreatments(ix.cols)[id]; got != want {
			t.Errorf("treatment %d dead: %v, want %v", id, got, want)
		}
	}
}

// indexRecords builds a generation of recs at rates and opens it; it is
// closed when the test ends.
func indexRecords(t *testing.T, rates Rates, recs []*Record) *Index {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gen")
	b, err := NewBuilder(path, rates)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := b.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}
