package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search/live"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	return serverOf(t, "../testdata/mini")
}

// serverOf serves the catalogue in dir, open to keyless clients.
func serverOf(t *testing.T, catalogue string) *httptest.Server {
	t.Helper()
	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: catalogue}, dir, nil); err != nil {
		t.Fatal(err)
	}
	lv, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(lv, openAccess()))
	t.Cleanup(func() { srv.Close(); lv.Close() })
	return srv
}

func get(t *testing.T, srv *httptest.Server, path string, out any) int {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: content type %q, want JSON; body %s", path, ct, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("%s: %v in %s", path, err, body)
	}
	return resp.StatusCode
}

func TestSearchResponse(t *testing.T) {
	srv := newServer(t)
	var res struct {
		Total   int     `json:"total"`
		TookMS  float64 `json:"took_ms"`
		Page    int     `json:"page"`
		PerPage int     `json:"per_page"`
		Hits    []struct {
			Type     string          `json:"type"`
			ID       int64           `json:"id"`
			Price    json.RawMessage `json:"price"`
			Facility struct{ Name string }
		} `json:"hits"`
		Facets map[string][]struct {
			Value string
			Count int
		} `json:"facets"`
		Currency  string `json:"currency"`
		RatesAsOf string `json:"rates_as_of"`
	}
	q := url.Values{"q": {"knee replacement"}, "type": {"offer"}, "country": {"US"}, "sort": {"price_asc"},
		"facets": {"city,price"}, "currency": {"EUR"}}
	if code := get(t, srv, "/v1/search?"+q.Encode(), &res); code != 200 {
		t.Fatalf("status %d", code)
	}
	if res.Total != 2 || len(res.Hits) != 2 || res.Hits[0].ID != 1001 || res.Hits[0].Type != "offer" {
		t.Fatalf("hits %+v", res)
	}
	if string(res.Hits[0].Price) != `{"amount":12000.5,"currency":"USD"}` {
		t.Errorf("price = %s, want {amount, currency}", res.Hits[0].Price)
	}
	if res.Hits[0].Facility.Name != "Mayo Clinic Hospital" || res.Page != 1 || res.PerPage != 10 {
		t.Errorf("hit facility %q, page %d/%d", res.Hits[0].Facility.Name, res.Page, res.PerPage)
	}
	if len(res.Facets["city"]) != 2 || len(res.Facets["price"]) != 7 || res.Currency != "EUR" || res.RatesAsOf != "2025-10-01" {
		t.Errorf("facets %+v currency %q as of %q", res.Facets, res.Currency, res.RatesAsOf)
	}
}

func TestErrors(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		path  string
		code  int
		param string
	}{
		{"/v1/search?price_min=abc", 400, "price_min"},
		{"/v1/search?price_min=10&price_max=5", 400, "price_max"},
		{"/v1/search?per_page=1000", 400, "per_page"},
		{"/v1/search?page=0", 400, "page"},
		{"/v1/search?page=500&per_page=100", 400, "page"},
		{"/v1/search?sort=cheapest", 400, "sort"},
		{"/v1/search?type=hotel", 400, "type"},
		{"/v1/search?country=Turkey", 400, "country"},
		{"/v1/search?facets=colour", 400, "facets"},
		{"/v1/search?currency=ZZZ", 400, "currency"},
		{"/v1/search?contry=US", 400, "contry"},
		{"/v1/search?q=a&q=b", 400, "q"},
		{"/v1/search?q=" + strings.Repeat("x", 1001), 400, "q"},
		{"/v1/search?price_max=NaN", 400, "price_max"},
		{"/v1/search?price_max=1e400", 400, "price_max"},
		{"/v1/facilities/abc", 400, "id"},
		{"/v1/facilities/-1", 400, "id"},
		{"/v1/facilities/99999", 404, ""},
		{"/v1/doctors/12", 404, ""},
		{"/v1/nothing", 404, ""},
		{"/v1/search?near=abc", 400, "near"},
		{"/v1/search?near=95,10", 400, "near"},
		{"/v1/search?near=41,29&radius_km=-3", 400, "radius_km"},
		{"/v1/search?radius_km=30", 400, "radius_km"},
		{"/v1/search?sort=distance", 400, "sort"},
		{"/v1/search?facility=abc", 400, "facility"},
		{"/v1/search?facility=0", 400, "facility"},
		{"/v1/search?from=Turkey", 400, "from"},
		{"/v1/search?q=knee&lang=klingon", 400, "lang"},
		{"/v1/search?q=knee&explain=perhaps", 400, "explain"},
		{"/v1/search?q=knee&lang=de&lang=es", 400, "lang"},
		{"/v1/suggest?q=k", 400, "q"},
		{"/v1/suggest?q=kn&limit=500", 400, "limit"},
		{"/v1/suggest?q=kn&x=1", 400, "x"},
	}
	for _, tc := range tests {
		var body struct {
			Error struct{ Code, Message, Param string } `json:"error"`
		}
		code := get(t, srv, tc.path, &body)
		if code != tc.code || body.Error.Param != tc.param || body.Error.Message == "" || body.Error.Code == "" {
			t.Errorf("%s: %d %+v, want %d naming %q", tc.path, code, body.Error, tc.code, tc.param)
		}
	}
	resp, err := http.Post(srv.URL+"/v1/search", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("POST /v1/search: %d, want 405", resp.StatusCode)
	}
}

func TestEntities(t *testing.T) {
	srv := newServer(t)
	var fac struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Offers []struct {
			ID int64 `json:"id"`
		} `json:"offers"`
		Doctors []struct{ Name string } `json:"doctors"`
	}
	if code := get(t, srv, "/v1/facilities/11", &fac); code != 200 || fac.Name != "Mayo Clinic Hospital" ||
		len(fac.Offers) != 2 || fac.Offers[0].ID != 1001 || len(fac.Doctors) != 1 {
		t.Errorf("facility 11: %d %+v", code, fac)
	}
	// facility= limits a search to one provider: itself, its offers and
	// its doctors.
	var own struct {
		Hits []struct {
			Type string `json:"type"`
			ID   int64  `json:"id"`
		} `json:"hits"`
	}
	if code := get(t, srv, "/v1/search?facility=11&sort=price_asc", &own); code != 200 || fmt.Sprint(own.Hits) != "[{offer 1001} {facility 11} {offer 1003} {doctor 102}]" {
		t.Errorf("facility=11: %d %v", code, own.Hits)
	}
	var doc struct {
		Name       string `json:"name"`
		Treatments []struct{ ID int64 }
		Facility   struct{ ID int64 }
	}
	if code := get(t, srv, "/v1/doctors/102", &doc); code != 200 || doc.Name != "Dr. Sam Lee" || len(doc.Treatments) != 2 || doc.Facility.ID != 11 {
		t.Errorf("doctor 102: %d %+v", code, doc)
	}
	var tr struct {
		Name     string   `json:"name"`
		LayNames []string `json:"lay_names"`
		Offers   []struct{ ID int64 }
	}
	if code := get(t, srv, "/v1/treatments/4", &tr); code != 200 || len(tr.Offers) != 2 || tr.Offers[0].ID != 1006 || len(tr.LayNames) != 2 {
		t.Errorf("treatment 4: %d %+v", code, tr)
	}
	var status map[string]any
	if code := get(t, srv, "/readyz", &status); code != 200 {
		t.Errorf("readyz %d", code)
	}
	if code := get(t, srv, "/healthz", &status); code != 200 {
		t.Errorf("healthz %d", code)
	}
}

func TestNotReady(t *testing.T) {
	lv, err := live.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(lv, openAccess()))
	defer srv.Close()
	var body map[string]any
	if code := get(t, srv, "/readyz", &body); code != 503 {
		t.Errorf("readyz with no index: %d", code)
	}
	if code := get(t, srv, "/v1/search?q=knee", &body); code != 503 {
		t.Errorf("search with no index: %d %v", code, body)
	}
}

func TestSuggestEndpoint(t *testing.T) {
	srv := newServer(t)
	var res struct {
		Suggestions []struct {
			Type   string `json:"type"`
			ID     int64  `json:"id"`
			Name   string `json:"name"`
			Detail string `json:"detail"`
		} `json:"suggestions"`
	}
	if code := get(t, srv, "/v1/suggest?q=rhino", &res); code != 200 || len(res.Suggestions) != 1 ||
		res.Suggestions[0].Name != "Rhinoplasty" || res.Suggestions[0].Detail != "Cosmetic surgery" {
		t.Errorf("suggest rhino: %d %+v", code, res)
	}
}

func TestUnderstandingInTheResponse(t *testing.T) {
	srv := newServer(t)
	type hit struct {
		Type      string            `json:"type"`
		ID        int64             `json:"id"`
		Highlight map[string]string `json:"highlight"`
		Explain   *struct {
			Relevance float64  `json:"relevance"`
			Trust     float64  `json:"trust"`
			Score     float64  `json:"score"`
			Matched   []string `json:"matched"`
			Formula   string   `json:"formula"`
		} `json:"explain"`
	}
	var res struct {
		Total      int    `json:"total"`
		Lang       string `json:"lang"`
		Hits       []hit  `json:"hits"`
		Expansions []struct {
			Text string   `json:"text"`
			Kind string   `json:"kind"`
			To   []string `json:"to"`
		} `json:"expansions"`
		DidYouMean *struct {
			Q     string `json:"q"`
			Total int    `json:"total"`
		} `json:"did_you_mean"`
	}
	if code := get(t, srv, "/v1/search?q=Knieprotese&lang=de&type=treatment&explain=true", &res); code != 200 {
		t.Fatalf("status %d", code)
	}
	if res.Total == 0 || res.Hits[0].ID != 1 || res.Lang != "de" {
		t.Fatalf("Knieprotese (a typo, in German): %+v", res)
	}
	if len(res.Expansions) != 1 || res.Expansions[0].Kind != "typo" || res.Expansions[0].To[0] != "knieprothese" {
		t.Errorf("expansions: %+v", res.Expansions)
	}
	h := res.Hits[0]
	if got := h.Highlight["translations.de.lay_names"]; got != "<mark>Knieprothese</mark>" {
		t.Errorf("highlight: %+v", h.Highlight)
	}
	if h.Explain == nil || h.Explain.Formula == "" || h.Explain.Trust == 0 || len(h.Explain.Matched) == 0 {
		t.Errorf("explain: %+v", h.Explain)
	}

	res.Hits, res.Expansions, res.DidYouMean = nil, nil, nil
	if code := get(t, srv, "/v1/search?q=rhinoplasty+xylophone", &res); code != 200 {
		t.Fatalf("status %d", code)
	}
	if res.Total != 0 || res.DidYouMean == nil || res.DidYouMean.Q != "rhinoplasty" || res.DidYouMean.Total == 0 {
		t.Errorf("did_you_mean: %+v (total %d)", res.DidYouMean, res.Total)
	}
}

// openAccess are the options of a server open to keyless clients without a
// rate limit, as the tests' many requests from one address need.
func openAccess() api.Options {
	return api.Options{Auth: auth.Config{PublicSearch: true, AnonymousRate: auth.Rate{PerMinute: -1}}}
}

// TestPricesInPatientCurrency: a facility's page, a search's hits and its
// price bands are all in the currency the patient asked for, and each band
// narrows, with its own bounds, to the offers whose converted price (or
// the low end of a converted range) lies in it, as many as it counts.
func TestPricesInPatientCurrency(t *testing.T) {
	srv := newServer(t)
	type money struct {
		Amount   float64 `json:"amount"`
		Currency string  `json:"currency"`
	}
	type span struct {
		Min, Max float64
		Currency string
	}
	type hit struct {
		Type                string `json:"type"`
		ID                  int64  `json:"id"`
		ConvertedPrice      *money `json:"converted_price"`
		ConvertedPriceRange *span  `json:"converted_price_range"`
		ConvertedPriceSpan  *span  `json:"converted_price_span"`
	}
	// Facility 12's offers: 120,000 TRY (3,000 USD) and 80,000–120,000 TRY.
	var fac struct{ Offers []hit }
	if code := get(t, srv, "/v1/facilities/12?currency=eur", &fac); code != 200 || len(fac.Offers) != 2 {
		t.Fatalf("facility 12 in EUR: %d %+v", code, fac)
	}
	if o := fac.Offers[0]; o.ID != 1006 || o.ConvertedPriceRange == nil || *o.ConvertedPriceRange != (span{1600, 2400, "EUR"}) {
		t.Errorf("offer 1006 in EUR: %+v", o)
	}
	if o := fac.Offers[1]; o.ID != 1004 || o.ConvertedPrice == nil || *o.ConvertedPrice != (money{2400, "EUR"}) {
		t.Errorf("offer 1004 in EUR: %+v", o)
	}
	var e struct{ Error struct{ Param string } }
	if code := get(t, srv, "/v1/facilities/12?currency=ZZZ", &e); code != 400 || e.Error.Param != "currency" {
		t.Errorf("facility in an unknown currency: %d %+v", code, e)
	}
	// IVF: 80,000–120,000 TRY and 4,000 EUR, 2,000–5,000 USD.
	var ivf struct{ Hits []hit }
	get(t, srv, "/v1/search?type=treatment&q=ivf&currency=TRY", &ivf)
	if len(ivf.Hits) != 1 || ivf.Hits[0].ConvertedPriceSpan == nil || *ivf.Hits[0].ConvertedPriceSpan != (span{80000, 200000, "TRY"}) {
		t.Errorf("IVF's price span in TRY: %+v", ivf.Hits)
	}

	for _, currency := range []string{"EUR", "TRY", "USD"} {
		var all struct {
			Facets map[string][]struct {
				Value string
				Count int
			}
		}
		get(t, srv, "/v1/search?type=offer&facets=price&currency="+currency, &all)
		clicked := 0
		for _, band := range all.Facets["price"] {
			lo, hi, _ := strings.Cut(strings.TrimSuffix(band.Value, "+"), "-")
			q := url.Values{"type": {"offer"}, "currency": {currency}, "price_min": {lo}, "per_page": {"100"}}
			if hi != "" {
				q.Set("price_max", hi)
			}
			var in struct {
				Total int
				Hits  []hit
			}
			get(t, srv, "/v1/search?"+q.Encode(), &in)
			if in.Total != band.Count || len(in.Hits) != band.Count {
				t.Errorf("%s band %s counts %d; its filter finds %d", currency, band.Value, band.Count, in.Total)
			}
			for _, h := range in.Hits {
				var p float64
				switch {
				case h.ConvertedPrice != nil && h.ConvertedPrice.Currency == currency:
					p = h.ConvertedPrice.Amount
				case h.ConvertedPriceRange != nil && h.ConvertedPriceRange.Currency == currency:
					p = h.ConvertedPriceRange.Min
				default:
					t.Errorf("%s band %s: offer %d has no price in %s: %+v", currency, band.Value, h.ID, currency, h)
					continue
				}
				low, high := mustParse(t, lo), mustParse(t, hi)
				if p < low-0.01 || p > high+0.01 {
					t.Errorf("%s band %s: offer %d at %v", currency, band.Value, h.ID, p)
				}
			}
			if band.Count > 0 {
				clicked++
			}
		}
		if clicked < 3 {
			t.Errorf("%s: bands %v: too few hold offers for the check to mean much", currency, all.Facets["price"])
		}
	}
}

// mustParse reads a band's bound; empty is no bound.
func mustParse(t *testing.T, s string) float64 {
	t.Helper()
	if s == "" {
		return math.Inf(1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
