package search

import (
	"bytes"
	"slices"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// severalSegments is an index of sampleRecords in three segments: the
// records in two halves, then the first record again under a new name
// (replacing its copy in the first segment), with the last record
// deleted. It returns a reader of it and the records it holds live.
func severalSegments(t *testing.T) (index.IndexReader, []*Record) {
	t.Helper()
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	idx, err := bleve.NewUsing("", NewMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	records := sampleRecords()
	batch := func(rs []*Record, deletes ...string) {
		t.Helper()
		b := idx.NewBatch()
		for _, r := range rs {
			doc, err := indexDocument(r, rates)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Index(DocID(r.Type, r.ID), doc); err != nil {
				t.Fatal(err)
			}
		}
		for _, key := range deletes {
			b.Delete(key)
		}
		if err := idx.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	half := len(records) / 2
	batch(records[:half])
	batch(records[half:])
	renamed := *records[0]
	renamed.Name = "Renamed " + renamed.Name
	last := records[len(records)-1]
	batch([]*Record{&renamed}, DocID(last.Type, last.ID))

	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	live := append([]*Record{&renamed}, records[1:len(records)-1]...)
	return r, live
}

// TestStoredFieldsReadAsBleve: a hit's record read straight from its
// segment by document number is the one Bleve's own way (ExternalID, then
// Document) reads, for every live document of an index of several
// segments, one of which holds deleted and replaced documents, so that
// the numbering across segments counts them as the snapshot does.
func TestStoredFieldsReadAsBleve(t *testing.T) {
	r, live := severalSegments(t)
	records := append(live, nil) // one deleted
	s := newSegmentReader(r)
	if s == nil || len(s.segs) < 2 {
		t.Fatalf("want a scorch snapshot of several segments, got %+v", s)
	}
	all, err := r.DocIDReaderAll()
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	seen := 0
	for {
		id, err := all.Next()
		if err != nil {
			t.Fatal(err)
		}
		if id == nil {
			break
		}
		doc := uint32(id.Value())
		ext, err := r.ExternalID(id)
		if err != nil {
			t.Fatal(err)
		}
		d, err := r.Document(ext)
		if err != nil || d == nil {
			t.Fatalf("Bleve's Document(%q): %v", ext, err)
		}
		want := sourceOf(d)
		got, err := s.source(doc)
		if err != nil {
			t.Fatalf("document %d (%s): %v", doc, ext, err)
		}
		if len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("document %d (%s): read %q, Bleve reads %q", doc, ext, got, want)
		}
		seen++
	}
	if seen != len(records)-1 {
		t.Errorf("%d live documents read, want %d", seen, len(records)-1)
	}
}

// TestSegmentPostingsReadAsBleve: a term's postings read straight from the
// segments, their readers reused term after term, are Bleve's own
// (TermFieldReader): the same documents, numbered across the segments as
// the snapshot numbers them, with the same frequencies and norms and
// count, deleted and replaced copies left out; for every term of every
// field a search reads, from goroutines at once. A document looked up by
// identifier is the one Bleve's InternalID finds.
func TestSegmentPostingsReadAsBleve(t *testing.T) {
	r, live := severalSegments(t)
	ix := &Index{reader: r, zap: newSegmentReader(r)}
	bleveIx := &Index{reader: r}
	ctx := t.Context()
	type posting struct {
		doc    uint32
		w1, w2 float64
	}
	read := func(ix *Index, field, term string) (int, []posting) {
		p, err := ix.openPostings(ctx, field, term)
		if err != nil {
			t.Fatal(err)
		}
		var got []posting
		err = p.each(ctx, 1000, 10, 2, func(doc uint32, w1, w2 float64) { got = append(got, posting{doc, w1, w2}) })
		if err != nil {
			t.Fatal(err)
		}
		return p.count, got
	}
	type fieldTerm struct{ field, term string }
	var terms []fieldTerm
	for _, field := range append(matchFields(LangEnglish), joinField("de"), fieldID) {
		for _, term := range fieldTerms(t, r, field) {
			terms = append(terms, fieldTerm{field, term})
		}
		terms = append(terms, fieldTerm{field, "nosuchterm"})
	}
	if len(terms) < 40 {
		t.Fatalf("only %d terms to read", len(terms))
	}
	want := make([][]posting, len(terms))
	wantN := make([]int, len(terms))
	for i, ft := range terms {
		wantN[i], want[i] = read(bleveIx, ft.field, ft.term)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i, ft := range terms {
				n, got := read(ix, ft.field, ft.term)
				if n != wantN[i] || !slices.Equal(got, want[i]) {
					t.Errorf("%s:%s: count %d, postings %v; Bleve reads %d, %v", ft.field, ft.term, n, got, wantN[i], want[i])
				}
				if c, err := ix.termCount(ctx, ft.field, ft.term); err != nil || c != wantN[i] {
					t.Errorf("%s:%s: termCount %d (%v), want %d", ft.field, ft.term, c, err, wantN[i])
				}
			}
		})
	}
	wg.Wait()
	keys := []string{DocID(TypeOffer, 999999)}
	for _, rec := range sampleRecords() {
		keys = append(keys, DocID(rec.Type, rec.ID))
	}
	found := 0
	for _, key := range keys {
		doc, has, err := ix.baseDoc(key)
		wantDoc, wantHas, wantErr := bleveIx.baseDoc(key)
		if err != nil || wantErr != nil {
			t.Fatal(err, wantErr)
		}
		if doc != wantDoc || has != wantHas {
			t.Errorf("%s: document %d (%v), Bleve's InternalID %d (%v)", key, doc, has, wantDoc, wantHas)
		}
		if has {
			found++
		}
	}
	if found != len(live) {
		t.Errorf("%d documents found by identifier, want the %d live", found, len(live))
	}
}

// fieldTerms lists the terms r holds in field, in order.
func fieldTerms(t *testing.T, r index.IndexReader, field string) []string {
	t.Helper()
	d, err := r.FieldDict(field)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var terms []string
	for {
		e, err := d.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			return terms
		}
		terms = append(terms, e.Term)
	}
}
