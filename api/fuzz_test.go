package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search/live"
	"github.com/labstack/echo/v4"
)

// Hostile input over HTTP. Each target sends what a client controls — a
// query string, a path id, a body, a key — through the whole handler, and
// holds the answer to one rule: never a 5xx (but 503 over_budget, and
// analytics_disabled on this server without a database) and never
// a panic; every error a JSON error, and every 400 naming the parameter at
// fault. Seeds are in testdata/fuzz/<target>; run one with
//
//	go test -run - -fuzz FuzzQueryParams -fuzztime 30s ./api

// fuzzed is the mini catalogue's index, opened once per fuzzing process.
var fuzzed struct {
	once sync.Once
	dir  string
	live *live.Live
	key  string // a search key the server knows
	err  error
}

func fuzzLive(f *testing.F) (*live.Live, string) {
	fuzzed.once.Do(func() {
		// A request per input: the access log would drown the fuzzer's own
		// output. Errors a 5xx would log show up as the status anyway.
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
		if fuzzed.dir, fuzzed.err = os.MkdirTemp("", "careatlas-api-fuzz-"); fuzzed.err != nil {
			return
		}
		if _, fuzzed.err = indexer.Build(context.Background(), &indexer.FileSource{Dir: "../testdata/mini"}, fuzzed.dir, nil); fuzzed.err != nil {
			return
		}
		fuzzed.live, fuzzed.err = live.New(fuzzed.dir)
		fuzzed.key = "ca_search_0123456789ab_" + strings.Repeat("0f", 32)
	})
	if fuzzed.err != nil {
		f.Fatal(fuzzed.err)
	}
	return fuzzed.live, fuzzed.key
}

func removeFuzzed() {
	if fuzzed.live != nil {
		fuzzed.live.Close()
	}
	if fuzzed.dir != "" {
		os.RemoveAll(fuzzed.dir)
	}
}

const fuzzAdminKey = "fuzz-operator-key"

// fuzzServer is the API over the mini catalogue with a search key (scoped
// to facility 12, EUR by default) and an admin key, and no rate limits.
func fuzzServer(f *testing.F, store auth.Store) *echo.Echo {
	lv, key := fuzzLive(f)
	k, err := keyWithText(key, auth.Scope{Filters: auth.Filters{FacilityIDs: []int64{12}}, Defaults: auth.Defaults{Currency: "EUR"}})
	if err != nil {
		f.Fatal(err)
	}
	opts := openAccess()
	opts.Auth.AdminKey = fuzzAdminKey
	opts.Auth.Keys = auth.StaticKeys{k.ID: k}
	opts.Auth.KeyRate, opts.Auth.ClientRate = auth.Rate{PerMinute: -1}, auth.Rate{PerMinute: -1}
	opts.KeyStore = store
	return api.New(lv, opts)
}

// keyWithText is a stored search key whose text is known in advance, so
// that seeds can hold it.
func keyWithText(text string, scope auth.Scope) (*auth.Key, error) {
	k, _, err := auth.NewKey(auth.Search, "fuzz", scope, time.Time{}, time.Now())
	if err != nil {
		return nil, err
	}
	parts := strings.Split(text, "_")
	k.ID = parts[2]
	k.Hash = sha256Of(text)
	return k, nil
}

func sha256Of(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }

// slowAnswer is longer than any answer may take: the search budget is half
// a second, and the rest of a request is bounded by its size. Generous,
// as fuzzing shares a loaded machine.
const slowAnswer = 5 * time.Second

// serveTimed serves the request newReq makes and fails when answering it
// took longer than slowAnswer twice in a row: a hostile input that costs
// seconds is a finding, and it costs them again; a pause of the loaded
// machine (fuzz workers, the race detector's neighbours) does not repeat.
func serveTimed(t *testing.T, h http.Handler, newReq func() *http.Request) (*httptest.ResponseRecorder, *http.Request) {
	t.Helper()
	for try := 1; ; try++ {
		req, rec := newReq(), httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		took := time.Since(start)
		if took <= slowAnswer || try == 2 {
			if took > slowAnswer {
				t.Errorf("%s %s took %v, twice", req.Method, req.URL, took)
			}
			return rec, req
		}
	}
}

// checkAnswer holds one answer to the rule above.
func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	status, body := rec.Code, rec.Body.Bytes()
	if rec.Header().Get(api.HeaderRequestID) == "" {
		t.Errorf("%s: no %s", what, api.HeaderRequestID)
	}
	if status < 400 {
		if status != http.StatusNoContent && !json.Valid(body) {
			t.Errorf("%s: %d with a body that is not JSON: %.200q", what, status, body)
		}
		return
	}
	var e struct {
		Error *struct{ Code, Message, Param string } `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("%s: %d with a body that is not a JSON error: %.300q", what, status, body)
	}
	switch {
	case status >= 500 && !(status == 503 && (e.Error.Code == "over_budget" || e.Error.Code == "analytics_disabled")):
		t.Fatalf("%s: %d %s", what, status, body)
	case status == http.StatusBadRequest && e.Error.Param == "":
		t.Fatalf("%s: a 400 naming no parameter: %s", what, body)
	}
}

// fuzzRoutes are the GET routes whose query string (and id) a client
// writes; {id} is replaced by the fuzzed id.
var fuzzRoutes = []string{"/v1/search", "/v1/suggest", "/v1/facilities/{id}", "/v1/treatments/{id}",
	"/v1/doctors/{id}", "/v1/providers/{id}/analytics", "/v1/search"}

// FuzzQueryParams: the query string and path id of every GET route,
// keyless or with a search key (whose scope and defaults then apply) or the
// admin key.
func FuzzQueryParams(f *testing.F) {
	for _, s := range []struct {
		route uint8
		id    string
		query string
	}{
		{0, "", "q=knee+replacement&type=offer&country=US&sort=price_asc&facets=city,price&currency=EUR"},
		{0, "", "q=Knieprotese&lang=de&explain=true&near=41,29&radius_km=500&from=TR&page=2&per_page=5"},
		{0, "", "per_page=0&facets=type,country,city,category,kind,accreditation,language,price&facet_size=100"},
		{0, "", "q=%ff%fe&from=12&price_min=NaN&page=99999999999999999999"},
		{0, "", "city=Istanbul&city=Houston&category=Orthopaedics&language=EN&facility=11,12&treatment=1"},
		{1, "", "q=rhino&limit=20"},
		{1, "", "q=k%00x"},
		{2, "11", "x=1"},
		{3, "-1", ""},
		{5, "11", "from=2026-01-01&to=2026-02-01T00:00:00Z"},
		{6, "", "q=knee&key=ca_search_0123456789ab_" + strings.Repeat("0f", 32)},
	} {
		f.Add(s.route, s.id, s.query)
	}
	e := fuzzServer(f, nil)
	f.Fuzz(func(t *testing.T, route uint8, id, query string) {
		tmpl := fuzzRoutes[int(route)%len(fuzzRoutes)]
		rec, req := serveTimed(t, e, func() *http.Request {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL.Path = strings.Replace(tmpl, "{id}", id, 1)
			req.URL.RawPath = strings.Replace(tmpl, "{id}", url.PathEscape(id), 1)
			req.URL.RawQuery = query
			req.RequestURI = req.URL.RequestURI()
			if strings.Contains(tmpl, "/providers/") {
				req.Header.Set("Authorization", "Bearer "+fuzzAdminKey)
			}
			return req
		})
		checkAnswer(t, req.RequestURI, rec)
	})
}

// FuzzPostsMatchBody: POST /v1/posts/match with a form or JSON body (or
// any other content type) and a query string.
func FuzzPostsMatchBody(f *testing.F) {
	for _, s := range []struct {
		kind        uint8
		query, body string
	}{
		{0, "", `{"q":"nose job","from":"GB","limit":2}`},
		{0, "", `{"q":"IVF","country":["DE","TR"],"price_max":4000.5,"explain":true,"x":null}`},
		{0, "limit=3", `{"q":{"nested":1}}`},
		{0, "", `{"country":[["DE"]]}`},
		{0, "", `[1,2]`},
		{1, "", "q=knee+replacement&from=DE&session=abc"},
		{1, "q=IVF", "limit=11"},
		{2, "", "q=knee"},
		{3, "", "--b\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nknee\r\n--b--\r\n"},
	} {
		f.Add(s.kind, s.query, []byte(s.body))
	}
	e := fuzzServer(f, nil)
	types := []string{"application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=b", ""}
	f.Fuzz(func(t *testing.T, kind uint8, query string, body []byte) {
		rec, _ := serveTimed(t, e, func() *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/v1/posts/match", bytes.NewReader(body))
			req.URL.RawQuery = query
			req.RequestURI = req.URL.RequestURI()
			if ct := types[int(kind)%len(types)]; ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			return req
		})
		checkAnswer(t, "POST /v1/posts/match?"+query, rec)
	})
}

// FuzzKeyText: whatever a client sends as a key — in Authorization,
// X-CareAtlas-Key or key= — is a 401 or a search, never a 5xx.
func FuzzKeyText(f *testing.F) {
	_, key := fuzzLive(f)
	derived, err := auth.Derive(key, auth.Derivation{Scope: auth.Scope{Filters: auth.Filters{Types: []string{"facility"}}}})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []struct {
		where uint8
		text  string
	}{
		{0, key}, {1, key}, {2, key}, {0, derived.Reveal()}, {1, derived.Reveal()[:40]},
		{0, fuzzAdminKey}, {0, "ca_admin_0123456789ab_" + strings.Repeat("a", 64)},
		{2, "ca_derived_0123456789ab.e30.AAAA"}, {0, "ca_search__"}, {1, ""}, {2, "%zz"},
	} {
		f.Add(s.where, s.text)
	}
	e := fuzzServer(f, nil)
	f.Fuzz(func(t *testing.T, where uint8, text string) {
		rec, _ := serveTimed(t, e, func() *http.Request {
			req := httptest.NewRequest(http.MethodGet, "/v1/search?q=knee", nil)
			switch where % 3 {
			case 0:
				req.Header["Authorization"] = []string{"Bearer " + text}
			case 1:
				req.Header["X-Careatlas-Key"] = []string{text}
			case 2:
				req.URL.RawQuery += "&key=" + text
				req.RequestURI = req.URL.RequestURI()
			}
			return req
		})
		checkAnswer(t, "key", rec)
		if rec.Code != 200 && rec.Code != 401 && rec.Code != 400 {
			t.Errorf("key %q: %d %s", text, rec.Code, rec.Body)
		}
	})
}

// FuzzCreateKeyBody: POST /v1/keys with any body, as the admin, on a real
// PostgreSQL: a 201 with the key, or a 400 naming the field.
func FuzzCreateKeyBody(f *testing.F) {
	for _, s := range []string{
		`{"kind":"search","name":"Clinica Sol","scope":{"facility_ids":[2560],"countries":["ES"],"lang":"es","currency":"EUR","origins":["https://clinicasol.example","https://*.clinicasol.example"],"rate_per_minute":600,"burst":50},"expires_at":"2099-01-01T00:00:00Z"}`,
		`{"kind":"provider","name":"Sol group","scope":{"facility_ids":[2560,2561]}}`,
		`{"kind":"admin","name":"ops"}`,
		`{"kind":"admin","name":"ops","scope":{"countries":["ES"]}}`,
		`{"kind":"root","name":"x"}`,
		`{"kind":"search","name":"","scope":{"facility_id":[1]}}`,
		`{"kind":"search","name":"x","expires_at":"2001-01-01T00:00:00Z"}`,
		`{"kind":"search","name":"x","scope":{"origins":["ftp://x"],"rate_per_minute":-1}}`,
		`{"kind":"search","name":"x"}{}`, `[]`, `{"kind":`, ``,
		`{"kind":"admin","name":"a\u0000b"}`, `{"kind":"search","name":"n","scope":{"categories":["\u0000"]}}`,
	} {
		f.Add([]byte(s))
	}
	pool, err := postgres.Connect(context.Background(), pgtest.MustDB(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(pool.Close)
	if _, err := postgres.Migrate(context.Background(), pool); err != nil {
		f.Fatal(err)
	}
	e := fuzzServer(f, postgres.Keys{Pool: pool})
	f.Fuzz(func(t *testing.T, body []byte) {
		rec, _ := serveTimed(t, e, func() *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/v1/keys", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+fuzzAdminKey)
			return req
		})
		checkAnswer(t, "POST /v1/keys", rec)
		if rec.Code != 201 && rec.Code != 400 && rec.Code != 413 {
			t.Errorf("%.200q: %d %s", body, rec.Code, rec.Body)
		}
	})
}
