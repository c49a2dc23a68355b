package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// TestReusedDocumentsIndexAsNew: a segment built from documents analysed
// here holds exactly the postings Bleve builds from the same records, and
// one built from the documents an earlier one analysed (as merges are)
// too, however many times the documents are reused, and
// with several values in one field (which Bleve merges into the first's
// term frequencies in place). A record copied (restar), repriced by a new
// rate, or indexed as an owner instead is analysed again.
func TestReusedDocumentsIndexAsNew(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	records := sampleRecords()
	owner := func(key string) bool { return key == DocID(TypeFacility, 2) }
	// What Bleve itself indexes from the same documents.
	_, refReader := bleveOf(t, records, owner, rates)
	want := allPostings(t, refReader)
	if len(want) == 0 {
		t.Fatal("the reference index has no postings")
	}
	fresh, first, err := memIndexOf(ctx, records, owner, rates, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got := allPostings(t, fresh.reader); !slices.Equal(got, want) {
		t.Errorf("analysed documents index differently from Bleve's own:\n got %v\nwant %v", got, want)
	}
	docs := first
	for round := range 3 {
		byKey := map[string]*analyzed{}
		for i, r := range records {
			byKey[DocID(r.Type, r.ID)] = docs[i]
		}
		again, reused, err := memIndexOf(ctx, records, owner, rates, func(key string, _ bool) *analyzed { return byKey[key] }, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i := range records {
			if reused[i] != first[i] {
				t.Errorf("round %d: %s was analysed again", round, DocID(records[i].Type, records[i].ID))
			}
		}
		if got := allPostings(t, again.reader); !slices.Equal(got, want) {
			t.Errorf("round %d: reused documents index differently:\n got %v\nwant %v", round, got, want)
		}
		again.Close()
		docs = reused
	}

	copied := *records[3]
	moved := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.5}}
	for _, c := range []struct {
		name  string
		r     *Record
		join  bool
		rates Rates
		reuse bool
	}{
		{"the same record", records[2], false, rates, true},
		{"a rate of a currency it is not priced in", records[2], false, Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8, "GBP": 0.7}}, true},
		{"a copy (restar)", &copied, false, rates, false},
		{"its currency's rate moved", records[2], false, moved, false},
		{"as an owner", records[2], true, rates, false},
	} {
		i := slices.IndexFunc(records, func(r *Record) bool { return r.ID == c.r.ID })
		if got := first[i].reusable(c.r, c.join, c.rates); got != c.reuse {
			t.Errorf("%s: reusable says %v", c.name, got)
		}
	}
}

// TestRecountedTreatmentsReuseTheirDocuments: a treatment recounted (a
// copy with only its offer count and span changed) is indexed from the
// document analysed for it before, with its own stored record, and the
// segment holds what Bleve builds from the recounted records; one whose
// trust moves with its count (no offers left), or whose name changed,
// is analysed again.
func TestRecountedTreatmentsReuseTheirDocuments(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	for _, c := range []struct {
		name  string
		edit  func(r *Record)
		reuse bool
	}{
		{"a new count and span", func(r *Record) {
			r.OfferCount, r.PriceSpan = 7, &MoneyRange{Min: 100, Max: 900, Currency: "USD"}
		}, true},
		{"a span only", func(r *Record) { r.PriceSpan = &MoneyRange{Min: 5, Max: 6, Currency: "USD"} }, true},
		{"no offers left", func(r *Record) { r.OfferCount, r.PriceSpan = 0, nil }, false},
		{"a new name", func(r *Record) { r.Name, r.OfferCount = "Knee arthroplasty", 7 }, false},
	} {
		for _, asOwner := range []bool{false, true} {
			records := sampleRecords()
			records[0].OfferCount, records[0].PriceSpan = 3, &MoneyRange{Min: 200, Max: 800, Currency: "USD"}
			key := DocID(TypeTreatment, records[0].ID)
			owner := func(k string) bool { return asOwner && k == key }
			_, first, err := memIndexOf(ctx, records, owner, rates, nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			byKey := map[string]*analyzed{}
			for i, r := range records {
				byKey[DocID(r.Type, r.ID)] = first[i]
			}
			recounted := *records[0]
			c.edit(&recounted)
			now := slices.Clone(records)
			now[0] = &recounted
			got, docs, err := memIndexOf(ctx, now, owner, rates, func(k string, join bool) *analyzed {
				if a := byKey[k]; a != nil && a.join == join {
					return a
				}
				return nil
			}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if reused := docs[0].terms == first[0].terms && unsafe.StringData(docs[0].terms) == unsafe.StringData(first[0].terms); reused != c.reuse {
				t.Errorf("%s (owner %v): document reused %v, want %v", c.name, asOwner, reused, c.reuse)
			}
			_, ref := bleveOf(t, now, owner, rates)
			if g, w := allPostings(t, got.reader), allPostings(t, ref); !slices.Equal(g, w) {
				t.Errorf("%s (owner %v): the segment indexes differently from Bleve:\n got %v\nwant %v", c.name, asOwner, g, w)
			}
			if !asOwner {
				held, err := got.Get(ctx, TypeTreatment, recounted.ID)
				if err != nil {
					t.Fatal(err)
				}
				if jsonOf(t, held) != jsonOf(t, &recounted) {
					t.Errorf("%s: the segment holds %s, want %s", c.name, jsonOf(t, held), jsonOf(t, &recounted))
				}
			}
			got.Close()
		}
	}
}

// bleveOf is what Bleve itself indexes from records (in memory, one
// segment), those owner reports as owners (joinDocument), and a reader of
// it; both are closed when t ends.
func bleveOf(t *testing.T, records []*Record, owner func(key string) bool, rates Rates) (bleve.Index, index.IndexReader) {
	t.Helper()
	ref, err := bleve.NewUsing("", NewMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ref.Close() })
	b := ref.NewBatch()
	for _, r := range records {
		key := DocID(r.Type, r.ID)
		doc := joinDocument(r, rates)
		if owner == nil || !owner(key) {
			if doc, err = indexDocument(r, rates); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Index(key, doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := ref.Batch(b); err != nil {
		t.Fatal(err)
	}
	adv, err := ref.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return ref, r
}

// allPostings lists every posting r holds: field, term, document,
// frequency and norm.
func allPostings(t *testing.T, r index.IndexReader) []string {
	t.Helper()
	fields, err := r.Fields()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fields {
		for _, term := range fieldTerms(t, r, f) {
			tfr, err := r.TermFieldReader(context.Background(), []byte(term), f, true, true, false)
			if err != nil {
				t.Fatal(err)
			}
			for {
				d, err := tfr.Next(&index.TermFieldDoc{})
				if err != nil {
					t.Fatal(err)
				}
				if d == nil {
					break
				}
				id, _ := r.ExternalID(d.ID)
				out = append(out, fmt.Sprintf("%s:%s:%s:%d:%.4f", f, term, id, d.Freq, d.Norm))
			}
			tfr.Close()
		}
	}
	slices.Sort(out)
	return out
}

// sampleRecords are one record of each kind, with arrays of values (some
// repeated) and a translation.
func sampleRecords() []*Record {
	rating := 4.5
	return []*Record{
		{Type: TypeTreatment, ID: 1, Name: "Knee replacement", Category: "orthopedics",
			LayNames: []string{"new knee", "knee op", "knee surgery knee"}, Code: "KR",
			Translations: map[string]Translation{"de": {Name: "Knieprothese", LayNames: []string{"neues Knie", "Knie"}}}},
		{Type: TypeFacility, ID: 2, Name: "Knee Clinic Istanbul", City: "Istanbul", Country: "TR", CountryName: "Turkey",
			Description: "clinic clinic clinic", Accreditations: []string{"JCI", "ISO"}, Languages: []string{"en", "tr"},
			Rating: &rating, Treatments: []TreatmentRef{{ID: 1, Name: "Knee replacement"}}},
		{Type: TypeOffer, ID: 3, Name: "Knee replacement", Treatment: &TreatmentRef{ID: 1, Name: "Knee replacement"},
			Facility: &FacilityRef{ID: 2, Name: "Knee Clinic Istanbul"}, Price: &Money{Amount: 8000, Currency: "EUR"},
			Doctors: []Ref{{ID: 9, Name: "Ada Lovelace"}, {ID: 10, Name: "Ada Byron"}}},
		{Type: TypeDoctor, ID: 4, Name: "Ada Lovelace", Specialties: []string{"knee", "hip", "knee"},
			Facility: &FacilityRef{ID: 2, Name: "Knee Clinic Istanbul"}},
	}
}

// zygomaSegment is an overlay on a generation holding a cataract
// offer in Izmir, with one segment: a new treatment (a lay name, a German
// name) offered by a new clinic in Porto with a named doctor.
func zygomaSegment(t *testing.T, rates Rates) *Overlay {
	t.Helper()
	ctx := context.Background()
	o := overlayOn(t, rates,
		&Record{Type: TypeTreatment, ID: 1, Name: "Cataract surgery", Category: "Ophthalmology"},
		&Record{Type: TypeFacility, ID: 10, Name: "Eye Clinic", Country: "TR", City: "Izmir"},
		&Record{Type: TypeOffer, ID: 100, Name: "Cataract surgery", Treatment: &TreatmentRef{ID: 1, Name: "Cataract surgery"},
			Facility: &FacilityRef{ID: 10, Name: "Eye Clinic", Country: "TR", City: "Izmir"}})
	zygoma := &Record{Type: TypeTreatment, ID: 2, Name: "Zygoma implant", Category: "Dental", LayNames: []string{"cheekbone anchor"},
		Translations: map[string]Translation{"de": {Name: "Jochbeinimplantat"}}}
	harbour := &FacilityRef{ID: 11, Name: "Harbour Dental", Country: "PT", City: "Porto"}
	batch := map[string]*Record{
		"treatment:2": zygoma,
		"facility:11": {Type: TypeFacility, ID: 11, Name: harbour.Name, Country: "PT", City: "Porto"},
		"offer:101": {Type: TypeOffer, ID: 101, Name: zygoma.Name, Treatment: &TreatmentRef{ID: 2, Name: zygoma.Name},
			Facility: harbour, Doctors: []Ref{{ID: 7, Name: "Dr. Quillon"}}},
	}
	n, err := o.Apply(ctx, rates, batch)
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	t.Cleanup(func() { n.Close() })
	if len(n.segs) != 1 {
		t.Fatalf("%d segments, want 1", len(n.segs))
	}
	return n
}

// TestSegmentsPassedByMatchNothing: a search passes a segment by when it
// holds none of some word of the query in a field the matcher reads
// (Index.mayMatch), and searches one that holds a word of each: a new
// treatment's name, a translation, a facility's place, a doctor. What it
// passes by matches nothing, which the matcher itself says.
func TestSegmentsPassedByMatchNothing(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1}}
	o := zygomaSegment(t, rates)
	seg := o.segs[0].view
	for _, c := range []struct {
		q, lang string
		may     bool
	}{
		{"zygoma implant", "", true},
		{"cheekbone anchor", "", true},
		{"Jochbeinimplantat", "de", true},
		{"porto", "", true},
		{"harbour zygoma", "", true},
		{"quillon", "", true},
		{"cataract", "", false},        // the generation's, not the segment's
		{"zygoma cataract", "", false}, // one word of two
		{"izmir", "", false},
	} {
		u, err := o.base.understand(ctx, c.q, c.lang, nil)
		if err != nil {
			t.Fatal(err)
		}
		may, err := seg.mayMatch(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if may != c.may {
			t.Errorf("%q: a segment holding a new treatment at a new clinic may match: %v, want %v", c.q, may, c.may)
		}
		r, err := Request{Query: c.q, Lang: c.lang}.Validate(rates)
		if err != nil {
			t.Fatal(err)
		}
		n := segmentTotal(t, seg, &r, u)
		if !c.may && n != 0 {
			t.Errorf("%q: passed by, but the segment matches %d documents", c.q, n)
		}
		if c.may && n == 0 {
			t.Errorf("%q: the segment matches nothing; the case tests nothing", c.q)
		}
	}
}

// TestSegmentsPassedByFilters: a segment whose documents the filters
// leave none of is passed by; one that holds what they ask for is not.
func TestSegmentsPassedByFilters(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1}}
	o := zygomaSegment(t, rates)
	seg := o.segs[0].view
	for _, c := range []struct {
		q       string
		filters [][]string // param, values…
		out     bool
	}{
		{"", [][]string{{"country", "PT"}}, false},
		{"", [][]string{{"country", "PT", "TR"}}, false},
		{"", [][]string{{"country", "PT"}, {"category", "Dental"}}, false},
		{"", [][]string{{"type", "offer"}, {"country", "PT"}, {"category", "Dental"}}, false},
		{"zygoma", [][]string{{"country", "PT"}}, false},
		{"", nil, false},
		{"", [][]string{{"country", "TR"}}, true}, // the generation's
		{"", [][]string{{"country", "PT"}, {"category", "Ophthalmology"}}, true},
		{"", [][]string{{"type", "offer"}, {"country", "PT"}, {"category", "Ophthalmology"}}, true},
		{"", [][]string{{"country", "TR"}, {"type", "offer"}, {"category", "Dental"}}, true},
		{"", [][]string{{"country", "XX"}}, true},
		{"zygoma", [][]string{{"country", "TR"}}, true},
	} {
		r := Request{Query: c.q}
		for _, f := range c.filters {
			r = r.MustWhere(f[0], f[1:]...)
		}
		r, err := r.Validate(rates)
		if err != nil {
			t.Fatal(err)
		}
		if out := seg.filteredOut(&r); out != c.out {
			t.Errorf("%q %v: filtered out %v, want %v", c.q, c.filters, out, c.out)
		}
		var u *understood
		if c.q != "" {
			if u, err = o.base.understand(ctx, c.q, "", nil); err != nil {
				t.Fatal(err)
			}
		}
		n := segmentTotal(t, seg, &r, u)
		if c.out && n != 0 {
			t.Errorf("%q %v: passed by, but the segment matches %d documents", c.q, c.filters, n)
		}
		if !c.out && n == 0 {
			t.Errorf("%q %v: the segment matches nothing; the case tests nothing", c.q, c.filters)
		}
	}
}

// segmentTotal is how many documents of seg the search r (understood as
// u) matches, as the overlay's search would count them.
func segmentTotal(t *testing.T, seg *Index, r *Request, u *understood) uint64 {
	t.Helper()
	side, err := seg.collect(context.Background(), r, nil, u, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if side.p.m != nil {
		side.p.m.release()
	}
	return side.c.total
}

// TestOwnersReadOnceAcrossBatches: batch after batch of offers of one
// treatment at one clinic, the segments join the generation's treatment
// and clinic as they were first read and analysed, not read and analysed
// again for each batch; once the treatment changes, the next batch joins
// the changed one.
func TestOwnersReadOnceAcrossBatches(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	records := sampleRecords()
	o := overlayOn(t, rates, records...)
	defer func() { o.Close() }()
	offer := func(id int64, amount float64) map[string]*Record {
		r := *records[2]
		r.ID, r.Price = id, &Money{Amount: amount, Currency: "EUR"}
		return map[string]*Record{DocID(TypeOffer, id): &r}
	}
	apply := func(batch map[string]*Record) *segment {
		t.Helper()
		applyOn(t, &o, rates, batch)
		return o.segs[len(o.segs)-1].segment
	}
	treatment, clinic := DocID(TypeTreatment, 1), DocID(TypeFacility, 2)
	first := apply(offer(3, 7000))
	for _, key := range []string{treatment, clinic} {
		if first.analyzed[key] == nil {
			t.Fatalf("the first batch's segment does not hold its owner %s", key)
		}
	}
	for i, id := range []int64{30, 31, 32} {
		s := apply(offer(id, 7100+float64(i)))
		for _, key := range []string{treatment, clinic} {
			if s.analyzed[key] != first.analyzed[key] {
				t.Errorf("batch %d: owner %s was read and analysed again", i+2, key)
			}
		}
	}
	renamed := *records[0]
	renamed.Name = "Total knee arthroplasty"
	apply(map[string]*Record{treatment: &renamed})
	s := apply(offer(33, 7200))
	if got := s.record(treatment); got == nil || got.Name != renamed.Name {
		t.Errorf("after the treatment changed, the next batch joins %+v, want the renamed one", got)
	}
	res, err := o.Search(ctx, Request{Query: "arthroplasty"}.MustWhere(FilterType, TypeOffer), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The offers of the batches before are re-read by the follower
	// (Needs), not here: only the new one joins the new name.
	if len(res.Hits) != 1 || res.Hits[0].ID != 33 {
		t.Errorf("found by the treatment's new name: %d hits, want offer 33 alone", len(res.Hits))
	}
}

// TestAnalysedTextsAreKept: a document analysed from the terms its text
// values were analysed into before (textCache) is the document analysed
// afresh: the same fields, terms and counts, as a hit or as an owner,
// whether the cache is filling or full; the second time, every value
// comes from the cache; and at its bound the cache is emptied and fills
// again, each value's terms those its analyser makes.
func TestAnalysedTextsAreKept(t *testing.T) {
	m := NewMapping()
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	records := sampleRecords()
	analyseAll := func() []string {
		var out []string
		for _, join := range []bool{false, true} {
			for _, r := range records {
				a, err := analyze(m, DocID(r.Type, r.ID), r, join, rates)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, describeAnalyzed(a))
			}
		}
		return out
	}
	was := texts
	defer func() { texts = was }()
	texts = nil
	want := analyseAll()
	texts = &textCache{}
	if got := analyseAll(); !slices.Equal(got, want) {
		t.Fatalf("analysed while the cache fills:\n got %v\nwant %v", got, want)
	}
	kept, hits := texts.n, texts.hits.Load()
	if kept == 0 {
		t.Fatal("no text value kept")
	}
	if got := analyseAll(); !slices.Equal(got, want) {
		t.Fatalf("analysed from the cache:\n got %v\nwant %v", got, want)
	}
	if texts.n != kept || texts.hits.Load()-hits < uint64(kept) {
		t.Errorf("the second time: %d values kept (was %d), %d found, want at least %d",
			texts.n, kept, texts.hits.Load()-hits, kept)
	}
	// A keyword value (an id, a price) is its own term, never kept.
	kw := m.AnalyzerNamed(m.AnalyzerNameForPath(fieldPriceAmount))
	if !texts.whole(kw) {
		t.Errorf("the price amount's analyser %T is not taken as the keyword analyser", kw)
	}
	if n := len(texts.m[kw]); n > 0 {
		t.Errorf("%d keyword values kept", n)
	}
	if texts.whole(m.AnalyzerNamed(m.AnalyzerNameForPath(fieldText))) {
		t.Error("the text analyser is taken as the keyword analyser")
	}

	an := m.AnalyzerNamed(m.AnalyzerNameForPath(fieldText))
	if an == nil {
		t.Fatalf("no analyser for %s", fieldText)
	}
	termsOf := func(value string) []string {
		t.Helper()
		tt, ok := texts.terms(an, []byte(value))
		if !ok {
			t.Fatalf("%q not kept", value)
		}
		var out []string
		tt.each(func(term []byte) { out = append(out, string(term)) })
		if len(out) != tt.n {
			t.Fatalf("%q: %d terms listed, %d counted", value, len(out), tt.n)
		}
		return out
	}
	analysed := func(value string) []string {
		var out []string
		for _, tok := range an.Analyze([]byte(value)) {
			out = append(out, string(tok.Term))
		}
		return out
	}
	long := strings.Repeat("x", 150) // its length is two bytes of uvarint
	texts = &textCache{}
	for i := range maxCachedTexts + 1 {
		value := fmt.Sprintf("Klinik %d am See %s", i, long)
		if got, want := termsOf(value), analysed(value); !slices.Equal(got, want) {
			t.Fatalf("%q: terms %q, the analyser's %q", value, got, want)
		}
	}
	if texts.n != 1 {
		t.Errorf("past its bound the cache holds %d values, want 1 (emptied, then the last)", texts.n)
	}
	if _, ok := texts.terms(an, []byte(strings.Repeat("hospital ", 30))); ok {
		t.Error("a value longer than maxCachedText was kept")
	}
}

// describeAnalyzed lists a's fields by name, each with its length and
// its terms and their counts, then its source: the fields' order is the
// mapping's walk of a map, which varies.
func describeAnalyzed(a *analyzed) string {
	var fields []string
	for _, f := range a.fields {
		var terms []string
		for k := f.from; k < f.to; k += 2 {
			start := uint32(0)
			if k > 0 {
				start = a.counts[k-2]
			}
			terms = append(terms, fmt.Sprintf("%s×%d", a.terms[start:a.counts[k]], a.counts[k+1]))
		}
		fields = append(fields, fmt.Sprintf("%s(%d): %s", f.name, f.length, strings.Join(terms, " ")))
	}
	slices.Sort(fields)
	return strings.Join(fields, "; ") + "; source " + string(a.source)
}
