package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Hit is one result: the record, its score, and its price in the patient's
// currency when one was asked for.
type Hit struct {
	Record
	Score          float64 `json:"score"`
	ConvertedPrice *Money  `json:"converted_price,omitempty"`
	// ConvertedPriceRange is an offer's price range, and ConvertedPriceSpan
	// a treatment's span of offer prices (price_span_usd),
	// in the patient's currency when one was asked for: what the price
	// bands and price filters compare in that currency.
	ConvertedPriceRange *MoneyRange `json:"converted_price_range,omitempty"`
	ConvertedPriceSpan  *MoneyRange `json:"converted_price_span,omitempty"`
	// DistanceKM is how far the hit is from the request's near point.
	DistanceKM *float64 `json:"distance_km,omitempty"`
	// Abroad says whether the hit is outside the patient's country (from=).
	Abroad *bool `json:"abroad,omitempty"`
	// Highlight shows where the query matched, by field ("name",
	// "treatment.name", …): the field's text, HTML-escaped, with each
	// matched word in <mark>…</mark>.
	Highlight map[string]string `json:"highlight,omitempty"`
	// Matched is the field that best shows why the hit matched the query:
	// for a treatment or offer often the lay name or translation the
	// patient typed (highlight.go).
	Matched *Match `json:"matched,omitempty"`
	// Explain says how the score was made (explain=true).
	Explain *Explanation `json:"explain,omitempty"`
}

// DidYouMean is a query that finds something when the patient's did not.
type DidYouMean struct {
	Query string `json:"q"`
	Total uint64 `json:"total"`
}

// FacetValue is one value of a facet and how many results have it.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is the answer to a Request.
type Result struct {
	Total   uint64                  `json:"total"`
	Page    int                     `json:"page"`
	PerPage int                     `json:"per_page"`
	Took    time.Duration           `json:"-"`
	Hits    []Hit                   `json:"hits"`
	Facets  map[string][]FacetValue `json:"facets,omitempty"`
	// Currency and RatesAsOf say which conversion was applied, if any.
	Currency  string     `json:"currency,omitempty"`
	RatesAsOf *time.Time `json:"rates_as_of,omitempty"`
	// Lang is the language the query was analysed in, "" for all of them.
	Lang string `json:"lang,omitempty"`
	// Expansions are the synonyms and typo corrections the query was also
	// read as.
	Expansions []Expansion `json:"expansions,omitempty"`
	// DidYouMean is offered when nothing matched.
	DidYouMean *DidYouMean `json:"did_you_mean,omitempty"`
	// About is what the search was about, for targeted posts and analytics.
	About About `json:"-"`
}

// About is what a search was about, read off the matching it did: no
// second search is needed to learn it.
type About struct {
	// Terms are the query's words analysed in its language (English when
	// it names none), stop words left out.
	Terms []string
	// Treatments are those the text found on their own names, lay names,
	// code, category or translations, best first.
	Treatments []int64
	// Categories are the category filters, then the found treatments'.
	Categories []string
}

// maxAboutTreatments bounds About.Treatments.
const maxAboutTreatments = 20

// Search runs a request against the index, its queries expanded with syn
// (nil: no synonyms). A request that did not come from ParseRequest is
// validated first; an invalid one returns an *Error.
func (ix *Index) Search(ctx context.Context, r Request, syn *Synonyms) (*Result, error) {
	ix.searches.Add(1)
	r, err := r.Validate(ix.rates)
	if err != nil {
		return nil, err
	}
	if r, err = ix.readIntents(ctx, r); err != nil {
		return nil, fmt.Errorf("search %q: %w", r.Query, err)
	}
	return withoutEmptyPlaces(r, func(r Request) (*Result, error) { return ix.search(ctx, r, syn) })
}

func (ix *Index) search(ctx context.Context, r Request, syn *Synonyms) (*Result, error) {
	return ix.searchAs(ctx, r, syn, nil, nil)
}

// searchAs is search with r's text understood as u already (nil: it is
// understood here; the caller releases a u it passes), its hits shown as
// the overlay o shows them (nil: ix's own): an overlay's search that none
// of its changes touch (cleanKeys) runs on its base view as the
// generation's runs.
func (ix *Index) searchAs(ctx context.Context, r Request, syn *Synonyms, u *understood, o *Overlay) (*Result, error) {
	start := time.Now()
	p, err := ix.compileAs(ctx, &r, syn, u)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", r.Query, err)
	}
	if p.m != nil {
		defer p.m.release()
	}
	if p.u != nil && u == nil {
		defer p.u.releaseHighlighters()
	}
	c := ix.newCollector(&r, p)
	defer c.release()
	if err := ix.run(ctx, p, c); err != nil {
		return nil, fmt.Errorf("search %q: %w", r.Query, err)
	}

	out := &Result{Total: c.total, Page: r.Page, PerPage: r.PerPage, Hits: []Hit{}, Lang: r.Lang}
	out.About = ix.about(&r, p)
	out.Expansions = expansions(&r, p.u)
	if r.Currency != "" {
		out.Currency = r.Currency
		asOf := ix.rates.AsOf
		out.RatesAsOf = &asOf
	}
	ranked := c.best.rankedFrom((r.Page - 1) * r.PerPage) // the page
	treatments := map[int64]*Record{}                     // the page's offers' treatments
	out.Hits = make([]Hit, 0, len(ranked))                // a Hit is large: grown by append, a page took three times its size
	for _, h := range ranked {
		hit, err := ix.pageHit(ctx, h, &r, p, p.u, ix.rates, o, treatments)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", r.Query, err)
		}
		out.Hits = append(out.Hits, hit)
	}
	if out.Total == 0 && p.u != nil && r.PerPage > 0 {
		if out.DidYouMean, err = ix.didYouMean(ctx, r, p.u, syn); err != nil {
			return nil, fmt.Errorf("search %q: did you mean: %w", r.Query, err)
		}
	}
	if len(r.Facets) > 0 {
		out.Facets = make(map[string][]FacetValue, len(r.Facets))
		for _, f := range c.facets {
			out.Facets[f.name] = topValues(f.col.values, f.counts, r.FacetSize)
		}
		if c.bands != nil {
			vs := make([]FacetValue, len(c.bands))
			for i, b := range c.bands {
				vs[i] = FacetValue{Value: b.name, Count: c.bandCnt[i]}
			}
			out.Facets[FacetPrice] = vs
		}
	}
	out.Took = time.Since(start)
	return out, nil
}

// pageHit is the hit of the candidate h, which p found in ix: its record
// with prices at rates, shown as the overlay o shows it (nil: as ix
// does), placed for r, and what of it matched u (nil: no words).
// treatments holds the page's offers' treatments, as they are read.
func (ix *Index) pageHit(ctx context.Context, h candidate, r *Request, p *plan, u *understood, rates Rates, o *Overlay, treatments map[int64]*Record) (Hit, error) {
	rec, err := ix.pageRecord(h.doc)
	if err != nil {
		return Hit{}, err
	}
	hit := hitOf(rec, h.score, r.Currency, rates)
	treatment := ix.treatment
	if o != nil {
		o.showStars(&hit.Record)
		treatment = o.treatment
	}
	ix.place(&hit, h.doc, r)
	if u != nil {
		hit.Highlight = highlightHit(&hit.Record, u)
		hit.Matched = matchOf(&hit.Record, offerTreatment(ctx, &hit.Record, treatments, treatment), u)
	}
	if r.Explain {
		hit.Explain = p.explain(&hit, h.doc)
	}
	return hit, nil
}

// expansions are what the query's words became: its intents, then the
// synonyms and corrections of its text.
func expansions(r *Request, u *understood) []Expansion {
	out := slices.Clone(r.intents)
	if u != nil {
		out = append(out, u.expansions...)
	}
	return out
}

// newCollector makes the collector of a compiled request, with its facets
// and price bands. (Split out of Search so that an Overlay collects from
// its base and its delta the same way; see overlay.go.)
func (ix *Index) newCollector(r *Request, p *plan) *collector {
	c := &collector{ix: ix, cols: ix.cols, p: p, best: candidates{sort: r.Sort}}
	if r.Sort == SortPriceAsc || r.Sort == SortPriceDesc {
		c.typical = ix.typicalUSD()
	}
	for _, f := range r.Facets {
		if f == FacetPrice {
			c.bands = bandsFor(r.Currency, ix.rates)
			c.bandCnt = make([]int, len(c.bands))
			for _, b := range c.bands {
				lo := 0.0
				if b.min != nil {
					lo = *usdBound(b.min, r.Currency, ix.rates)
				}
				c.bandUSD = append(c.bandUSD, lo)
			}
			continue
		}
		filter, _ := filterNamed(f) // Validate checked that it is a facet
		col := ix.cols.keywords[filter.Field]
		c.facets = append(c.facets, facetCounts{name: f, col: col, counts: facetCountsOf(len(col.values))})
	}
	return c
}

// facetCountPool holds facet count arrays for collectors to reuse: one is
// as long as its column has values (every city), and each facet of every
// search, on the generation and on each segment, made one.
var facetCountPool sync.Pool

// facetCountsOf returns n zero counts, from facetCountPool when it holds
// an array long enough.
func facetCountsOf(n int) []int {
	counts := fromPool[int](&facetCountPool, n)
	clear(counts)
	return counts
}

// release gives c's facet counts back to facetCountPool; c's counts are
// not read after it.
func (c *collector) release() {
	for i := range c.facets {
		if counts := c.facets[i].counts; counts != nil {
			toPool(&facetCountPool, counts)
			c.facets[i].counts = nil
		}
	}
}

// place adds the hit's distance from the patient and whether it is abroad.
func (ix *Index) place(h *Hit, doc uint32, r *Request) {
	if r.Near != nil {
		if d := ix.cols.distanceKM(doc, r.Near); !math.IsNaN(d) {
			d = math.Round(d*10) / 10
			h.DistanceKM = &d
		}
	}
	if r.From != "" {
		country := ix.cols.keywords[fieldCountry]
		if ord, ok := country.first(doc); ok {
			abroad := country.values[ord] != r.From
			h.Abroad = &abroad
		}
	}
}

// topValues lists the n most frequent values, by count then value.
//
// Only the best n are kept as the counts are read: a facet of cities
// has thousands of values, and listing them all to show ten was a
// twentieth of what a search allocated at a million offers.
func topValues(values []string, counts []int, n int) []FacetValue {
	before := func(a, b FacetValue) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	}
	out := make([]FacetValue, 0, min(n, 64))
	for ord, cnt := range counts {
		if cnt <= 0 || n <= 0 {
			continue
		}
		v := FacetValue{Value: values[ord], Count: cnt}
		if len(out) == n && before(v, out[n-1]) >= 0 {
			continue // not among the best n
		}
		at, _ := slices.BinarySearchFunc(out, v, before)
		if len(out) == n {
			out = out[:n-1]
		}
		out = slices.Insert(out, at, v)
	}
	return out
}

// maxPageRecordBytes bounds each of the two maps of records a generation
// keeps for its pages (pageRecord): at a million offers a record holds
// about 1.5 KB, so a map holds about ten thousand, the first pages of a
// thousand searches.
const maxPageRecordBytes = 16 << 20

// pageRecord is doc's record as a page shows it, decoded once and kept
// by a generation (Index.records), for the pages after that show it
// again: decoding a page's records was a sixth of a text search at a
// million offers. An overlay's segment keeps its own (segmentRecordBytes).
// Only read it: hitOf copies what a hit changes.
func (ix *Index) pageRecord(doc uint32) (*Record, error) {
	if rec, ok := ix.records.get(doc); ok {
		return rec, nil
	}
	rec, size, err := ix.decodedRecord(doc)
	if err != nil {
		return nil, fmt.Errorf("load hit: %w", err)
	}
	ix.records.put(doc, rec, recordBytes(size))
	return rec, nil
}

// decodedRecord is doc's record, decoded afresh for the caller to keep,
// and the size of its stored JSON.
func (ix *Index) decodedRecord(doc uint32) (*Record, int, error) {
	src, err := ix.source(doc)
	if err != nil {
		return nil, 0, err
	}
	if src == nil {
		return nil, 0, fmt.Errorf("document %d has no record", doc)
	}
	rec := new(Record)
	if err := decodeRecord(src, rec); err != nil {
		return nil, 0, fmt.Errorf("decode document %d: %w", doc, err)
	}
	return rec, len(src), nil
}

// segmentRecordBytes bounds each of the two maps of records an overlay's
// segment keeps for its pages: a segment holds a second's changes, or a
// merge of a few thousand, and a search whose answer they changed shows
// some of them on every page.
const segmentRecordBytes = 1 << 20

// recordBytes is about what a record decoded from size bytes of JSON holds on the heap:
// its strings and the headers, pointers and maps around them (1.5 KB for
// the 610 bytes of an average record at a million offers).
func recordBytes(size int) int { return 256 + 2*size }

// hitOf is the hit of rec, scored score, with its prices converted into
// currency at rates ("": not converted). rec is only read: what the
// conversion writes (the typical prices) is copied first.
func hitOf(rec *Record, score float64, currency string, rates Rates) Hit {
	hit := Hit{Record: *rec, Score: score}
	if math.IsNaN(hit.Score) || math.IsInf(hit.Score, 0) {
		hit.Score = 0
	}
	if currency == "" {
		return hit
	}
	if hit.Price != nil {
		if v, ok := convert(hit.Price.Amount, hit.Price.Currency, currency, rates); ok {
			hit.ConvertedPrice = &Money{Amount: v, Currency: currency}
		}
	}
	if hit.TypicalPrice != nil {
		t := *hit.TypicalPrice
		hit.TypicalPrice = &t
	}
	hit.TypicalPrices = slices.Clone(hit.TypicalPrices)
	hit.ConvertTypicalPrices(currency, rates)
	hit.ConvertedPriceRange = convertRange(hit.PriceRange, currency, rates)
	hit.ConvertedPriceSpan = convertRange(hit.PriceSpan, currency, rates)
	return hit
}

// convert converts amount from one currency to another through dollars,
// to the cent.
func convert(amount float64, from, to string, rates Rates) (float64, bool) {
	usd, ok := rates.ToUSD(amount, from)
	if !ok {
		return 0, false
	}
	v, ok := rates.FromUSD(usd, to)
	return math.Round(v*100) / 100, ok
}

func convertRange(r *MoneyRange, to string, rates Rates) *MoneyRange {
	if r == nil {
		return nil
	}
	lo, ok1 := convert(r.Min, r.Currency, to, rates)
	hi, ok2 := convert(r.Max, r.Currency, to, rates)
	if !ok1 || !ok2 {
		return nil
	}
	return &MoneyRange{Min: lo, Max: hi, Currency: to}
}

// offerTreatment is an offer's treatment record, read once per page
// (cache) through treatment: offers carry no copy of their treatment's
// lay names and translations, which are often what the patient typed. nil
// for other records, or when it cannot be read (then only its name
// shows). The record is shared: only read it.
func offerTreatment(ctx context.Context, r *Record, cache map[int64]*Record,
	treatment func(context.Context, int64) *Record) *Record {
	if r.Type != TypeOffer || r.Treatment == nil {
		return nil
	}
	t, ok := cache[r.Treatment.ID]
	if !ok {
		t = treatment(ctx, r.Treatment.ID)
		cache[r.Treatment.ID] = t
	}
	return t
}

// treatmentCache keeps a generation's treatment records as treatment
// decodes them: a generation never changes, and most text searches
// decode a few treatments (offerTreatment), whose translations and lay
// names make them the largest records. It holds at most every treatment
// of the generation.
type treatmentCache struct{ m sync.Map } // id → *Record

// treatment is treatment id's record, decoded once per generation (nil:
// none, or it cannot be read). Only read it.
func (ix *Index) treatment(ctx context.Context, id int64) *Record {
	if ix.treatments != nil {
		if t, ok := ix.treatments.m.Load(id); ok {
			return t.(*Record)
		}
	}
	t, err := ix.Get(ctx, TypeTreatment, id)
	if err != nil {
		return nil
	}
	if ix.treatments != nil {
		ix.treatments.m.Store(id, t)
	}
	return t
}
