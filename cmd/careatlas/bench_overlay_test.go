package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
)

// TestBenchOverlay runs bench overlay on the bundled catalogue: the
// changes are applied as segments the searches then read, and every
// query is timed on both sides in every round.
func TestBenchOverlay(t *testing.T) {
	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: bundled}, dir, nil); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"bench", "overlay", "--index-dir", dir, "--changes", "900", "--batch", "50", "--rate-every", "400",
		"--segments", "0", "--rounds", "2", "--passes", "2", "--json"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("careatlas %v: exit %d\n%s", args, code, errOut.String())
	}
	var rep overlayReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	// Nearly every change finds its document (the bundled ids are
	// numbered from 1, with a few gaps), in batches of 50.
	if rep.Changes < 800 || rep.Changes > 900 || rep.Batches != 18 || rep.Rates != 2 {
		t.Errorf("%d changes in %d batches, %d exchange rates; want about 900 in 18, and 2", rep.Changes, rep.Batches, rep.Rates)
	}
	if rep.Segments < 1 || rep.Segments > 12 || rep.Merges < 1 {
		t.Errorf("%d segments after %d merges: the overlay's policy keeps 1 to 12 and merges 18 batches", rep.Segments, rep.Merges)
	}
	// The prices, copies and review counts are records the segments
	// hold; the generation leaves out what they replace and the deleted.
	if rep.Changed < uint64(rep.Changes)/2 || rep.Deleted < uint64(rep.Changes)/2 {
		t.Errorf("overlay holds %d records and leaves out %d documents after %d changes", rep.Changed, rep.Deleted, rep.Changes)
	}
	// Two rounds of one timed pass over every query, on each side.
	if want := 2 * rep.Queries; rep.Queries < 15 || rep.Generation.N != want || rep.Overlay.N != want {
		t.Errorf("%d queries: %d searches timed on the generation, %d on the overlay, want %d each",
			rep.Queries, rep.Generation.N, rep.Overlay.N, want)
	}
	if len(rep.ByQuery) != rep.Queries || rep.Generation.P50 <= 0 || rep.Overlay.P50 <= 0 {
		t.Errorf("figures by query %d of %d, p50 %v and %v ms", len(rep.ByQuery), rep.Queries, rep.Generation.P50, rep.Overlay.P50)
	}
	if rep.GenerationAlloc <= 0 || rep.OverlayAlloc <= 0 {
		t.Errorf("heap allocated per search: generation %v, overlay %v bytes", rep.GenerationAlloc, rep.OverlayAlloc)
	}
	// The process's CPU per search, each side's blocks apart: the
	// searches used some, and far less than a second each.
	for side, us := range map[string]float64{"generation": rep.GenerationCPU, "overlay": rep.OverlayCPU} {
		if us <= 0 || us > 1e6 {
			t.Errorf("%s: %v µs of CPU per search", side, us)
		}
	}
	unchanged, untouched := 0, 0
	for _, q := range rep.ByQuery {
		if q.Generation <= 0 || q.Overlay <= 0 {
			t.Errorf("%s: p50 %v ms on the generation, %v on the overlay", q.Path, q.Generation, q.Overlay)
		}
		if q.Unchanged {
			unchanged++
		}
		if q.Untouched {
			untouched++
			if !q.Unchanged {
				t.Errorf("%s: untouched, and answered otherwise", q.Path)
			}
		}
	}
	if unchanged != rep.Unchanged || unchanged == rep.Queries {
		t.Errorf("%d queries unchanged by %d changes, %d by query: some must change, and the two agree", rep.Unchanged, rep.Changes, unchanged)
	}
	if untouched != rep.Untouched {
		t.Errorf("%d queries untouched, %d by query", rep.Untouched, untouched)
	}

	// Asked for more segments than 900 changes leave, it applies batches
	// until the overlay has them (the policy merges four of a level).
	out.Reset()
	args = []string{"bench", "overlay", "--index-dir", dir, "--changes", "900", "--batch", "50", "--segments", "5", "--rounds", "1", "--passes", "2", "--json"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("careatlas %v: exit %d\n%s", args, code, errOut.String())
	}
	var more overlayReport
	if err := json.Unmarshal(out.Bytes(), &more); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	if more.Segments != 5 || more.Batches <= 18 || more.Batches > 36 {
		t.Errorf("asked for 5 segments after 900 changes: %d segments after %d batches", more.Segments, more.Batches)
	}

	// --control searches the generation on both sides: an A/A run.
	out.Reset()
	args = []string{"bench", "overlay", "--index-dir", dir, "--changes", "100", "--rounds", "1", "--passes", "2", "--control", "--json"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("careatlas %v: exit %d\n%s", args, code, errOut.String())
	}
	var control overlayReport
	if err := json.Unmarshal(out.Bytes(), &control); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	if !control.Control || control.Overlay.N != control.Generation.N {
		t.Errorf("--control: control %v, %d searches on one side and %d on the other", control.Control, control.Generation.N, control.Overlay.N)
	}

	// --queries searches the unchanged queries alone, or the changed: an
	// unchanged query timed with no changed query beside it. The same
	// seed and changes split the queries as the run of all of them did.
	for _, c := range []struct {
		which string
		want  int
		same  bool
	}{{"unchanged", rep.Unchanged, true}, {"untouched", rep.Untouched, true}, {"changed", rep.Queries - rep.Unchanged, false}} {
		out.Reset()
		args = []string{"bench", "overlay", "--index-dir", dir, "--changes", "900", "--batch", "50", "--rate-every", "400",
			"--segments", "0", "--rounds", "1", "--passes", "2", "--queries", c.which, "--json"}
		if code := run(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("careatlas %v: exit %d\n%s", args, code, errOut.String())
		}
		var some overlayReport
		if err := json.Unmarshal(out.Bytes(), &some); err != nil {
			t.Fatalf("report: %v\n%s", err, out.String())
		}
		if some.Searched != c.which || some.Queries != c.want || len(some.ByQuery) != c.want || some.Overlay.N != c.want {
			t.Errorf("--queries %s: %q, %d queries (%d by query, %d searches timed), want %d", c.which, some.Searched,
				some.Queries, len(some.ByQuery), some.Overlay.N, c.want)
		}
		for _, q := range some.ByQuery {
			if q.Unchanged != c.same || c.which == "untouched" && !q.Untouched {
				t.Errorf("--queries %s searched %s (unchanged %v, untouched %v)", c.which, q.Path, q.Unchanged, q.Untouched)
			}
		}
	}

	// --match searches only the queries whose path holds the text: one
	// query profiled alone.
	out.Reset()
	args = []string{"bench", "overlay", "--index-dir", dir, "--changes", "100", "--rounds", "1", "--passes", "2", "--segments", "0",
		"--match", "country=TR", "--json"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("careatlas %v: exit %d\n%s", args, code, errOut.String())
	}
	var matched overlayReport
	if err := json.Unmarshal(out.Bytes(), &matched); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	if matched.Queries == 0 || matched.Queries >= rep.Queries || len(matched.ByQuery) != matched.Queries {
		t.Errorf("--match country=TR: %d queries of %d searched", matched.Queries, rep.Queries)
	}
	for _, q := range matched.ByQuery {
		if !strings.Contains(q.Path, "country=TR") {
			t.Errorf("--match country=TR searched %s", q.Path)
		}
	}

	// --kind applies changes of one kind alone: deletions leave documents
	// out of the generation and add no segment; inserted offers are
	// segments that leave nothing out; review counts patch stars and
	// re-index the facility alone.
	for _, c := range []struct {
		kind                 string
		segments, left, recs func(n uint64) bool
	}{
		{"delete", func(n uint64) bool { return n == 0 }, func(n uint64) bool { return n >= 90 && n <= 100 }, func(n uint64) bool { return n == 0 }},
		{"insert", func(n uint64) bool { return n >= 1 }, func(n uint64) bool { return n == 0 }, func(n uint64) bool { return n >= 90 && n <= 100 }},
		{"reviews", func(n uint64) bool { return n >= 1 }, func(n uint64) bool { return n >= 1 && n <= 100 }, func(n uint64) bool { return n >= 1 && n <= 100 }},
	} {
		out.Reset()
		args = []string{"bench", "overlay", "--index-dir", dir, "--changes", "100", "--rounds", "1", "--passes", "2", "--segments", "0",
			"--rate-every", "0", "--kind", c.kind, "--json"}
		if code := run(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("careatlas %v: exit %d\n%s", args, code, errOut.String())
		}
		var one overlayReport
		if err := json.Unmarshal(out.Bytes(), &one); err != nil {
			t.Fatalf("report: %v\n%s", err, out.String())
		}
		if one.Kind != c.kind || !c.segments(uint64(one.Segments)) || !c.left(one.Deleted) || !c.recs(one.Changed) {
			t.Errorf("--kind %s: kind %q, %d segments holding %d records, %d documents left out of the generation",
				c.kind, one.Kind, one.Segments, one.Changed, one.Deleted)
		}
	}

	// Bad input is a usage error, and a directory without an index says so.
	for _, bad := range [][]string{{"--changes", "0"}, {"--passes", "1"}, {"--rate-every", "-1"}, {"--segments", "13"}, {"--kind", "stars"}, {"--queries", "some"}} {
		errOut.Reset()
		if code := run(context.Background(), append([]string{"bench", "overlay", "--index-dir", dir}, bad...), &out, &errOut); code == 0 {
			t.Errorf("bench overlay %v: exit 0", bad)
		}
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"bench", "overlay", "--index-dir", t.TempDir()}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "bench overlay") {
		t.Errorf("bench overlay on an empty directory: exit %d, %s", code, errOut.String())
	}
}

// TestUnchangedQueries: bench overlay reports the queries an overlay
// answers exactly as its generation does apart. After one offer's price
// falls to almost nothing, a search of its treatment by price finds it
// first (changed); one sorted by price in another country does not
// reach it (unchanged).
func TestUnchangedQueries(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := indexer.Build(ctx, &indexer.FileSource{Dir: bundled}, dir, nil); err != nil {
		t.Fatal(err)
	}
	path, err := search.Current(dir)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := search.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	o, err := search.NewOverlay(ctx, gen, gen.Rates(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var offer *search.Record
	for id := int64(1); offer == nil || offer.Price == nil || offer.Treatment == nil || offer.Facility == nil; id++ {
		if offer, err = o.Get(ctx, search.TypeOffer, id); err != nil && !notFound(err) {
			t.Fatal(err)
		}
	}
	cheap := *offer.Price
	cheap.Amount = 0.01
	offer.Price = &cheap
	recs := map[string]*search.Record{search.DocID(search.TypeOffer, offer.ID): offer}
	for {
		need, err := o.Needs(ctx, recs)
		if err != nil {
			t.Fatal(err)
		}
		if len(need) == 0 {
			break
		}
		for typ, ids := range need {
			for _, id := range ids {
				if recs[search.DocID(typ, id)], err = o.Get(ctx, typ, id); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	changed, err := o.Apply(ctx, o.Rates(), recs)
	if err != nil {
		t.Fatal(err)
	}
	defer changed.Close()
	defer o.Close()
	other := "US"
	if offer.Facility.Country == other {
		other = "TR"
	}
	reqs := []search.Request{
		search.Request{Query: offer.Treatment.Name, Sort: search.SortPriceAsc}.MustWhere(search.FilterType, search.TypeOffer),
		search.Request{Sort: search.SortPriceAsc}.MustWhere(search.FilterType, search.TypeOffer).MustWhere(search.FilterCountry, other),
	}
	got, untouched, err := unchangedQueries(ctx, gen, changed, reqs)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] || !got[1] {
		t.Errorf("unchanged: %v for offer %d's treatment %q by price and for country %s by price; want [false true]",
			got, offer.ID, offer.Treatment.Name, other)
	}
	// The other country's offers hold none changed: the offer's old copy
	// is not among them, nor its new one.
	if untouched[0] || !untouched[1] {
		t.Errorf("untouched: %v for offer %d's treatment by price and for country %s by price; want [false true]",
			untouched, offer.ID, other)
	}
}
