package indexer_test

import (
	"reflect"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/search"
)

// TestPatchOfferIsAFullBuildsRecord: an offer's record patched from its new
// row is the record a full build makes of that row with the same
// treatment, facility and doctors; a record that is not the row's offer's,
// or shows another facility or treatment, is not patched.
func TestPatchOfferIsAFullBuildsRecord(t *testing.T) {
	tr := catalog.Treatment{ID: 1, Name: "Knee replacement", Category: "Orthopaedics", LayNames: []string{"new knee"}}
	f := &search.FacilityRef{ID: 10, Name: "Clinic", Country: "TR"}
	doctors := []search.Ref{{ID: 100, Name: "Dr. A"}}
	p := func(v float64) *float64 { return &v }
	old := catalog.Offer{ID: 7, FacilityID: 10, TreatmentID: 1, PriceMin: p(100), PriceMax: p(200), Currency: "EUR",
		Includes: "hotel", Source: "list"}
	held := indexer.OfferRecord(old, tr, f, doctors)
	held.TypicalPrice = &search.TypicalPrice{Country: "TR", Amount: 150, Currency: "EUR"}
	for _, now := range []catalog.Offer{
		{ID: 7, FacilityID: 10, TreatmentID: 1, Price: p(120), Currency: "TRY"},
		{ID: 7, FacilityID: 10, TreatmentID: 1, PriceMin: p(1), PriceMax: p(2), Currency: "USD", Source: "site"},
		{ID: 7, FacilityID: 10, TreatmentID: 1},
	} {
		want := indexer.OfferRecord(now, tr, f, doctors)
		want.TypicalPrice = held.TypicalPrice
		if got := indexer.PatchOffer(held, now); !reflect.DeepEqual(got, want) {
			t.Errorf("patched with %+v:\n%+v\nwant\n%+v", now, got, want)
		}
	}
	if !reflect.DeepEqual(held, func() *search.Record {
		r := indexer.OfferRecord(old, tr, f, doctors)
		r.TypicalPrice = held.TypicalPrice
		return r
	}()) {
		t.Errorf("the held record changed: %+v", held)
	}
	for name, row := range map[string]catalog.Offer{
		"another offer":     {ID: 8, FacilityID: 10, TreatmentID: 1},
		"another facility":  {ID: 7, FacilityID: 11, TreatmentID: 1},
		"another treatment": {ID: 7, FacilityID: 10, TreatmentID: 2},
	} {
		if got := indexer.PatchOffer(held, row); got != nil {
			t.Errorf("%s: patched into %+v, want nil (read whole)", name, got)
		}
	}
	if got := indexer.PatchOffer(nil, old); got != nil {
		t.Errorf("nothing held: patched into %+v", got)
	}
}

// TestPatchFacilityKeepsWhatItLists: a facility's record patched from its
// new row is a full build's of that row with the treatments and doctors
// it listed; another facility's or an offer's record is not patched.
func TestPatchFacilityKeepsWhatItLists(t *testing.T) {
	rating, reviews := 4.5, 12
	old := catalog.Facility{ID: 10, Name: "Clinic", Kind: "clinic", CountryCode: "TR", Accreditations: []string{"JCI"}}
	treatments := []search.TreatmentRef{{ID: 1, Name: "Knee replacement", Category: "Orthopaedics"},
		{ID: 2, Name: "Rhinoplasty", Category: "Cosmetic"}}
	doctors := []search.Ref{{ID: 100, Name: "Dr. A"}}
	held := indexer.FacilityRecord(old, "Türkiye", treatments, doctors)
	now := old
	now.Name, now.Rating, now.ReviewCount, now.Accreditations = "Clinic Istanbul", &rating, &reviews, nil
	want := indexer.FacilityRecord(now, "Turkey", treatments, doctors)
	if got := indexer.PatchFacility(held, now, "Turkey"); !reflect.DeepEqual(got, want) {
		t.Errorf("patched:\n%+v\nwant\n%+v", got, want)
	}
	if got := indexer.PatchFacility(held, catalog.Facility{ID: 11}, "Turkey"); got != nil {
		t.Errorf("another facility: patched into %+v", got)
	}
	offer := indexer.OfferRecord(catalog.Offer{ID: 10, FacilityID: 10, TreatmentID: 1}, catalog.Treatment{ID: 1},
		indexer.FacilityRef(old, "Türkiye"), nil)
	if got := indexer.PatchFacility(offer, now, "Turkey"); got != nil {
		t.Errorf("an offer's record: patched into %+v", got)
	}
}
