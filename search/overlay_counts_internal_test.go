package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestOfferSpansCountAsTheOffers: what a treatment's spans give a recount
// (how many offers, each currency's lowest and highest amount) equals what
// visiting every offer gives, whatever the overlay left out: offers in
// three currencies, unpriced ones, ranges, equal amounts, and dead and
// replaced sets from none to nearly all.
func TestOfferSpansCountAsTheOffers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gen")
	b, err := NewBuilder(path, Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.9, "TRY": 30}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 12))
	fac := &FacilityRef{ID: 1, Name: "Clinic", Country: "TR", City: "Istanbul"}
	if err := b.Add(&Record{Type: TypeFacility, ID: 1, Name: fac.Name, Country: "TR", City: "Istanbul"}); err != nil {
		t.Fatal(err)
	}
	treatments := []int64{10, 11, 12, 13}
	for _, tr := range treatments {
		if err := b.Add(&Record{Type: TypeTreatment, ID: tr, Name: fmt.Sprintf("Treatment %d", tr), Category: "Dental"}); err != nil {
			t.Fatal(err)
		}
	}
	currencies := []string{"USD", "EUR", "TRY"}
	for id := int64(100); id < 700; id++ {
		r := &Record{Type: TypeOffer, ID: id, Treatment: &TreatmentRef{ID: treatments[rng.IntN(3)]}, Facility: fac}
		amount := float64(10 * rng.IntN(30)) // equal amounts are common
		switch cur := currencies[rng.IntN(3)]; rng.IntN(4) {
		case 0: // price on request
		case 1:
			r.PriceRange = &MoneyRange{Min: amount, Max: amount + 50, Currency: cur}
		default:
			r.Price = &Money{Amount: amount, Currency: cur}
		}
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
	if ix.spans == nil {
		t.Fatal("a generation has no offer spans")
	}
	scan := ix.viewWith(ix.cols, ix.rates, ix.typical)
	scan.spans = nil
	for round := range 200 {
		// From nothing left out to nearly everything, dead and replaced
		// overlapping.
		dead, replaced := roaring.New(), roaring.New()
		for doc := range uint32(ix.cols.docs) {
			if rng.IntN(200) < round {
				dead.Add(doc)
			}
			if rng.IntN(400) < round {
				replaced.Add(doc)
			}
		}
		var deadOrNil *roaring.Bitmap
		if round%2 == 0 {
			deadOrNil = dead
		}
		for _, tr := range append(treatments, 99) { // 13 has no offers, 99 is no treatment
			want := offerCounts{stats: map[string]*PriceStat{}}
			want.index(scan, tr, deadOrNil, replaced)
			got := offerCounts{stats: map[string]*PriceStat{}}
			got.index(ix, tr, deadOrNil, replaced)
			if fmt.Sprint(got.n, got.sorted()) != fmt.Sprint(want.n, want.sorted()) {
				t.Fatalf("round %d, treatment %d: spans count %d %v, the offers %d %v",
					round, tr, got.n, got.sorted(), want.n, want.sorted())
			}
		}
	}
}
