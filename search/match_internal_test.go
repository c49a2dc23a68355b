package search

import (
	"context"
	"path/filepath"
	"testing"
)

// TestOfferScoreCache checks that the cached scores of offers matched only
// through their treatment equal the full computation, for offers matched
// through their treatment, their facility's name and a doctor's name.
func TestOfferScoreCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gen")
	b, err := NewBuilder(path, Rates{Rates: map[string]float64{"USD": 1}})
	if err != nil {
		t.Fatal(err)
	}
	knee := &FacilityRef{ID: 1, Name: "Knee Centre", Country: "US", City: "Austin"}
	other := &FacilityRef{ID: 2, Name: "General Hospital", Country: "US", City: "Dallas"}
	recs := []*Record{
		{Type: TypeTreatment, ID: 10, Name: "Knee replacement", Category: "Orthopaedics", LayNames: []string{"new knee"}},
		{Type: TypeTreatment, ID: 11, Name: "Hip replacement", Category: "Orthopaedics"},
		{Type: TypeTreatment, ID: 12, Name: "Knee arthroscopy", Category: "Orthopaedics"},
		{Type: TypeFacility, ID: 1, Name: knee.Name, Country: "US", City: "Austin"},
		{Type: TypeFacility, ID: 2, Name: other.Name, Country: "US", City: "Dallas"},
	}
	id := int64(100)
	for _, tr := range []int64{10, 11, 12} {
		for _, f := range []*FacilityRef{knee, other} {
			for _, docs := range [][]Ref{nil, {{ID: 5, Name: "Dr. Replacement Knee"}}} {
				recs = append(recs, &Record{Type: TypeOffer, ID: id, Treatment: &TreatmentRef{ID: tr}, Facility: f, Doctors: docs})
				id++
			}
		}
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
	defer ix.Close()
	for _, q := range []string{"knee", "knee replacement", "replacement", "knee centre", "hip"} {
		r, err := Request{Query: q}.MustWhere(FilterType, TypeOffer).Validate(ix.rates)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ix.compile(context.Background(), &r, nil)
		if err != nil {
			t.Fatal(err)
		}
		matched := 0
		err = p.m.runOffers(context.Background(), nil, func(doc uint32, score float64) {
			matched++
			tord, hasT := p.m.tcol.first(doc)
			ford, hasF := p.m.fcol.first(doc)
			if want := p.m.scoreOfferUncached(doc, tord, ford, hasT, hasF); score != want {
				t.Errorf("%q, doc %d: cached score %v, computed %v", q, doc, score, want)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if matched == 0 {
			t.Errorf("%q matched no offer: the test checks nothing", q)
		}
	}
}
