package search_test

import (
	"context"
	"os"
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
