package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// TestPriceOrdersStaySortedThroughRateChanges: through batches of new
// prices and new exchange rates, in every index of the overlay (the
// generation and each segment) the price orders a search walks, remade
// from the last ones at each rate change, hold every offer with a key
// sorted by its key now, ties by document; and a search bounded to an
// offer's new price finds it, as the freshness probe's does.
func TestPriceOrdersStaySortedThroughRateChanges(t *testing.T) {
	restore := sortedWalks
	sortedWalks = sortedAlways
	defer func() { sortedWalks = restore }()
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.9, "TRY": 30, "GBP": 0.8}}
	currencies := []string{"USD", "EUR", "TRY", "GBP"}
	countries := []string{"TR", "DE", "GB"}
	path := filepath.Join(t.TempDir(), "gen")
	b, err := NewBuilder(path, rates)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	facilities := map[int64]*FacilityRef{}
	for i, c := range countries {
		f := &FacilityRef{ID: int64(i + 1), Name: "Clinic", Country: c}
		facilities[f.ID] = f
		if err := b.Add(&Record{Type: TypeFacility, ID: f.ID, Name: f.Name, Country: c}); err != nil {
			t.Fatal(err)
		}
	}
	treatments := []int64{10, 11, 12}
	treatment := func(id int64) *Record {
		var typical []TypicalPrice
		for _, c := range countries[:2] {
			typical = append(typical, TypicalPrice{Country: c, Amount: float64(1000 + rng.IntN(5000)),
				Currency: currencies[rng.IntN(len(currencies))]})
		}
		return &Record{Type: TypeTreatment, ID: id, Name: fmt.Sprintf("Treatment %d", id), TypicalPrices: typical}
	}
	for _, tr := range treatments {
		if err := b.Add(treatment(tr)); err != nil {
			t.Fatal(err)
		}
	}
	offer := func(id int64) *Record {
		r := &Record{Type: TypeOffer, ID: id, Name: "Offer", Treatment: &TreatmentRef{ID: treatments[rng.IntN(len(treatments))]},
			Facility: facilities[int64(1+rng.IntN(len(countries)))]}
		if rng.IntN(4) > 0 { // else priced on request
			r.Price = &Money{Amount: float64(100 * (1 + rng.IntN(50))), Currency: currencies[rng.IntN(len(currencies))]}
		}
		return r
	}
	const offers = 400
	for id := int64(100); id < 100+offers; id++ {
		if err := b.Add(offer(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	gen, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	o, err := NewOverlay(ctx, gen, rates, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { o.Close() }()
	for step := range 200 {
		// Half the steps change a rate; some ask for the price orders first
		// (made, so that the next are remade), some do not (a rate changes
		// again before they are made).
		if step%2 == 0 {
			next := Rates{Rates: map[string]float64{}}
			for c, r := range rates.Rates {
				next.Rates[c] = r
			}
			cur := currencies[1+rng.IntN(len(currencies)-1)]
			next.Rates[cur] *= 0.5 + rng.Float64()
			rates = next
		}
		batch := map[string]*Record{}
		var probe *Record
		for i := range 1 + rng.IntN(5) { // each at a price no other offer has
			r := offer(100 + int64(rng.IntN(offers)))
			r.Price = &Money{Amount: float64(900000 + step*100 + i), Currency: "USD"}
			batch[DocID(r.Type, r.ID)] = r
			probe = r
		}
		for range rng.IntN(40) { // offers repriced in any currency
			r := offer(100 + int64(rng.IntN(offers)))
			if _, ok := batch[DocID(r.Type, r.ID)]; !ok {
				batch[DocID(r.Type, r.ID)] = r
			}
		}
		if rng.IntN(3) == 0 { // a treatment's new typical prices (a recount reads it too)
			r := treatment(treatments[rng.IntN(len(treatments))])
			batch[DocID(r.Type, r.ID)] = r
		}
		if rng.IntN(2) == 0 { // a facility's new stars
			f := facilities[int64(1+rng.IntN(len(countries)))]
			rating, reviews := 3+2*rng.Float64(), 1+rng.IntN(100)
			batch[DocID(TypeFacility, f.ID)] = &Record{Type: TypeFacility, ID: f.ID, Name: f.Name, Country: f.Country,
				Rating: &rating, ReviewCount: &reviews}
		}
		// A merge planned before the batch and its rates, applied after,
		// as the server's merges run beside the follower.
		planned := o.PlanMerge()
		n, err := o.Apply(ctx, rates, batch)
		if err != nil {
			t.Fatal(err)
		}
		o.Close()
		o = n
		for m := planned; m != nil; m = o.PlanMerge() {
			if err := m.Build(ctx); err != nil {
				t.Fatal(err)
			}
			merged, err := o.WithMerge(ctx, m)
			m.Close()
			if errors.Is(err, ErrMergeStale) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			o.Close()
			o = merged
		}
		if rng.IntN(3) == 0 {
			continue // the orders are not asked for
		}
		for i, ix := range o.indexes() {
			for _, sort := range []string{SortPriceAsc, SortPriceDesc} {
				made, _ := ix.sortOrder(sort)
				desc := sort == SortPriceDesc
				typical := ix.typicalUSD()
				key := func(doc uint32) float64 { return ix.priceKey(doc, desc, typical) }
				want := makeOrder(ix.cols.docs, key, desc)
				if len(made.docs) != len(want.docs) || !made.keyed.Equals(want.keyed) {
					t.Fatalf("step %d, index %d, %s: %d documents in order, want %d", step, i, sort, len(made.docs), len(want.docs))
				}
				for j := range made.docs {
					if made.docs[j] != want.docs[j] {
						a, b := made.docs[j], want.docs[j]
						t.Fatalf("step %d, index %d, %s: place %d holds document %d (key %v), want %d (key %v)",
							step, i, sort, j, a, key(a), b, key(b))
					}
				}
			}
		}
		price := math.Round(probe.Price.Amount)
		res, err := o.Search(ctx, Request{PerPage: 1, PriceMin: &price, PriceMax: &price}.MustWhere(FilterType, TypeOffer), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != probe.ID {
			t.Fatalf("step %d: a search for offers priced %v found %v, want offer %d", step, price, res.Hits, probe.ID)
		}
	}
}
