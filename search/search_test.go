package search_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
)

const mini = "../testdata/mini"

// miniIndex builds the mini catalogue into a fresh index directory.
func miniIndex(t *testing.T) (*testIndex, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: mini}, dir, nil); err != nil {
		t.Fatal(err)
	}
	live, err := openIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(live.Close)
	return live, dir
}

func ids(hits []search.Hit) []int64 {
	out := make([]int64, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func f(v float64) *float64 { return &v }

func TestSearch(t *testing.T) {
	live, _ := miniIndex(t)
	tests := []struct {
		name string
		req  search.Request
		want []int64 // ids in order
	}{
		{"lay name, US offers by price", search.Request{Query: "knee replacement", Sort: search.SortPriceAsc}.MustWhere(search.FilterType, "offer").MustWhere(search.FilterCountry, "us"), []int64{1001, 1000}},
		{"lay name finds the treatment", search.Request{Query: "nose job"}.MustWhere(search.FilterType, "treatment"), []int64{2}},
		{"stemmed plural", search.Request{Query: "heart attacks", Sort: search.SortPriceAsc}.MustWhere(search.FilterType, "offer"),
			[]int64{1002, 1003}},
		{"doctor by name", search.Request{Query: "Kaya"}.MustWhere(search.FilterType, "doctor"), []int64{101}},
		{"price filter in another currency", search.Request{Currency: "EUR",
			PriceMax: f(2400), Sort: search.SortPriceAsc}.MustWhere(search.FilterType, "offer"), []int64{1006, 1004}},
		{"price filter bound is inclusive", search.Request{Currency: "EUR",
			PriceMin: f(4000), PriceMax: f(4000)}.MustWhere(search.FilterType, "offer"), []int64{1005}},
		{"price desc puts unpriced last", search.Request{
			Sort: search.SortPriceDesc}.MustWhere(search.FilterType, "offer").MustWhere(search.FilterCountry, "US"), []int64{1000, 1001, 1002, 1003}},
		{"rating", search.Request{Sort: search.SortRating}.MustWhere(search.FilterType, "facility"), []int64{11, 12, 10, 13}},
		{"accreditation and language", search.Request{}.MustWhere("accreditation", "JCI").MustWhere(search.FilterLanguage, "en").MustWhere(search.FilterType, "facility"), []int64{12}},
		{"category of facility", search.Request{
			Sort: search.SortRating}.MustWhere(search.FilterCategory, "Fertility").MustWhere(search.FilterType, "facility"), []int64{12, 13}},
		{"kind", search.Request{Sort: search.SortPriceAsc}.MustWhere("kind", "fertility_centre"), []int64{1005, 13}},
		{"nothing matches", search.Request{Query: "xylophone"}, []int64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := live.Search(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(res.Hits)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConvertedPrices(t *testing.T) {
	live, _ := miniIndex(t)
	res, err := live.Search(context.Background(), search.Request{Query: "rhinoplasty", Currency: "eur"}.MustWhere(search.FilterType, "offer"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("got %d hits, want 1", len(res.Hits))
	}
	h := res.Hits[0]
	// 120,000 TRY at 40 TRY/USD is 3,000 USD, at 0.8 EUR/USD 2,400 EUR.
	if h.Price == nil || *h.Price != (search.Money{Amount: 120000, Currency: "TRY"}) {
		t.Errorf("stored price %+v, want 120000 TRY", h.Price)
	}
	if h.ConvertedPrice == nil || *h.ConvertedPrice != (search.Money{Amount: 2400, Currency: "EUR"}) {
		t.Errorf("converted price %+v, want 2400 EUR", h.ConvertedPrice)
	}
	if res.RatesAsOf == nil || res.RatesAsOf.Format("2006-01-02") != "2025-10-01" {
		t.Errorf("rates as of %v, want the latest date 2025-10-01", res.RatesAsOf)
	}
	if h.Facility == nil || h.Facility.Name != "Istanbul Aesthetic Clinic" || len(h.Doctors) != 1 || h.Doctors[0].ID != 101 {
		t.Errorf("offer does not carry its facility and doctor: %+v %+v", h.Facility, h.Doctors)
	}
}

func TestFacets(t *testing.T) {
	live, _ := miniIndex(t)
	res, err := live.Search(context.Background(), search.Request{
		Facets: []string{"country", "category", "price"}, Currency: "USD"}.MustWhere(search.FilterType, "offer"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]search.FacetValue{
		"country":  {{"US", 4}, {"TR", 2}, {"DE", 1}},
		"category": {{"Cardiology", 2}, {"Fertility", 2}, {"Orthopaedics", 2}, {"Cosmetic surgery", 1}},
		// USD: 12000.50, 15000, 11000 (US); 3000, 2000 (TR); 5000 (DE); one
		// unpriced. 5000 is on an edge: in both bands, as price_max=5000
		// and price_min=5000 find it.
		"price": {{"0-1000", 0}, {"1000-2500", 1}, {"2500-5000", 2}, {"5000-10000", 1}, {"10000-25000", 3},
			{"25000-50000", 0}, {"50000+", 0}},
	}
	for name, w := range want {
		if !slices.Equal(res.Facets[name], w) {
			t.Errorf("facet %s = %v, want %v", name, res.Facets[name], w)
		}
	}
}

func TestPriceBandsInPatientCurrency(t *testing.T) {
	live, _ := miniIndex(t)
	res, err := live.Search(context.Background(), search.Request{Facets: []string{"price"}, Currency: "TRY"}.MustWhere(search.FilterType, "offer"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range res.Facets["price"] {
		names = append(names, v.Value)
	}
	want := []string{"0-40000", "40000-100000", "100000-200000", "200000-400000", "400000-1000000", "1000000-2000000", "2000000+"}
	if !slices.Equal(names, want) {
		t.Errorf("bands %v, want %v", names, want)
	}
}

// TestPriceBandCountsAreWhatTheirFilterFinds: in every currency, each price
// band's count is the total of the same search with price_min and
// price_max set to the band's bounds, as a click on the band sends them.
func TestPriceBandCountsAreWhatTheirFilterFinds(t *testing.T) {
	live, _ := miniIndex(t)
	ctx := context.Background()
	for _, currency := range []string{"", "USD", "EUR", "TRY"} {
		req := search.Request{Facets: []string{"price"}, Currency: currency, PerPage: 10}.MustWhere(search.FilterType, "offer")
		res, err := live.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		nonzero := 0
		for _, band := range res.Facets["price"] {
			lo, hi, _ := strings.Cut(strings.TrimSuffix(band.Value, "+"), "-")
			narrowed := req
			narrowed.PriceMin = ptr(mustFloat(t, lo))
			if hi != "" {
				narrowed.PriceMax = ptr(mustFloat(t, hi))
			}
			got, err := live.Search(ctx, narrowed)
			if err != nil {
				t.Fatal(err)
			}
			if int(got.Total) != band.Count {
				t.Errorf("%q band %s counts %d; a search within it finds %d", currency, band.Value, band.Count, got.Total)
			}
			if band.Count > 0 {
				nonzero++
			}
		}
		if nonzero < 3 {
			t.Errorf("%q: %v: too few bands hold offers for the check to mean much", currency, res.Facets["price"])
		}
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestGet(t *testing.T) {
	live, _ := miniIndex(t)
	r, err := live.Get(context.Background(), search.TypeFacility, 12)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "Istanbul Aesthetic Clinic" || r.OfferCount != 2 || !slices.Equal(r.Categories, []string{"Cosmetic surgery", "Fertility"}) {
		t.Errorf("facility 12 = %+v", r)
	}
	tr, err := live.Get(context.Background(), search.TypeTreatment, 4)
	if err != nil {
		t.Fatal(err)
	}
	// IVF: 4000 EUR = 5000 USD and 80000 TRY = 2000 USD.
	if tr.OfferCount != 2 || tr.PriceSpan == nil || tr.PriceSpan.Min != 2000 || tr.PriceSpan.Max != 5000 {
		t.Errorf("treatment 4 = %+v span %+v", tr, tr.PriceSpan)
	}
	_, err = live.Get(context.Background(), search.TypeDoctor, 999)
	var se *search.Error
	if !errors.As(err, &se) || se.Code != search.NotFound {
		t.Errorf("unknown doctor: got %v, want a NotFound error", err)
	}
}

func TestParseRequestRejects(t *testing.T) {
	rates := search.Rates{Rates: map[string]float64{"USD": 1}}
	cities := make([]string, 21)
	for i := range cities {
		cities[i] = fmt.Sprint("c", i)
	}
	tests := []struct {
		params search.Params
		param  string
	}{
		{search.Params{"type": {"hotel"}}, "type"},
		{search.Params{"country": {"USA"}}, "country"},
		{search.Params{"country": {"1X"}}, "country"},
		{search.Params{"facility": {"twelve"}}, "facility"},
		{search.Params{"price_min": {"-1"}}, "price_min"},
		{search.Params{"price_min": {"NaN"}}, "price_min"},
		{search.Params{"price_min": {"10"}, "price_max": {"5"}}, "price_max"},
		{search.Params{"currency": {"XXX"}}, "currency"},
		{search.Params{"facets": {"colour"}}, "facets"},
		{search.Params{"facet_size": {"1000"}}, "facet_size"},
		{search.Params{"sort": {"cheapest"}}, "sort"},
		{search.Params{"per_page": {"101"}}, "per_page"},
		{search.Params{"per_page": {"-1"}}, "per_page"},
		{search.Params{"page": {"101"}, "per_page": {"100"}}, "page"},
		{search.Params{"q": {string(make([]byte, 501))}}, "q"},
		{search.Params{"q": {"\xff\xfe"}}, "q"},
		{search.Params{"q": {"knee\x00"}}, "q"},
		{search.Params{"from": {"12"}}, "from"},
		{search.Params{"city": cities}, "city"},
		{search.Params{"q": {"a", "b"}}, "q"},
		{search.Params{"colour": {"red"}}, "colour"},
		{search.Params{"lang": {"xx"}}, "lang"},
	}
	for _, tc := range tests {
		_, err := search.ParseRequest(tc.params, rates)
		var se *search.Error
		if !errors.As(err, &se) || se.Code != search.Invalid || se.Param != tc.param {
			t.Errorf("%v: got %v, want an invalid %s", tc.params, err, tc.param)
		}
	}
	ok, err := search.ParseRequest(search.Params{"country": {"tr,in"}, "from": {"de"}}, rates)
	if err != nil || ok.Page != 1 || ok.PerPage != search.DefaultPerPage || ok.Sort != search.SortRelevance || ok.From != "DE" ||
		!slices.Equal(ok.Filter(search.FilterCountry), []string{"TR", "IN"}) {
		t.Errorf("defaults: %+v, %v", ok, err)
	}
	facets, err := search.ParseRequest(search.Params{"per_page": {"0"}, "facets": {"country"}}, rates)
	if err != nil || facets.PerPage != 0 {
		t.Errorf("per_page=0: %+v, %v; want a facet-only request", facets, err)
	}
}

func TestSuggest(t *testing.T) {
	live, _ := miniIndex(t)
	tests := []struct {
		q     string
		first string // DocID of the first suggestion
		fuzzy bool   // found only by typo tolerance
	}{
		{"rh", "treatment:2", false},
		{"kne rep", "treatment:1", false},
		{"nose j", "treatment:2", false},
		{"Istanbul Aes", "facility:12", false},
		{"dr deniz", "doctor:101", false},
		{"kaya", "doctor:101", false},
		{"BERLIN kinder", "facility:13", false},
		{"rhynopl", "treatment:2", true},      // y for i
		{"rhinopals", "treatment:2", true},    // letters swapped
		{"Istanbol aes", "facility:12", true}, // one wrong letter
	}
	for _, tc := range tests {
		got, err := live.Suggest(context.Background(), tc.q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || search.DocID(got[0].Type, got[0].ID) != tc.first || got[0].Fuzzy != tc.fuzzy {
			t.Errorf("%q: got %+v, want %s first (fuzzy %v)", tc.q, got, tc.first, tc.fuzzy)
		}
	}
	if got, _ := live.Suggest(context.Background(), "zzz", 5); len(got) != 0 {
		t.Errorf("zzz: got %+v", got)
	}
	for _, bad := range []string{"k", " ", string(make([]byte, 101))} {
		if _, err := live.Suggest(context.Background(), bad, 5); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestPlaces(t *testing.T) {
	live, _ := miniIndex(t)
	houston := &search.GeoPoint{Lat: 29.76, Lon: -95.37}
	res, err := live.Search(context.Background(), search.Request{Near: houston,
		Sort: search.SortDistance, From: "us"}.MustWhere(search.FilterType, "facility"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res.Hits); !slices.Equal(got, []int64{10, 11, 13, 12}) {
		t.Fatalf("by distance from Houston: %v, want 10, 11, 13, 12", got)
	}
	// Houston Methodist is 6 km away; Rochester, Minnesota about 1,700 km.
	if d := res.Hits[0].DistanceKM; d == nil || *d < 3 || *d > 10 {
		t.Errorf("distance to facility 10: %v", d)
	}
	if d := res.Hits[1].DistanceKM; d == nil || *d < 1600 || *d > 1800 {
		t.Errorf("distance to facility 11: %v", d)
	}
	if a := res.Hits[0].Abroad; a == nil || *a {
		t.Errorf("facility 10 abroad = %v, want false for a patient from the US", a)
	}
	if a := res.Hits[3].Abroad; a == nil || !*a {
		t.Errorf("facility 12 abroad = %v, want true", a)
	}
	within, err := live.Search(context.Background(), search.Request{Query: "knee replacement",
		Near: houston, RadiusKM: 100}.MustWhere(search.FilterType, "offer"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(within.Hits); !slices.Equal(got, []int64{1000}) {
		t.Errorf("knee replacement within 100 km of Houston: %v, want offer 1000", got)
	}
}

func ptr(f float64) *float64 { return &f }

// TestTopShortcutEqualsTheFullWalk checks that counting the offers matched
// through their treatments without visiting the ones that cannot rank
// (runOffersTop) finds what visiting every match finds: the same total and
// facet counts, the same hits in the same order with the same scores, on
// every page.
func TestTopShortcutEqualsTheFullWalk(t *testing.T) {
	live := bundledIndex(t)
	ctx := context.Background()
	queries := []string{"knee replacement", "weight loss surgery", "hip", "hospital", "istanbul", "cardiology",
		"nose job", "kne replacment", "dental implants", "hair transplant turkey", "ivf", "clinic", "cataract surgery"}
	shortcut := 0
	for _, q := range queries {
		for _, types := range [][]string{{search.TypeOffer}, nil, {search.TypeFacility, search.TypeDoctor}} {
			for _, page := range []struct{ page, per int }{{1, 10}, {3, 10}, {1, 50}, {40, 25}} {
				r := search.Request{Query: q, Page: page.page, PerPage: page.per}
				if page.page == 1 {
					// Facets of a few values are counted on the bitmap of
					// matches; city, of thousands, sends it the long way.
					r.Facets = []string{"country", "category", "kind"}
					if page.per == 50 {
						r.Facets = append(r.Facets, "city")
					}
				}
				if types != nil {
					r = r.MustWhere(search.FilterType, types...)
				}
				restore := search.SetOffersTopShortcut(false)
				want, err := live.Search(ctx, r)
				restore()
				if err != nil {
					t.Fatal(err)
				}
				restore = search.SetSortedWalks(true) // each treatment's offers most trusted first
				got, err := live.Search(ctx, r)
				restore()
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%q types %v page %d×%d", q, types, page.page, page.per)
				sameAsTheFullWalk(t, name, got, want)
				if want.Total > uint64(page.page*page.per) {
					shortcut++
				}
			}
		}
	}
	if shortcut < 20 {
		t.Errorf("only %d searches matched more than a page: the shortcut was hardly tested", shortcut)
	}
}

// TestSortedWalkEqualsTheFullWalk checks that a search sorted by price,
// rating or distance within a radius, walking the order of that sort until
// the page is full (sortedTop), finds what visiting every match finds: the same total and
// facet counts, and the same hits in the same order, with text and
// without, on the first page and deep ones.
func TestSortedWalkEqualsTheFullWalk(t *testing.T) {
	live := bundledIndex(t)
	queries := []string{"", "knee replacement", "hip", "hospital", "istanbul", "ivf", "dental implants", "clinic"}
	istanbul := &search.GeoPoint{Lat: 41.0082, Lon: 28.9784}
	for _, sort := range []string{search.SortPriceAsc, search.SortPriceDesc, search.SortRating, search.SortDistance} {
		for _, q := range queries {
			for _, page := range []struct{ page, per int }{{1, 10}, {2, 25}, {30, 20}} {
				r := search.Request{Query: q, Sort: sort, Page: page.page, PerPage: page.per,
					Facets: []string{"country", "category", "city"}}.MustWhere(search.FilterType, search.TypeOffer)
				if sort == search.SortDistance {
					r.Near, r.RadiusKM = istanbul, 1500
				} else if q == "" {
					r = r.MustWhere(search.FilterCountry, "TR")
				}
				got, want := withAndWithoutWalks(t, live, r)
				name := fmt.Sprintf("%q by %s page %d×%d", q, sort, page.page, page.per)
				sameAsTheFullWalk(t, name, got, want)
				if q == "hospital" && page.page == 1 && want.Total < 100 {
					t.Errorf("%s: %d matches, too few to test the walk", name, want.Total)
				}
			}
		}
	}
}

// TestSortedWalkOfCategoriesEqualsTheFullWalk: filtered by category, a
// price sort walks only that category's part of its order (orderparts.go),
// or two parts merged: priced categories, one priced on request (ranked by
// typical prices) and one with both.
func TestSortedWalkOfCategoriesEqualsTheFullWalk(t *testing.T) {
	live := bundledIndex(t)
	for _, sort := range []string{search.SortPriceAsc, search.SortPriceDesc} {
		for _, cats := range [][]string{{"Cardiology"}, {"Orthopaedics"}, {"Cosmetic surgery"},
			{"Respiratory", "Dermatology"}, {"Neurology", "Ophthalmology"}} {
			for _, page := range []struct{ page, per int }{{1, 10}, {3, 20}} {
				r := search.Request{Sort: sort, Page: page.page, PerPage: page.per, Currency: "EUR",
					Facets: []string{"country", "category"}}.MustWhere(search.FilterType, search.TypeOffer)
				r = r.MustWhere(search.FilterCategory, cats...)
				got, want := withAndWithoutWalks(t, live, r)
				name := fmt.Sprintf("category %v by %s page %d×%d", cats, sort, page.page, page.per)
				sameAsTheFullWalk(t, name, got, want)
				if page.page == 1 && len(want.Hits) < page.per {
					t.Errorf("%s: %d hits, too few to test the walk", name, len(want.Hits))
				}
			}
		}
	}
}

// withAndWithoutWalks runs r walking the sort's orders always (got), and
// never, visiting every match (want).
func withAndWithoutWalks(t *testing.T, live *testIndex, r search.Request) (got, want *search.Result) {
	t.Helper()
	ctx := context.Background()
	restore := search.SetSortedWalks(false)
	want, err := live.Search(ctx, r)
	restore()
	if err != nil {
		t.Fatal(err)
	}
	restore = search.SetSortedWalks(true)
	got, err = live.Search(ctx, r)
	restore()
	if err != nil {
		t.Fatal(err)
	}
	return got, want
}

// sameAsTheFullWalk fails the test unless a search that took a shortcut
// (got) found what visiting every match found (want): the same total and
// facet counts, and the same hits in the same order with the same scores.
func sameAsTheFullWalk(t *testing.T, name string, got, want *search.Result) {
	t.Helper()
	if got.Total != want.Total {
		t.Errorf("%s: total %d, the full walk %d", name, got.Total, want.Total)
	}
	if !reflect.DeepEqual(got.Facets, want.Facets) {
		t.Errorf("%s: facets\n%v\nthe full walk's\n%v", name, got.Facets, want.Facets)
	}
	if len(got.Hits) != len(want.Hits) {
		t.Fatalf("%s: %d hits, the full walk %d", name, len(got.Hits), len(want.Hits))
	}
	for i := range got.Hits {
		g, w := got.Hits[i], want.Hits[i]
		if g.Type != w.Type || g.ID != w.ID || g.Score != w.Score {
			t.Errorf("%s: hit %d is %s %d (%v), the full walk's %s %d (%v)", name, i, g.Type, g.ID, g.Score, w.Type, w.ID, w.Score)
		}
	}
}

// TestOfferWalkEqualsTermByTerm checks the offers a text search walks,
// which it finds by combining the words' treatments, facilities and
// doctors before it makes any bitmap of offers, against each word's own
// test asked offer by offer: words that match only treatments, places
// ("istanbul"), facility names ("hospital", "medical"), doctors' names
// ("patel"), words whose readings in other languages match other
// treatments ("total", "implant"), and mixes of them. Where the walk is the treatments' offers
// whole, the plain offers counted from the treatments' bitmaps must equal
// those counted one by one.
func TestOfferWalkEqualsTermByTerm(t *testing.T) {
	live := bundledIndex(t)
	wholes := 0
	defer func() {
		if wholes == 0 {
			t.Error("no query counted its plain offers from the treatments: the test checks nothing")
		}
	}()
	for _, q := range []string{"knee replacement", "total knee replacement", "weight loss surgery",
		"hair transplant istanbul", "istanbul", "hospital knee", "st hospital knee", "medical center cardiology",
		"patel", "patel cardiology", "dr patel knee replacement", "nose job", "kne replacment", "ivf turkey",
		"removal of the uterus", "coronary artery disease", "total", "implant"} {
		walked, byTerm, err := search.MatchedOffers(live.ix, search.Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(walked, byTerm) {
			t.Errorf("%q: the walk yields %d offers, the words' own tests %d", q, len(walked), len(byTerm))
		}
		if len(byTerm) == 0 {
			t.Errorf("%q matches no offer: the test checks nothing", q)
		}
		fromTreatments, oneByOne, whole, err := search.PlainCounts(live.ix, search.Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if whole {
			wholes++
			if !slices.Equal(fromTreatments, oneByOne) {
				t.Errorf("%q: plain offers counted from the treatments %v, one by one %v", q, fromTreatments, oneByOne)
			}
		}
	}
}

// TestRepeatedSearchesScoreAlike runs searches whose words match
// facilities' places (their weights are kept in slices matchers reuse)
// over and over, in turn: each must score as it did the first time, so
// nothing one search weighed is left for the next.
func TestRepeatedSearchesScoreAlike(t *testing.T) {
	live := bundledIndex(t)
	queries := []string{"st hospital knee", "istanbul hair transplant", "hospital", "antalya dental"}
	scores := func(q string) []float64 {
		res, err := live.Search(context.Background(), search.Request{Query: q, PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, h := range res.Hits {
			out = append(out, h.Score)
		}
		if len(out) == 0 {
			t.Fatalf("%q finds nothing: the test checks nothing", q)
		}
		return out
	}
	first := map[string][]float64{}
	for round := range 3 {
		for _, q := range queries {
			got := scores(q)
			if round == 0 {
				first[q] = got
			} else if !slices.Equal(got, first[q]) {
				t.Errorf("%q, round %d: scores %v, first %v", q, round+1, got[:min(5, len(got))], first[q][:min(5, len(first[q]))])
			}
		}
	}
}

// TestPagesTileTheRanking: the pages of a search, read one after another,
// are the ranking one large page shows, in its order, down to a last page
// that is only partly full.
func TestPagesTileTheRanking(t *testing.T) {
	live := bundledIndex(t)
	ctx := context.Background()
	partial := 0
	defer func() {
		if partial == 0 {
			t.Error("no search had fewer than 100 hits: a partly full last page was not checked")
		}
	}()
	for _, tc := range []struct {
		q, sort, typ string
	}{
		{"knee replacement", "", ""}, {"hospital", "", ""}, {"rhinoplasty", search.SortPriceAsc, ""},
		{"ivf", search.SortRating, ""}, {"", search.SortPriceDesc, ""},
		{"istanbul", "", search.TypeFacility}, {"ivf", "", search.TypeFacility},
	} {
		r := search.Request{Query: tc.q, Sort: tc.sort}
		if tc.typ != "" {
			r = r.MustWhere(search.FilterType, tc.typ)
		}
		r.PerPage = 100
		all, err := live.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		var tiled []search.Hit
		for page := 1; page <= 12; page++ {
			r.Page, r.PerPage = page, 9
			res, err := live.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			tiled = append(tiled, res.Hits...)
		}
		want := all.Hits
		if int(all.Total) >= 100 {
			tiled = tiled[:100] // 12 pages of 9 go past the large page
		} else {
			partial++
			if len(tiled) != len(want) {
				t.Errorf("%q by %q: %d hits over the pages, %d on one", tc.q, tc.sort, len(tiled), len(want))
				continue
			}
		}
		for i := range want {
			if tiled[i].ID != want[i].ID || tiled[i].Type != want[i].Type || tiled[i].Score != want[i].Score {
				t.Errorf("%q by %q: position %d is %s %d on the pages, %s %d on one", tc.q, tc.sort, i,
					tiled[i].Type, tiled[i].ID, want[i].Type, want[i].ID)
				break
			}
		}
	}
}

// TestPriceRangeEqualsTheFullWalk checks that a search bounded by price
// without text, which reads the offers in the bounds off the price order
// (collector.priceRange), finds what visiting every match finds: bounds
// on both sides, one side, a single price an offer has, in dollars and in
// euros, with a filter and without, under each sort, with the price
// facet.
func TestPriceRangeEqualsTheFullWalk(t *testing.T) {
	live := bundledIndex(t)
	ctx := context.Background()
	cheapest, err := live.Search(ctx, search.Request{Sort: search.SortPriceAsc, PerPage: 50}.MustWhere(search.FilterType, search.TypeOffer))
	if err != nil {
		t.Fatal(err)
	}
	var exact *search.Money
	for _, h := range cheapest.Hits {
		if h.Price != nil && h.Price.Currency == "USD" {
			exact = h.Price
		}
	}
	if exact == nil {
		t.Fatal("no offer priced in dollars among the 50 cheapest")
	}
	f := func(v float64) *float64 { return &v }
	for _, b := range []struct {
		name     string
		min, max *float64
		currency string
	}{
		{"1,000 to 5,000 dollars", f(1000), f(5000), ""},
		{"from 20,000 dollars", f(20000), nil, ""},
		{"up to 3,000 euros", nil, f(3000), "EUR"},
		{"exactly one offer's price", &exact.Amount, &exact.Amount, ""},
	} {
		for _, sort := range []string{search.SortRelevance, search.SortPriceAsc, search.SortRating} {
			for _, country := range []string{"", "TR"} {
				r := search.Request{Sort: sort, PerPage: 20, PriceMin: b.min, PriceMax: b.max, Currency: b.currency,
					Facets: []string{"country", search.FacetPrice}}.MustWhere(search.FilterType, search.TypeOffer)
				if country != "" {
					r = r.MustWhere(search.FilterCountry, country)
				}
				got, want := withAndWithoutWalks(t, live, r)
				name := fmt.Sprintf("%s by %s in %q", b.name, sort, country)
				sameAsTheFullWalk(t, name, got, want)
				if country == "" && want.Total == 0 {
					t.Errorf("%s: nothing matched, so nothing was tested", name)
				}
			}
		}
	}
}

// TestKeptFilterSetsAreNotChanged: a generation keeps the documents a
// search's filter clauses leave for the searches after it (filterset.go).
// A search that narrows them further (a radius) must not narrow what the
// next search with the same clauses, in any order, finds.
func TestKeptFilterSetsAreNotChanged(t *testing.T) {
	live, _ := miniIndex(t)
	ctx := context.Background()
	usOffers := search.Request{Sort: search.SortPriceAsc, PerPage: 50}.MustWhere(search.FilterType, "offer").MustWhere(search.FilterCountry, "US")
	first, err := live.Search(ctx, usOffers)
	if err != nil {
		t.Fatal(err)
	}
	nearHouston := usOffers
	nearHouston.Near, nearHouston.RadiusKM = &search.GeoPoint{Lat: 29.71, Lon: -95.4}, 100
	near, err := live.Search(ctx, nearHouston)
	if err != nil {
		t.Fatal(err)
	}
	if near.Total == 0 || near.Total >= first.Total {
		t.Fatalf("US offers %d, within 100 km of Houston %d: want fewer but some (Rochester is 1,500 km away)",
			first.Total, near.Total)
	}
	reordered := search.Request{Sort: search.SortPriceAsc, PerPage: 50}.MustWhere(search.FilterCountry, "US").MustWhere(search.FilterType, "offer")
	for _, r := range []search.Request{usOffers, reordered} {
		again, err := live.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if again.Total != first.Total || !slices.Equal(ids(again.Hits), ids(first.Hits)) {
			t.Errorf("US offers after a search within a radius: %d %v, want %d %v", again.Total, ids(again.Hits),
				first.Total, ids(first.Hits))
		}
	}
}

// TestHighlightsAreEachSearchesOwn: a search's highlights and matched
// fields are its own query's, whatever searches ran before it or beside
// it. Highlighters are pooled between searches (highlight.go): one given
// back with another query's words still in it would mark them.
func TestHighlightsAreEachSearchesOwn(t *testing.T) {
	live := bundledIndex(t)
	reqs := []search.Request{
		{Query: "knee replacement"},
		{Query: "cataract surgery", Sort: search.SortPriceAsc, Currency: "EUR"},
		{Query: "nose job"},
		{Query: "Knieprothese", Lang: "de"},
		{Query: "istanbul hair transplant"},
		{Query: "heart bypass", PerPage: 50},
		// The same words in one language and in all of them: a word's
		// terms are analysed in the query's languages only.
		{Query: "hip replacement", Lang: "de", PerPage: 50},
		{Query: "hip replacement", PerPage: 50},
		{Query: "prótesis de cadera", Lang: "es", PerPage: 50},
	}
	type shown struct {
		highlights []map[string]string
		matched    []search.Match
	}
	run := func(r search.Request) (shown, error) {
		res, err := live.Search(context.Background(), r)
		if err != nil {
			return shown{}, err
		}
		var s shown
		for _, h := range res.Hits {
			s.highlights = append(s.highlights, h.Highlight)
			var m search.Match
			if h.Matched != nil {
				m = *h.Matched
			}
			s.matched = append(s.matched, m)
		}
		return s, nil
	}
	want := make([]shown, len(reqs))
	for i, r := range reqs {
		var err error
		if want[i], err = run(r); err != nil {
			t.Fatal(err)
		}
		marks := 0
		for _, h := range want[i].highlights {
			for _, s := range h {
				marks += strings.Count(s, "<mark>")
			}
		}
		if marks == 0 {
			t.Fatalf("%q marks nothing: the test checks nothing", r.Query)
		}
	}
	sideBySide(t, len(reqs), 5, func(worker, round, i int) error {
		got, err := run(reqs[i])
		if err == nil && !reflect.DeepEqual(got, want[i]) {
			err = fmt.Errorf("%q (worker %d, round %d) shows other highlights than alone:\n got %v\nwant %v", reqs[i].Query, worker, round, got, want[i])
		}
		return err
	})
}

// sideBySide runs check for each of n requests, rounds times, on four
// goroutines at once, each in its own order, so that each request
// follows, and runs beside, each of the others; a goroutine stops at
// its first error, which fails the test.
func sideBySide(t *testing.T, n, rounds int, check func(worker, round, i int) error) {
	t.Helper()
	const workers = 4
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for round := range rounds {
				for k := range n {
					i := (k + w + round) % n
					if w%2 == 1 {
						i = n - 1 - i
					}
					if err := check(w, round, i); err != nil {
						errs <- err
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestKeptUnionsAnswerAsNew: an index keeps the unions of the treatments'
// offers its text searches made (unionCache), for the searches of the
// same words after. Searches answered from them, one after another and
// side by side, equal the same searches on the same generation opened
// afresh, and no search changes a kept union.
// bundledTwice returns the bundled generation as the tests share it, and
// the same generation opened afresh, closed when the test ends: what the
// searches kept in the shared one must not change an answer.
func bundledTwice(t *testing.T) (shared, fresh *testIndex) {
	t.Helper()
	shared = bundledIndex(t)
	fresh, err := openIndex(bundled.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fresh.Close() })
	return shared, fresh
}

// answer is what a patient sees of a search: the total, the hits in
// order and the facet counts.
type answer struct {
	Total  uint64
	IDs    []int64
	Facets map[string][]search.FacetValue
}

func answerOf(ix *testIndex, r search.Request) (answer, error) {
	res, err := ix.Search(context.Background(), r)
	if err != nil {
		return answer{}, err
	}
	return answer{res.Total, ids(res.Hits), res.Facets}, nil
}

// answersOf answers reqs on ix; each must find something, or the test
// checks nothing.
func answersOf(t *testing.T, ix *testIndex, reqs []search.Request) []answer {
	t.Helper()
	out := make([]answer, len(reqs))
	for i, r := range reqs {
		var err error
		if out[i], err = answerOf(ix, r); err != nil {
			t.Fatal(err)
		}
		if len(out[i].IDs) == 0 {
			t.Fatalf("request %d (%q) finds nothing: the test checks nothing", i, r.Query)
		}
	}
	return out
}

// answerAsBefore searches reqs on ix side by side, three rounds on four
// goroutines (sideBySide), each answer to equal want's, which were answered
// as before says.
func answerAsBefore(t *testing.T, ix *testIndex, reqs []search.Request, want []answer, before string) {
	t.Helper()
	sideBySide(t, len(reqs), 3, func(worker, round, i int) error {
		got, err := answerOf(ix, reqs[i])
		if err == nil && !reflect.DeepEqual(got, want[i]) {
			err = fmt.Errorf("request %d (%q; worker %d, round %d) answers otherwise than %s:\n got %+v\nwant %+v",
				i, reqs[i].Query, worker, round, before, got, want[i])
		}
		return err
	})
}

// TestKeptFilterSetsAnswerAsNew: filtered searches sorted by price or
// rating read a kept filter set's documents from a list their order
// keeps (orderlists.go), listed on the set's first walk, and its facet
// counts from those the set keeps (filterSets.facetCountsOf), counted on
// first use. Side by side, and again and again, they answer as the same
// searches do visiting every match (no walk, no list, each match's
// facets counted), and every kept list stays its set's documents in
// order, every kept count its set's.
func TestKeptFilterSetsAnswerAsNew(t *testing.T) {
	live, fresh := bundledTwice(t)
	reqs := []search.Request{
		search.Request{Sort: search.SortPriceAsc}.MustWhere(search.FilterCountry, "TR").MustWhere(search.FilterCategory, "Cosmetic surgery"),
		search.Request{Sort: search.SortPriceDesc, Currency: "EUR"}.MustWhere(search.FilterCountry, "TR", "DE").MustWhere(search.FilterCategory, "Dental"),
		search.Request{Sort: search.SortRating, Facets: []string{"country", "kind"}}.MustWhere(search.FilterCountry, "DE").MustWhere(search.FilterCategory, "Orthopaedics", "Cardiology"),
		search.Request{Sort: search.SortPriceAsc, Page: 3, PerPage: 5, Facets: []string{"city"}}.MustWhere(search.FilterType, "offer").MustWhere(search.FilterCountry, "TR").MustWhere(search.FilterCategory, "Dental"),
		search.Request{Sort: search.SortRating, PerPage: 50}.MustWhere(search.FilterCountry, "IN").MustWhere(search.FilterCategory, "Cardiology"),
		// A category's offers, as bench fresh's broad facets ask.
		search.Request{Sort: search.SortRating, Facets: []string{"country", "kind", "city"}}.MustWhere(search.FilterType, "offer").MustWhere(search.FilterCategory, "Dental"),
	}
	want := func() []answer {
		defer search.SetSortedWalks(false)() // every match visited: no walk, no list
		return answersOf(t, fresh, reqs)
	}()
	defer search.SetSortedWalks(true)() // the orders made before the searches walk them
	answerAsBefore(t, live, reqs, want, "visiting every match")
	listed, err := search.CheckOrderLists(live.ix)
	if err != nil {
		t.Error(err)
	}
	if listed < len(reqs) {
		t.Errorf("%d kept filter sets listed in orders, want %d: the test checks less than it says", listed, len(reqs))
	}
	counted, err := search.CheckKeptFacetCounts(live.ix)
	if err != nil {
		t.Error(err)
	}
	if counted < 6 { // country and kind, city, and country, kind and city (other tests' searches keep more)
		t.Errorf("%d facet counts kept, want 6 or more: the test checks less than it says", counted)
	}
}

func TestKeptUnionsAnswerAsNew(t *testing.T) {
	live, fresh := bundledTwice(t)
	reqs := []search.Request{
		{Query: "knee replacement", Facets: []string{"country", "category"}},
		search.Request{Query: "knee replacement", Sort: search.SortPriceAsc, Currency: "EUR"}.MustWhere(search.FilterType, "offer"),
		search.Request{Query: "nose job", Facets: []string{"country"}}.MustWhere(search.FilterCountry, "TR"),
		{Query: "hip replacement surgery", PerPage: 50},
		{Query: "Knieprothese", Lang: "de"},
		{Query: "istanbul hair transplant", Sort: search.SortRating},
		{Query: "cataract", Facets: []string{"kind", "city"}},
		{Query: "dental implants antalya"},
	}
	answerAsBefore(t, live, reqs, answersOf(t, fresh, reqs), "on the generation opened afresh")
	kept, err := search.CheckKeptUnions(live.ix)
	if err != nil {
		t.Error(err)
	}
	if kept == 0 {
		t.Error("the index keeps no union: the test checks nothing")
	}
}

// TestKeptUnderstandingsAnswerAsNew: a query understood once is copied
// from what the generation kept for every search of it after
// (understandings), in each language and with the synonym graph of the
// time. Side by side, and again and again, each search answers as on a
// generation opened afresh, and what is kept stays what understanding
// the query afresh gives: no search's highlighting or typo check wrote
// to it.
func TestKeptUnderstandingsAnswerAsNew(t *testing.T) {
	live, fresh := bundledTwice(t)
	reqs := []search.Request{
		{Query: "knee replacement", Facets: []string{"country", "category"}},
		search.Request{Query: "nose job", Sort: search.SortPriceAsc, Currency: "EUR"}.MustWhere(search.FilterType, "offer"),
		{Query: "kne replacment"},
		{Query: "Knieprothese", Lang: "de"},
		{Query: "hip replacement", Lang: "de", PerPage: 50},
		{Query: "hip replacement", PerPage: 50},
		{Query: "weight loss surgery", Sort: search.SortRating},
		{Query: "cataract surgery", Explain: true},
	}
	answerAsBefore(t, live, reqs, answersOf(t, fresh, reqs), "on the generation opened afresh")
	kept, err := search.CheckUnderstood(live.ix)
	if err != nil {
		t.Error(err)
	}
	if kept < len(reqs) {
		t.Errorf("the index keeps %d queries understood, want %d or more: the test checks less than it says", kept, len(reqs))
	}
}

// TestKeptRecordsShowAsNew: a page's records are decoded once and kept
// by the generation for the pages after (pageRecord). Side by side, in
// dollars, euros and pounds, each page shows what it shows decoded
// afresh (its prices and typical prices converted into its own
// currency), and every kept record stays its document's: converting a
// shared record's typical prices in place fails both.
func TestKeptRecordsShowAsNew(t *testing.T) {
	live, fresh := bundledTwice(t)
	var reqs []search.Request
	for _, cur := range []string{"", "EUR", "GBP"} {
		reqs = append(reqs,
			search.Request{Query: "knee replacement", Currency: cur, PerPage: 20}.MustWhere(search.FilterType, "offer"),
			search.Request{Query: "cataract surgery", Currency: cur, Sort: search.SortPriceAsc},
			search.Request{Currency: cur, Sort: search.SortRating}.MustWhere(search.FilterCountry, "TR"))
	}
	page := func(ix *testIndex, r search.Request) (string, error) {
		res, err := ix.Search(context.Background(), r)
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(res.Hits)
		return string(b), err
	}
	want := make([]string, len(reqs))
	converted := 0
	for i, r := range reqs {
		search.DropPageRecords(fresh.ix)
		var err error
		if want[i], err = page(fresh, r); err != nil {
			t.Fatal(err)
		}
		if r.Currency != "" {
			converted += strings.Count(want[i], `"converted":`)
		}
	}
	if converted == 0 {
		t.Fatal("no page shows a typical price converted: the test checks less than it says")
	}
	sideBySide(t, len(reqs), 3, func(worker, round, i int) error {
		got, err := page(live, reqs[i])
		if err == nil && got != want[i] {
			err = fmt.Errorf("request %d (%s; worker %d, round %d) shows otherwise than decoded afresh:\n got %s\nwant %s",
				i, describe(reqs[i]), worker, round, got, want[i])
		}
		return err
	})
	kept, err := search.CheckPageRecords(live.ix)
	if err != nil {
		t.Error(err)
	}
	if kept == 0 {
		t.Error("the index keeps no record: the test checks nothing")
	}
}
