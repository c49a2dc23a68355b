package auth

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// benchKeys holds 10,000 search keys, as a server with many clinics would,
// and returns the text of one of them.
func benchKeys(b *testing.B) (StaticKeys, string) {
	keys := StaticKeys{}
	var text string
	for i := range 10_000 {
		k, s, err := NewKey(Search, "clinic "+strconv.Itoa(i), Scope{
			Filters: Filters{FacilityIDs: []int64{int64(i + 1)}}, Origins: []string{"https://*.clinic.example"},
			RatePerMinute: 1 << 30, Burst: 1 << 30}, time.Time{}, now)
		if err != nil {
			b.Fatal(err)
		}
		keys[k.ID], text = k, s.Reveal()
	}
	return keys, text
}

// BenchmarkKeyCheck measures what a key costs a request: finding it in
// memory, verifying its secret (SHA-256, constant-time compare), and taking a
// token from its bucket and its client's. The budget is well under 0.1 ms.
func BenchmarkKeyCheck(b *testing.B) {
	keys, text := benchKeys(b)
	derived, err := Derive(text, Derivation{Scope: Scope{Filters: Filters{Countries: []string{"ES"}}}, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Keys: keys, ClientRate: Rate{PerMinute: 1 << 30, Burst: 1 << 30}}
	cfg.setDefaults()
	au := &authenticator{keys: keys, cfg: &cfg}
	l := NewLimiter(defaultMaxBuckets)
	client := clientBucket(parseAddr("203.0.113.7"))
	for name, key := range map[string]string{"plain": text, "derived": derived.Reveal()} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				a, err := au.authenticate(key, now)
				if err != nil {
					b.Fatal(err)
				}
				for _, s := range a.limits {
					if !l.Take(s.name+client, s.rate, now).Allowed {
						b.Fatal("limited")
					}
				}
			}
		})
	}
}

// BenchmarkMiddleware is the same through Echo: the key in a header, an
// allowed Origin, the rate limit headers, a handler that does nothing.
func BenchmarkMiddleware(b *testing.B) {
	keys, text := benchKeys(b)
	e := echo.New()
	e.Use(Middleware(Config{Keys: keys, ClientRate: Rate{PerMinute: 1 << 30, Burst: 1 << 30},
		Now: func() time.Time { return now }}))
	e.GET("/v1/search", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, Require(Search))
	r := httptest.NewRequest(http.MethodGet, "/v1/search?q=knee", nil)
	r.Header.Set(HeaderKey, text)
	r.Header.Set("Origin", "https://www.clinic.example")
	for b.Loop() {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body)
		}
	}
}
