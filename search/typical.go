package search

import (
	"encoding/json"
	"math"
	"sync"
)

// Typical prices in price sorts. A price sort orders offers by their own
// prices; the offers priced on request then come after every priced one,
// and among them those whose country has a typical price for the
// treatment (a reference, TypicalPrice) are ordered by it, so "cheap ivf"
// lists the countries where IVF typically costs least first when no
// clinic quotes a price. Price filters and facets read only real prices.

// typicalTier puts a reference-ordered offer past every real price: a
// price sort key is the price, or typicalTier + the reference (ascending)
// or the reference − typicalTier (descending).
const typicalTier = 1e15

// typicalPrices are an index's references in USD, by treatment ordinal
// and country ordinal (NaN: none), read from the treatments' documents on
// first use.
type typicalPrices struct {
	once sync.Once
	usd  [][]float32
}

func (ix *Index) typicalUSD() [][]float32 {
	t := ix.typical
	if t == nil {
		return nil
	}
	t.once.Do(func() { t.usd = ix.loadTypical() })
	return t.usd
}

func (ix *Index) loadTypical() [][]float32 {
	countries := ix.cols.keywords[fieldCountry]
	out := make([][]float32, len(ix.cols.treatmentDoc))
	for ord, doc := range ix.cols.treatmentDoc {
		if doc < 0 {
			continue
		}
		src, err := ix.source(uint32(doc))
		if err != nil || src == nil {
			continue // a sort hint, never a reason to fail a search
		}
		var rec struct {
			TypicalPrices []TypicalPrice `json:"typical_prices"`
		}
		if json.Unmarshal(src, &rec) != nil || len(rec.TypicalPrices) == 0 {
			continue
		}
		row := make([]float32, len(countries.values))
		for i := range row {
			row[i] = float32(math.NaN())
		}
		for _, tp := range rec.TypicalPrices {
			cord, ok := countries.ordinal[tp.Country]
			if usd, known := ix.rates.ToUSD(tp.Amount, tp.Currency); ok && known {
				row[cord] = float32(usd)
			}
		}
		out[ord] = row
	}
	return out
}

// priceKey is an offer's key in a price sort (see typicalTier).
func (ix *Index) priceKey(doc uint32, desc bool, typical [][]float32) float64 {
	if p := ix.cols.price[doc]; !math.IsNaN(p) || typical == nil {
		return p
	}
	tord, ok := ix.cols.keywords[fieldTreatmentID].first(doc)
	if !ok || int(tord) >= len(typical) || typical[tord] == nil {
		return math.NaN()
	}
	cord, ok := ix.cols.keywords[fieldCountry].first(doc)
	if !ok || !ix.cols.keywords[fieldType].bitmap(TypeOffer).Contains(doc) {
		return math.NaN()
	}
	ref := float64(typical[tord][cord])
	if desc {
		return ref - typicalTier
	}
	return typicalTier + ref
}
