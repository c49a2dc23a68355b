package search_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
)

// intentsIndex builds testdata/intents: the mini catalogue with a US
// practice called "Turkey Dental", dental implants, knee replacement in
// Turkey and IVF in Prague (Praha 4), priced on request with country
// references.
func intentsIndex(t *testing.T) *testIndex {
	t.Helper()
	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: "../testdata/intents"}, dir, nil); err != nil {
		t.Fatal(err)
	}
	live, err := openIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(live.Close)
	return live
}

// expansionLine is an intent's expansion in one line: kind param=values
// [reason] -> without.
func expansionLine(e search.Expansion) string {
	s := e.Kind + " " + e.Text + ": " + e.Param + "=" + strings.Join(e.Values, ",")
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	if e.Without != nil {
		s += " → q=" + *e.Without
	}
	return s
}

func TestIntents(t *testing.T) {
	live := intentsIndex(t)
	offers := func(r search.Request) search.Request { return r.MustWhere(search.FilterType, search.TypeOffer) }
	tests := []struct {
		name string
		req  search.Request
		want []int64  // hit ids in order
		exps []string // the intents' expansions (expansionLine)
	}{
		{"cheap: by price, then priced on request by the country's reference",
			offers(search.Request{Query: "cheap ivf"}), []int64{1006, 1005, 1010},
			[]string{"sort cheap: sort=price_asc → q=ivf"}},
		{"an order word in another language", offers(search.Request{Query: "FIV barata"}), []int64{1006, 1005, 1010},
			[]string{"sort barata: sort=price_asc → q=FIV"}},
		{"an explicit sort wins over an order word", offers(search.Request{Query: "cheap ivf", Sort: search.SortRating}),
			[]int64{1006, 1005, 1010},
			[]string{"ignored cheap: sort=price_asc (sort=rating was given) → q=ivf"}},
		{"the first order word sets the sort", offers(search.Request{Query: "best cheap ivf"}), []int64{1006, 1005, 1010},
			[]string{"sort best: sort=rating → q=cheap ivf", "ignored cheap: sort=price_asc (an earlier word set the sort) → q=best ivf"}},
		{"best: by rating", search.Request{Query: "top rated clinic"}.MustWhere(search.FilterType, search.TypeFacility),
			[]int64{11, 12, 15}, []string{"sort top rated: sort=rating → q=clinic"}},
		{"a country's name in German is a filter", offers(search.Request{Query: "Knieprothese Türkei"}), []int64{1009},
			[]string{"filter Türkei: country=TR → q=Knieprothese"}},
		{"ambiguous: knee offers in Turkey rank first, the word still matches names",
			offers(search.Request{Query: "knee replacement turkey"}), []int64{1009},
			[]string{"boost turkey: country=TR → q=knee replacement"}},
		{"ambiguous: a clinic called Turkey Dental is still found, beside dental care in Turkey",
			search.Request{Query: "turkey dental"}.MustWhere(search.FilterType, search.TypeFacility, search.TypeOffer),
			[]int64{14, 1008, 12, 1007},
			[]string{"boost turkey: country=TR → q=dental"}},
		{"a city in Spanish", search.Request{Query: "ivf Estambul"}, []int64{1006, 12},
			[]string{"filter Estambul: city=Istanbul → q=ivf"}},
		{"a city in Russian", offers(search.Request{Query: "ivf Стамбул"}), []int64{1006},
			[]string{"filter Стамбул: city=Istanbul → q=ivf"}},
		{"a city by its local name finds its districts", search.Request{Query: "IVF Praga"}, []int64{1010, 15},
			[]string{"filter Praga: city=Praha 4 → q=IVF"}},
		{"two countries are alternatives", offers(search.Request{Query: "ivf germany czechia", Sort: search.SortPriceAsc}),
			[]int64{1005, 1010},
			[]string{"filter germany: country=DE → q=ivf czechia", "filter czechia: country=CZ → q=ivf germany"}},
		{"an explicit country wins over a place word",
			offers(search.Request{Query: "ivf germany"}).MustWhere(search.FilterCountry, "TR"), []int64{1006},
			[]string{"ignored germany: country=DE (country= was given) → q=ivf"}},
		{"abroad: outside the patient's country", offers(search.Request{Query: "hip replacement abroad", From: "US"}),
			[]int64{1009}, []string{"exclude abroad: country=US → q=hip replacement"}},
		{"abroad needs from", offers(search.Request{Query: "hip replacement abroad", Sort: search.SortPriceAsc}),
			[]int64{1001, 1000, 1009}, []string{"ignored abroad: country= (needs from=<country>) → q=hip replacement"}},
		{"near me: by distance", offers(search.Request{Query: "knee replacement near me", Near: &search.GeoPoint{Lat: 41, Lon: 29}}),
			[]int64{1009, 1001, 1000}, []string{"sort near me: sort=distance → q=knee replacement"}},
		{"near me needs near", offers(search.Request{Query: "knee replacement near me", Sort: search.SortPriceAsc}),
			[]int64{1001, 1000, 1009}, []string{"ignored near me: sort=distance (needs near=lat,lon) → q=knee replacement"}},
		{"a place with nothing in it is dropped, and says so", offers(search.Request{Query: "dental implants prague", Sort: search.SortPriceAsc}),
			[]int64{1007, 1008},
			[]string{"ignored prague: city=Praha 4 (nothing in Prague matched the rest of the query) → q=dental implants"}},
		{"a place alone: everything there", search.Request{Query: "czechia"}, []int64{15, 1010},
			[]string{"filter czechia: country=CZ → q="}},
		{"no intent: the text as it is", offers(search.Request{Query: "nose job"}), []int64{1004}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := live.Search(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Hits); !slices.Equal(got, tc.want) {
				t.Errorf("hits %v, want %v", got, tc.want)
			}
			var exps []string
			for _, e := range res.Expansions {
				if e.Kind != "synonym" && e.Kind != "typo" {
					exps = append(exps, expansionLine(e))
				}
			}
			if !slices.Equal(exps, tc.exps) {
				t.Errorf("expansions\n%s\nwant\n%s", strings.Join(exps, "\n"), strings.Join(tc.exps, "\n"))
			}
		})
	}
}

// TestTypicalPrices: an offer priced on request shows its country's
// reference, converted like a price; a treatment lists its references.
func TestTypicalPrices(t *testing.T) {
	live := intentsIndex(t)
	res, err := live.Search(context.Background(), search.Request{Query: "dental implants", Currency: "EUR"}.
		MustWhere(search.FilterType, search.TypeOffer, search.TypeTreatment))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		for _, tp := range append(h.TypicalPrices, ptrSlice(h.TypicalPrice)...) {
			got = append(got, fmt.Sprintf("%s %d: %s %.0f %s (%s) = %.2f %s", h.Type, h.ID, tp.Country, tp.Amount, tp.Currency,
				tp.Source, tp.Converted.Amount, tp.Converted.Currency))
		}
	}
	want := []string{
		"treatment 5: TR 700 USD (Test table) = 560.00 EUR",
		"offer 1008: TR 700 USD (Test table) = 560.00 EUR",
	}
	if !slices.Equal(got, want) {
		t.Errorf("typical prices\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, h := range res.Hits {
		if h.ID == 1007 && h.TypicalPrice != nil {
			t.Errorf("offer 1007 in the US shows a reference the US does not have: %+v", h.TypicalPrice)
		}
	}
}

func ptrSlice[T any](p *T) []T {
	if p == nil {
		return nil
	}
	return []T{*p}
}

// TestMatched: each hit says which of its texts the query matched, a lay
// name or translation rather than the official name when that is what the
// patient typed.
func TestMatched(t *testing.T) {
	live := intentsIndex(t)
	tests := []struct {
		req  search.Request
		want []string // id field: text, per hit
	}{
		{search.Request{Query: "hip replacement"}.MustWhere(search.FilterType, search.TypeTreatment, search.TypeOffer),
			[]string{"1 lay_names: <mark>hip replacement</mark>", "1001 treatment.lay_names: <mark>hip replacement</mark>",
				"1009 treatment.lay_names: <mark>hip replacement</mark>", "1000 treatment.lay_names: <mark>hip replacement</mark>"}},
		{search.Request{Query: "Knieprothese", Lang: "de"}.MustWhere(search.FilterType, search.TypeTreatment),
			[]string{"1 translations.de.lay_names: <mark>Knieprothese</mark>"}},
		{search.Request{Query: "aesthetic clinic"}.MustWhere(search.FilterType, search.TypeFacility),
			[]string{"12 name: Istanbul <mark>Aesthetic Clinic</mark>"}},
	}
	for _, tc := range tests {
		t.Run(tc.req.Query, func(t *testing.T) {
			res, err := live.Search(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				if h.Matched == nil {
					got = append(got, fmt.Sprintf("%d: none", h.ID))
					continue
				}
				got = append(got, fmt.Sprintf("%d %s: %s", h.ID, h.Matched.Field, h.Matched.Text))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("matched\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
