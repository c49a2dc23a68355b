package search

import (
	"context"
	"math"
	"testing"
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
	ix, _, err := memIndex(ctx, recs, nil, old, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	want, _, err := memIndex(ctx, recs, nil, now, nil, 1)
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
