package search

import (
	"context"
	"slices"
	"testing"

	index "github.com/blevesearch/bleve_index_api"
)

// TestPostingsMemoReadsAsTheIndex: a segment's postings memo gives every
// term's postings as the index holds them, and none for a term it does not
// hold; the second read of a term comes from the memo; a full memo reads
// through and keeps nothing more. The views of a segment (at new rates,
// with new stars) share its memo.
func TestPostingsMemoReadsAsTheIndex(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.8}}
	ix, _, err := memIndex(ctx, sampleRecords(), nil, rates, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.memo == nil {
		t.Fatal("a segment has no postings memo")
	}
	// The views an overlay searches share it.
	moved := ix.atRates(Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.5}})
	if moved == ix || moved.memo != ix.memo {
		t.Error("the segment seen at new rates does not share its postings memo")
	}
	four := 4.0
	starred, err := ix.withStars(ctx, map[int64]stars{2: {rating: &four}}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if starred == ix || starred.memo != ix.memo {
		t.Error("the segment with new stars does not share its postings memo")
	}
	fields, err := ix.reader.Fields()
	if err != nil {
		t.Fatal(err)
	}
	read := func(field, term string) []memoPosting {
		tfr, err := ix.reader.TermFieldReader(ctx, []byte(term), field, true, true, false)
		if err != nil {
			t.Fatal(err)
		}
		defer tfr.Close()
		var out []memoPosting
		for {
			d, err := tfr.Next(&index.TermFieldDoc{})
			if err != nil {
				t.Fatal(err)
			}
			if d == nil {
				return out
			}
			out = append(out, memoPosting{doc: uint32(d.ID.Value()), freq: uint32(d.Freq), norm: d.Norm})
		}
	}
	terms := 0
	for _, f := range fields {
		dict, err := ix.reader.FieldDict(f)
		if err != nil {
			t.Fatal(err)
		}
		var words []string
		for e, err := dict.Next(); e != nil || err != nil; e, err = dict.Next() {
			if err != nil {
				t.Fatal(err)
			}
			words = append(words, e.Term)
		}
		dict.Close()
		for _, term := range append(words, "no-such-term") {
			want := read(f, term)
			got, err := ix.memo.postings(ctx, ix.reader, f, term)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s:%s: the memo gives %v, the index %v", f, term, got, want)
			}
			again, _ := ix.memo.postings(ctx, ix.reader, f, term)
			if len(got) > 0 && &again[0] != &got[0] {
				t.Errorf("%s:%s: read again instead of from the memo", f, term)
			}
			if _, ok := ix.memo.m[memoKey{f, term}]; !ok {
				t.Errorf("%s:%s: not kept", f, term)
			}
			terms++
		}
	}
	if terms < 20 {
		t.Fatalf("only %d terms checked", terms)
	}
	full := &postingsMemo{full: true}
	got, err := full.postings(ctx, ix.reader, fieldName, "knee")
	if err != nil || len(got) == 0 || !slices.Equal(got, read(fieldName, "knee")) {
		t.Errorf("a full memo gives %v (%v), want the index's postings", got, err)
	}
	if len(full.m) != 0 {
		t.Error("a full memo kept postings")
	}
}
