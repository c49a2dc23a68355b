package search

import (
	"bytes"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// TestStoredFieldsReadAsBleve: a hit's record read straight from its
// segment by document number is the one Bleve's own way (ExternalID, then
// Document) reads, for every live document of an index of several
// segments, one of which holds deleted and replaced documents, so that
// the numbering across segments counts them as the snapshot does.
func TestStoredFieldsReadAsBleve(t *testing.T) {
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	idx, err := bleve.NewUsing("", NewMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
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
	// Three segments: the records in two halves, then the first record
	// again under a new name (replacing its copy in the first segment),
	// with the last record deleted.
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
	defer r.Close()
	s := newStoredFields(r)
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
