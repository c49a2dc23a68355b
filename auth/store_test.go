package auth_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// store returns a key store on a fresh, migrated database.
func store(t *testing.T) postgres.Keys {
	t.Helper()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, pgtest.MustDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return postgres.Keys{Pool: pool}
}

// server is what the lead's wiring will build: the middleware over a cache
// kept fresh from PostgreSQL, the key management routes, and a route of
// each kind.
type server struct {
	e     *echo.Echo
	cache *auth.Cache
}

const operatorKey = "operator-bootstrap-key"

func newServer(t *testing.T, st auth.Store) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cache := auth.NewCache(st)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { cache.Run(ctx, auth.DefaultRefresh) })
	t.Cleanup(func() { cancel(); wg.Wait() })

	e := echo.New()
	e.HTTPErrorHandler = apiErrors
	e.Use(auth.Middleware(auth.Config{Keys: cache, AdminKey: operatorKey}))
	kh := &auth.KeyHandlers{Store: st}
	v1 := e.Group("/v1")
	v1.POST("/keys", kh.Create, auth.Require(auth.Admin))
	v1.GET("/keys", kh.List, auth.Require(auth.Admin))
	v1.DELETE("/keys/:id", kh.Revoke, auth.Require(auth.Admin))
	v1.GET("/search", func(c echo.Context) error {
		q, ok := auth.FromContext(c).Apply(auth.Query{})
		return c.JSON(http.StatusOK, map[string]any{"query": q, "ok": ok})
	}, auth.Require(auth.Search))
	v1.GET("/providers/:id/analytics", func(c echo.Context) error { return c.NoContent(http.StatusOK) },
		auth.RequireAnalytics("id"))
	return &server{e: e, cache: cache}
}

// apiErrors answers errors in the API's shape.
func apiErrors(err error, c echo.Context) {
	var ae *auth.Error
	if errors.As(err, &ae) {
		_ = c.JSON(ae.Status, map[string]any{"error": map[string]string{"code": ae.Code, "message": ae.Message, "param": ae.Param}})
		return
	}
	_ = c.JSON(http.StatusInternalServerError, map[string]any{"error": map[string]string{"code": "internal", "message": err.Error()}})
}

func (s *server) do(method, target, key, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	s.e.ServeHTTP(w, r)
	return w
}

func (s *server) create(t *testing.T, body string) auth.CreatedKey {
	t.Helper()
	w := s.do(http.MethodPost, "/v1/keys", operatorKey, body)
	if w.Code != http.StatusCreated {
		t.Fatalf("create %s: %d %s", body, w.Code, w.Body)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Error("the answer holding a secret may be cached")
	}
	var out struct {
		Key    json.RawMessage `json:"key"`
		Secret string          `json:"secret"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	var k struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(out.Key, &k)
	return auth.CreatedKey{Key: &auth.Key{ID: k.ID}, Secret: out.Secret}
}

// until polls cond every 50 ms for at most limit, and returns how long it
// took to hold, or fails.
func until(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}

// The whole lifecycle over HTTP on a real PostgreSQL: create, use, list
// (no secret), revoke (refused within 5 s on every server), expire.
func TestKeyLifecycle(t *testing.T) {
	st := store(t)
	a, b := newServer(t, st), newServer(t, st) // two servers on one database
	created := a.create(t, `{"kind":"search","name":"Clinic Barcelona",
		"scope":{"facility_ids":[12],"countries":["es"],"lang":"es","origins":["https://clinic.example"],"rate_per_minute":600}}`)
	if !strings.HasPrefix(created.Secret, "ca_search_"+created.Key.ID+"_") {
		t.Fatalf("secret %q does not name key %s", auth.Secret(created.Secret), created.Key.ID)
	}
	for _, srv := range []*server{a, b} {
		until(t, 5*time.Second, "the new key usable", func() bool {
			return srv.do(http.MethodGet, "/v1/search", created.Secret, "").Code == http.StatusOK
		})
	}
	w := a.do(http.MethodGet, "/v1/search", created.Secret, "")
	if want := `{"ok":true,"query":{"FacilityIDs":[12],"Countries":["ES"],"Categories":null,"Types":null,"Lang":"es","Currency":"","From":""}}`; strings.TrimSpace(w.Body.String()) != want {
		t.Errorf("the key's scope in a search:\n got %s\nwant %s", w.Body, want)
	}

	w = a.do(http.MethodGet, "/v1/keys", operatorKey, "")
	k, _ := st.GetKey(context.Background(), created.Key.ID)
	secretPart := created.Secret[len(created.Secret)-64:]
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"name":"Clinic Barcelona"`) ||
		strings.Contains(w.Body.String(), secretPart) || strings.Contains(w.Body.String(), hex.EncodeToString(k.Hash[:])) {
		t.Errorf("list: %d %s; want the key, without its secret or hash", w.Code, w.Body)
	}

	w = a.do(http.MethodDelete, "/v1/keys/"+created.Key.ID, operatorKey, "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"revoked_at"`) {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	var wg sync.WaitGroup
	for _, srv := range []*server{a, b} {
		wg.Go(func() {
			took := until(t, 5*time.Second, "the revoked key refused", func() bool {
				w := srv.do(http.MethodGet, "/v1/search", created.Secret, "")
				return w.Code == http.StatusUnauthorized && strings.Contains(w.Body.String(), "revoked")
			})
			t.Logf("revoked key refused after %s", took.Round(time.Millisecond))
		})
	}
	wg.Wait()

	// Expiry needs no reload: the key is refused the moment it passes.
	exp := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)
	short := a.create(t, `{"kind":"search","name":"short","expires_at":"`+exp+`"}`)
	if err := a.cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w := a.do(http.MethodGet, "/v1/search", short.Secret, ""); w.Code != http.StatusOK {
		t.Fatalf("the short-lived key before its expiry: %d %s", w.Code, w.Body)
	}
	until(t, 3*time.Second, "the short-lived key refused", func() bool {
		w := a.do(http.MethodGet, "/v1/search", short.Secret, "")
		return w.Code == http.StatusUnauthorized && strings.Contains(w.Body.String(), "expired")
	})
}

// Provider keys read their own facilities' analytics and get 403 for
// another's; they cannot search or manage keys.
func TestProviderKeyOverHTTP(t *testing.T) {
	st := store(t)
	srv := newServer(t, st)
	p := srv.create(t, `{"kind":"provider","name":"Hospital group","scope":{"facility_ids":[12,14]}}`)
	until(t, 5*time.Second, "the provider key usable", func() bool {
		return srv.do(http.MethodGet, "/v1/providers/12/analytics", p.Secret, "").Code == http.StatusOK
	})
	for target, want := range map[string]int{
		"/v1/providers/14/analytics": 200, "/v1/providers/13/analytics": 403, "/v1/search": 403, "/v1/keys": 403,
	} {
		if w := srv.do(http.MethodGet, target, p.Secret, ""); w.Code != want {
			t.Errorf("%s: %d %s, want %d", target, w.Code, w.Body, want)
		}
	}
}

func TestKeyManagementRefusals(t *testing.T) {
	st := store(t)
	srv := newServer(t, st)
	search := srv.create(t, `{"kind":"search","name":"clinic"}`)
	admin := srv.create(t, `{"kind":"admin","name":"ops"}`)
	until(t, 5*time.Second, "the keys usable", func() bool {
		return srv.do(http.MethodGet, "/v1/keys", admin.Secret, "").Code == http.StatusOK
	})
	cases := []struct {
		name, method, target, key, body string
		status                          int
		param                           string
	}{
		{"no key", "GET", "/v1/keys", "", "", 401, ""},
		{"a search key", "GET", "/v1/keys", search.Secret, "", 403, ""},
		{"a search key creating", "POST", "/v1/keys", search.Secret, `{"kind":"admin","name":"x"}`, 403, ""},
		{"unknown kind", "POST", "/v1/keys", admin.Secret, `{"kind":"root","name":"x"}`, 400, "kind"},
		{"no name", "POST", "/v1/keys", admin.Secret, `{"kind":"search"}`, 400, "name"},
		{"misspelt field", "POST", "/v1/keys", admin.Secret, `{"kind":"search","name":"x","scope":{"countrys":["ES"]}}`, 400, "body"},
		{"bad country", "POST", "/v1/keys", admin.Secret, `{"kind":"search","name":"x","scope":{"countries":["Spain"]}}`, 400, "countries"},
		{"bad origin", "POST", "/v1/keys", admin.Secret, `{"kind":"search","name":"x","scope":{"origins":["clinic.example"]}}`, 400, "origins"},
		{"provider without facilities", "POST", "/v1/keys", admin.Secret, `{"kind":"provider","name":"x"}`, 400, "facility_ids"},
		{"expired already", "POST", "/v1/keys", admin.Secret, `{"kind":"search","name":"x","expires_at":"2020-01-01T00:00:00Z"}`, 400, "expires_at"},
		{"not JSON", "POST", "/v1/keys", admin.Secret, `kind=search`, 400, "body"},
		{"revoke unknown", "DELETE", "/v1/keys/0123456789ab", admin.Secret, "", 404, "id"},
		{"revoke malformed", "DELETE", "/v1/keys/bootstrap", admin.Secret, "", 404, "id"},
	}
	for _, c := range cases {
		w := srv.do(c.method, c.target, c.key, c.body)
		var body struct {
			Error struct{ Code, Message, Param string } `json:"error"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != c.status || body.Error.Param != c.param || body.Error.Message == "" {
			t.Errorf("%s: %d %s, want %d naming %q", c.name, w.Code, w.Body, c.status, c.param)
		}
	}
}

// TestKeysNeverLoaded: a server whose database was away when it started
// has never read its keys, so it cannot tell a clinic's real key from a
// made-up one. It answers a request with a key 503 keys_unavailable with
// Retry-After, not 401 (which would tell the clinic its key is invalid);
// the operator's --admin-key, which needs no database, still works. Once
// the keys are read, a real key passes and a made-up one is 401.
func TestKeysNeverLoaded(t *testing.T) {
	ctx := context.Background()
	real := store(t)
	k, secret, err := auth.NewKey(auth.Search, "clinic", auth.Scope{}, time.Time{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := real.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	created := auth.CreatedKey{Key: k, Secret: secret.Reveal()}
	// The same store, but its database unreachable: nothing listens on
	// port 1.
	away, err := pgxpool.New(ctx, "postgres://careatlas@127.0.0.1:1/careatlas?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(away.Close)
	cache := auth.NewCache(postgres.Keys{Pool: away})
	if err := cache.Refresh(ctx); err == nil {
		t.Fatal("refresh from an unreachable database succeeded")
	}
	e := echo.New()
	e.HTTPErrorHandler = apiErrors
	e.Use(auth.Middleware(auth.Config{Keys: cache, AdminKey: operatorKey, PublicSearch: true}))
	e.GET("/v1/search", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.Require(auth.Search))
	s := &server{e: e, cache: cache}
	cases := []struct {
		name, key  string
		status     int
		code       string
		retryAfter bool
	}{
		{"a real key", created.Secret, 503, auth.CodeKeysUnavailable, true},
		{"a made-up key", "ca_search_0123456789ab_" + strings.Repeat("00", 32), 503, auth.CodeKeysUnavailable, true},
		{"the operator's key", operatorKey, 200, "", false},
		{"no key, public search", "", 200, "", false},
	}
	for _, c := range cases {
		w := s.do(http.MethodGet, "/v1/search", c.key, "")
		if w.Code != c.status || (c.code != "" && !strings.Contains(w.Body.String(), `"code":"`+c.code+`"`)) ||
			(w.Header().Get("Retry-After") != "") != c.retryAfter {
			t.Errorf("%s before the keys were read: %d %s %v; want %d %s", c.name, w.Code, w.Body, w.Header(), c.status, c.code)
		}
	}
	// The database is reached: the same cache, now over the real store.
	loaded := auth.NewCache(real)
	if err := loaded.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	e2 := echo.New()
	e2.HTTPErrorHandler = apiErrors
	e2.Use(auth.Middleware(auth.Config{Keys: loaded, PublicSearch: true}))
	e2.GET("/v1/search", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.Require(auth.Search))
	s2 := &server{e: e2, cache: loaded}
	if w := s2.do(http.MethodGet, "/v1/search", created.Secret, ""); w.Code != 200 {
		t.Errorf("a real key once the keys are read: %d %s", w.Code, w.Body)
	}
	if w := s2.do(http.MethodGet, "/v1/search", cases[1].key, ""); w.Code != 401 {
		t.Errorf("a made-up key once the keys are read: %d %s", w.Code, w.Body)
	}
}
