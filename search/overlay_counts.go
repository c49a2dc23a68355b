package search

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// Counts: a treatment's record counts its offers and spans their prices in
// dollars (OfferCount, PriceSpan), so every offer that comes, goes, moves or
// changes price changes its treatment's record. Reading that record again
// from PostgreSQL means reading every offer of the treatment (thousands),
// for each batch that touches one: most of what following the change log
// cost the database. The overlay holds every live offer's treatment and
// its price as stated (the treatment_id, price_amount and price_currency
// columns of the generation and of each segment), so it counts them
// itself, exactly as a build does (PriceSpan over the same PriceStats).

// Recount adds to records, a batch about to be applied to o, the
// treatments with the given ids whose offer count or price span the batch
// changes: each a copy of the treatment's live record with the new count
// and span, at rates. A treatment records holds already (read with the
// batch), or o holds nowhere, is left alone. The overlay must convert
// rates itself (ConvertsRates: its indexes hold each offer's amount).
func (o *Overlay) Recount(ctx context.Context, rates Rates, records map[string]*Record, ids []int64) error {
	_, err := o.recount(ctx, rates, records, ids, true)
	return err
}

// recount is Recount; with unmoved, a treatment whose offers the batch
// moves only inside its recorded span is not counted (priceMoves.inside).
// It returns how many were not.
func (o *Overlay) recount(ctx context.Context, rates Rates, records map[string]*Record, ids []int64, unmoved bool) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if !o.gen.ConvertsRates() {
		return 0, fmt.Errorf("overlay: count treatments' offers: the generation holds no offer amounts; read the treatments")
	}
	// The documents the batch replaces, in the base and in each segment.
	replaced, err := o.replacedBy(records)
	if err != nil {
		return 0, err
	}
	batch := map[int64][]*Record{} // the batch's live offers, by treatment
	for _, r := range records {
		if r != nil && r.Type == TypeOffer && r.Treatment != nil {
			batch[r.Treatment.ID] = append(batch[r.Treatment.ID], r)
		}
	}
	var moved map[int64]*priceMoves
	if unmoved && sameRates(rates, o.base.rates) {
		moved = o.priceMoves(replaced, batch, rates)
	}
	counts, left := newOfferCounts(), 0
	for _, id := range ids {
		key := DocID(TypeTreatment, id)
		if _, ok := records[key]; ok {
			continue
		}
		// The record searches show (kept decoded): an unmoved treatment
		// keeps its span, and its count moves by the offers the batch
		// adds and takes away, without counting or decoding it again.
		if m := moved[id]; m != nil {
			if t := o.treatment(ctx, id); t != nil && m.inside(t.PriceSpan) {
				if n := t.OfferCount + m.added - m.removed; n != t.OfferCount {
					r := *t
					r.OfferCount = n
					records[key] = &r
				}
				left++
				continue
			}
		}
		old, err := o.liveRecord(ctx, key)
		if err != nil {
			return left, fmt.Errorf("overlay: count the offers of treatment %d: %w", id, err)
		}
		if old == nil {
			continue
		}
		counts.reset()
		counts.index(o.base, id, o.deleted, replaced[0])
		for i, s := range o.segs {
			counts.index(s.view, id, s.deleted, replaced[i+1])
		}
		for _, r := range batch[id] {
			amount, currency, priced := offerAmount(r)
			counts.add(amount, currency, priced)
		}
		span := PriceSpan(counts.sorted(), rates)
		if old.OfferCount == counts.n && eqPtr(old.PriceSpan, span) {
			continue
		}
		r := *old
		r.OfferCount, r.PriceSpan = counts.n, span
		records[key] = &r
	}
	return left, nil
}

// priceMoves is what a batch does to one treatment's offers: how many it
// adds (the batch's offers of the treatment) and takes away (the live
// copies they and the batch's other records replace), and what each of
// those is priced at in dollars.
type priceMoves struct {
	added, removed int
	usd            []float64
	unknown        bool // one is priced in a currency without a rate
}

// inside reports whether the moves leave the span of a treatment
// recorded as span (its live record's price span at the same rates) as
// it is: each price gone and come strictly inside the span, past its
// rounding. A price that is neither end of the span cannot make one when
// it goes, nor move one when it comes, so the span a recount would find
// is the record's, and its count the record's plus the offers added less
// those taken away. Most changes to a treatment's offers are such (a
// price a few percent up or down, an offer added or withdrawn among the
// treatment's thousands), and a recount of the treatment was a quarter
// of what the follower spent applying a batch.
func (m *priceMoves) inside(span *MoneyRange) bool {
	if m == nil || span == nil || m.unknown {
		return false
	}
	for _, usd := range m.usd {
		if !(usd > span.Min+0.5 && usd < span.Max-0.5) {
			return false
		}
	}
	return true
}

// priceMoves gathers, by treatment id, what the batch does to each
// treatment's offers: batch is its live offers by treatment, replaced the
// documents it replaces in the base and in each segment (replacedBy), of
// which those the overlay holds live are the offers it takes away.
func (o *Overlay) priceMoves(replaced []*roaring.Bitmap, batch map[int64][]*Record, rates Rates) map[int64]*priceMoves {
	moved := map[int64]*priceMoves{}
	of := func(id int64) *priceMoves {
		m := moved[id]
		if m == nil {
			m = &priceMoves{}
			moved[id] = m
		}
		return m
	}
	price := func(m *priceMoves, amount float64, currency string, priced bool) {
		if !priced || currency == "" {
			return
		}
		usd, ok := rates.ToUSD(amount, currency)
		m.unknown = m.unknown || !ok
		m.usd = append(m.usd, usd)
	}
	for id, rs := range batch {
		m := of(id)
		for _, r := range rs {
			m.added++
			amount, currency, priced := offerAmount(r)
			price(m, amount, currency, priced)
		}
	}
	removed := func(ix *Index, docs *roaring.Bitmap, dead func(doc uint32) bool) {
		tcol := ix.cols.keywords[fieldTreatmentID]
		if tcol == nil {
			return
		}
		docs.Iterate(func(doc uint32) bool {
			ord, ok := tcol.first(doc)
			if !ok || dead(doc) || int(ord) >= len(ix.cols.treatmentOffers) || !ix.cols.treatmentOffers[ord].Contains(doc) {
				return true // not a live offer of a treatment
			}
			id, err := strconv.ParseInt(tcol.values[ord], 10, 64)
			if err != nil {
				return true
			}
			m := of(id)
			m.removed++
			amount, currency := offerAmountAt(ix.cols, ix.cols.currency, doc)
			price(m, amount, currency, !math.IsNaN(amount))
			return true
		})
	}
	removed(o.base, replaced[0], func(doc uint32) bool { return o.deleted != nil && o.deleted.Contains(doc) })
	for i, s := range o.segs {
		removed(s.view, replaced[i+1], s.dead)
	}
	return moved
}

// TreatmentsPricedIn lists the treatments that have an offer priced in
// any of currencies, live or not, in the generation or a segment: those
// whose price spans a change of the currencies' rates can move. Recount
// leaves alone those it finds unchanged.
func (o *Overlay) TreatmentsPricedIn(currencies []string) []int64 {
	ids := map[int64]bool{}
	for _, ix := range o.indexes() {
		priced := ix.cols.currency.anyOf(currencies)
		if priced.IsEmpty() {
			continue
		}
		tcol := ix.cols.keywords[fieldTreatmentID]
		for ord, offers := range ix.cols.treatmentOffers {
			if ord < len(tcol.values) && offers.Intersects(priced) {
				if id, err := strconv.ParseInt(tcol.values[ord], 10, 64); err == nil {
					ids[id] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(ids))
}

// indexes are the generation (at the overlay's rates) and each segment.
func (o *Overlay) indexes() []*Index {
	out := []*Index{o.base}
	for _, s := range o.segs {
		out = append(out, s.view)
	}
	return out
}

// replacedBy returns the documents of the base (first) and of each
// segment that records replace.
func (o *Overlay) replacedBy(records map[string]*Record) ([]*roaring.Bitmap, error) {
	out := make([]*roaring.Bitmap, len(o.segs)+1)
	for i := range out {
		out[i] = roaring.New()
	}
	for key := range records {
		doc, has, err := o.gen.baseDoc(key)
		if err != nil {
			return nil, fmt.Errorf("overlay: look up %s: %w", key, err)
		}
		if has {
			out[0].Add(doc)
		}
		for i, s := range o.segs {
			if doc, ok := s.docs[key]; ok {
				out[i+1].Add(doc)
			}
		}
	}
	return out, nil
}

// offerCounts gathers a treatment's offers: how many, and the lowest and
// highest amount in each currency of those priced.
// One is reused for every treatment a batch recounts (reset): a batch
// recounts dozens, each in dozens of currencies, and a map and a stat
// made afresh for each were a sixth of what the follower allocated.
type offerCounts struct {
	n     int
	stats map[string]PriceStat
	keys  []string    // sorted's, reused
	out   []PriceStat // sorted's, reused
}

func newOfferCounts() *offerCounts { return &offerCounts{stats: map[string]PriceStat{}} }

// reset empties c for the next treatment, keeping what it has made.
func (c *offerCounts) reset() {
	c.n = 0
	clear(c.stats)
}

func (c *offerCounts) add(amount float64, currency string, priced bool) {
	c.n++
	if !priced || currency == "" {
		return
	}
	c.stretch(currency, amount, amount)
}

// index adds the offers of treatment id in ix that are neither dead nor
// replaced.
func (c *offerCounts) index(ix *Index, id int64, dead, replaced *roaring.Bitmap) {
	ord, ok := ix.cols.keywords[fieldTreatmentID].ordinal[itoa(id)]
	if !ok || int(ord) >= len(ix.cols.treatmentOffers) {
		return
	}
	if ix.spans != nil {
		c.span(ix.spans.of(ix.cols, ord), ix.cols.treatmentOffers[ord], dead, replaced)
		return
	}
	docs := roaring.AndNot(ix.cols.treatmentOffers[ord], replaced)
	if dead != nil {
		docs.AndNot(dead)
	}
	cur := ix.cols.currency
	docs.Iterate(func(doc uint32) bool {
		amount, currency := offerAmountAt(ix.cols, cur, doc)
		c.add(amount, currency, !math.IsNaN(amount))
		return true
	})
}

// offerAmountAt is doc's price as stated: its amount (NaN: unpriced) and
// currency ("" when it has none).
func offerAmountAt(cols *columns, cur *keywordColumn, doc uint32) (float64, string) {
	amount, currency := cols.amount[doc], ""
	if ord, ok := cur.first(doc); ok {
		currency = cur.values[ord]
	}
	return amount, currency
}

// span adds a treatment's offers, all of docs but the dead and replaced,
// from their spans: the count by cardinalities, and each currency's lowest
// and highest amount from the ends of its list inwards, past the few left
// out. What index would add document by document, without visiting the
// thousands of a treatment's offers a batch did not touch.
func (c *offerCounts) span(sp *treatmentSpan, docs, dead, replaced *roaring.Bitmap) {
	out := func(doc uint32) bool {
		return replaced.Contains(doc) || dead != nil && dead.Contains(doc)
	}
	// By containers, not by document: a catch-up's batch replaces
	// thousands, and every treatment is recounted.
	n := docs.GetCardinality()
	gone := roaring.And(docs, replaced) // the treatment's offers the batch replaces
	if dead != nil {
		n -= docs.AndCardinality(dead)
		gone.AndNot(dead) // those dead are counted out already
	}
	n -= gone.GetCardinality()
	c.n += int(n)
	from := uint32(0)
	for i, currency := range sp.currencies {
		docs, amounts := sp.docs[from:sp.ends[i]], sp.amounts[from:sp.ends[i]]
		from = sp.ends[i]
		lo := slices.IndexFunc(docs, func(doc uint32) bool { return !out(doc) })
		if lo < 0 {
			continue
		}
		hi := len(docs) - 1
		for out(docs[hi]) {
			hi--
		}
		c.stretch(currency, amounts[lo], amounts[hi])
	}
}

// stretch widens the currency's span to [lo, hi].
func (c *offerCounts) stretch(currency string, lo, hi float64) {
	if st, ok := c.stats[currency]; ok {
		lo, hi = min(st.Min, lo), max(st.Max, hi)
	}
	c.stats[currency] = PriceStat{Currency: currency, Min: lo, Max: hi}
}

// offerSpans holds, for each treatment of a generation, its priced offers
// by currency in order of amount: made the first time an overlay recounts
// the treatment, and kept, as a generation never changes. A view of the
// generation (other rates, other stars) shares them: amounts are as
// stated, whatever the rates.
type offerSpans struct {
	mu    sync.Mutex
	spans map[uint32]*treatmentSpan
}

// treatmentSpan is one treatment's priced offers by currency, each
// currency's lowest amount first, kept flat (a few objects a treatment, not
// two per currency, for the collector to mark): currency i's offers are
// docs[ends[i-1]:ends[i]], at amounts[ends[i-1]:ends[i]].
type treatmentSpan struct {
	currencies []string
	ends       []uint32
	docs       []uint32
	amounts    []float64
}

// of returns the span of the treatment with ordinal ord in cols.
func (s *offerSpans) of(cols *columns, ord uint32) *treatmentSpan {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp := s.spans[ord]; sp != nil {
		return sp
	}
	type priced struct {
		doc    uint32
		amount float64
	}
	by := map[string][]priced{}
	cols.treatmentOffers[ord].Iterate(func(doc uint32) bool {
		if amount, currency := offerAmountAt(cols, cols.currency, doc); !math.IsNaN(amount) && currency != "" {
			by[currency] = append(by[currency], priced{doc, amount})
		}
		return true
	})
	n := 0
	for _, l := range by {
		n += len(l)
	}
	sp := &treatmentSpan{currencies: slices.Sorted(maps.Keys(by)), docs: make([]uint32, 0, n), amounts: make([]float64, 0, n)}
	sp.ends = make([]uint32, len(sp.currencies))
	for i, currency := range sp.currencies {
		l := by[currency]
		slices.SortStableFunc(l, func(a, b priced) int { return cmp.Compare(a.amount, b.amount) })
		for _, p := range l {
			sp.docs, sp.amounts = append(sp.docs, p.doc), append(sp.amounts, p.amount)
		}
		sp.ends[i] = uint32(len(sp.docs))
	}
	if s.spans == nil {
		s.spans = map[uint32]*treatmentSpan{}
	}
	s.spans[ord] = sp
	return sp
}

// sorted is the stats by currency, valid until c is next used.
func (c *offerCounts) sorted() []PriceStat {
	c.keys = c.keys[:0]
	for k := range c.stats {
		c.keys = append(c.keys, k)
	}
	slices.Sort(c.keys)
	c.out = c.out[:0]
	for _, k := range c.keys {
		c.out = append(c.out, c.stats[k])
	}
	return c.out
}
