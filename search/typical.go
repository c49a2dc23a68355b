package search

import (
	"encoding/json"
	"math"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
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
// and country ordinal (NaN: none), converted at the index's rates from
// the references as its treatments' documents state them (typicalRefs,
// which every view of the index shares: a view at new rates converts
// them again, and reads no document).
type typicalPrices struct {
	refs *typicalRefs
	once sync.Once
	usd  [][]float32
}

// typicalRefs are an index's references as stated, by treatment ordinal,
// read on first use.
type typicalRefs struct {
	once   sync.Once
	stated [][]TypicalPrice
}

func newTypicalPrices() *typicalPrices { return &typicalPrices{refs: &typicalRefs{}} }

// again returns t's references, to be converted anew (at other rates).
func (t *typicalPrices) again() *typicalPrices {
	if t == nil {
		return nil
	}
	return &typicalPrices{refs: t.refs}
}

func (ix *Index) typicalUSD() [][]float32 {
	t := ix.typical
	if t == nil {
		return nil
	}
	t.once.Do(func() {
		t.refs.once.Do(func() { t.refs.stated = ix.loadTypical() })
		t.usd = ix.typicalAt(t.refs.stated)
	})
	return t.usd
}

// loadTypical reads each treatment's references from its document.
func (ix *Index) loadTypical() [][]TypicalPrice {
	out := make([][]TypicalPrice, len(ix.cols.treatmentDoc))
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
		out[ord] = rec.TypicalPrices
	}
	return out
}

// typicalAt converts the references stated into USD at ix's rates.
func (ix *Index) typicalAt(stated [][]TypicalPrice) [][]float32 {
	countries := ix.cols.keywords[fieldCountry]
	out := make([][]float32, len(stated))
	for ord, tps := range stated {
		if len(tps) == 0 {
			continue
		}
		row := make([]float32, len(countries.values))
		for i := range row {
			row[i] = float32(math.NaN())
		}
		for _, tp := range tps {
			cord, ok := countries.ordinal[tp.Country]
			if usd, known := ix.rates.ToUSD(tp.Amount, tp.Currency); ok && known {
				row[cord] = float32(usd)
			}
		}
		out[ord] = row
	}
	return out
}

// typicalMoved returns the offers whose price key may differ between
// the references of a and b (views of one index at two rates): those of
// each treatment in each country whose reference changed.
func typicalMoved(cols *columns, a, b [][]float32) *roaring.Bitmap {
	moved := roaring.New()
	countries := cols.keywords[fieldCountry]
	inCountry := map[int]*roaring.Bitmap{} // a column of lists makes each anew
	for tord := range max(len(a), len(b)) {
		ra, rb := rowOf(a, tord), rowOf(b, tord)
		for cord := range max(len(ra), len(rb)) {
			x, y := cellOf(ra, cord), cellOf(rb, cord)
			if x == y || x != x && y != y { // the same, or both none
				continue
			}
			if tord >= len(cols.treatmentOffers) {
				continue
			}
			in, ok := inCountry[cord]
			if !ok {
				in = countries.valueBitmap(uint32(cord))
				inCountry[cord] = in
			}
			moved.Or(roaring.And(cols.treatmentOffers[tord], in))
		}
	}
	return moved
}

func rowOf(t [][]float32, i int) []float32 {
	if i < len(t) {
		return t[i]
	}
	return nil
}

func cellOf(row []float32, i int) float32 {
	if i < len(row) {
		return row[i]
	}
	return float32(math.NaN())
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
