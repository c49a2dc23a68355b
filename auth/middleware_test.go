package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// testErrorHandler answers errors in the API's shape, as api's handler does
// once it maps *Error.
func testErrorHandler(err error, c echo.Context) {
	var ae *Error
	var he *echo.HTTPError
	status, body := 500, map[string]any{"code": "internal", "message": "internal"}
	switch {
	case errors.As(err, &ae):
		status, body = ae.Status, map[string]any{"code": ae.Code, "message": ae.Message, "param": ae.Param}
	case errors.As(err, &he):
		status, body = he.Code, map[string]any{"code": "http", "message": he.Message}
	}
	_ = c.JSON(status, map[string]any{"error": body})
}

// fixture is a server with the middleware and a route of each kind, and the
// keys it knows.
type fixture struct {
	e      *echo.Echo
	keys   StaticKeys
	clock  time.Time
	secret map[string]string // name → key text
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	f := &fixture{keys: StaticKeys{}, clock: now, secret: map[string]string{}}
	cfg.Keys = f.keys
	cfg.Now = func() time.Time { return f.clock }
	f.e = echo.New()
	f.e.HTTPErrorHandler = testErrorHandler
	f.e.Use(Middleware(cfg))
	v1 := f.e.Group("/v1")
	// /v1/search answers with what the handler sees: the access and the
	// request merged with its scope.
	v1.GET("/search", func(c echo.Context) error {
		a := FromContext(c)
		q := Query{Countries: c.QueryParams()["country"], Lang: c.QueryParam("lang")}
		for _, s := range c.QueryParams()["facility"] {
			id, _ := strconv.ParseInt(s, 10, 64)
			q.FacilityIDs = append(q.FacilityIDs, id)
		}
		merged, ok := a.Apply(q)
		return c.JSON(http.StatusOK, map[string]any{"kind": a.Kind, "key": a.KeyID, "derived": a.Derived,
			"client": a.Client.String(), "query": merged, "ok": ok, "raw_query": c.Request().URL.RawQuery,
			"request_uri": c.Request().RequestURI})
	}, Require(Search))
	v1.POST("/posts/match", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, Require(Search))
	v1.GET("/providers/:id/analytics", func(c echo.Context) error { return c.NoContent(http.StatusOK) },
		RequireAnalytics("id"))
	v1.GET("/keys", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, Require(Admin))
	return f
}

func (f *fixture) add(t *testing.T, name string, kind Kind, scope Scope) string {
	t.Helper()
	k, s, err := NewKey(kind, name, scope, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	f.keys[k.ID] = k
	f.secret[name] = s.Reveal()
	return s.Reveal()
}

type call struct {
	method, target string
	header         map[string]string
	peer           string
}

func (f *fixture) do(c call) *httptest.ResponseRecorder {
	r := httptest.NewRequest(c.method, c.target, nil)
	if c.peer != "" {
		r.RemoteAddr = c.peer
	}
	for k, v := range c.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.e.ServeHTTP(w, r)
	return w
}

func (f *fixture) get(target string, header map[string]string) *httptest.ResponseRecorder {
	return f.do(call{method: http.MethodGet, target: target, header: header})
}

func decode(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	return m
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	e, _ := decode(t, w)["error"].(map[string]any)
	if e == nil {
		t.Fatalf("not an error body: %s", w.Body.String())
	}
	return e["code"].(string)
}

func TestKeyFromEachPlace(t *testing.T) {
	f := newFixture(t, Config{})
	key := f.add(t, "clinic", Search, Scope{Filters: Filters{FacilityIDs: []int64{12}}})
	for name, w := range map[string]*httptest.ResponseRecorder{
		"bearer": f.get("/v1/search?q=knee", map[string]string{"Authorization": "Bearer " + key}),
		"header": f.get("/v1/search?q=knee", map[string]string{HeaderKey: key}),
		"query":  f.get("/v1/search?q=knee&key="+key, nil),
	} {
		if w.Code != http.StatusOK {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
			continue
		}
		m := decode(t, w)
		if m["kind"] != "search" || m["raw_query"] != "q=knee" || strings.Contains(m["request_uri"].(string), "key=") {
			t.Errorf("%s: %v; want a search key, and key= gone from the URL handlers and logs see", name, m)
		}
	}
}

func TestKeyRefused(t *testing.T) {
	f := newFixture(t, Config{PublicSearch: true})
	key := f.add(t, "clinic", Search, Scope{})
	wrong := key[:len(key)-4] + "0000"
	if wrong == key {
		wrong = key[:len(key)-4] + "1111"
	}
	for name, k := range map[string]string{"wrong secret": wrong, "not a key": "hello", "truncated": key[:40]} {
		w := f.get("/v1/search", map[string]string{"Authorization": "Bearer " + k})
		if w.Code != http.StatusUnauthorized || errorCode(t, w) != CodeUnauthorized || w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %s %v", name, w.Code, w.Body, w.Header())
		}
	}
	k := f.keys[key[10:22]]
	k.RevokedAt = now
	if w := f.get("/v1/search", map[string]string{"Authorization": "Bearer " + key}); w.Code != http.StatusUnauthorized ||
		!strings.Contains(w.Body.String(), "revoked") {
		t.Errorf("revoked: %d %s", w.Code, w.Body)
	}
	k.RevokedAt, k.ExpiresAt = time.Time{}, now
	if w := f.get("/v1/search", map[string]string{"Authorization": "Bearer " + key}); w.Code != http.StatusUnauthorized ||
		!strings.Contains(w.Body.String(), "expired") {
		t.Errorf("expired: %d %s", w.Code, w.Body)
	}
}

func TestKindsAndRoutes(t *testing.T) {
	f := newFixture(t, Config{AdminKey: "operator-secret"})
	search := f.add(t, "clinic", Search, Scope{})
	provider := f.add(t, "hospital", Provider, Scope{Filters: Filters{FacilityIDs: []int64{12, 14}}})
	admin := f.add(t, "ops", Admin, Scope{})
	cases := []struct {
		key, target string
		want        int
	}{
		{"", "/v1/search", 401}, // public search is off
		{search, "/v1/search", 200},
		{provider, "/v1/search", 403},
		{admin, "/v1/search", 200},
		{"operator-secret", "/v1/search", 200},
		{"", "/v1/providers/12/analytics", 401},
		{search, "/v1/providers/12/analytics", 403},
		{provider, "/v1/providers/12/analytics", 200},
		{provider, "/v1/providers/14/analytics", 200},
		{provider, "/v1/providers/13/analytics", 403},
		{provider, "/v1/providers/x/analytics", 400},
		{admin, "/v1/providers/13/analytics", 200},
		{"operator-secret", "/v1/providers/13/analytics", 200},
		{search, "/v1/keys", 403},
		{provider, "/v1/keys", 403},
		{admin, "/v1/keys", 200},
		{"operator-secret", "/v1/keys", 200},
		{"operator-secreT", "/v1/keys", 401},
	}
	for _, c := range cases {
		h := map[string]string{}
		if c.key != "" {
			h["Authorization"] = "Bearer " + c.key
		}
		if w := f.get(c.target, h); w.Code != c.want {
			t.Errorf("%s with %s: %d %s, want %d", c.target, Secret(c.key), w.Code, w.Body, c.want)
		}
	}
}

func TestPublicSearch(t *testing.T) {
	f := newFixture(t, Config{PublicSearch: true})
	if w := f.get("/v1/search?country=US", nil); w.Code != 200 || decode(t, w)["kind"] != "" {
		t.Errorf("keyless search: %d %s", w.Code, w.Body)
	}
	if w := f.get("/v1/keys", nil); w.Code != 401 {
		t.Errorf("keyless key management: %d", w.Code)
	}
	if w := f.get("/v1/providers/1/analytics", nil); w.Code != 401 {
		t.Errorf("keyless analytics: %d", w.Code)
	}
}

// A key for facility 12 never sees another facility, whatever the request
// asks; its defaults apply unless the request says otherwise.
func TestScopeReachesHandler(t *testing.T) {
	f := newFixture(t, Config{})
	key := f.add(t, "clinic", Search, Scope{Filters: Filters{FacilityIDs: []int64{12}, Countries: []string{"ES"}},
		Defaults: Defaults{Lang: "es"}})
	auth := map[string]string{"Authorization": "Bearer " + key}
	cases := []struct{ target, query string }{
		{"/v1/search", `{"Categories":null,"Countries":["ES"],"Currency":"","FacilityIDs":[12],"From":"","Lang":"es","Types":null} true`},
		{"/v1/search?facility=13", `{"Categories":null,"Countries":["ES"],"Currency":"","FacilityIDs":[],"From":"","Lang":"es","Types":null} false`},
		{"/v1/search?country=US&lang=en", `{"Categories":null,"Countries":[],"Currency":"","FacilityIDs":[12],"From":"","Lang":"en","Types":null} false`},
	}
	for _, c := range cases {
		m := decode(t, f.get(c.target, auth))
		q, _ := json.Marshal(m["query"])
		if got := string(q) + " " + strconv.FormatBool(m["ok"].(bool)); got != c.query {
			t.Errorf("%s:\n got %s\nwant %s", c.target, got, c.query)
		}
	}
	derived := mustDerive(t, key, Derivation{Scope: Scope{Filters: Filters{FacilityIDs: []int64{13}}}})
	m := decode(t, f.get("/v1/search", map[string]string{"Authorization": "Bearer " + derived}))
	if m["ok"] != false || m["derived"] != true {
		t.Errorf("a key derived for another facility: %v; want it to find nothing", m)
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t, Config{})
	key := f.add(t, "clinic", Search, Scope{Origins: []string{"https://clinic.example", "https://*.clinic.example"}})
	bare := f.add(t, "backend", Search, Scope{})
	const allowed, other = "https://www.clinic.example", "https://evil.example"
	preflight := func(origin, target string) *httptest.ResponseRecorder {
		return f.do(call{method: http.MethodOptions, target: target, header: map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-careatlas-key"}})
	}
	for name, w := range map[string]*httptest.ResponseRecorder{
		"preflight with key=":    preflight(allowed, "/v1/search?q=knee&key="+key),
		"preflight without key":  preflight(allowed, "/v1/search?q=knee"),
		"preflight of a POST":    preflight(allowed, "/v1/posts/match"),
		"preflight, unknown URL": preflight(allowed, "/v1/nowhere"),
	} {
		h := w.Header()
		if w.Code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != allowed ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "X-CareAtlas-Key") ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") || h.Get("Access-Control-Max-Age") == "" {
			t.Errorf("%s: %d %v", name, w.Code, h)
		}
	}
	w := preflight(other, "/v1/search?key="+key)
	if w.Code != http.StatusForbidden || errorCode(t, w) != CodeOriginForbidden || !strings.Contains(w.Body.String(), other) ||
		w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %s %v", w.Code, w.Body, w.Header())
	}

	for _, h := range []map[string]string{{"Origin": allowed, HeaderKey: key}, {"Origin": "https://clinic.example", HeaderKey: key}} {
		w := f.get("/v1/search", h)
		if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != h["Origin"] ||
			!strings.Contains(w.Header().Get("Vary"), "Origin") ||
			!strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "Retry-After") {
			t.Errorf("request from %s: %d %v", h["Origin"], w.Code, w.Header())
		}
	}
	for name, h := range map[string]map[string]string{
		"another origin":       {"Origin": other, HeaderKey: key},
		"http, not https":      {"Origin": "http://clinic.example", HeaderKey: key},
		"a key with no origin": {"Origin": allowed, HeaderKey: bare},
		"null":                 {"Origin": "null", HeaderKey: key},
	} {
		w := f.get("/v1/search", h)
		if w.Code != http.StatusForbidden || errorCode(t, w) != CodeOriginForbidden ||
			!strings.Contains(w.Body.String(), h["Origin"]) || w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: %d %s %v", name, w.Code, w.Body, w.Header())
		}
	}
	// Without Origin (a server, curl) origins do not apply.
	if w := f.get("/v1/search", map[string]string{HeaderKey: bare}); w.Code != 200 {
		t.Errorf("no origin: %d", w.Code)
	}
	// Keyless access, where allowed, is open to every origin.
	pub := newFixture(t, Config{PublicSearch: true})
	if w := pub.get("/v1/search", map[string]string{"Origin": other}); w.Code != 200 ||
		w.Header().Get("Access-Control-Allow-Origin") != other {
		t.Errorf("keyless from any origin: %d %v", w.Code, w.Header())
	}
}

func TestRateLimits(t *testing.T) {
	f := newFixture(t, Config{ClientRate: Rate{PerMinute: 60, Burst: 2}, AnonymousRate: Rate{PerMinute: 30, Burst: 1},
		PublicSearch: true, TrustedProxies: mustPrefixes(t, "10.0.0.0/8")})
	clinic := f.add(t, "clinic", Search, Scope{RatePerMinute: 600, Burst: 4})
	other := f.add(t, "other", Search, Scope{})
	from := func(key, peer string, xff ...string) *httptest.ResponseRecorder {
		h := map[string]string{}
		if key != "" {
			h["Authorization"] = "Bearer " + key
		}
		if len(xff) > 0 {
			h["X-Forwarded-For"] = strings.Join(xff, ", ")
		}
		return f.do(call{method: http.MethodGet, target: "/v1/search", header: h, peer: peer})
	}
	// One address within the key: its burst of 2, then 429.
	for i := range 2 {
		w := from(clinic, "203.0.113.1:1000")
		if w.Code != 200 {
			t.Fatalf("request %d: %d %s", i+1, w.Code, w.Body)
		}
		if got, want := w.Header().Get("RateLimit-Policy"), `"key";q=600;w=60, "client";q=60;w=60`; got != want {
			t.Errorf("RateLimit-Policy %q, want %q", got, want)
		}
		if got, want := w.Header().Get("RateLimit"), `"key";r=`+strconv.Itoa(3-i)+`;t=`; !strings.HasPrefix(got, want) {
			t.Errorf("RateLimit %q, want it to start %q", got, want)
		}
	}
	w := from(clinic, "203.0.113.1:1000")
	if w.Code != http.StatusTooManyRequests || errorCode(t, w) != CodeRateLimited || w.Header().Get("Retry-After") != "1" ||
		w.Header().Get("RateLimit") != `"client";r=0;t=1` {
		t.Fatalf("past the address's burst: %d %s %v", w.Code, w.Body, w.Header())
	}
	// Another address, and another key, are unaffected; the refused request
	// cost the key nothing, so one token is left of its 4.
	if w := from(clinic, "203.0.113.2:1000"); w.Code != 200 {
		t.Errorf("another address: %d", w.Code)
	}
	if w := from(other, "203.0.113.1:1000"); w.Code != 200 {
		t.Errorf("another key: %d", w.Code)
	}
	// The key's own limit: a third address gets the last token, a fourth
	// is refused under the key's policy.
	if w := from(clinic, "203.0.113.3:1000"); w.Code != 200 {
		t.Errorf("the key's last token: %d %s", w.Code, w.Body)
	}
	w = from(clinic, "203.0.113.4:1000")
	if w.Code != http.StatusTooManyRequests || !strings.HasPrefix(w.Header().Get("RateLimit"), `"key";r=0;t=`) {
		t.Errorf("past the key's burst: %d %s %v", w.Code, w.Body, w.Header())
	}
	// Keyless: per address, and behind a trusted proxy by X-Forwarded-For.
	if w := from("", "203.0.113.9:1"); w.Code != 200 {
		t.Errorf("keyless: %d", w.Code)
	}
	if w := from("", "203.0.113.9:1"); w.Code != 429 || w.Header().Get("Retry-After") != "2" {
		t.Errorf("keyless past its burst: %d %v", w.Code, w.Header())
	}
	if w := from("", "10.0.0.1:1", "203.0.113.10"); w.Code != 200 {
		t.Errorf("behind the proxy, another client: %d", w.Code)
	}
	if w := from("", "10.0.0.2:1", "203.0.113.10"); w.Code != 429 {
		t.Errorf("behind another proxy, the same client: %d", w.Code)
	}
	if w := from("", "203.0.113.9:1", "198.51.100.77"); w.Code != 429 {
		t.Errorf("X-Forwarded-For from an untrusted peer was believed: %d", w.Code)
	}
	// Time refills the buckets.
	f.clock = f.clock.Add(2 * time.Second)
	if w := from(clinic, "203.0.113.1:1000"); w.Code != 200 {
		t.Errorf("after refilling: %d %s", w.Code, w.Body)
	}
	// Admin keys are not limited.
	admin := f.add(t, "ops", Admin, Scope{})
	for range 50 {
		if w := from(admin, "203.0.113.1:1000"); w.Code != 200 || w.Header().Get("RateLimit") != "" {
			t.Fatalf("admin: %d %v", w.Code, w.Header())
		}
	}
}

// A derived key with a rate of its own has its own bucket, and still draws
// from its parent's.
func TestDerivedRate(t *testing.T) {
	f := newFixture(t, Config{ClientRate: Rate{PerMinute: -1}})
	parent := f.add(t, "clinic", Search, Scope{RatePerMinute: 600, Burst: 100})
	d1 := mustDerive(t, parent, Derivation{Scope: Scope{RatePerMinute: 60, Burst: 1}, ExpiresAt: now.Add(time.Hour)})
	d2 := mustDerive(t, parent, Derivation{Scope: Scope{RatePerMinute: 60, Burst: 1}, ExpiresAt: now.Add(2 * time.Hour)})
	if w := f.get("/v1/search", map[string]string{HeaderKey: d1}); w.Code != 200 {
		t.Fatalf("first: %d %s", w.Code, w.Body)
	}
	if w := f.get("/v1/search", map[string]string{HeaderKey: d1}); w.Code != 429 ||
		!strings.HasPrefix(w.Header().Get("RateLimit"), `"derived";r=0`) {
		t.Errorf("second: %d %v", w.Code, w.Header())
	}
	if w := f.get("/v1/search", map[string]string{HeaderKey: d2}); w.Code != 200 {
		t.Errorf("another derived key: %d", w.Code)
	}
}

// Without the API's mapping of *Error, an Echo-only error handler still
// sees the right status and message.
func TestErrorUnwrapsToEcho(t *testing.T) {
	var he *echo.HTTPError
	err := error(&Error{Status: 429, Code: CodeRateLimited, Message: "slow down"})
	if !errors.As(err, &he) || he.Code != 429 || he.Message != "slow down" {
		t.Errorf("as echo.HTTPError: %+v", he)
	}
}

func mustPrefixes(t *testing.T, s ...string) []netip.Prefix {
	t.Helper()
	p, err := ParseTrustedProxies(s...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMiddlewareOnGroup(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = testErrorHandler
	g := e.Group("/v1")
	g.Use(Middleware(Config{PublicSearch: true}))
	g.GET("/search", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, Require(Search))
	r := httptest.NewRequest(http.MethodOptions, "/v1/search", nil)
	r.Header.Set("Origin", "https://clinic.example")
	r.Header.Set("Access-Control-Request-Method", "GET")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "https://clinic.example" {
		t.Errorf("preflight through group middleware: %d %v", w.Code, w.Header())
	}
}

// The operator's key is accepted whatever its shape, even one that looks
// like a stored key; a nil *Cache holds no keys.
func TestBootstrapKeyOfAnyShape(t *testing.T) {
	shaped := "ca_admin_0123456789ab_" + strings.Repeat("ab", 32)
	var cache *Cache
	f := newFixture(t, Config{AdminKey: shaped})
	f.e = echo.New()
	f.e.HTTPErrorHandler = testErrorHandler
	f.e.Use(Middleware(Config{AdminKey: shaped, Keys: cache}))
	f.e.GET("/v1/keys", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, Require(Admin))
	if w := f.get("/v1/keys", map[string]string{"Authorization": "Bearer " + shaped}); w.Code != 200 {
		t.Errorf("bootstrap key shaped like a stored one: %d %s", w.Code, w.Body)
	}
	if w := f.get("/v1/keys", map[string]string{"Authorization": "Bearer ca_admin_0123456789ab_" + strings.Repeat("cd", 32)}); w.Code != 401 {
		t.Errorf("another key: %d", w.Code)
	}
}
