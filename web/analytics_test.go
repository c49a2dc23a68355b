package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/chromedp/chromedp/kb"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestWidgetRecordsWhatThePatientSettledOn types a query key by key, lets
// the results settle, presses Enter, and opens a clinic twice: the
// analytics store holds one search (the full query, none of the half-typed
// ones) and one view of the clinic's page, which the clinic's report shows
// with the terms that led there and the patient's country.
func TestWidgetRecordsWhatThePatientSettledOn(t *testing.T) {
	base, keys := serveMini(t, true)
	pool := keys.store.Pool
	site := startClinic(t, "")
	b := newBrowser(t)
	b.open(site.page("/clinic.html", clinicHTML("en", "", widgetTag(base, `data-currency="EUR"`, `data-from="DE"`))))
	b.waitWidget("the search box", `$('input[role=combobox]') !== null`)
	b.widget(`$('input[role=combobox]').focus()`, nil)
	typed := "knee replacement"
	b.keys(typed)
	// Left on screen, the results become the settled search: with posts.
	b.waitWidget("the settled search's posts", `$('[data-post-id]') !== null && $('.res').getAttribute('aria-busy') === 'false'`)
	b.key(kb.Enter) // the same search, already recorded: nothing more
	time.Sleep(300 * time.Millisecond)

	var typing, settled []string
	for _, r := range b.seen() {
		u, _ := url.Parse(r.url)
		if u.Path != "/v1/search" {
			continue
		}
		if v := u.Query(); v.Get("record") == "false" && v.Get("posts") == "0" {
			typing = append(typing, v.Get("q"))
		} else {
			settled = append(settled, v.Get("q"))
		}
	}
	if !slices.Equal(settled, []string{typed}) || len(typing) == 0 {
		t.Errorf("searches sent to be recorded %q (want only %q); as-you-type searches %q", settled, typed, typing)
	}

	// The clinic's page, from the first offer's clinic: its offers in
	// euro, as the results are; opened twice in the session, one view.
	for i := range 2 {
		b.widget(`$('[data-hit-type=offer] [data-facility-id="11"]').click()`, nil)
		b.waitFor("the view beacon", fmt.Sprintf(`__events.filter(e => e.name === 'view').length === %d`, i+1))
		var view struct {
			ID      int64
			Counted bool
		}
		b.eval(`__events.filter(e => e.name === 'view').pop().detail`, &view)
		if view.ID != 11 || view.Counted != (i == 0) {
			t.Errorf("open %d of the clinic: %+v, want counted only the first time", i+1, view)
		}
		var currencies []string
		b.widget(`$$('.detail [data-offer-id] .price').map(p => p.dataset.currency)`, &currencies)
		// Offer 1001 is 12,000.50 USD; 1003 has no price.
		if !slices.Equal(currencies, []string{"EUR"}) {
			t.Errorf("the clinic's page shows its priced offer in %v, want EUR", currencies)
		}
		b.widget(`$('.detail button.link').click()`, nil) // back to the results
		b.waitWidget("the results again", `$('.detail').hidden && !$('.main').hidden`)
	}

	today := time.Now().UTC().Truncate(24 * time.Hour)
	var rep *posts.Report
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		rep, err = postgres.Reports{Pool: pool}.Report(context.Background(), 11, today, today.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if rep.PageViews.Total > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := posts.PageViews{Total: 1, PerDay: []posts.DayCount{{Date: today.Format(time.DateOnly), Count: 1}},
		Keywords:  []posts.TermCount{{Keyword: "knee", Count: 1}, {Keyword: "replac", Count: 1}},
		Countries: []posts.CountryCount{{Country: "DE", Count: 1}}}
	pv := rep.PageViews
	if pv.Total != want.Total || !slices.Equal(pv.PerDay, want.PerDay) || !slices.Equal(pv.Keywords, want.Keywords) ||
		!slices.Equal(pv.Countries, want.Countries) {
		t.Errorf("the clinic's page views %+v, want %+v", pv, want)
	}
	// Events are written in the order they were sent: the search went
	// before the view, so it is there now.
	if got := searchEvents(t, pool); !slices.Equal(got, []string{"knee replac|DE"}) {
		t.Errorf("search events %q, want the one settled search", got)
	}
}

// searchEvents are the recorded searches as "keywords|country".
func searchEvents(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT array_to_string(keywords, ' ') || '|' || coalesce(patient_country, '') FROM search_events ORDER BY at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestWidgetPriceBandsInVisitorCurrency clicks each price band in euro and
// in lira: the band is labelled in that currency, and narrows the results
// to the ids /v1/search gives for its bounds, every one priced within it
// in that currency.
func TestWidgetPriceBandsInVisitorCurrency(t *testing.T) {
	base := startCareAtlas(t)
	site := startClinic(t, "")
	b := newBrowser(t)
	for _, tc := range []struct{ currency, symbol string }{{"EUR", "€"}, {"TRY", "₺"}} {
		b.open(site.page("/prices-"+tc.currency+".html", clinicHTML("en", "",
			widgetTag(base, `data-currency="`+tc.currency+`"`, `data-type="offer"`))))
		b.waitWidget("the search box", `$('input[role=combobox]') !== null`)
		// "clinic": the offers of Mayo Clinic and Istanbul Aesthetic Clinic,
		// in three bands.
		b.eval(`document.querySelector('[data-careatlas]').dispatchEvent(new CustomEvent('careatlas:search', {detail: {q: 'clinic'}}))`, nil)
		b.waitWidget("results", `$$('[data-hit-id]').length > 0 && $('.res').getAttribute('aria-busy') === 'false'`)
		var bands []struct {
			Value, Label string
			Count        int
		}
		b.widget(`$$('[data-facet=price]').filter(f => f.dataset.count > 0).map(f => ({value: f.dataset.value,
			label: f.firstChild.textContent, count: Number(f.dataset.count)}))`, &bands)
		if len(bands) != 3 {
			t.Fatalf("%s: price bands %+v, want three holding offers", tc.currency, bands)
		}
		for _, band := range bands {
			// In English, Intl writes the lira as "TRY".
			if !strings.Contains(band.Label, tc.symbol) && !strings.Contains(band.Label, tc.currency) {
				t.Errorf("%s band %s labelled %q", tc.currency, band.Value, band.Label)
			}
			lo, hi, _ := strings.Cut(strings.TrimSuffix(band.Value, "+"), "-")
			b.widget(fmt.Sprintf(`$('[data-facet=price][data-value=%q]').click()`, band.Value), nil)
			b.waitWidget("the band "+band.Value, fmt.Sprintf(`$('[data-facet=price][data-value=%q]').getAttribute('aria-pressed') === 'true' && $('.res').getAttribute('aria-busy') === 'false'`, band.Value))
			q := url.Values{"q": {"clinic"}, "type": {"offer"}, "currency": {tc.currency}, "price_min": {lo},
				"facets": {"type,country,category,price"}}
			if hi != "" {
				q.Set("price_max", hi)
			}
			want := apiSearch(t, base, q)
			var got struct {
				IDs    []string
				Prices []struct {
					Amount   float64
					Currency string
				}
			}
			b.widget(`({ids: $$('[data-hit-id]').map(h => h.dataset.hitType + ':' + h.dataset.hitId),
				prices: $$('[data-hit-type=offer] .price').map(p => ({amount: Number(p.dataset.amount), currency: p.dataset.currency}))})`, &got)
			if !slices.Equal(got.IDs, want.ids()) || len(got.IDs) != band.Count {
				t.Errorf("%s band %s (count %d): the widget shows %v, /v1/search %v", tc.currency, band.Value, band.Count, got.IDs, want.ids())
			}
			low, _ := strconv.ParseFloat(lo, 64)
			high, err := strconv.ParseFloat(hi, 64)
			if err != nil {
				high = 1e18
			}
			for _, p := range got.Prices {
				if p.Currency != tc.currency || p.Amount < low || p.Amount > high {
					t.Errorf("%s band %s shows a price of %v %s", tc.currency, band.Value, p.Amount, p.Currency)
				}
			}
			if len(got.Prices) != len(got.IDs) {
				t.Errorf("%s band %s: %d prices for %d offers", tc.currency, band.Value, len(got.Prices), len(got.IDs))
			}
			b.widget(fmt.Sprintf(`$('[data-facet=price][data-value=%q]').click()`, band.Value), nil)
			b.waitWidget("the band "+band.Value+" cleared", fmt.Sprintf(`$('[data-facet=price][data-value=%q]').getAttribute('aria-pressed') === 'false' && $('.res').getAttribute('aria-busy') === 'false'`, band.Value))
		}
	}
}
