package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	index "github.com/blevesearch/bleve_index_api"
)

// TestMemSegmentReadsAsBleve: a segment answers every read the search
// package and Bleve's searchers make as a Bleve index of the same records
// answers it (TestReusedDocumentsIndexAsNew compares every posting):
// dictionaries whole, by prefix and by range, records, identifiers both
// ways, document counts, postings walked with Advance, and suggestions,
// which run Bleve's own searchers (fuzzy ones too) on the segment.
func TestMemSegmentReadsAsBleve(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	records := sampleRecords()
	owner := func(key string) bool { return key == DocID(TypeFacility, 2) }
	refIdx, ref := bleveOf(t, records, nil, rates)
	_, refOwned := bleveOf(t, records, owner, rates)
	seg, _, err := memIndexOf(ctx, records, nil, rates, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	owned, _, err := memIndexOf(ctx, records, owner, rates, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer owned.Close()
	if got, want := allPostings(t, owned.reader), allPostings(t, refOwned); !slices.Equal(got, want) {
		t.Errorf("with an owner: postings differ:\n got %v\nwant %v", got, want)
	}
	got, want := seg.reader, ref

	if g, w := count(t, got), count(t, want); g != w || g != uint64(len(records)) {
		t.Errorf("DocCount: %d, Bleve %d (records %d)", g, w, len(records))
	}
	gf, err := got.Fields()
	if err != nil {
		t.Fatal(err)
	}
	wf, err := want.Fields()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(wf)
	if !slices.Equal(gf, wf) {
		t.Errorf("Fields: %v, Bleve %v", gf, wf)
	}

	for _, f := range wf {
		var terms []string
		for _, e := range dictTerms(t, want, f, func(r index.IndexReader) (index.FieldDict, error) { return r.FieldDict(f) }) {
			terms = append(terms, e[:strings.LastIndexByte(e, ':')])
		}
		if f == fieldName && len(terms) < 5 {
			t.Fatalf("the names hold only %q", terms)
		}
		check := func(what string, open func(r index.IndexReader) (index.FieldDict, error)) {
			t.Helper()
			g, w := dictTerms(t, got, f, open), dictTerms(t, want, f, open)
			if !slices.Equal(g, w) {
				t.Errorf("%s %s: %q, Bleve %q", f, what, g, w)
			}
		}
		check("dictionary", func(r index.IndexReader) (index.FieldDict, error) { return r.FieldDict(f) })
		for i, term := range terms {
			for _, n := range []int{1, 2, len(term)} {
				p := []byte(term[:min(n, len(term))])
				check(fmt.Sprintf("prefix %q", p), func(r index.IndexReader) (index.FieldDict, error) { return r.FieldDictPrefix(f, p) })
			}
			end := []byte(terms[min(i+2, len(terms)-1)])
			check(fmt.Sprintf("range %q-%q", term, end), func(r index.IndexReader) (index.FieldDict, error) {
				return r.FieldDictRange(f, []byte(term), end)
			})
			check(fmt.Sprintf("from %q", term), func(r index.IndexReader) (index.FieldDict, error) {
				return r.FieldDictRange(f, []byte(term), nil)
			})
		}
		for _, term := range terms {
			checkAdvance(t, got, f, term)
		}
	}
	check := func(what string, open func(r index.IndexReader) (index.FieldDict, error)) {
		if g, w := dictTerms(t, got, "", open), dictTerms(t, want, "", open); !slices.Equal(g, w) {
			t.Errorf("%s: %q, Bleve %q", what, g, w)
		}
	}
	check("a field no document has", func(r index.IndexReader) (index.FieldDict, error) { return r.FieldDict("nope") })
	check("a prefix no term has", func(r index.IndexReader) (index.FieldDict, error) { return r.FieldDictPrefix(fieldName, []byte("zzz")) })

	for _, r := range append(records, &Record{Type: TypeDoctor, ID: 99}) {
		key := DocID(r.Type, r.ID)
		gid, err := got.InternalID(key)
		if err != nil {
			t.Fatal(err)
		}
		wid, err := want.InternalID(key)
		if err != nil {
			t.Fatal(err)
		}
		if (len(gid) == 0) != (len(wid) == 0) {
			t.Errorf("InternalID(%s): %v, Bleve %v", key, gid, wid)
			continue
		}
		gd, err := got.Document(key)
		if err != nil {
			t.Fatal(err)
		}
		wd, err := want.Document(key)
		if err != nil {
			t.Fatal(err)
		}
		if (gd == nil) != (wd == nil) {
			t.Errorf("Document(%s): %v, Bleve %v", key, gd, wd)
		}
		if len(gid) == 0 {
			continue
		}
		if ext, err := got.ExternalID(gid); err != nil || ext != key {
			t.Errorf("ExternalID(InternalID(%s)) = %q, %v", key, ext, err)
		}
		src, err := seg.source(uint32(gid.Value()))
		if err != nil {
			t.Fatal(err)
		}
		if string(sourceOf(gd)) != string(sourceOf(wd)) || string(src) != string(sourceOf(wd)) {
			t.Errorf("%s's record: %s and %s, Bleve %s", key, sourceOf(gd), src, sourceOf(wd))
		}
	}
	if _, err := got.ExternalID(index.NewIndexInternalID(nil, uint64(len(records)))); err == nil {
		t.Error("ExternalID of a number past the last document: no error")
	}
	if _, err := got.ExternalID(index.IndexInternalID("x")); err == nil {
		t.Error("ExternalID of a malformed number: no error")
	}
	all, err := got.DocIDReaderAll()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(walkIDs(t, all)); n != len(records) {
		t.Errorf("DocIDReaderAll gave %d documents of %d", n, len(records))
	}
	for doc := range uint64(len(records)) {
		all, err := got.DocIDReaderAll()
		if err != nil {
			t.Fatal(err)
		}
		if id, err := all.Advance(index.NewIndexInternalID(nil, doc)); err != nil || id == nil || id.Value() != doc {
			t.Errorf("DocIDReaderAll: Advance(%d) gave %v, %v", doc, id, err)
		}
		all.Close()
	}
	only, err := got.DocIDReaderOnly([]string{DocID(TypeDoctor, 4), "nope", DocID(TypeTreatment, 1), DocID(TypeDoctor, 4)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, id := range walkIDs(t, only) {
		ext, _ := got.ExternalID(id)
		ids = append(ids, ext)
	}
	slices.Sort(ids)
	if w := []string{DocID(TypeDoctor, 4), DocID(TypeTreatment, 1)}; !slices.Equal(ids, w) {
		t.Errorf("DocIDReaderOnly: %v, want %v", ids, w)
	}

	// Suggestions run Bleve's searchers on the segment as on Bleve's index.
	bleveIx := &Index{idx: refIdx, reader: ref, zap: newSegmentReader(ref), mapping: refIdx.Mapping()}
	for _, q := range []string{"kn", "knee", "knee r", "ada", "ada lov", "lovelase", "knie", "clinik istan", "ist", "orthop", "zzzz"} {
		g, err := seg.Suggest(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		w, err := bleveIx.Suggest(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("suggest %q:\n got %v\nwant %v", q, g, w)
		}
	}
}

func count(t *testing.T, r index.IndexReader) uint64 {
	t.Helper()
	n, err := r.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// dictTerms lists a dictionary's terms and their counts.
func dictTerms(t *testing.T, r index.IndexReader, field string, open func(index.IndexReader) (index.FieldDict, error)) []string {
	t.Helper()
	d, err := open(r)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var out []string
	for {
		e, err := d.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			return out
		}
		out = append(out, fmt.Sprintf("%s:%d", e.Term, e.Count))
	}
}

// checkAdvance: advancing a term's postings to each of its documents, and
// to the number after each, lands where walking them does.
func checkAdvance(t *testing.T, r index.IndexReader, field, term string) {
	t.Helper()
	open := func() index.TermFieldReader {
		tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, true, true, false)
		if err != nil {
			t.Fatal(err)
		}
		return tfr
	}
	var docs []uint64
	tfr := open()
	for {
		d, err := tfr.Next(nil)
		if err != nil {
			t.Fatal(err)
		}
		if d == nil {
			break
		}
		docs = append(docs, d.ID.Value())
	}
	if uint64(len(docs)) != tfr.Count() {
		t.Errorf("%s %s: Count %d, walked %d", field, term, tfr.Count(), len(docs))
	}
	for i, doc := range docs {
		for _, c := range []struct {
			to   uint64
			want int // index in docs, len(docs): the end
		}{{doc, i}, {doc + 1, i + 1}} {
			tfr := open()
			d, err := tfr.Advance(index.NewIndexInternalID(nil, c.to), &index.TermFieldDoc{})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.want == len(docs) && d != nil:
				t.Errorf("%s %s: Advance(%d) past the last gave %d", field, term, c.to, d.ID.Value())
			case c.want < len(docs) && (d == nil || d.ID.Value() != docs[c.want]):
				t.Errorf("%s %s: Advance(%d) gave %v, want %d", field, term, c.to, d, docs[c.want])
			}
		}
	}
}

func walkIDs(t *testing.T, r index.DocIDReader) []index.IndexInternalID {
	t.Helper()
	defer r.Close()
	var out []index.IndexInternalID
	for {
		id, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if id == nil {
			return out
		}
		out = append(out, id)
	}
}

// memIndexOf is memIndex of records under their own DocIDs.
func memIndexOf(ctx context.Context, records []*Record, owner func(key string) bool, rates Rates,
	prior func(key string, join bool) *analyzed, workers int) (*Index, []*analyzed, error) {
	keys := make([]string, len(records))
	for i, r := range records {
		keys[i] = DocID(r.Type, r.ID)
	}
	return memIndex(ctx, keys, records, owner, rates, prior, workers)
}

// TestSegmentKeywordsReadAsThroughDictionaries: a segment's keyword
// columns, read off its terms in place (memSegment.keyword), equal those
// read through its dictionaries and postings as any index's are, field
// by field: values, ordinals and each value's documents.
func TestSegmentKeywordsReadAsThroughDictionaries(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	ix, _, err := memIndexOf(ctx, sampleRecords(), nil, rates, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	seg := ix.reader.(*memSegment)
	fields := []string{fieldPriceCurrency, "no such field"}
	for _, f := range Filters {
		fields = append(fields, f.Field)
	}
	multi := 0
	for _, f := range fields {
		got := seg.keyword(f)
		// Hidden behind an interface, the segment is read as any index.
		want, err := loadKeyword(ctx, struct{ index.IndexReader }{seg}, f)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.values, want.values) || len(got.bitmaps) != len(want.bitmaps) || len(got.ordinal) != len(want.ordinal) {
			t.Errorf("%s: values %q, through the dictionary %q", f, got.values, want.values)
			continue
		}
		for ord, v := range want.values {
			if got.ordinal[v] != uint32(ord) || !got.bitmaps[ord].Equals(want.bitmaps[ord]) {
				t.Errorf("%s %q: ordinal %d, documents %v; through the dictionary %d, %v",
					f, v, got.ordinal[v], got.bitmaps[ord].ToArray(), ord, want.bitmaps[ord].ToArray())
			}
			if want.bitmaps[ord].GetCardinality() > 1 {
				multi++
			}
		}
	}
	if multi == 0 {
		t.Error("no value of any column is held by two documents: the records test little")
	}
}
