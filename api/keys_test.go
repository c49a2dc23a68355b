package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search/live"
)

// keyServer serves the mini catalogue with keys stored in a real
// PostgreSQL, public search off.
type keyServer struct {
	url   string
	store postgres.Keys
	cache *auth.Cache
}

func newKeyServer(t *testing.T) *keyServer {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := indexer.Build(ctx, &indexer.FileSource{Dir: "../testdata/mini"}, dir, nil); err != nil {
		t.Fatal(err)
	}
	lv, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := postgres.Connect(ctx, pgtest.MustDB(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	ks := &keyServer{store: postgres.Keys{Pool: pool}}
	ks.cache = auth.NewCache(ks.store)
	if err := ks.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(lv, api.Options{KeyStore: ks.store,
		Auth: auth.Config{Keys: ks.cache, AdminKey: "operator-secret", PublicSearch: false}}))
	ks.url = srv.URL
	t.Cleanup(func() { srv.Close(); lv.Close(); pool.Close() })
	return ks
}

// create stores a key and returns its secret.
func (ks *keyServer) create(t *testing.T, kind auth.Kind, scope auth.Scope) string {
	t.Helper()
	k, secret, err := auth.NewKey(kind, "test", scope, time.Time{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.store.CreateKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	if err := ks.cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return secret.Reveal()
}

// call is send with the body decoded as a JSON object (nil when empty).
func call(t *testing.T, method, u string, header http.Header) (int, http.Header, map[string]any) {
	t.Helper()
	resp, b := send(t, method, u, header)
	var body map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("%s %s: %v in %s", method, u, err, b)
		}
	}
	return resp.StatusCode, resp.Header, body
}

func hitFacilities(body map[string]any) []int64 {
	var out []int64
	hits, _ := body["hits"].([]any)
	for _, h := range hits {
		m := h.(map[string]any)
		if m["type"] == "facility" {
			out = append(out, int64(m["id"].(float64)))
		} else if f, ok := m["facility"].(map[string]any); ok {
			out = append(out, int64(f["id"].(float64)))
		}
	}
	return out
}

// TestSearchKeyScopeInTheEngine: a search key for facility 12 never returns
// another facility's records, whatever the request asks; its defaults
// apply and can be overridden; without a key, search is refused.
func TestSearchKeyScopeInTheEngine(t *testing.T) {
	ks := newKeyServer(t)
	key := ks.create(t, auth.Search, auth.Scope{Filters: auth.Filters{FacilityIDs: []int64{12}},
		Defaults: auth.Defaults{Currency: "EUR"}})
	bearer := http.Header{"Authorization": {"Bearer " + key}}

	if code, _, _ := call(t, "GET", ks.url+"/v1/search?q=replacement", nil); code != 401 {
		t.Errorf("keyless search with public search off: %d, want 401", code)
	}
	for _, q := range []string{"", "q=rhinoplasty", "type=offer", "facility=10", "country=US", "q=knee+replacement"} {
		code, _, body := call(t, "GET", ks.url+"/v1/search?"+q, bearer)
		if code != 200 {
			t.Fatalf("%s: %d %v", q, code, body)
		}
		for _, f := range hitFacilities(body) {
			if f != 12 {
				t.Errorf("%s: a key for facility 12 found facility %d", q, f)
			}
		}
		if (q == "facility=10" || q == "country=US") && body["total"].(float64) != 0 {
			t.Errorf("%s: %v hits, want none", q, body["total"])
		}
	}
	_, _, body := call(t, "GET", ks.url+"/v1/search?type=offer", bearer)
	if body["currency"] != "EUR" || len(hitFacilities(body)) != 2 {
		t.Errorf("default currency: %v, %d hits", body["currency"], len(hitFacilities(body)))
	}
	_, _, body = call(t, "GET", ks.url+"/v1/search?type=offer&currency=TRY&key="+key, nil)
	if body["currency"] != "TRY" {
		t.Errorf("overridden currency (key in the query string): %v", body["currency"])
	}
	if code, _, _ := call(t, "GET", ks.url+"/v1/facilities/10", bearer); code != 404 {
		t.Errorf("another facility's page: %d, want 404", code)
	}
	if code, _, _ := call(t, "GET", ks.url+"/v1/facilities/12", bearer); code != 200 {
		t.Errorf("the key's facility page: %d, want 200", code)
	}

	// A derived key narrows its parent and cannot widen it.
	derived, err := auth.Derive(key, auth.Derivation{Scope: auth.Scope{Filters: auth.Filters{Types: []string{"facility"}}},
		ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, _, body = call(t, "GET", ks.url+"/v1/search", http.Header{"X-Careatlas-Key": {derived.Reveal()}})
	if got := hitFacilities(body); !slices.Equal(got, []int64{12}) {
		t.Errorf("derived key for facilities: %v, want [12]", got)
	}
	wider, err := auth.Derive(key, auth.Derivation{Scope: auth.Scope{Filters: auth.Filters{FacilityIDs: []int64{10}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, body = call(t, "GET", ks.url+"/v1/search", http.Header{"X-Careatlas-Key": {wider.Reveal()}}); body["total"].(float64) != 0 {
		t.Errorf("a derived key asking for facility 10 under a key for 12 found %v", body["total"])
	}
	tampered := derived.Reveal()[:len(derived.Reveal())-2] + "xx"
	if code, _, _ := call(t, "GET", ks.url+"/v1/search", http.Header{"X-Careatlas-Key": {tampered}}); code != 401 {
		t.Errorf("tampered derived key: %d, want 401", code)
	}
}

// TestKeysCORSAndLimitsThroughTheAPI: origins and rate limits as a browser
// and a script meet them, and provider keys on analytics.
func TestKeysCORSAndLimitsThroughTheAPI(t *testing.T) {
	ks := newKeyServer(t)
	key := ks.create(t, auth.Search, auth.Scope{Origins: []string{"https://clinic.example"}, RatePerMinute: 60, Burst: 3})

	code, h, _ := call(t, "OPTIONS", ks.url+"/v1/search?key="+key, http.Header{"Origin": {"https://clinic.example"},
		"Access-Control-Request-Method": {"GET"}})
	if code >= 300 || h.Get("Access-Control-Allow-Origin") != "https://clinic.example" {
		t.Errorf("preflight from an allowed origin: %d %v", code, h)
	}
	code, h, body := call(t, "GET", ks.url+"/v1/search?q=knee&key="+key, http.Header{"Origin": {"https://evil.example"}})
	if code != 403 || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin: %d %v %v, want 403 and no CORS headers", code, h, body)
	}
	statuses := map[int]int{}
	var retry string
	for range 6 {
		code, h, _ := call(t, "GET", ks.url+"/v1/search?q=knee&key="+key, http.Header{"Origin": {"https://clinic.example"}})
		statuses[code]++
		if code == 429 {
			retry = h.Get("Retry-After")
		}
	}
	if statuses[429] == 0 || retry == "" {
		t.Errorf("past the burst: %v, Retry-After %q; want 429s with Retry-After", statuses, retry)
	}
	other := ks.create(t, auth.Search, auth.Scope{})
	if code, _, _ := call(t, "GET", ks.url+"/v1/search?q=knee&key="+other, nil); code != 200 {
		t.Errorf("another key while the first is limited: %d", code)
	}

	provider := ks.create(t, auth.Provider, auth.Scope{Filters: auth.Filters{FacilityIDs: []int64{11}}})
	p := http.Header{"Authorization": {"Bearer " + provider}}
	if code, _, _ := call(t, "GET", ks.url+"/v1/providers/12/analytics", p); code != 403 {
		t.Errorf("provider key on another facility's analytics: %d, want 403", code)
	}
	if code, _, _ := call(t, "GET", ks.url+"/v1/providers/11/analytics", p); code != 503 {
		t.Errorf("provider key on its own analytics (no analytics store here): %d, want 503", code)
	}
	if code, _, _ := call(t, "GET", ks.url+"/v1/search?q=knee", p); code != 403 {
		t.Errorf("provider key searching: %d, want 403", code)
	}
	if code, _, body := call(t, "GET", ks.url+"/v1/keys", http.Header{"Authorization": {"Bearer operator-secret"}}); code != 200 {
		t.Errorf("admin lists keys: %d %v", code, body)
	}
}
