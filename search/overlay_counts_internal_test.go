package search

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestOfferSpansCountAsTheOffers: what a treatment's spans give a recount
// (how many offers, each currency's lowest and highest amount) equals what
// visiting every offer gives, whatever the overlay left out: offers in
// three currencies, unpriced ones, ranges, equal amounts, and dead and
// replaced sets from none to nearly all.
func TestOfferSpansCountAsTheOffers(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 12))
	fac := &FacilityRef{ID: 1, Name: "Clinic", Country: "TR", City: "Istanbul"}
	recs := []*Record{{Type: TypeFacility, ID: 1, Name: fac.Name, Country: "TR", City: "Istanbul"}}
	treatments := []int64{10, 11, 12, 13}
	for _, tr := range treatments {
		recs = append(recs, &Record{Type: TypeTreatment, ID: tr, Name: fmt.Sprintf("Treatment %d", tr), Category: "Dental"})
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
		recs = append(recs, r)
	}
	ix := indexRecords(t, Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.9, "TRY": 30}}, recs)
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
			want := newOfferCounts()
			want.index(scan, tr, deadOrNil, replaced)
			got := newOfferCounts()
			got.index(ix, tr, deadOrNil, replaced)
			if fmt.Sprint(got.n, got.sorted()) != fmt.Sprint(want.n, want.sorted()) {
				t.Fatalf("round %d, treatment %d: spans count %d %v, the offers %d %v",
					round, tr, got.n, got.sorted(), want.n, want.sorted())
			}
		}
	}
}

// TestRepricedTreatmentsRecountAtNewRates: after a rate change, the
// treatments TreatmentsPricedIn names for the currency are those with an
// offer priced in it (in the generation or a segment), and recounting
// them at the new rates gives the spans a rebuild would.
func TestRepricedTreatmentsRecountAtNewRates(t *testing.T) {
	ctx := context.Background()
	old := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8, "TRY": 40}}
	fac := &FacilityRef{ID: 1, Name: "Clinic", Country: "TR", City: "Izmir"}
	offer := func(id, treatment int64, amount float64, cur string) *Record {
		return &Record{Type: TypeOffer, ID: id, Treatment: &TreatmentRef{ID: treatment}, Facility: fac,
			Price: &Money{Amount: amount, Currency: cur}}
	}
	treatment := func(id int64, stats ...PriceStat) *Record {
		return &Record{Type: TypeTreatment, ID: id, Name: fmt.Sprintf("Treatment %d", id), OfferCount: len(stats),
			PriceSpan: PriceSpan(stats, old)}
	}
	o := overlayOn(t, old,
		&Record{Type: TypeFacility, ID: 1, Name: "Clinic", Country: "TR", City: "Izmir"},
		treatment(10, PriceStat{Currency: "EUR", Min: 800, Max: 800}, PriceStat{Currency: "USD", Min: 900, Max: 900}),
		treatment(11, PriceStat{Currency: "USD", Min: 500, Max: 500}),
		treatment(12, PriceStat{Currency: "TRY", Min: 40000, Max: 40000}),
		offer(100, 10, 800, "EUR"), offer(101, 10, 900, "USD"), offer(102, 11, 500, "USD"), offer(103, 12, 40000, "TRY"))
	defer func() { o.Close() }()
	// A segment brings treatment 11 its first euro offer.
	batch := map[string]*Record{"offer:104": offer(104, 11, 300, "EUR")}
	if err := o.Recount(ctx, old, batch, []int64{11}); err != nil {
		t.Fatal(err)
	}
	n, err := o.Apply(ctx, old, batch)
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	o = n
	if got := o.TreatmentsPricedIn([]string{"EUR"}); !slices.Equal(got, []int64{10, 11}) {
		t.Fatalf("treatments priced in EUR: %v, want [10 11]", got)
	}
	if got := o.TreatmentsPricedIn([]string{"GBP"}); len(got) != 0 {
		t.Fatalf("treatments priced in GBP: %v, want none", got)
	}
	now := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.5, "TRY": 40}}
	records := map[string]*Record{}
	if err := o.Recount(ctx, now, records, o.TreatmentsPricedIn([]string{"EUR"})); err != nil {
		t.Fatal(err)
	}
	want := map[string]*MoneyRange{
		"treatment:10": PriceSpan([]PriceStat{{Currency: "EUR", Min: 800, Max: 800}, {Currency: "USD", Min: 900, Max: 900}}, now),
		"treatment:11": PriceSpan([]PriceStat{{Currency: "EUR", Min: 300, Max: 300}, {Currency: "USD", Min: 500, Max: 500}}, now),
	}
	if len(records) != len(want) {
		t.Fatalf("recounted %v, want %v", slices.Sorted(maps.Keys(records)), slices.Sorted(maps.Keys(want)))
	}
	for key, span := range want {
		if r := records[key]; r == nil || !eqPtr(r.PriceSpan, span) {
			t.Errorf("%s after the euro halved: span %+v, want %+v", key, records[key], span)
		}
	}
}
