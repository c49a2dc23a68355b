package search_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
)

// catalogueRecords reads every record of a catalogue directory, by DocID,
// and its rates.
func catalogueRecords(t *testing.T, dir string) (map[string]*search.Record, search.Rates) {
	t.Helper()
	ctx := context.Background()
	src := &indexer.FileSource{Dir: dir}
	rates, err := src.Rates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*search.Record{}
	err = src.Records(ctx, rates, func(r *search.Record) error {
		out[search.DocID(r.Type, r.ID)] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, rates
}

// needer is what lists the records a batch needs besides its own: a
// generation (*search.Index) or an overlay on it.
type needer interface {
	Needs(context.Context, map[string]*search.Record) (map[string][]int64, error)
}

// changedRecords is what applying the change log would hand an overlay:
// every record that differs between before and after (nil when gone),
// but for an offer or doctor that differs only in what it shows of its
// facility (the change log reads the facility alone: the overlay decides
// whether its offers and doctors are read again), and what the overlay
// says a segment needs besides, read from after.
//
// A treatment that differs only in its offer count and price span is
// left out too: the overlay counts it (Recount), given the treatments of
// the offers that changed, as the change log's Impact.Counts gives them.
func changedRecords(t *testing.T, ov *search.Overlay, rates search.Rates, before, after map[string]*search.Record) map[string]*search.Record {
	out := map[string]*search.Record{}
	counted := map[int64]bool{} // the treatments of the offers that changed
	for k, a := range after {
		if b, ok := before[k]; !ok || !sameJSON(a, b) && !onlyItsFacility(a, b) {
			out[k] = a
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out[k] = nil
		}
	}
	for k := range out {
		for _, r := range []*search.Record{before[k], after[k]} {
			if r != nil && r.Type == search.TypeOffer && r.Treatment != nil {
				counted[r.Treatment.ID] = true
			}
		}
	}
	for k, a := range out {
		if b := before[k]; a != nil && b != nil && a.Type == search.TypeTreatment && counted[a.ID] && onlyItsCounts(a, b) {
			delete(out, k)
		}
	}
	counts := slices.Sorted(maps.Keys(counted))
	if err := ov.Recount(context.Background(), rates, out, counts); err != nil {
		t.Fatal(err)
	}
	addNeeds(t, ov, out, after)
	return out
}

// onlyItsCounts reports whether treatment records a and b differ only in
// their offer count and price span.
func onlyItsCounts(a, b *search.Record) bool {
	if a.Type != search.TypeTreatment {
		return false
	}
	c := *b
	c.OfferCount, c.PriceSpan = a.OfferCount, a.PriceSpan
	return sameJSON(a, &c)
}

// addNeeds adds to out, from after, what gen says a segment holding out
// needs.
func addNeeds(t *testing.T, gen needer, out, after map[string]*search.Record) {
	t.Helper()
	for {
		need, err := gen.Needs(context.Background(), out)
		if err != nil {
			t.Fatal(err)
		}
		if len(need) == 0 {
			return
		}
		for typ, ids := range need {
			for _, id := range ids {
				out[search.DocID(typ, id)] = after[search.DocID(typ, id)]
			}
		}
	}
}

// onlyItsFacility reports whether offer or doctor records a and b differ
// only in their facility.
func onlyItsFacility(a, b *search.Record) bool {
	if a.Type != search.TypeOffer && a.Type != search.TypeDoctor || a.Facility == nil || b.Facility == nil {
		return false
	}
	c := *b
	c.Facility = a.Facility
	return sameJSON(a, &c)
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// copyCatalogue copies a catalogue directory.
func copyCatalogue(t *testing.T, from string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// edit replaces old with new in one file of a catalogue.
func edit(t *testing.T, dir, file, old, new string) {
	t.Helper()
	p := filepath.Join(dir, file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s holds no %q", file, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// overlayRequests are searches an overlay must answer as a rebuild does.
func overlayRequests() []search.Request {
	all := []string{"type", "country", "city", "category", "kind", "accreditation", "language", "price"}
	few := []string{"country", "category", "kind", "accreditation"}
	rs := []search.Request{
		{PerPage: 100, Facets: all},
		{PerPage: 100, Facets: all, Currency: "EUR", Sort: search.SortPriceAsc},
		search.Request{PerPage: 100, Facets: all, Sort: search.SortPriceDesc}.MustWhere(search.FilterType, search.TypeOffer),
		search.Request{PerPage: 100, Facets: all, Sort: search.SortRating}.MustWhere(search.FilterType, search.TypeFacility),
		search.Request{PerPage: 100, Sort: search.SortRating}.MustWhere(search.FilterType, search.TypeOffer),
		search.Request{PerPage: 100, Explain: true}.MustWhere(search.FilterType, search.TypeOffer),
		search.Request{PerPage: 100, Facets: all}.MustWhere("accreditation", "JCI"),
		search.Request{PerPage: 100, Facets: all, Currency: "EUR", PriceMax: f(3000)}.MustWhere(search.FilterType, search.TypeOffer),
		search.Request{PerPage: 2, Page: 2, Sort: search.SortPriceAsc, Facets: all}.MustWhere(search.FilterType, search.TypeOffer),
		// One category by price: the dead among its matches are looked
		// for among the category's dead (deadDocs.holdingValue).
		search.Request{PerPage: 1, Sort: search.SortPriceAsc, Facets: all}.
			MustWhere(search.FilterType, search.TypeOffer).MustWhere(search.FilterCategory, "Orthopaedics"),
		search.Request{PerPage: 1, Sort: search.SortPriceDesc, Facets: few}.
			MustWhere(search.FilterCategory, "Cosmetic surgery"),
		// Kept filter sets (two clauses), listed in their orders
		// (orderlists.go): by rating, where new reviews move a
		// facility's offers in the order (starred); by price, a page
		// longer than the matches, the facilities after the offers.
		search.Request{PerPage: 1, Sort: search.SortRating, Facets: few}.
			MustWhere(search.FilterType, search.TypeOffer).MustWhere(search.FilterCategory, "Cardiology"),
		search.Request{PerPage: 100, Sort: search.SortPriceAsc, Currency: "EUR", Facets: few}.
			MustWhere(search.FilterCountry, "US").MustWhere(search.FilterCategory, "Orthopaedics"),
		search.Request{PerPage: 100, Sort: search.SortRating, Facets: few}.MustWhere(search.FilterCountry, "US", "TR"),
	}
	for _, q := range []string{"knee replacement", "nose job", "schnozz", "Houston", "Kaya", "ivf", "hospital", "Istanbul", "rhinoplasty"} {
		rs = append(rs, search.Request{Query: q, PerPage: 100, Facets: all},
			search.Request{Query: q, PerPage: 100, Facets: all, Sort: search.SortPriceAsc}.MustWhere(search.FilterType, search.TypeOffer),
			// Facets of a few values, by relevance, offers alone: counted
			// from the matched treatments' bitmaps at once (runOffersTop),
			// the dead taken off by treatment. (A page shorter than the
			// matches may differ from a rebuild's where scores tie at its
			// end: the overlay ranks the generation's before a segment's.)
			search.Request{Query: q, PerPage: 100, Facets: few}.MustWhere(search.FilterType, search.TypeOffer),
			// A page past the first: the segments' candidates merged with
			// the base's, or, where no segment kept any, the base's alone
			// (pageOf).
			search.Request{Query: q, PerPage: 2, Page: 2, Sort: search.SortPriceAsc}.MustWhere(search.FilterType, search.TypeOffer))
	}
	return rs
}

// TestOverlayAnswersAsARebuild applies successive changes to the mini
// catalogue through an overlay on its first build, one batch at a time as
// the server does (each batch onto the previous overlay), and checks that
// every total, every facet count and every set of hits (and their order,
// where a sort key decides it) equals a rebuild of the changed catalogue,
// and that the overlay a batch was applied to still answers as it did.
// Merges run right after each batch until none is wanted, or (the second
// run) are planned on one overlay and applied to the next, after a batch
// deleted from the merged segments. The third run keeps every keyword
// column of the segments as lists (the mini catalogue's segments hold too
// few cities or treatments for a column to pass the threshold).
func TestOverlayAnswersAsARebuild(t *testing.T) {
	for _, inline := range []bool{true, false} {
		name := "merges after each batch"
		if !inline {
			name = "merges a batch late"
		}
		t.Run(name, func(t *testing.T) { overlayAnswersAsARebuild(t, inline) })
	}
	t.Run("segment columns as lists", func(t *testing.T) {
		defer search.SetSegmentListsOver(0)()
		defer search.SetSortedWalks(true)() // sorted walks count every match at once (countAll)
		overlayAnswersAsARebuild(t, true)
	})
}

func overlayAnswersAsARebuild(t *testing.T, inline bool) {
	ctx := context.Background()
	cat := copyCatalogue(t, mini)
	base, _ := buildAt(t, cat)
	before, rates := catalogueRecords(t, cat)
	steps := []struct {
		name string
		do   func(dir string)
	}{
		{"offer price", func(d string) { edit(t, d, "offers.csv", "1001,11,1,12000.50", "1001,11,1,16000") }},
		{"offer deleted", func(d string) { edit(t, d, "offers.csv", "1000,10,1,15000.00,,,USD,Average total payment,CMS\n", "") }},
		{"new accreditation", func(d string) {
			edit(t, d, "facilities.csv", "-95.4,Medicare certified,", "-95.4,Medicare certified|JCI,")
		}},
		{"offer price again", func(d string) { edit(t, d, "offers.csv", "1001,11,1,16000", "1001,11,1,9000") }},
		{"lay name", func(d string) { edit(t, d, "treatments.csv", "nose job|nose reshaping", "nose job|schnozz fix") }},
		{"new offer", func(d string) {
			edit(t, d, "offers.csv", "1006,", "1007,13,2,9000,,,EUR,,Clinic price list\n1006,")
		}},
		{"facility moves", func(d string) { edit(t, d, "facilities.csv", "Rochester,1216", "Houston,1216") }},
		{"new offer deleted", func(d string) { edit(t, d, "offers.csv", "1007,13,2,9000,,,EUR,,Clinic price list\n", "") }},
		{"exchange rate", func(d string) {
			edit(t, d, "exchange_rates.csv", "EUR,0.8,", "EUR,0.5,")
			edit(t, d, "exchange_rates.csv", "TRY,40,", "TRY,20,")
		}},
		{"facility moves back", func(d string) { edit(t, d, "facilities.csv", "Houston,1216", "Rochester,1216") }},
		{"new reviews", func(d string) {
			edit(t, d, "facilities.csv", "4.0,,Acute care hospital in", "2.5,900,Acute care hospital in")
		}},
		{"more reviews", func(d string) {
			edit(t, d, "facilities.csv", "2.5,900,Acute care hospital in", "4.9,901,Acute care hospital in")
		}},
		{"new offer there", func(d string) {
			edit(t, d, "offers.csv", "1006,", "1008,10,2,7000,,,USD,,Clinic price list\n1006,")
		}},
		{"reviews again", func(d string) {
			edit(t, d, "facilities.csv", "4.9,901,Acute care hospital in", "1.0,5000,Acute care hospital in")
		}},
	}
	ov, err := search.NewOverlay(ctx, base.ix, rates, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { ov.Close() }()
	var merge *search.Merge // planned on the previous overlay, built
	merges, carried := 0, 0
	var cleanHits uint64 // searches collected clean, with no segment side
	for _, step := range steps {
		step.do(cat)
		after, rates := catalogueRecords(t, cat)
		changed := changedRecords(t, ov, rates, before, after)
		// A rate change re-reads no offer: the overlay converts the price
		// column from each offer's own amount (the treatments' price spans
		// changed, and are read).
		if step.name == "exchange rate" {
			for k := range changed {
				if strings.HasPrefix(k, search.TypeOffer+":") {
					t.Errorf("a rate change re-reads offer %s", k)
				}
			}
		}
		if strings.HasSuffix(step.name, "reviews") {
			// A facility's rating and review count show on its offers
			// and doctors and weigh in its offers' trust, but re-read
			// none of them: the overlay patches them in.
			if got := slices.Sorted(maps.Keys(changed)); !slices.Equal(got, []string{"facility:10"}) {
				t.Fatalf("%s: a facility's new reviews need %v, want only the facility", step.name, got)
			}
		}
		if step.name == "facility moves" {
			// Its offers and doctors show its city: they are read again.
			if changed["offer:1001"] == nil || changed["doctor:101"] == nil && after["doctor:101"] != nil && after["doctor:101"].Facility.ID == 11 {
				t.Fatalf("a facility that moves needs %v, want its offers and doctors too", slices.Sorted(maps.Keys(changed)))
			}
		}
		if step.name == "offer price" {
			// The offer and its treatment (whose record spans its offers'
			// prices) changed; its facility and the facility's treatments
			// did not: the segment holds them as deleted owners, copied
			// from the generation, and nothing else is read.
			if got := slices.Sorted(maps.Keys(changed)); !slices.Equal(got, []string{"offer:1001", "treatment:1"}) {
				t.Fatalf("a price change needs %v, want only the offer and its treatment", got)
			}
		}
		was := answers(t, ov)
		next, err := ov.Apply(ctx, rates, changed)
		if err != nil {
			t.Fatal(err)
		}
		if merge != nil {
			merged, err := next.WithMerge(ctx, merge)
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			merge.Close()
			next.Close()
			next, merge = merged, nil
			merges++
		}
		for inline {
			m := next.PlanMerge()
			if m == nil {
				break
			}
			if err := m.Build(ctx); err != nil {
				t.Fatal(err)
			}
			merged, err := next.WithMerge(ctx, m)
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			m.Close()
			next.Close()
			next = merged
			merges++
		}
		if !inline {
			if merge = next.PlanMerge(); merge != nil {
				if err := merge.Build(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := answers(t, ov); !reflect.DeepEqual(got, was) {
			t.Errorf("%s: applying a batch changed the overlay it was applied to", step.name)
		}
		ov.Close()
		ov = next
		carried += ov.SidesCarried()
		before = after
		checkOverlay(t, step.name, ov, cat, after, changed)
		cleanHits += ov.Untouched()
		if step.name == "offer price" && ov.Changed() != 2 {
			t.Errorf("after a price change the overlay holds %d records live, want 2 (the owners it joins through stay live in the generation)", ov.Changed())
		}
		if t.Failed() {
			t.Logf("after %s:\n%s", step.name, ov.Dump())
			return
		}
	}
	if merge != nil {
		merge.Close()
	}
	if merges == 0 {
		t.Error("no merge was applied: the test misses that path")
	}
	if carried == 0 {
		t.Error("no segment kept a side across a batch: the test misses that path")
	}
	if cleanHits == 0 {
		t.Error("no search collected the generation as is (cleanKeys): the test misses that path")
	}
	if ov.Segments() >= len(steps) {
		t.Errorf("%d segments after %d batches: nothing was merged", ov.Segments(), len(steps))
	}
}

// asJSON is a result as JSON, without the time it took.
func asJSON(res *search.Result) string {
	c := *res
	c.Took = 0
	b, _ := json.Marshal(c)
	return string(b)
}

// answers is what an overlay answers to overlayRequests, as JSON.
func answers(t *testing.T, ov *search.Overlay) []string {
	var out []string
	for _, r := range overlayRequests() {
		res, err := ov.Search(context.Background(), r, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, asJSON(res))
	}
	return out
}

// checkOverlay compares an overlay with a rebuild of cat, whose records
// are after; changed was the last batch.
func checkOverlay(t *testing.T, step string, ov *search.Overlay, cat string, after, changed map[string]*search.Record) {
	t.Helper()
	ctx := context.Background()
	rebuilt, _ := buildAt(t, cat)
	for _, r := range overlayRequests() {
		want, err := rebuilt.ix.Search(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Four times, the last two at once: a segment keeps its terms'
		// hits and its sides for the searches after it (termCache,
		// sideCache), and they share them; the second learns whether
		// the generation's matches hold a document left out, and the
		// others, and the next steps' overlays, collect the generation
		// as is where none does (cleanKeys).
		got, err := ov.Search(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		sameResult(t, step, r, got, want)
		second, err := ov.Search(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		var again, meanwhile *search.Result
		var errAgain, errMeanwhile error
		var wg sync.WaitGroup
		wg.Go(func() { meanwhile, errMeanwhile = ov.Search(ctx, r, nil) })
		again, errAgain = ov.Search(ctx, r, nil)
		wg.Wait()
		if err := errors.Join(errAgain, errMeanwhile); err != nil {
			t.Fatal(err)
		}
		// The same overlay answers the same request alike, score for score.
		for _, res := range []*search.Result{second, again, meanwhile} {
			if a, b := asJSON(got), asJSON(res); a != b {
				t.Errorf("%s, %+v searched again:\n%s\nthe first time:\n%s", step, r, b, a)
			}
		}
	}
	for k, r := range after {
		got, err := ov.Get(ctx, r.Type, r.ID)
		if err != nil || !sameJSON(got, r) {
			t.Errorf("%s: Get %s = %v, %v; want the record as it is now", step, k, got, err)
		}
	}
	for k := range changed {
		if after[k] == nil {
			typ, id := splitKey(t, k)
			if _, err := ov.Get(ctx, typ, id); err == nil {
				t.Errorf("%s: Get %s found a deleted record", step, k)
			}
		}
	}
	// Every record the base and the segments keep for their pages is
	// still its document's, though pages showed it in dollars and euros.
	if kept, err := search.CheckOverlayPageRecords(ov); err != nil || kept == 0 {
		t.Errorf("%s: %d records kept for pages: %v", step, kept, err)
	}
	if step == "lay name" {
		ss, err := ov.Suggest(ctx, "schnoz", 5)
		if err != nil || len(ss) == 0 || ss[0].Type != search.TypeTreatment || ss[0].ID != 2 {
			t.Errorf("%s: suggest schnoz = %v, %v; want treatment 2 first", step, ss, err)
		}
	}
}

func splitKey(t *testing.T, k string) (string, int64) {
	var id int64
	typ, n, _ := strings.Cut(k, ":")
	if err := json.Unmarshal([]byte(n), &id); err != nil {
		t.Fatal(err)
	}
	return typ, id
}

// buildAt builds a catalogue directory into a fresh index.
func buildAt(t *testing.T, cat string) (*testIndex, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: cat}, dir, nil); err != nil {
		t.Fatal(err)
	}
	ix, err := openIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ix.Close)
	return ix, dir
}

// sameResult compares what an overlay must give exactly: the total, every
// facet, the hits as a set, and their order under a sort by a key.
func sameResult(t *testing.T, step string, r search.Request, got, want *search.Result) {
	t.Helper()
	name := step + ": " + describe(r)
	if got.Total != want.Total {
		t.Errorf("%s: total %d, a rebuild says %d", name, got.Total, want.Total)
	}
	if !reflect.DeepEqual(got.Facets, want.Facets) {
		t.Errorf("%s: facets\n%v\na rebuild says\n%v", name, got.Facets, want.Facets)
	}
	// The hits as a set; under a sort by a key, also the keys in order
	// (records with equal keys may come in another order).
	ids := func(hs []search.Hit) []string {
		var out []string
		for _, h := range hs {
			out = append(out, search.DocID(h.Type, h.ID))
		}
		slices.Sort(out)
		return out
	}
	if g, w := ids(got.Hits), ids(want.Hits); !slices.Equal(g, w) {
		t.Errorf("%s: hits %v, a rebuild gives %v", name, g, w)
	}
	// What each hit says the query matched (an offer's treatment's lay
	// names and translations as they are now).
	matched := map[string]*search.Match{}
	for _, h := range want.Hits {
		matched[search.DocID(h.Type, h.ID)] = h.Matched
	}
	for _, h := range got.Hits {
		if w, ok := matched[search.DocID(h.Type, h.ID)]; ok && !sameJSON(h.Matched, w) {
			t.Errorf("%s: %s matched %+v, in a rebuild %+v", name, search.DocID(h.Type, h.ID), h.Matched, w)
		}
	}
	if r.Query == "" && r.Sort == "" {
		// Each hit scores its trust: compare them hit by hit.
		scores := map[string]float64{}
		for _, h := range want.Hits {
			scores[search.DocID(h.Type, h.ID)] = h.Score
		}
		for _, h := range got.Hits {
			if w, ok := scores[search.DocID(h.Type, h.ID)]; ok && fmt.Sprintf("%.3f", w) != fmt.Sprintf("%.3f", h.Score) {
				t.Errorf("%s: %s scores %.3f, in a rebuild %.3f", name, search.DocID(h.Type, h.ID), h.Score, w)
			}
		}
	}
	for i := range min(len(got.Hits), len(want.Hits)) {
		if g, w := sortKey(r, got.Hits[i]), sortKey(r, want.Hits[i]); g != w {
			t.Errorf("%s: hit %d has key %s, a rebuild's %s", name, i, g, w)
		}
		if !sameJSON(got.Hits[i].ConvertedPrice, want.Hits[i].ConvertedPrice) && sortKey(r, got.Hits[i]) != "" {
			t.Errorf("%s: hit %d converted price %v, a rebuild's %v", name, i, got.Hits[i].ConvertedPrice, want.Hits[i].ConvertedPrice)
		}
	}
}

// sortKey is what a request's sort orders a hit by, "" under relevance.
func sortKey(r search.Request, h search.Hit) string {
	switch r.Sort {
	case search.SortPriceAsc, search.SortPriceDesc:
		b, _ := json.Marshal([]any{h.Price, h.PriceRange})
		return string(b)
	case search.SortRating:
		rating := h.Rating
		if h.Type == search.TypeOffer && h.Facility != nil {
			rating = h.Facility.Rating
		}
		b, _ := json.Marshal(rating)
		return string(b)
	}
	if r.Query == "" {
		// With no words a hit scores its trust alone, read from the
		// columns: the same in every index.
		return fmt.Sprintf("score %.3f", h.Score)
	}
	return ""
}

func describe(r search.Request) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// miniOverlay is an overlay of no change on a generation of a copy of the
// mini catalogue: the copy's directory, the generation, and the records
// and rates it was built from. The caller closes the overlay.
func miniOverlay(t *testing.T) (cat string, base *testIndex, ov *search.Overlay, records map[string]*search.Record, rates search.Rates) {
	t.Helper()
	cat = copyCatalogue(t, mini)
	base, _ = buildAt(t, cat)
	records, rates = catalogueRecords(t, cat)
	ov, err := search.NewOverlay(context.Background(), base.ix, rates, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cat, base, ov, records, rates
}

// TestSegmentSidesFollowTheirView: a segment keeps what a search found in
// it for the same search again (sideCache), and answers anew once the
// overlay sees it at other exchange rates or with a facility's other
// stars, which change what its offers cost and weigh without re-reading
// them or leaving any of its documents out; the sides new stars cannot
// change are kept. Each overlay must answer as one built at once from
// the same changes, which has kept nothing.
func TestSegmentSidesFollowTheirView(t *testing.T) {
	ctx := context.Background()
	cat, base, ov, before, rates := miniOverlay(t)
	defer func() { ov.Close() }()
	// Offer 1005 (4,000 euros at Berlin's IVF centre, facility 13, which
	// has no rating) costs 4,100: a segment holds it.
	edit(t, cat, "offers.csv", "1005,13,4,4000,", "1005,13,4,4100,")
	after, rates := catalogueRecords(t, cat)
	all := changedRecords(t, ov, rates, before, after)
	next, err := ov.Apply(ctx, rates, all)
	if err != nil {
		t.Fatal(err)
	}
	ov.Close()
	ov = next
	underDollars := search.Request{PriceMax: f(5200), PerPage: 10}.MustWhere(search.FilterType, search.TypeOffer)
	has1005 := func(ov *search.Overlay) bool {
		res, err := ov.Search(ctx, underDollars, nil)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(res.Hits, func(h search.Hit) bool { return h.ID == 1005 })
	}
	if !has1005(ov) {
		t.Fatal("offer 1005 at 4,100 euros (5,125 dollars) is not under 5,200 dollars")
	}
	kept := ov.SideCacheHits()
	if !has1005(ov) || ov.SideCacheHits() == kept {
		t.Fatalf("the same search again: offer 1005 found %v, %d sides found kept before and %d after",
			has1005(ov), kept, ov.SideCacheHits())
	}

	// A new rate reprices every side, so none is kept; new stars change
	// only the sides that counted the facility's offers (a search sorted
	// by rating that counted offer 1005 ranks it first now, not last),
	// and the others, a search for knees among them, are kept.
	steps := []struct {
		name      string
		wholeView bool
		apply     func() (search.Rates, map[string]*search.Record)
	}{
		{"a new exchange rate", true, func() (search.Rates, map[string]*search.Record) {
			// 4,100 euros at 0.5 a dollar are 8,200 dollars.
			eur := search.Rates{AsOf: rates.AsOf, Rates: maps.Clone(rates.Rates)}
			eur.Rates["EUR"] = 0.5
			return eur, map[string]*search.Record{}
		}},
		{"new stars", false, func() (search.Rates, map[string]*search.Record) {
			// Offer 1005 had no rating: now it has its facility's.
			r := *after[search.DocID(search.TypeFacility, 13)]
			rating, reviews := 4.9, 800
			r.Rating, r.ReviewCount = &rating, &reviews
			return ov.Rates(), map[string]*search.Record{search.DocID(search.TypeFacility, 13): &r}
		}},
	}
	for _, step := range steps {
		answers(t, ov) // every request kept, as the old view found it
		rates, records := step.apply()
		next, err := ov.Apply(ctx, rates, records)
		if err != nil {
			t.Fatal(err)
		}
		ov.Close()
		ov = next
		maps.Copy(all, records)
		fresh, err := search.NewOverlay(ctx, base.ix, rates, all)
		if err != nil {
			t.Fatal(err)
		}
		carried := ov.SidesCarried()
		for _, r := range overlayRequests() {
			got, err := ov.Search(ctx, r, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fresh.Search(ctx, r, nil)
			if err != nil {
				t.Fatal(err)
			}
			sameResult(t, "after "+step.name, r, got, want)
		}
		fresh.Close()
		switch {
		case step.wholeView && carried != 0:
			t.Errorf("after %s, %d sides were kept from the view before", step.name, carried)
		case !step.wholeView && carried == 0:
			t.Errorf("after %s, no side was kept, not even those that never counted offer 1005", step.name)
		}
	}
	if has1005(ov) {
		t.Error("at 0.5 euros a dollar, offer 1005 (8,200 dollars) is still under 5,200")
	}
}

// TestCleanKeysFollowTheDead: a search whose matches in the generation
// hold no document the overlay left out is collected there as the
// generation collects it from its third search on (cleanKeys), and the
// overlays after carry that until a batch leaves out one of its matches;
// a search among whose matches one is left out is not. Each answer must
// be a rebuild's: a key kept clean past the deletion of one of its
// matches, or learnt clean with a dead match among them, counts the
// generation's old copy.
func TestCleanKeysFollowTheDead(t *testing.T) {
	ctx := context.Background()
	cat, _, ov, before, _ := miniOverlay(t)
	defer func() { ov.Close() }()
	apply := func(step string, do func()) {
		t.Helper()
		do()
		after, rates := catalogueRecords(t, cat)
		next, err := ov.Apply(ctx, rates, changedRecords(t, ov, rates, before, after))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		ov.Close()
		ov, before = next, after
	}
	offers := func(r search.Request) search.Request { return r.MustWhere(search.FilterType, search.TypeOffer) }
	knees := offers(search.Request{Query: "knee replacement", Facets: []string{"country"}})
	// Bounded by price, each match is visited and counted one by one
	// (collector.tally), where the others are counted in bulk.
	ivf := offers(search.Request{Query: "ivf", PriceMax: f(1e9)})
	// check answers r on ov as a rebuild does, and reports whether it
	// was collected clean.
	check := func(step string, r search.Request) bool {
		t.Helper()
		rebuilt, _ := buildAt(t, cat)
		want, err := rebuilt.ix.Search(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		hits := ov.Untouched()
		got, err := ov.Search(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		sameResult(t, step, r, got, want)
		return ov.Untouched() > hits
	}
	// Offer 1005, IVF in Berlin, costs 4,100 euros: its generation copy
	// is left out, a segment holds it.
	apply("1005 repriced", func() { edit(t, cat, "offers.csv", "1005,13,4,4000,", "1005,13,4,4100,") })
	for i, want := range []bool{false, false, true, true} {
		if got := check("1005 repriced", knees); got != want {
			t.Errorf("knee replacement, search %d: collected clean %v, want %v", i+1, got, want)
		}
		if check("1005 repriced", ivf) {
			t.Errorf("ivf, search %d: collected clean, though offer 1005's old copy is among its matches", i+1)
		}
	}
	// Offer 1002 (a heart attack in Houston) is no knee replacement: the
	// next overlay carries the key.
	apply("1002 deleted", func() { edit(t, cat, "offers.csv", "1002,10,3,11000,,,USD,Average total payment,CMS\n", "") })
	if !check("1002 deleted", knees) {
		t.Error("knee replacement after deleting a heart attack offer: not collected clean; the key was not carried")
	}
	// Offer 1001 is one: the key is not carried, and learnt dirty again
	// (1001's generation copy is among its matches); the answer lacks it.
	apply("1001 deleted", func() { edit(t, cat, "offers.csv", "1001,11,1,12000.50,,,USD,Average total payment,CMS\n", "") })
	for i := range 3 {
		if check("1001 deleted", knees) {
			t.Errorf("knee replacement after deleting one of its offers, search %d: collected clean", i+1)
		}
	}

	// New reviews of the Istanbul clinic (facility 12) leave none of its
	// documents out: its offers' stars are patched where they are
	// indexed. A search for its nose job stays clean, and the
	// generation's own search, which it becomes once its segments have
	// been found to hold nothing for it, shows the clinic's new stars.
	noses := offers(search.Request{Query: "nose job", Sort: search.SortRating})
	for range 3 {
		check("before the reviews", noses)
	}
	apply("new reviews", func() { edit(t, cat, "facilities.csv", "tr|en,4.5,120,", "tr|en,3.1,480,") })
	for i, want := range []bool{true, true, true} {
		if got := check("new reviews", noses); got != want {
			t.Errorf("nose job after new reviews, search %d: collected clean %v, want %v", i+1, got, want)
		}
	}

	// Without words, a search bounded by price walks the price order
	// within its bounds, in dollars: which offers it matches moves with
	// the rates. Under 3,000 dollars, offer 1005's generation copy (4,000
	// euros, 5,000 dollars at 0.8 a dollar) is not among them; at 2 euros
	// a dollar (2,000 dollars) it is, and a key kept clean would count it.
	defer search.SetSortedWalks(true)()
	cheap := offers(search.Request{PriceMax: f(3000), Sort: search.SortPriceAsc})
	for i, want := range []bool{false, false, true} {
		if got := check("before the rate", cheap); got != want {
			t.Errorf("under 3,000 dollars, search %d: collected clean %v, want %v", i+1, got, want)
		}
	}
	apply("a new rate", func() { edit(t, cat, "exchange_rates.csv", "EUR,0.8,", "EUR,2,") })
	for i := range 3 {
		if check("a new rate", cheap) {
			t.Errorf("under 3,000 dollars at a new rate, search %d: collected clean", i+1)
		}
	}
}

// TestNewWordsAreTheOverlaysOwn: a word only a segment holds (a lay name
// just given) is read as itself on the overlay, as a rebuild reads it,
// not as a typo of a word the generation knows; and the generation,
// which understood the same query before the overlay did and keeps what
// it understood for every search after (understandings), still reads it
// as that typo. Reading it as itself in place of the kept understanding
// fails the generation's searches after.
func TestNewWordsAreTheOverlaysOwn(t *testing.T) {
	ctx := context.Background()
	cat, base, ov, before, _ := miniOverlay(t)
	defer func() { ov.Close() }()
	req := search.Request{Query: "reshapinx"}.MustWhere(search.FilterType, search.TypeTreatment)
	typo := func(res *search.Result) bool {
		return slices.ContainsFunc(res.Expansions, func(e search.Expansion) bool {
			return e.Kind == "typo" && e.Text == "reshapinx" && slices.Contains(e.To, "reshaping")
		})
	}
	onGeneration := func(step string) {
		t.Helper()
		res, err := base.ix.Search(ctx, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !typo(res) || !slices.Equal(ids(res.Hits), []int64{2}) {
			t.Errorf("%s: the generation reads reshapinx with expansions %+v and finds %v, want a typo of reshaping finding [2] (Rhinoplasty)",
				step, res.Expansions, ids(res.Hits))
		}
	}
	onGeneration("before the change")

	// Rhinoplasty's lay name "nose reshaping" becomes "nose reshapinx".
	edit(t, cat, "treatments.csv", "nose job|nose reshaping", "nose job|nose reshapinx")
	after, rates := catalogueRecords(t, cat)
	next, err := ov.Apply(ctx, rates, changedRecords(t, ov, rates, before, after))
	if err != nil {
		t.Fatal(err)
	}
	ov.Close()
	ov = next
	rebuilt, _ := buildAt(t, cat)
	want, err := rebuilt.ix.Search(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if typo(want) {
		t.Fatalf("a rebuild reads reshapinx as a typo: %+v", want.Expansions)
	}
	for i := range 3 {
		step := fmt.Sprintf("search %d", i+1)
		got, err := ov.Search(ctx, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		sameResult(t, step+" on the overlay", req, got, want)
		if typo(got) {
			t.Errorf("%s on the overlay: reshapinx read as a typo (%+v), a rebuild reads it as itself", step, got.Expansions)
		}
		onGeneration(step + " on the generation, after the overlay's")
	}
}
