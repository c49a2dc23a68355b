package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// An Overlay is a generation with the changes made since it was built
// applied on top, without writing the generation: its base documents that
// were replaced or removed are left out (deleted), and the changed and new
// records live in small in-memory indexes built with the same mapping
// (segments, overlay_segments.go). A search runs on the base and on every
// segment and merges them:
//
//   - totals add; facet counts add by value; price bands add by band: every
//     count is exact, as a rebuild over the same records would give;
//   - the query is understood once, on the base, and that same reading
//     (terms, synonyms, typo corrections) is matched in every part, so all
//     match the same alternatives;
//   - hits merge by the sort key, then score. Scores of two indexes are
//     only comparable roughly (tf-idf counts documents per index, and a
//     base's idf still counts its deleted documents), so under
//     sort=relevance the order may differ a little from a rebuild's; the
//     set of results and every count do not;
//   - a page is taken from the merged order: each part keeps its best
//     page × per_page.
//
// Offers are matched through their treatment's and facility's documents
// (match.go), and inherit their columns from them (columns.inherit), within
// one index. So a segment holds, besides the changed records, the treatment
// and facility of every offer and doctor in it and the treatments of every
// facility in it (Needs lists them; the caller reads them as they are
// now), and every live offer, facility and doctor of the base or an older
// segment whose treatment's text changed. Those owners may be left out
// (deleted) in the segment where an offer joins through them: the join
// reads every document, live or not, and their text is still current. The
// base needs nothing: an offer left in the base has a treatment and
// facility whose text and values are unchanged (Source.Impact re-reads
// every offer of a changed treatment; Needs every offer and doctor of a
// facility they would show otherwise), but for its facility's rating and
// review count, which the overlay patches in (overlay_stars.go).
//
// An Overlay is immutable: Apply makes a new one that shares the
// generation and the segments (their deletion bitmaps are copied when the
// batch deletes from them), so a snapshot in flight never sees a change.
// Close releases the overlay's hold on its segments, never the generation.
type Overlay struct {
	gen     *Index          // the generation as opened (not owned)
	base    *Index          // the generation seen at the overlay's rates
	deleted *roaring.Bitmap // base documents replaced or removed
	deadSet *deadDocs       // deleted, as searches test it (seal)
	segs    []segView       // oldest first; a record is live in one place at most
	// stars holds, by id, the stars now of the facilities whose stars
	// changed since the generation without their offers and doctors being
	// re-indexed (overlay_stars.go).
	stars map[int64]stars
	// patched are base's rating and trust columns when it patched stars
	// into copies (nil: the generation's), held until Close.
	patched *patchedColumns
	// clean is what is known of the searches made on it and before
	// (overlay_clean.go); nil when it changes nothing.
	clean *cleanKeys
	// treatments are the treatments it shows otherwise than gen
	// (changedTreatments).
	treatments map[int64]*Record
	// untouched counts the searches that found nothing it changed among
	// their matches (Untouched).
	untouched atomic.Uint64
}

// NewOverlay builds the overlay of gen holding records, by DocID: records
// changed since gen was built, as they are now, nil when deleted. rates
// are the exchange rates now: the segment's dollar prices are converted
// with them, and searches filter, band and convert with them. Records must
// hold what gen.Needs lists.
func NewOverlay(ctx context.Context, gen *Index, rates Rates, records map[string]*Record) (*Overlay, error) {
	o := &Overlay{gen: gen, base: gen, deleted: roaring.New()}
	return o.Apply(ctx, rates, records)
}

// memIndex indexes records, under keys (their DocIDs, as the caller keeps
// them: a segment holds each record's key in its maps and in its index,
// and one string serves them all), into a segment (memsegment.go) with the
// generation's mapping, and loads its columns as Open does. It counts no
// vocabulary: an overlay's searches are understood, typos corrected, by
// its generation (Overlay.search), and a word only a segment holds is
// told apart by the segment's terms (knownInDelta). Counted, a segment's
// words were never read, and every batch and merge tokenized and folded
// every name of each treatment it held, in every language: 6% of what
// the follower allocated under bench fresh's writes (run 539).
// The records whose DocIDs owner reports (nil: none) are indexed only to
// be joined through (joinDocument): the caller leaves them out of every
// search. Documents prior holds (nil: none) are reused where they still
// hold; the others are analysed by workers goroutines
// (overlay_analysis.go). Document number i is records[i]'s. It returns
// every record's document, by the index of records.
func memIndex(ctx context.Context, keys []string, records []*Record, owner func(key string) bool, rates Rates,
	prior func(key string, join bool) *analyzed, workers int) (*Index, []*analyzed, error) {
	m := sharedMapping()
	fail := func(what string, err error) (*Index, []*analyzed, error) {
		return nil, nil, fmt.Errorf("overlay: segment: %s: %w", what, err)
	}
	kept, err := analyzeAll(m, keys, records, owner, rates, prior, workers)
	if err != nil {
		return fail("analyse", err)
	}
	seg, err := newMemSegment(keys, kept)
	if err != nil {
		return fail("index", err)
	}
	ix := &Index{reader: seg, mem: seg, mapping: m, rates: rates, typical: newTypicalPrices(),
		records: newKept[uint32, *Record](segmentRecordBytes)}
	if ix.cols, err = loadColumns(ctx, seg); err != nil {
		return fail("columns", err)
	}
	ix.cols.split() // as openWith does
	ix.cols.listsOver(segmentListsOver)
	// As Open does: made by the caller (the follower, a merge), not by the
	// segment's first search sorted by price, which would wait for it.
	ix.typicalUSD()
	return ix, kept, nil
}

// atRates is ix seen with other exchange rates: the same reader and
// columns, but for the dollar prices of the offers priced in a currency
// whose rate changed, converted again from their own amounts (a copy of
// the price column). An index built before those amounts were indexed
// keeps its build's dollar prices: ConvertsRates says so, and the caller
// re-reads those offers into a segment instead.
func (ix *Index) atRates(rates Rates) *Index {
	n := ix.viewWith(ix.cols, rates, ix.typical.again())
	if ix.cols.converts {
		// The references are converted now, by the caller (the follower),
		// where a search would wait for them; the offers they and the
		// prices in a changed currency move are the price orders' to
		// remake (atOtherRates).
		n.cols = ix.cols.atRates(ix.rates, rates, func() *roaring.Bitmap {
			return typicalMoved(ix.cols, ix.typicalUSD(), n.typicalUSD())
		})
	}
	n.typicalUSD()
	return n
}

// viewWith is ix seen with other columns, rates and typical prices: the
// same reader, mapping, vocabulary, places, offer spans, treatments,
// queries understood and records shown.
func (ix *Index) viewWith(cols *columns, rates Rates, typical *typicalPrices) *Index {
	return &Index{path: ix.path, idx: ix.idx, reader: ix.reader, zap: ix.zap, mem: ix.mem, mapping: ix.mapping,
		cols: cols, rates: rates, vocab: ix.vocab, placeSet: ix.placeSet, typical: typical, spans: ix.spans,
		treatments: ix.treatments, understood: ix.understood, records: ix.records}
}

// ConvertsRates reports whether the index converts its offers' prices at
// new exchange rates itself (see atRates).
func (ix *Index) ConvertsRates() bool { return ix.cols.converts }

// sameRates reports whether a and b convert every currency alike.
func sameRates(a, b Rates) bool { return maps.Equal(a.Rates, b.Rates) }

// Close releases the overlay's hold on its segments; a segment closes
// when no overlay holds it. The generation stays open.
func (o *Overlay) Close() error {
	o.patched.release()
	o.patched = nil
	var errs []error
	for _, s := range o.segs {
		errs = append(errs, s.release())
	}
	return errors.Join(errs...)
}

// Rates are the exchange rates the overlay converts with.
func (o *Overlay) Rates() Rates { return o.base.rates }

// Deleted is how many of the generation's documents the overlay leaves
// out.
func (o *Overlay) Deleted() uint64 { return o.deleted.GetCardinality() }

// Changed is how many records the overlay's segments hold live.
func (o *Overlay) Changed() uint64 {
	var n uint64
	for _, s := range o.segs {
		n += s.live()
	}
	return n
}

// Untouched is how many searches found nothing o changed among their
// matches: none left out of the generation (they were collected there
// as the generation collects them, cleanKeys) and none in a segment.
// bench overlay tells its queries apart by it.
func (o *Overlay) Untouched() uint64 { return o.untouched.Load() }

// Segments is how many segments the overlay holds.
func (o *Overlay) Segments() int { return len(o.segs) }

// Needs lists the records a segment holding records must hold too, by
// type, leaving out those records holds already, as the generation alone
// sees it (an overlay with no segments). See Overlay.Needs.
func (ix *Index) Needs(ctx context.Context, records map[string]*Record) (map[string][]int64, error) {
	o := &Overlay{gen: ix, base: ix, deleted: roaring.New()}
	return o.Needs(ctx, records)
}

// Needs lists the records a segment holding records (one batch) must hold
// too, by type, leaving out those records holds already. Read them as they
// are now, add them, and ask again until it returns nothing. A segment
// needs every live offer, facility and doctor of the generation or of an
// older segment that joins a treatment whose text (name, category, lay
// names, code, translations) is not what the overlay holds live: they
// match through a copy of the treatment's document that holds the old
// text. And every live offer and doctor of a facility they would show
// otherwise (its name, place, kind, accreditations or languages).
// Source.Impact already re-reads them for a change to the treatment's row;
// this covers a translation, which it does not fan out.
//
// The owners a segment's records join through (the treatment and facility
// of each offer and doctor, the treatments of each facility) Apply copies
// from where they are live in the overlay, as documents the segment holds
// deleted: joined and inherited from, never hits. Needs lists only those
// the overlay does not hold live at all (one inserted after the batch was
// read, say).
func (o *Overlay) Needs(ctx context.Context, records map[string]*Record) (map[string][]int64, error) {
	need := needSet{records: records, ids: map[string]map[int64]bool{}}
	if err := need.owners(o.holdsLive); err != nil {
		return nil, err
	}
	shown, err := o.shownChanges(ctx, records, TypeTreatment, TypeFacility)
	if err != nil {
		return nil, err
	}
	retexted, restyled := shown.retexted, shown.restyled
	if err := o.gen.fanOut(&need, o.deleted, retexted, restyled); err != nil {
		return nil, err
	}
	for _, s := range o.segs {
		if err := s.ix.fanOut(&need, s.deleted, retexted, restyled); err != nil {
			return nil, err
		}
	}
	return need.sorted(), nil
}

// holdsLive reports whether the overlay holds the record with DocID key
// live anywhere, without reading it.
func (o *Overlay) holdsLive(key string) (bool, error) {
	for _, s := range o.segs {
		if s.holdsLive(key) {
			return true, nil
		}
	}
	doc, has, err := o.gen.baseDoc(key)
	if err != nil {
		return false, fmt.Errorf("overlay: look up %s: %w", key, err)
	}
	return has && !o.deleted.Contains(doc), nil
}

// Held returns the record of type typ with id as the overlay holds it
// live (the newest segment holding it live, else the generation), as it
// was indexed: without the stars its facility has now (Get shows them).
// It returns nil when the overlay holds it nowhere.
func (o *Overlay) Held(ctx context.Context, typ string, id int64) (*Record, error) {
	return o.liveRecord(ctx, DocID(typ, id))
}

// liveRecord returns the record with DocID key where the overlay holds it
// live (the newest segment holding it live, else the generation), nil when
// it holds it nowhere.
func (o *Overlay) liveRecord(ctx context.Context, key string) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s := o.newestLive(key); s != nil {
		return s.record(key), nil
	}
	doc, has, err := o.gen.baseDoc(key)
	if err != nil {
		return nil, fmt.Errorf("overlay: look up %s: %w", key, err)
	}
	if !has || o.deleted.Contains(doc) {
		return nil, nil
	}
	// Unchanged since the generation: a segment that holds it (dead, an
	// owner its records join through) holds the generation's copy, already
	// read. Reading it again made every batch decode each treatment and
	// facility it joins, half of what a batch allocated, and a new copy
	// that the documents analysed before could not be reused for
	// (analyzed.reusable).
	for i := len(o.segs) - 1; i >= 0; i-- {
		if r := o.segs[i].record(key); r != nil {
			return r, nil
		}
	}
	// Decoded afresh, not the generation's kept copy (pageRecord), which
	// searches read while this one is interned: a segment may keep it, an
	// owner of its records or a patched record's base. Read by number: the
	// way Get reads (Bleve's Document) looks the key up again and copies
	// every stored field.
	r, _, err := o.gen.decodedRecord(doc)
	if err != nil {
		return nil, fmt.Errorf("overlay: %s: %w", key, err)
	}
	Intern(r)
	return r, nil
}

// needSet gathers the ids a batch of records needs, by type.
type needSet struct {
	records map[string]*Record
	ids     map[string]map[int64]bool
}

func (n *needSet) want(typ string, id int64) {
	if id <= 0 {
		return
	}
	if _, ok := n.records[DocID(typ, id)]; ok {
		return
	}
	if n.ids[typ] == nil {
		n.ids[typ] = map[int64]bool{}
	}
	n.ids[typ][id] = true
}

// owners wants the treatments and facility a record joins through that
// are not held live (held says which are).
func (n *needSet) owners(held func(key string) (bool, error)) error {
	for _, r := range n.records {
		if r == nil {
			continue
		}
		var err error
		ownerKeys(r, func(key string) {
			if _, ok := n.records[key]; ok || err != nil {
				return
			}
			var ok bool
			if ok, err = held(key); err == nil && !ok {
				var typ string
				var id int64
				if typ, id, err = ParseDocID(key); err == nil {
					n.want(typ, id)
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (n *needSet) sorted() map[string][]int64 {
	out := map[string][]int64{}
	for typ, ids := range n.ids {
		out[typ] = slices.Sorted(maps.Keys(ids))
	}
	return out
}

// fanOut wants every document of ix not in deleted that joins a treatment
// whose text changed (retexted), and every offer and doctor of the
// facilities restyled (Overlay.shownChanges).
func (ix *Index) fanOut(n *needSet, deleted *roaring.Bitmap, retexted, restyled []int64) error {
	for _, fan := range []struct {
		field string
		ids   []int64
		want  func(typ string) bool
	}{
		{fieldTreatmentID, retexted, func(typ string) bool { return typ != TypeTreatment }},
		{fieldFacilityID, restyled, func(typ string) bool { return typ == TypeOffer || typ == TypeDoctor }},
	} {
		for _, id := range fan.ids {
			docs := ix.cols.keywords[fan.field].bitmap(itoa(id))
			if deleted != nil && !deleted.IsEmpty() {
				docs = roaring.AndNot(docs, deleted)
			}
			err := ix.eachDoc(docs, func(typ string, id int64) {
				if fan.want(typ) {
					n.want(typ, id)
				}
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// sameTreatmentText reports whether treatment records a and b are matched
// by the same text.
func sameTreatmentText(a, b *Record) bool {
	return a.Name == b.Name && a.Category == b.Category && a.Code == b.Code &&
		slices.Equal(a.LayNames, b.LayNames) && reflect.DeepEqual(a.Translations, b.Translations)
}

// eachDoc calls fn with the type and id of each document in docs.
func (ix *Index) eachDoc(docs *roaring.Bitmap, fn func(typ string, id int64)) error {
	var err error
	docs.Iterate(func(doc uint32) bool {
		var key string
		if key, err = ix.reader.ExternalID(index.NewIndexInternalID(nil, uint64(doc))); err != nil {
			return false
		}
		typ, id, perr := ParseDocID(key)
		if perr != nil {
			err = perr
			return false
		}
		fn(typ, id)
		return true
	})
	return err
}

// Get returns a record: from the newest segment holding it, else the
// generation's, unless it was deleted.
func (o *Overlay) Get(ctx context.Context, typ string, id int64) (*Record, error) {
	key := DocID(typ, id)
	gone := &Error{Code: NotFound, Message: fmt.Sprintf("no %s with id %d", typ, id)}
	if s := o.newestLive(key); s != nil {
		return o.shown(s.ix.Get(ctx, typ, id))
	}
	dead, err := o.baseGone(key)
	if err != nil {
		return nil, err
	}
	if dead {
		return nil, gone
	}
	return o.shown(o.gen.Get(ctx, typ, id))
}

// newestLive is the newest segment holding key live (nil: none). A
// segment may hold a record deleted while it is live in an older part: as
// an owner its live records join through.
func (o *Overlay) newestLive(key string) *segView {
	for i := len(o.segs) - 1; i >= 0; i-- {
		if o.segs[i].holdsLive(key) {
			return &o.segs[i]
		}
	}
	return nil
}

// shown is a record as the overlay returns it (showStars).
func (o *Overlay) shown(r *Record, err error) (*Record, error) {
	if err == nil {
		o.showStars(r)
	}
	return r, err
}

// baseGone reports whether the overlay leaves the generation's document
// key out.
func (o *Overlay) baseGone(key string) (bool, error) {
	if o.deleted.IsEmpty() {
		return false, nil
	}
	doc, has, err := o.gen.baseDoc(key)
	if err != nil {
		return false, fmt.Errorf("overlay: look up %s: %w", key, err)
	}
	return has && o.deleted.Contains(doc), nil
}

// maxSuggestSkipped bounds how many more suggestions each part is asked
// for to make up for its deleted documents.
const maxSuggestSkipped = 50

// Suggest completes q from the segments' and the generation's live
// documents. Scores of two indexes are roughly comparable (see Overlay);
// exact completions win over fuzzy ones as in Index.Suggest.
func (o *Overlay) Suggest(ctx context.Context, q string, limit int) ([]Suggestion, error) {
	if limit == 0 {
		limit = DefaultSuggest
	}
	ask := func(dead uint64) int {
		return min(limit+min(int(dead), maxSuggestSkipped), MaxSuggest+maxSuggestSkipped)
	}
	all, err := o.gen.Suggest(ctx, q, ask(o.deleted.GetCardinality()))
	if err != nil || len(o.segs) == 0 && o.deleted.IsEmpty() {
		return trimSuggestions(all, limit), err
	}
	var lookErr error
	all = slices.DeleteFunc(all, func(s Suggestion) bool {
		dead, err := o.baseGone(DocID(s.Type, s.ID))
		lookErr = cmp.Or(lookErr, err)
		return dead
	})
	if lookErr != nil {
		return nil, lookErr
	}
	for _, s := range o.segs {
		var dead uint64
		if s.deleted != nil {
			dead = s.deleted.GetCardinality()
		}
		more, err := s.ix.Suggest(ctx, q, ask(dead))
		if err != nil {
			return nil, err
		}
		all = append(all, slices.DeleteFunc(more, func(g Suggestion) bool {
			doc, ok := s.docs[DocID(g.Type, g.ID)]
			return ok && s.deleted != nil && s.deleted.Contains(doc)
		})...)
	}
	if slices.ContainsFunc(all, func(s Suggestion) bool { return !s.Fuzzy }) {
		all = slices.DeleteFunc(all, func(s Suggestion) bool { return s.Fuzzy })
	}
	slices.SortStableFunc(all, func(a, b Suggestion) int { return cmp.Compare(b.Score, a.Score) })
	return trimSuggestions(all, limit), nil
}

func trimSuggestions(s []Suggestion, limit int) []Suggestion {
	return s[:min(len(s), limit)]
}

// side is one index's part of an overlaid search.
type side struct {
	ix *Index
	p  *plan // nil when kept
	c  *collector
	// kept: c is a segment's cache's (sideCache), read by every search
	// that finds it there and released by none.
	kept bool
}

// release gives back what the side's search took from the pools.
func (s *side) release() {
	if s.kept {
		return
	}
	if s.p.m != nil {
		s.p.m.release()
	}
	s.c.release()
}

// side runs r on the segment as the overlay sees it; nil when it is an
// empty side: one whose documents the filters leave out, or that cannot
// match the words. With keep, the side's collector records the documents
// it counted (collector.seen), for the side to be kept.
func (s segView) side(ctx context.Context, r *Request, syn *Synonyms, u *understood, keep bool) (*side, error) {
	if s.view.filteredOut(r) {
		return nil, nil
	}
	if u != nil {
		if ok, err := s.view.mayMatch(ctx, u); err != nil || !ok {
			return nil, err
		}
	}
	seg, err := s.view.collect(ctx, r, syn, u, s.deadSet, keep)
	if err != nil {
		return nil, err
	}
	return &seg, nil
}

// collect runs r on one side: compiled without its text (filters, price
// bounds, radius), then matched with u, the query as the base understood
// it; dead documents are matched, never counted or kept (plan.dead).
// With record, the collector records what it counted (collector.seen).
func (ix *Index) collect(ctx context.Context, r *Request, syn *Synonyms, u *understood, dead *deadDocs, record bool) (side, error) {
	noText := *r
	noText.Query, noText.text = "", ""
	p, err := ix.compile(ctx, &noText, syn)
	if err != nil {
		return side{}, err
	}
	if u != nil {
		if p.m, err = ix.newMatcher(ctx, u, r.types()); err != nil {
			return side{}, err
		}
		p.u = u
	}
	p.dead = dead
	c := ix.newCollector(r, p)
	if record {
		c.seen = newSeenDocs(ix.cols.docs)
	}
	if err := ix.run(ctx, p, c); err != nil {
		return side{}, err
	}
	return side{ix: ix, p: p, c: c}, nil
}

// seal makes the searches' sets of the documents o leaves out, where its
// bitmaps changed: once per overlay, not per search.
func (o *Overlay) seal() {
	if o.deadSet == nil || o.deadSet.b != o.deleted {
		o.deadSet = o.deadSet.next(o.deleted, o.gen.cols)
	}
	if o.deadSet != nil || len(o.segs) > 0 {
		o.clean = o.clean.next(o.deadSet, o.base.rates) // each overlay its own: its segments' findings
	} else {
		o.clean = nil
	}
	o.treatments = o.changedTreatments()
	for i := range o.segs {
		s := &o.segs[i]
		if s.deadSet == nil || s.deadSet.b != s.deleted {
			s.deadSet = s.deadSet.next(s.deleted, s.ix.cols)
		}
		if s.sides == nil || s.sides.view != s.view || s.sides.dead != s.deadSet {
			s.sides = s.sides.next(s.view, s.deadSet)
		}
	}
}

// ranked is a kept candidate and the side it came from.
type ranked struct {
	candidate
	s *side
}

// Search runs r on the generation's live documents and on each segment's,
// and merges them (see Overlay for what is exact and what is approximate).
func (o *Overlay) Search(ctx context.Context, r Request, syn *Synonyms) (*Result, error) {
	if len(o.segs) == 0 && o.deleted.IsEmpty() {
		o.gen.searches.Add(1)
		o.untouched.Add(1)
		return o.base.Search(ctx, r, syn)
	}
	o.gen.searches.Add(1)
	r, err := r.Validate(o.base.rates)
	if err != nil {
		return nil, err
	}
	if r, err = o.base.readIntents(ctx, r); err != nil {
		return nil, fmt.Errorf("search %q: %w", r.Query, err)
	}
	return withoutEmptyPlaces(r, func(r Request) (*Result, error) { return o.search(ctx, r, syn) })
}

func (o *Overlay) search(ctx context.Context, r Request, syn *Synonyms) (*Result, error) {
	var err error
	fail := func(err error) (*Result, error) { return nil, fmt.Errorf("search %q: %w", r.Query, err) }
	var u *understood
	if q := r.textQuery(); q != "" {
		if u, err = o.base.understand(ctx, q, r.Lang, syn); err != nil {
			return fail(err)
		}
		defer u.releaseHighlighters()
		if err := o.knownInDelta(ctx, u); err != nil {
			return fail(err)
		}
	}
	var buf [512]byte
	var key []byte
	var known *keyInfo
	var clean cleanKey
	first := false
	if o.clean != nil {
		if key = sideKey(buf[:0], &r, u); key != nil {
			clean = cleanKeyOf(key)
			known, first = o.clean.lookup(clean)
		}
	}
	if known != nil && known.state == keyClean && (len(o.segs) == 0 || known.segsEmpty.Load()) {
		// Nothing o changed is among its matches, and no segment holds
		// one: the search is the generation's own, on the base view, its
		// hits shown as o shows them. Merging one side cost a search
		// what the generation's never pays (bench overlay, issue 12).
		o.untouched.Add(1)
		return o.base.searchAs(ctx, r, syn, u, o)
	}
	// A search whose matches in the generation hold no document left
	// out is collected there as the generation collects it; its second
	// search learns whether they hold one (cleanKeys).
	dead, record := o.deadSet, false
	if known != nil {
		switch known.state {
		case keyClean:
			dead = nil
		case keyNoted:
			record = dead != nil && !first
		}
	}
	base, err := o.base.collect(ctx, &r, syn, u, dead, record)
	if err != nil {
		return fail(err)
	}
	sides := []*side{&base}
	defer func() {
		for _, s := range sides {
			s.release()
		}
	}()
	kept := 0
	segs := o.segs
	if known != nil && known.segsEmpty.Load() {
		segs = nil // each found nothing for it before
	}
	for _, s := range segs {
		if key != nil {
			if c, ok := s.sides.get(key); ok {
				if c != nil {
					sides = append(sides, &side{ix: s.view, c: c, kept: true})
				}
				kept++
				continue
			}
		}
		seg, err := s.side(ctx, &r, syn, u, key != nil)
		if err != nil {
			return fail(err)
		}
		if seg != nil && seg.c.total == 0 {
			// Nothing counted is nothing to merge: an empty side.
			seg.release()
			seg = nil
		}
		if key != nil {
			var c *collector // nil: an empty side, kept as one
			if seg != nil {
				c = seg.c
			}
			s.sides.put(key, c)
		}
		if seg != nil {
			sides = append(sides, seg)
		}
	}
	segsEmpty := known != nil && (known.segsEmpty.Load() || len(segs) > 0 && len(sides) == 1)
	switch {
	case record:
		o.clean.learn(clean, base.c.seen, segsEmpty)
	case segsEmpty:
		known.segsEmpty.Store(true)
	}
	if len(sides) == 1 && dead == nil {
		o.untouched.Add(1)
	}
	if kept > 0 {
		o.gen.sidesKept.Add(uint64(kept))
	}
	if kept < len(segs) {
		o.gen.sidesSearched.Add(uint64(len(segs) - kept))
	}

	out := &Result{Page: r.Page, PerPage: r.PerPage, Hits: []Hit{}, Lang: r.Lang}
	out.About = o.base.about(&r, base.p)
	out.Expansions = expansions(&r, u)
	if r.Currency != "" {
		out.Currency = r.Currency
		asOf := o.base.rates.AsOf
		out.RatesAsOf = &asOf
	}
	for _, s := range sides {
		out.Total += s.c.total
	}
	page := pageOf(&r, sides)
	treatments := map[int64]*Record{}
	out.Hits = make([]Hit, 0, len(page)) // a Hit is large
	for _, h := range page {
		// u, not the side's plan's: a kept side keeps no plan.
		hit, err := h.s.ix.pageHit(ctx, h.candidate, &r, h.s.p, u, o.base.rates, o, treatments)
		if err != nil {
			return fail(err)
		}
		out.Hits = append(out.Hits, hit)
	}
	if out.Total == 0 && u != nil && r.PerPage > 0 {
		// Did-you-mean is read off the generation alone: a suggestion,
		// not a count the patient filters by.
		if out.DidYouMean, err = o.base.didYouMean(ctx, r, u, syn); err != nil {
			return fail(fmt.Errorf("did you mean: %w", err))
		}
	}
	if len(r.Facets) > 0 {
		out.Facets = mergeFacets(sides, r.FacetSize)
	}
	return out, nil
}

// pageOf is the page of r's hits, best first, from the candidates the
// sides kept. When only the base kept any (a query the changes do not
// answer otherwise), they are its page as they would be the generation's,
// popped off the base's heap; else every side's, each ranked, are merged
// by r's sort up to the page's end. Candidates of two sides that rank
// alike go in the sides' order (the base first): doc numbers of two
// indexes do not compare.
func pageOf(r *Request, sides []*side) []ranked {
	from, to := (r.Page-1)*r.PerPage, r.Page*r.PerPage
	if !slices.ContainsFunc(sides[1:], func(s *side) bool { return len(s.c.best.items) > 0 }) {
		base := sides[0]
		cs := base.c.best.rankedFrom(from)
		page := make([]ranked, len(cs))
		for i, c := range cs {
			page[i] = ranked{c, base}
		}
		return page
	}
	var buf [1 + MaxSegments][]candidate
	lists, n := buf[:0], 0
	for i, s := range sides {
		if i == 0 && !s.kept {
			lists = append(lists, s.c.best.rankedFrom(0)) // the search's own: its heap is emptied
		} else {
			lists = append(lists, s.c.best.ranked()) // a kept side's heap is every search's
		}
		n += len(lists[i])
	}
	order := candidates{sort: r.Sort}
	all := make([]ranked, 0, min(n, to))
	for len(all) < to {
		best := -1
		for i, l := range lists {
			if len(l) == 0 {
				continue
			}
			if best < 0 {
				best = i
				continue
			}
			a, b := l[0], lists[best][0]
			a.doc, b.doc = 0, 0
			if order.better(a, b) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		all = append(all, ranked{lists[best][0], sides[best]})
		lists[best] = lists[best][1:]
	}
	return all[min(from, len(all)):]
}

// knownInDelta drops the typo corrections the base gave a word that only
// a segment holds (a new name): a rebuild knows the word and corrects
// nothing. (The other way round, a word whose every document the overlay
// deleted, the base still counts as known and offers no correction where
// a rebuild would: a small difference, until the next generation.)
//
// u's groups and expansions may be those every search of the query shares
// (understandings): a group changed is changed in copies of its own.
func (o *Overlay) knownInDelta(ctx context.Context, u *understood) error {
	if len(o.segs) == 0 {
		return nil
	}
	copied := false
	for gi := range u.groups {
		if u.groups[gi].known {
			continue
		}
		var exact []alternative
		for _, a := range u.groups[gi].alts {
			if a.weight == weightExact {
				exact = append(exact, a)
			}
		}
		for _, a := range exact {
			ok, err := o.segsHold(ctx, a.terms[0])
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if !copied {
				u.groups, u.expansions, u.terms = slices.Clone(u.groups), slices.Clone(u.expansions), [2]map[langTerm]bool{}
				copied = true
			}
			g := &u.groups[gi]
			g.known, g.alts = true, exact
			u.expansions = slices.DeleteFunc(u.expansions, func(e Expansion) bool {
				return e.Kind == "typo" && e.Text == g.text
			})
			break
		}
	}
	return nil
}

// segsHold reports whether a segment holds the term.
func (o *Overlay) segsHold(ctx context.Context, t langTerm) (bool, error) {
	for _, s := range o.segs {
		if ok, err := s.ix.termExists(ctx, t); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// mergeFacets adds the sides' facet counts by value and their price bands
// by band (the sides have the same bands: same rates, same currency). The
// segments' counts are added into the base's, by the base's ordinal of
// each value (a value the base lacks counts apart): a city facet has
// thousands of values, and a segment a few.
func mergeFacets(sides []*side, size int) map[string][]FacetValue {
	out := map[string][]FacetValue{}
	first := sides[0].c
	for i, f := range first.facets {
		counts := f.counts // the base's, which this search owns
		var extra map[string]int
		for _, s := range sides[1:] {
			g := s.c.facets[i]
			inBase := g.col.inBaseOf(f.col)
			for ord, n := range g.counts {
				if n <= 0 {
					continue
				}
				if bord := inBase[ord]; bord >= 0 {
					counts[bord] += n
					continue
				}
				v := g.col.values[ord]
				if extra == nil {
					extra = map[string]int{}
				}
				extra[v] += n
			}
		}
		values := f.col.values
		if extra != nil {
			values = slices.Clone(values)
			for v, n := range extra {
				values, counts = append(values, v), append(counts, n)
			}
		}
		out[f.name] = topValues(values, counts, size)
	}
	if first.bands != nil {
		vs := make([]FacetValue, len(first.bands))
		for i, b := range first.bands {
			vs[i].Value = b.name
			for _, s := range sides {
				vs[i].Count += s.c.bandCnt[i]
			}
		}
		out[FacetPrice] = vs
	}
	return out
}

// treatment is treatment id's record as the overlay holds it: the
// record a segment kept, or the generation's unless deleted (nil: none).
// Only read it.
func (o *Overlay) treatment(ctx context.Context, id int64) *Record {
	if r, ok := o.treatments[id]; ok {
		return r
	}
	return o.gen.treatment(ctx, id)
}

// changedTreatments are the treatments o shows otherwise than its
// generation, by id: the newest segment's live record, or nil where the
// generation's document is left out and no segment holds one live. A
// page's hits look their treatments up in it (treatment), where asking
// each segment, and the dead set, cost a search a lookup in each, cold
// after other queries.
func (o *Overlay) changedTreatments() map[int64]*Record {
	var out map[int64]*Record
	set := func(id int64, r *Record) {
		if out == nil {
			out = map[int64]*Record{}
		}
		out[id] = r
	}
	if o.deadSet != nil && o.gen.cols.keywords[fieldType] != nil && o.gen.cols.keywords[fieldTreatmentID] != nil {
		for id := range o.deadSet.deadTreatments(o.gen.cols) {
			set(id, nil)
		}
	}
	prefix := TypeTreatment + ":"
	for _, s := range o.segs { // oldest first: the newest sets last
		for key := range s.docs {
			if !strings.HasPrefix(key, prefix) || !s.holdsLive(key) {
				continue
			}
			if id, err := strconv.ParseInt(key[len(prefix):], 10, 64); err == nil {
				set(id, s.record(key))
			}
		}
	}
	return out
}
