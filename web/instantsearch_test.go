package web

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// instantSearchPage is a site that already uses Algolia's InstantSearch.js,
// pointed at CareAtlas through /v1/instantsearch.js.
func instantSearchPage(base string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clinic search</title>
</head><body><main>
<div id="searchbox"></div><div id="country"></div><div id="price"></div><div id="hits"></div><div id="pagination"></div>
<script src="/npm/instantsearch.js/dist/instantsearch.production.min.js"></script>
<script src="` + base + `/v1/instantsearch.js"></script>
<script>
  window.__errors = [];
  const { searchBox, hits, refinementList, rangeInput, pagination, configure } = instantsearch.widgets;
  const search = instantsearch({ indexName: 'offers', searchClient: careAtlasSearchClient({ host: '` + base + `' }) });
  search.addWidgets([
    configure({ hitsPerPage: 2 }),
    searchBox({ container: '#searchbox', searchAsYouType: true }),
    hits({ container: '#hits', templates: { item: (hit, { html, components }) =>
      html` + "`" + `<span class="id">${hit.objectID}</span> <span class="name">${components.Highlight({ hit, attribute: 'name' })}</span>` + "`" + ` } }),
    refinementList({ container: '#country', attribute: 'country' }),
    rangeInput({ container: '#price', attribute: 'price' }),
    pagination({ container: '#pagination' }),
  ]);
  search.on('error', e => window.__errors.push(String((e.error && e.error.message) || e.message || e)));
  search.start();
</script></main></body></html>`
}

// isState is what the InstantSearch page shows.
type isState struct {
	Hits    []string
	Country []string
	Pages   []string
	Errors  []string
	Min     string
	Max     string
}

const readIS = `({
	hits: [...document.querySelectorAll('#hits .id')].map(e => e.textContent),
	country: [...document.querySelectorAll('.ais-RefinementList-item')].map(e =>
		e.querySelector('.ais-RefinementList-labelText').textContent + ' ' + e.querySelector('.ais-RefinementList-count').textContent +
		(e.querySelector('input').checked ? ' checked' : '')),
	pages: [...document.querySelectorAll('.ais-Pagination-item--page')].map(e => e.textContent),
	errors: window.__errors,
	min: (document.querySelector('.ais-RangeInput-input--min') || {}).placeholder || '',
	max: (document.querySelector('.ais-RangeInput-input--max') || {}).placeholder || '',
})`

// TestInstantSearch: searchBox, hits, refinementList on country, rangeInput
// on price and pagination, through careAtlasSearchClient, show the hits and
// facet counts /v1/search gives.
func TestInstantSearch(t *testing.T) {
	npm := nodeModules(t)
	base := startCareAtlas(t)
	site := startClinic(t, npm)
	b := newBrowser(t)
	b.open(site.page("/instantsearch.html", instantSearchPage(base)))

	q := url.Values{"type": {"offer"}, "per_page": {"2"}, "currency": {"USD"}}
	// expect waits until the page shows the hits of q, and the country
	// counts of q without its country filter (a refinementList ORs its
	// values, so its counts ignore its own refinement).
	expect := func(step string, checked ...string) isState {
		t.Helper()
		want := apiSearch(t, base, q)
		counts := url.Values{}
		for k, v := range q {
			counts[k] = v
		}
		counts.Del("country")
		counts.Del("page")
		counts.Set("facets", "country")
		var wantCountry []string
		for _, v := range apiSearch(t, base, counts).Facets["country"] {
			c := fmt.Sprintf("%s %d", v.Value, v.Count)
			if slices.Contains(checked, v.Value) {
				c += " checked"
			}
			wantCountry = append(wantCountry, c)
		}
		slices.Sort(wantCountry) // InstantSearch lists refined values first
		wantHits := want.ids()
		var got isState
		deadline := time.Now().Add(10 * time.Second)
		for {
			b.eval(readIS, &got)
			slices.Sort(got.Country)
			if slices.Equal(got.Hits, wantHits) && slices.Equal(got.Country, wantCountry) || time.Now().After(deadline) {
				break
			}
			time.Sleep(30 * time.Millisecond)
		}
		if !slices.Equal(got.Hits, wantHits) || !slices.Equal(got.Country, wantCountry) || len(got.Errors) > 0 {
			t.Fatalf("%s: InstantSearch shows hits %v, countries %v (errors %v); /v1/search?%s gives %v, %v\nthe page's searches:\n%s",
				step, got.Hits, got.Country, got.Errors, q.Encode(), wantHits, wantCountry, searches(b))
		}
		return got
	}

	got := expect("first page")
	if want := (7 + 1) / 2; len(got.Pages) != want {
		t.Errorf("pagination shows pages %v, want %d", got.Pages, want)
	}
	// The cheapest converted price (offer 1006, 80,000–120,000 TRY, is
	// 2,000–3,000 USD: price filters compare its low end) and the dearest.
	if got.Min != "2000" || got.Max != "15000" {
		t.Errorf("rangeInput bounds %s–%s, want 2000–15000 USD", got.Min, got.Max)
	}

	b.eval(`[...document.querySelectorAll('.ais-Pagination-item--page a')].find(a => a.textContent === '2').click()`, nil)
	q.Set("page", "2")
	expect("page 2")

	typeRange(b, "4000", "13000")
	b.keys("\r")
	q.Del("page")
	q.Set("price_min", "4000")
	q.Set("price_max", "13000")
	expect("price 4000–13000")

	b.eval(`[...document.querySelectorAll('.ais-RefinementList-item')].find(e => e.textContent.startsWith('DE')).querySelector('input').click()`, nil)
	q.Set("country", "DE")
	expect("country DE", "DE")

	b.eval(`document.querySelector('.ais-SearchBox-input').focus()`, nil)
	b.keys("ivf")
	q.Set("q", "ivf")
	expect("ivf", "DE")
	var name string
	b.eval(`document.querySelector('#hits .name').innerHTML`, &name)
	if !strings.Contains(name, `<mark class="ais-Highlight-highlighted">IVF</mark>`) {
		t.Errorf("highlighted name %q", name)
	}
}

// typeRange types the price bounds into the rangeInput's two fields, key by
// key, and waits until both show what was typed. The widget resets its
// fields to the current refinement whenever InstantSearch renders it, as a
// late or stalled search makes it do; a person who saw a field emptied
// would type it again, and so does this, at most three times.
func typeRange(b *browser, lo, hi string) {
	b.t.Helper()
	const shown = `[document.querySelector('.ais-RangeInput-input--min').value, document.querySelector('.ais-RangeInput-input--max').value]`
	var got []string
	for try := 0; try < 3; try++ {
		for _, f := range []struct{ class, s string }{{"min", lo}, {"max", hi}} {
			b.eval(`(e => { e.focus(); e.select() })(document.querySelector('.ais-RangeInput-input--`+f.class+`'))`, nil)
			b.keys(f.s)
		}
		deadline := time.Now().Add(2 * time.Second)
		for {
			b.eval(shown, &got)
			if slices.Equal(got, []string{lo, hi}) {
				return
			}
			if time.Now().After(deadline) {
				break
			}
			time.Sleep(30 * time.Millisecond)
		}
		b.t.Logf("typed %s and %s into the price range, and it shows %q; typing again", lo, hi, got)
	}
	b.t.Fatalf("typed %s and %s into the price range three times, and it shows %q\nthe page's searches:\n%s", lo, hi, got, searches(b))
}

// searches lists the /v1/search requests the page has made, with their
// statuses, one a line.
func searches(b *browser) string {
	var out strings.Builder
	for _, r := range b.seen() {
		if strings.Contains(r.url, "/v1/search") {
			fmt.Fprintf(&out, "  %d %s\n", r.status, r.url)
		}
	}
	return out.String()
}

// TestInstantSearchMapping checks, case by case, how the adapter turns an
// InstantSearch request into /v1/search parameters, with a fetch that
// records the URL and answers an empty result.
func TestInstantSearchMapping(t *testing.T) {
	base := startCareAtlas(t)
	site := startClinic(t, "")
	b := newBrowser(t)
	b.open(site.page("/adapter.html", `<!doctype html><html lang="en"><head><title>adapter</title>
<script src="`+base+`/v1/instantsearch.js"></script></head><body></body></html>`))
	tests := []struct {
		index, params string
		want          string // the query string, or "error: " and part of the message
	}{
		{"offers", `{query: 'knee', page: 1, hitsPerPage: 5}`, "q=knee&type=offer&currency=USD&posts=0&page=2&per_page=5"},
		{"all", `{query: 'ivf'}`, "q=ivf&currency=USD&posts=0&page=1&per_page=20"},
		{"offers/price_asc", `{}`, "type=offer&sort=price_asc&currency=USD&posts=0&page=1&per_page=20"},
		{"facilities/rating", `{facets: ['country', 'kind', 'nope'], maxValuesPerFacet: 500}`,
			"type=facility&facets=country%2Ckind&facet_size=100&sort=rating&currency=USD&posts=0&page=1&per_page=20"},
		// The outer list ANDs, an inner list ORs within one attribute.
		{"offers", `{facetFilters: [['country:TR', 'country:DE'], 'category:Fertility', ['language:en']]}`,
			"type=offer&country=TR%2CDE&category=Fertility&language=en&currency=USD&posts=0&page=1&per_page=20"},
		{"offers", `{facetFilters: ['city:Paris, Texas', ['city:Berlin', 'city:Paris, Texas']]}`,
			"type=offer&city=Paris%2C+Texas&currency=USD&posts=0&page=1&per_page=20"},
		{"offers", `{facetFilters: 'country:US'}`, "type=offer&country=US&currency=USD&posts=0&page=1&per_page=20"},
		{"offers", `{facetFilters: ['type:doctor']}`, "empty"},
		{"offers", `{numericFilters: ['price>=100', 'price<=2500.5']}`,
			"type=offer&price_min=100&price_max=2500.5&currency=USD&posts=0&page=1&per_page=20"},
		{"doctors", `{aroundLatLng: '41.0, 28.9', aroundRadius: 25000}`,
			"type=doctor&near=41.0%2C28.9&radius_km=25&currency=USD&posts=0&page=1&per_page=20"},
		// Algolia's analytics: false (sent with the helper's extra facet
		// queries) is CareAtlas's record=false.
		{"offers", `{query: 'kne', analytics: false}`, "q=kne&type=offer&currency=USD&posts=0&record=false&page=1&per_page=20"},
		{"offers", `{hitsPerPage: 0, facets: 'country'}`, "type=offer&facets=country&currency=USD&posts=0&page=1&per_page=1"},
		{"offers", `{page: 5000, hitsPerPage: 100}`, "type=offer&currency=USD&posts=0&page=100&per_page=100"},
		{"hotels", `{}`, "error: unknown index"},
		{"offers/cheapest", `{}`, "error: unknown sort"},
		{"offers", `{facetFilters: [['country:TR', 'category:Fertility']]}`, "error: OR within one attribute"},
		{"offers", `{facetFilters: ['language:en', 'language:de']}`, "error: cannot require several values"},
		{"offers", `{facetFilters: ['country:-TR']}`, "error: negative facet filters"},
		{"offers", `{facetFilters: ['colour:red']}`, "error: cannot filter on"},
		{"offers", `{numericFilters: ['rating>4']}`, "error: price only"},
		{"offers", `{filters: 'country:TR'}`, "error: filters string"},
	}
	for _, tc := range tests {
		var got string
		b.eval(fmt.Sprintf(`(async () => {
			let url = 'empty';
			const client = careAtlasSearchClient({ host: 'http://careatlas.invalid', fetch: async u => {
				if (url === 'empty') url = u.slice(u.indexOf('?') + 1);
				return new Response(JSON.stringify({ total: 0, took_ms: 1, page: 1, per_page: 1, hits: [], facets: {} }));
			} });
			try { await client.search([{ indexName: %q, params: %s }]); } catch (e) { return 'error: ' + e.message; }
			return url;
		})()`, tc.index, tc.params), &got)
		if got != tc.want && !(strings.HasPrefix(tc.want, "error: ") && strings.HasPrefix(got, "error: ") && strings.Contains(got, tc.want[7:])) {
			t.Errorf("%s %s:\n got %s\nwant %s", tc.index, tc.params, got, tc.want)
		}
	}

	// searchForFacetValues: the facet's values containing the text.
	var facetHits []struct {
		Value, Highlighted string
		Count              int
	}
	b.eval(`careAtlasSearchClient({ host: '`+base+`' }).searchForFacetValues([{ indexName: 'offers',
		params: { facetName: 'country', facetQuery: 'r', highlightPreTag: '<b>', highlightPostTag: '</b>' } }]).then(r => r[0].facetHits)`, &facetHits)
	if fmt.Sprint(facetHits) != "[{TR T<b>R</b> 2}]" {
		t.Errorf("facet values for 'r': %v", facetHits)
	}
}
