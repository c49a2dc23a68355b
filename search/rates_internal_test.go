package search

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestPriceColumnAtNewRates: an index converts its offers' dollar prices at
// new exchange rates from their own amounts, exactly as a build at those
// rates would, sharing the columns when no currency it prices in changed;
// columns without the amounts (a generation built before they were
// indexed) say they cannot, so the caller re-reads those offers instead.
func TestPriceColumnAtNewRates(t *testing.T) {
	old := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8, "TRY": 40}}
	now := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.5, "TRY": 40, "GBP": 0.7}}
	recs := []*Record{
		{Type: TypeOffer, ID: 1, Price: &Money{Amount: 4000, Currency: "EUR"}},
		{Type: TypeOffer, ID: 2, PriceRange: &MoneyRange{Min: 100000, Max: 140000, Currency: "TRY"}},
		{Type: TypeOffer, ID: 3, Price: &Money{Amount: 15000, Currency: "USD"}},
		{Type: TypeOffer, ID: 4},
	}
	ctx := context.Background()
	ix, _, err := memIndexOf(ctx, recs, nil, old, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	want, _, err := memIndexOf(ctx, recs, nil, now, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	if !ix.ConvertsRates() {
		t.Fatal("an index with amounts and currencies says it cannot convert")
	}
	at := ix.atRates(now)
	for _, r := range recs {
		doc := ix.docOf(t, r)
		got, exp := at.cols.price[doc], want.cols.price[want.docOf(t, r)]
		if got != exp && !(math.IsNaN(got) && math.IsNaN(exp)) {
			t.Errorf("offer %d: %v dollars at the new rates, a build at them says %v", r.ID, got, exp)
		}
	}
	if ix.cols.price[ix.docOf(t, recs[0])] != 4000/0.8 {
		t.Error("converting changed the index's own price column")
	}
	same := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8, "TRY": 40, "GBP": 0.6}} // GBP prices nothing here
	if ix.atRates(same).cols != ix.cols {
		t.Error("a view at rates that change no currency it prices in copied the columns")
	}
	ix.cols.currency = &keywordColumn{ordinal: map[string]uint32{}}
	if ix.cols.convertible() {
		t.Error("columns without currencies say they can convert")
	}
}

// docOf is the document number of r in ix.
func (ix *Index) docOf(t *testing.T, r *Record) uint32 {
	t.Helper()
	id, err := ix.reader.InternalID(DocID(r.Type, r.ID))
	if err != nil || len(id) == 0 {
		t.Fatalf("%s not in the index: %v", DocID(r.Type, r.ID), err)
	}
	return uint32(id.Value())
}

// TestPriceOrdersAtNewRates: after an exchange rate changes, a search
// sorted by price lists the offers as a build at the new rates does: the
// offers priced in the changed currency, and those priced on request in
// a country whose typical price is stated in it, move among the others.
// The new orders are remade from the last ones (remadeOrder), for those
// offers alone.
func TestPriceOrdersAtNewRates(t *testing.T) {
	restore := sortedWalks
	sortedWalks = sortedAlways
	defer func() { sortedWalks = restore }()
	ctx := context.Background()
	old := Rates{Rates: map[string]float64{"USD": 1, "EUR": 1}}
	now := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.5}} // a euro now costs two dollars
	treatment := &Record{Type: TypeTreatment, ID: 1, Name: "Rhinoplasty", TypicalPrices: []TypicalPrice{
		{Country: "DE", Amount: 3000, Currency: "EUR"}, {Country: "TR", Amount: 4000, Currency: "USD"}}}
	records := []*Record{treatment,
		{Type: TypeFacility, ID: 10, Name: "Klinik", Country: "DE"},
		{Type: TypeFacility, ID: 11, Name: "Klinik", Country: "TR"}}
	offer := func(id, facility int64, country string, price *Money) *Record {
		return &Record{Type: TypeOffer, ID: id, Name: "Rhinoplasty", Treatment: &TreatmentRef{ID: 1, Name: "Rhinoplasty"},
			Facility: &FacilityRef{ID: facility, Name: "Klinik", Country: country}, Price: price}
	}
	eur := func(a float64) *Money { return &Money{Amount: a, Currency: "EUR"} }
	usd := func(a float64) *Money { return &Money{Amount: a, Currency: "USD"} }
	records = append(records,
		offer(100, 10, "DE", eur(1000)), offer(101, 11, "TR", usd(1500)), offer(102, 10, "DE", eur(2000)),
		offer(103, 11, "TR", usd(3000)), offer(104, 10, "DE", nil), offer(105, 11, "TR", nil),
		offer(106, 10, "DE", eur(1400)), offer(107, 11, "TR", eur(1600)))
	ids := func(o *Overlay, sort string) []int64 {
		t.Helper()
		res, err := o.Search(ctx, Request{Sort: sort, PerPage: 20}.MustWhere(FilterType, TypeOffer), nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	o := overlayOn(t, old, records...)
	defer o.Close()
	for _, sort := range []string{SortPriceAsc, SortPriceDesc} {
		ids(o, sort) // the orders at the old rates, made
	}
	n, err := o.Apply(ctx, now, map[string]*Record{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ko := n.base.cols.orders.priceAsc
	if ko.from.Load() == nil {
		t.Fatal("the price order at the new rates is to be made anew, not remade from the last")
	}
	var moved []int64
	n.base.eachDoc(ko.moved, func(_ string, id int64) { moved = append(moved, id) })
	slices.Sort(moved)
	// The euro offers, and offer 104 priced on request in Germany, whose
	// typical price is in euros.
	if want := []int64{100, 102, 104, 106, 107}; !slices.Equal(moved, want) {
		t.Errorf("offers to move in the price order at the new rates %v, want %v", moved, want)
	}
	built := overlayOn(t, now, records...)
	defer built.Close()
	// A search walks an order until the next key is worse than its last
	// kept, so an order out of order shows in few searches: the orders
	// are compared as well.
	orderIDs := func(o *Overlay, sort string) []int64 {
		t.Helper()
		made, _ := o.base.sortOrder(sort)
		var out []int64
		for _, doc := range made.docs {
			o.base.eachDoc(roaring.BitmapOf(doc), func(_ string, id int64) { out = append(out, id) })
		}
		return out
	}
	for _, sort := range []string{SortPriceAsc, SortPriceDesc} {
		if got, want := ids(n, sort), ids(built, sort); !slices.Equal(got, want) {
			t.Errorf("sorted %s at the new rates: %v, a build at them: %v", sort, got, want)
		}
		if got, want := orderIDs(n, sort), orderIDs(built, sort); !slices.Equal(got, want) {
			t.Errorf("order %s remade at the new rates: %v, made by a build at them: %v", sort, got, want)
		}
	}
	if got, want := ids(n, SortPriceAsc), []int64{101, 100, 106, 103, 107, 102, 105, 104}; !slices.Equal(got, want) {
		t.Errorf("cheapest first at the new rates: %v, want %v", got, want)
	}
}
