package search_test

import (
	"context"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
)

// The benchmarks run on the bundled catalogue (29k documents). For the
// figures at a million offers, and beside PostgreSQL, see 'careatlas bench'
// and BENCHMARKS.md.

var bundled struct {
	once sync.Once
	dir  string
	live *testIndex
	err  error
}

// TestMain removes the bundled index, if a test or benchmark built it.
func TestMain(m *testing.M) {
	code := m.Run()
	if bundled.live != nil {
		bundled.live.Close()
	}
	if bundled.dir != "" {
		os.RemoveAll(bundled.dir)
	}
	os.Exit(code)
}

// bundledIndex builds the bundled catalogue once per test binary, for the
// benchmarks and the tests that need real translations.
func bundledIndex(b testing.TB) *testIndex {
	b.Helper()
	bundled.once.Do(func() {
		dir, err := os.MkdirTemp("", "careatlas-bundled-")
		if err != nil {
			bundled.err = err
			return
		}
		bundled.dir = dir
		if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: "../testdata/catalog"}, dir, nil); err != nil {
			bundled.err = err
			return
		}
		bundled.live, bundled.err = openIndex(dir)
	})
	if bundled.err != nil {
		b.Fatal(bundled.err)
	}
	return bundled.live
}

func BenchmarkSearch(b *testing.B) {
	live := bundledIndex(b)
	cases := []struct {
		name string
		req  search.Request
	}{
		{"text", search.Request{Query: "knee replacement"}.MustWhere(search.FilterType, "offer")},
		{"text_facets", search.Request{Query: "heart failure", Facets: []string{"country", "category", "kind"}}.MustWhere(search.FilterType, "offer")},
		{"filters", search.Request{Sort: search.SortPriceAsc}.MustWhere(search.FilterType, "offer").MustWhere(search.FilterCountry, "US").MustWhere(search.FilterCategory, "Cardiology")},
		{"broad_facets", search.Request{Facets: []string{"country", "kind", "city", "price"}, Sort: search.SortRating}.MustWhere(search.FilterType, "offer")},
		{"price_currency", search.Request{Query: "replacement", Sort: search.SortPriceAsc, Currency: "EUR"}.MustWhere(search.FilterType, "offer")},
		{"deep_page", search.Request{Page: 501, PerPage: 10}.MustWhere(search.FilterType, "offer").MustWhere(search.FilterCountry, "US")},
		{"lay_synonym", search.Request{Query: "nose job"}.MustWhere(search.FilterType, "offer")},
		{"typo", search.Request{Query: "kne replacment"}.MustWhere(search.FilterType, "offer")},
		{"other_language", search.Request{Query: "Knieprothese", Lang: "de"}},
		{"all_types_explain", search.Request{Query: "cataract surgery", Explain: true}},
		{"lay_phrase", search.Request{Query: "weight loss surgery"}},
		{"geo_radius", search.Request{Near: &search.GeoPoint{Lat: 41.01, Lon: 28.97}, RadiusKM: 500, Sort: search.SortDistance,
			Facets: []string{"city"}}.MustWhere(search.FilterType, "offer")},
	}
	edges, err := indexer.FileSynonyms("../testdata/catalog")
	if err != nil {
		b.Fatal(err)
	}
	live.SetSynonyms(search.NewSynonyms(edges))
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				res, err := live.Search(ctx, c.req)
				if err != nil {
					b.Fatal(err)
				}
				if res.Total == 0 {
					b.Fatalf("%s matched nothing", c.name)
				}
			}
		})
	}
	// The searches above find what the index kept from their first
	// time; these find none of it, as the first search of new words
	// does: the unions of their treatments' offers (unionCache), or
	// their text understood (understandings).
	for _, forget := range []struct {
		suffix string
		names  []string
		drop   func(*search.Index)
	}{
		{"_unions_not_kept", []string{"text", "lay_phrase"}, search.DropKeptUnions},
		{"_not_understood_before", []string{"text", "lay_synonym", "typo", "other_language"}, search.DropUnderstood},
	} {
		for _, name := range forget.names {
			i := slices.IndexFunc(cases, func(c struct {
				name string
				req  search.Request
			}) bool {
				return c.name == name
			})
			b.Run(name+forget.suffix, func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					forget.drop(live.ix)
					if _, err := live.Search(ctx, cases[i].req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkSuggest measures autocomplete per keystroke: well-typed
// prefixes, and misspelt ones that need the fuzzy pass.
func BenchmarkSuggest(b *testing.B) {
	live := bundledIndex(b)
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		prefixes []string
	}{
		{"prefix", []string{"kn", "knee r", "card", "rhino", "st m", "hip", "kniep", "protesis de"}},
		{"typo", []string{"rhynopl", "catarct", "knee replacm", "istanbol", "cardiak", "hipp repl"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := live.Suggest(ctx, c.prefixes[i%len(c.prefixes)], 8); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// overlayBench is the bundled generation, an overlay of it with 200 offers
// deleted, that overlay with ten segments of 100 repriced offers each (as
// the follower leaves them between merges), and 100 more offers repriced,
// by DocID, for a batch to apply. The overlays are closed when b ends.
func overlayBench(b *testing.B) (gen *search.Index, withDeleted, withSegments *search.Overlay, batch map[string]*search.Record) {
	live := bundledIndex(b)
	gen, ctx := live.ix, context.Background()
	rates := gen.Rates()
	repriced := func(offers []*search.Record) map[string]*search.Record {
		batch := map[string]*search.Record{}
		for _, r := range offers {
			r, err := gen.Get(ctx, r.Type, r.ID)
			if err != nil {
				b.Fatal(err)
			}
			if r.Price != nil {
				p := *r.Price
				p.Amount *= 1.01
				r.Price = &p
			}
			batch[search.DocID(r.Type, r.ID)] = r
		}
		return batch
	}
	// Offers to change, spread over the catalogue.
	var offers []*search.Record
	for page := 1; len(offers) < 1300; page++ {
		res, err := gen.Search(ctx, search.Request{Page: page, PerPage: 100, Sort: search.SortPriceAsc}.MustWhere(search.FilterType, "offer"), nil)
		if err != nil || len(res.Hits) == 0 {
			b.Fatalf("collect offers: %v", err)
		}
		for i := range res.Hits {
			r := res.Hits[i].Record
			offers = append(offers, &r)
		}
	}
	var made []*search.Overlay // each closed when the benchmark ends
	b.Cleanup(func() {
		for _, o := range made {
			o.Close()
		}
	})
	empty, err := search.NewOverlay(ctx, gen, rates, nil)
	if err != nil {
		b.Fatal(err)
	}
	made = append(made, empty)
	deleted := map[string]*search.Record{}
	for _, r := range offers[:200] {
		deleted[search.DocID(r.Type, r.ID)] = nil
	}
	if withDeleted, err = empty.Apply(ctx, rates, deleted); err != nil {
		b.Fatal(err)
	}
	made = append(made, withDeleted)
	withSegments = withDeleted
	for s := range 10 {
		if withSegments, err = withSegments.Apply(ctx, rates, repriced(offers[200+100*s:300+100*s])); err != nil {
			b.Fatal(err)
		}
		made = append(made, withSegments)
	}
	if withSegments.Segments() != 10 {
		b.Fatalf("%d segments, want 10", withSegments.Segments())
	}
	return gen, withDeleted, withSegments, repriced(offers[1200:1300])
}

// BenchmarkOverlayApply measures the follower's work: a batch of 100
// repriced offers applied to an overlay of ten segments (a new segment,
// with the treatments and facilities they join through), and the merge
// of those ten segments the policy plans (about 1,000 offers and their
// owners). ns/op is per batch or per merge.
func BenchmarkOverlayApply(b *testing.B) {
	gen, _, withSegments, batch := overlayBench(b)
	ctx, rates := context.Background(), gen.Rates()
	b.Run("batch_100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			o, err := withSegments.Apply(ctx, rates, batch)
			if err != nil {
				b.Fatal(err)
			}
			o.Close()
		}
		b.ReportMetric(float64(keptObjects(b, func() io.Closer {
			o, err := withSegments.Apply(ctx, rates, batch)
			if err != nil {
				b.Fatal(err)
			}
			return o
		})), "kept-objects")
	})
	b.Run("merge_10x100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := withSegments.PlanMerge()
			if m == nil {
				b.Fatal("no merge planned over ten segments")
			}
			if err := m.Build(ctx); err != nil {
				b.Fatal(err)
			}
			m.Close()
		}
	})
}

// BenchmarkOverlayRecount measures what counting a batch's treatments
// costs the follower (Overlay.Recount): the batch of 100 offers repriced
// by 1% over the overlay of ten segments, whose treatments it touches.
func BenchmarkOverlayRecount(b *testing.B) {
	gen, _, withSegments, batch := overlayBench(b)
	ctx, rates := context.Background(), withSegments.Rates()
	// overlayBench applies its batches without counting their treatments;
	// the follower counts them with every batch, so do that first.
	var all []int64
	for page := 1; ; page++ {
		res, err := gen.Search(ctx, search.Request{Page: page, PerPage: 100}.MustWhere(search.FilterType, "treatment"), nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Hits) == 0 {
			break
		}
		for _, h := range res.Hits {
			all = append(all, h.ID)
		}
	}
	counted := map[string]*search.Record{}
	if err := withSegments.Recount(ctx, rates, counted, all); err != nil {
		b.Fatal(err)
	}
	counts, err := withSegments.Apply(ctx, rates, counted)
	if err != nil {
		b.Fatal(err)
	}
	defer counts.Close()
	withSegments = counts
	seen := map[int64]bool{}
	var ids []int64
	for _, r := range batch {
		if r != nil && r.Treatment != nil && !seen[r.Treatment.ID] {
			seen[r.Treatment.ID] = true
			ids = append(ids, r.Treatment.ID)
		}
	}
	slices.Sort(ids)
	b.ReportAllocs()
	recounted := 0
	for b.Loop() {
		records := maps.Clone(batch)
		if err := withSegments.Recount(ctx, rates, records, ids); err != nil {
			b.Fatal(err)
		}
		recounted = len(records) - len(batch)
	}
	b.ReportMetric(float64(len(ids)), "treatments")
	b.ReportMetric(float64(recounted), "changed")
}

// keptObjects is how many more objects the heap holds, live, while what
// make returns is kept: what every collection marks for it.
func keptObjects(b *testing.B, make func() io.Closer) int64 {
	live := func() int64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.GC() // the pools' second chance
		runtime.ReadMemStats(&m)
		return int64(m.HeapObjects)
	}
	before := live()
	c := make()
	n := live() - before
	runtime.KeepAlive(c)
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkOverlaySearch measures what an overlay adds to a search: the
// bench fresh mix (lay names as text, with facets, sorted by price in
// euros; filters with a price sort and broad facets) on the generation
// alone, with 200 offers deleted, with ten segments of 100 repriced
// offers each (as the follower leaves them between merges), and with those
// ten merged into one. ns/op is per search.
func BenchmarkOverlaySearch(b *testing.B) {
	ctx := context.Background()
	var reqs []search.Request
	for _, q := range []string{"knee replacement", "nose job", "heart attack", "ivf", "cataract surgery"} {
		reqs = append(reqs,
			search.Request{Query: q}.MustWhere(search.FilterType, "offer"),
			search.Request{Query: q, Facets: []string{"country", "category", "kind"}}.MustWhere(search.FilterType, "offer"),
			search.Request{Query: q, Sort: search.SortPriceAsc, Currency: "EUR"}.MustWhere(search.FilterType, "offer"))
	}
	for _, c := range []struct{ country, category string }{{"US", "Cardiology"}, {"GB", "Orthopaedics"}, {"TR", "Cosmetic surgery"}} {
		reqs = append(reqs,
			search.Request{Sort: search.SortPriceAsc}.MustWhere(search.FilterType, "offer").
				MustWhere(search.FilterCountry, c.country).MustWhere(search.FilterCategory, c.category),
			search.Request{Sort: search.SortRating, Facets: []string{"country", "kind", "city"}}.
				MustWhere(search.FilterType, "offer").MustWhere(search.FilterCategory, c.category))
	}
	gen, withDeleted, withSegments, _ := overlayBench(b)
	// The ten segments merged into one, as the policy plans.
	m := withSegments.PlanMerge()
	if m == nil {
		b.Fatal("no merge planned over ten segments")
	}
	defer m.Close()
	if err := m.Build(ctx); err != nil {
		b.Fatal(err)
	}
	merged, err := withSegments.WithMerge(ctx, m)
	if err != nil {
		b.Fatal(err)
	}
	defer merged.Close()
	if merged.Segments() != 1 {
		b.Fatalf("%d segments merged into %d", withSegments.Segments(), merged.Segments())
	}
	for _, c := range []struct {
		name   string
		search func(search.Request) (*search.Result, error)
	}{
		{"generation", func(r search.Request) (*search.Result, error) { return gen.Search(ctx, r, nil) }},
		{"200_deleted", func(r search.Request) (*search.Result, error) { return withDeleted.Search(ctx, r, nil) }},
		{"10_segments", func(r search.Request) (*search.Result, error) { return withSegments.Search(ctx, r, nil) }},
		{"merged", func(r search.Request) (*search.Result, error) { return merged.Search(ctx, r, nil) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := c.search(reqs[i%len(reqs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkOverlayTouched measures a filter-only price browse whose
// matches the overlay touches without changing its answer: the dearest
// offer of a country and category repriced dearer, off the first page.
// bench overlay's GB orthopaedics at a million offers is such a query;
// ns/op is per search, on the generation and on the overlay.
func BenchmarkOverlayTouched(b *testing.B) {
	live := bundledIndex(b)
	gen, ctx := live.ix, context.Background()
	// The first country and category, cheapest first, with offers
	// enough for more than a page.
	cheapest, err := gen.Search(ctx, search.Request{Sort: search.SortPriceAsc, PerPage: 100}.MustWhere(search.FilterType, "offer"), nil)
	if err != nil {
		b.Fatal(err)
	}
	var r search.Request
	var browse *search.Result
	var country, category string
	for _, h := range cheapest.Hits {
		country, category = h.Record.Facility.Country, h.Record.Treatment.Category
		r = search.Request{Sort: search.SortPriceAsc}.MustWhere(search.FilterType, "offer").
			MustWhere(search.FilterCountry, country).MustWhere(search.FilterCategory, category)
		if browse, err = gen.Search(ctx, r, nil); err != nil {
			b.Fatal(err)
		}
		if browse.Total >= 50 {
			break
		}
	}
	if browse == nil || browse.Total < 50 {
		b.Fatal("no country and category with 50 offers among the 100 cheapest offers")
	}
	b.Logf("%s %s: %d offers", country, category, browse.Total)
	dear := r
	dear.Sort, dear.PerPage = search.SortPriceDesc, 1
	dearest, err := gen.Search(ctx, dear, nil)
	if err != nil {
		b.Fatal(err)
	}
	rec := dearest.Hits[0].Record
	p := *rec.Price
	p.Amount *= 2
	rec.Price = &p
	empty, err := search.NewOverlay(ctx, gen, gen.Rates(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer empty.Close()
	o, err := empty.Apply(ctx, gen.Rates(), map[string]*search.Record{search.DocID(rec.Type, rec.ID): &rec})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	touched, err := o.Search(ctx, r, nil)
	if err != nil {
		b.Fatal(err)
	}
	if touched.Total != browse.Total || touched.Hits[0].Record.ID != browse.Hits[0].Record.ID {
		b.Fatalf("the overlay answers %d offers from %d, the generation %d from %d",
			touched.Total, touched.Hits[0].Record.ID, browse.Total, browse.Hits[0].Record.ID)
	}
	for _, c := range []struct {
		name   string
		search func() (*search.Result, error)
	}{
		{"generation", func() (*search.Result, error) { return gen.Search(ctx, r, nil) }},
		{"overlay", func() (*search.Result, error) { return o.Search(ctx, r, nil) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.search(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOverlayHeld is what a follower pays to patch an offer from the
// record the overlay holds (Overlay.Held): the generation's record of
// each of 100 offers, decoded afresh and interned.
func BenchmarkOverlayHeld(b *testing.B) {
	live := bundledIndex(b)
	gen, ctx := live.ix, context.Background()
	res, err := gen.Search(ctx, search.Request{PerPage: 100}.MustWhere(search.FilterType, "offer"), nil)
	if err != nil {
		b.Fatal(err)
	}
	o, err := search.NewOverlay(ctx, gen, gen.Rates(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range res.Hits {
			if r, err := o.Held(ctx, search.TypeOffer, h.ID); err != nil || r == nil || r.ID != h.ID {
				b.Fatalf("offer %d: %+v, %v", h.ID, r, err)
			}
		}
	}
}
