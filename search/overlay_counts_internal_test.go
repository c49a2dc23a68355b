package search

import (
	"context"
	"encoding/json"
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

// TestUnmovedTreatmentsKeepTheirCounts: a treatment whose offers a batch
// only reprices inside its span is left without a recount, and what every
// batch's recount gives is what counting every treatment would: batch
// after batch of new prices (inside the span, at its ends and beyond it,
// in another currency, on request), offers added, deleted and moved to
// another treatment, applied so that the live copies are in the
// generation and in segments.
func TestUnmovedTreatmentsKeepTheirCounts(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 19))
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.9, "TRY": 30}}
	currencies := []string{"USD", "EUR", "TRY"}
	fac := &FacilityRef{ID: 1, Name: "Clinic", Country: "TR", City: "Antalya"}
	treatments := []int64{10, 11, 12}
	price := func(r *Record) {
		r.Price, r.PriceRange = nil, nil
		cur := currencies[rng.IntN(3)]
		amount := float64(100+rng.IntN(900)) * rates.Rates[cur]
		switch rng.IntN(8) {
		case 0: // price on request
		case 1:
			r.PriceRange = &MoneyRange{Min: amount, Max: amount * 2, Currency: cur}
		default:
			r.Price = &Money{Amount: amount, Currency: cur}
		}
	}
	offers := map[int64]*Record{}
	for id := int64(100); id < 400; id++ {
		r := &Record{Type: TypeOffer, ID: id, Treatment: &TreatmentRef{ID: treatments[rng.IntN(3)]}, Facility: fac}
		price(r)
		offers[id] = r
	}
	// counted is each treatment's record as counting its live offers makes it.
	counted := func(id int64) *Record {
		c := newOfferCounts()
		for _, r := range offers {
			if r.Treatment.ID == id {
				amount, currency, priced := offerAmount(r)
				c.add(amount, currency, priced)
			}
		}
		return &Record{Type: TypeTreatment, ID: id, Name: fmt.Sprintf("Treatment %d", id), OfferCount: c.n, PriceSpan: PriceSpan(c.sorted(), rates)}
	}
	recs := []*Record{{Type: TypeFacility, ID: 1, Name: fac.Name, Country: "TR", City: "Antalya"}}
	for _, id := range treatments {
		recs = append(recs, counted(id))
	}
	for _, r := range offers {
		recs = append(recs, r)
	}
	gen := indexRecords(t, rates, recs)
	o, err := NewOverlay(ctx, gen, rates, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { o.Close() }()
	left, next := 0, int64(400)
	for round := range 120 {
		batch := map[string]*Record{}
		touched := map[int64]bool{}
		for range 1 + rng.IntN(6) {
			ids := slices.Sorted(maps.Keys(offers))
			id := ids[rng.IntN(len(ids))]
			r := *offers[id]
			touched[r.Treatment.ID] = true
			switch k := rng.IntN(20); {
			case k < 14: // a new price, mostly a little up or down
				if r.Price != nil && k < 10 {
					p := *r.Price
					p.Amount *= 0.95 + rng.Float64()/10
					r.Price = &p
				} else {
					price(&r)
				}
			case k < 16: // another treatment
				r.Treatment = &TreatmentRef{ID: treatments[rng.IntN(3)]}
			case k < 18:
				delete(offers, id)
				batch[DocID(TypeOffer, id)] = nil
				continue
			default:
				r = Record{Type: TypeOffer, ID: next, Treatment: &TreatmentRef{ID: treatments[rng.IntN(3)]}, Facility: fac}
				next++
				price(&r)
			}
			touched[r.Treatment.ID] = true
			offers[r.ID] = &r
			batch[DocID(TypeOffer, r.ID)] = &r
		}
		ids := slices.Sorted(maps.Keys(touched))
		all := maps.Clone(batch)
		if _, err := o.recount(ctx, rates, all, ids, false); err != nil {
			t.Fatal(err)
		}
		n, err := o.recount(ctx, rates, batch, ids, true)
		if err != nil {
			t.Fatal(err)
		}
		left += n
		for _, id := range treatments {
			key := DocID(TypeTreatment, id)
			if got, want := jsonOf(t, batch[key]), jsonOf(t, all[key]); got != want {
				t.Fatalf("round %d, treatment %d: recounted as %s, counting every treatment gives %s", round, id, got, want)
			}
			if r := batch[key]; r != nil {
				want := counted(id)
				if r.OfferCount != want.OfferCount || !eqPtr(r.PriceSpan, want.PriceSpan) {
					t.Fatalf("round %d, treatment %d: %d offers spanning %+v, the offers %d spanning %+v",
						round, id, r.OfferCount, r.PriceSpan, want.OfferCount, want.PriceSpan)
				}
			}
		}
		applied, err := o.Apply(ctx, rates, batch)
		if err != nil {
			t.Fatal(err)
		}
		o.Close()
		o = applied
		for _, id := range treatments {
			r, err := o.Get(ctx, TypeTreatment, id)
			if err != nil {
				t.Fatal(err)
			}
			if want := counted(id); r.OfferCount != want.OfferCount || !eqPtr(r.PriceSpan, want.PriceSpan) {
				t.Fatalf("round %d, treatment %d held with %d offers spanning %+v, the offers %d spanning %+v",
					round, id, r.OfferCount, r.PriceSpan, want.OfferCount, want.PriceSpan)
			}
		}
		for { // and merged as the policy wants, so live copies are in merged segments too
			m := o.PlanMerge()
			if m == nil {
				break
			}
			if err := m.Build(ctx); err != nil {
				t.Fatal(err)
			}
			merged, err := o.WithMerge(ctx, m)
			m.Close()
			if err != nil {
				t.Fatal(err)
			}
			o.Close()
			o = merged
		}
	}
	if left == 0 {
		t.Fatal("no treatment was left without a recount")
	}
	t.Logf("%d treatments left without a recount", left)
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
