package auth

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Config sets up Middleware. The zero value knows no keys and refuses
// keyless searches; see each field.
type Config struct {
	// Keys finds stored keys (a *Cache, or StaticKeys); nil means none.
	Keys KeySource
	// AdminKey is the operator's bootstrap admin key (--admin-key); empty
	// means none.
	AdminKey string
	// PublicSearch lets requests without a key search, under the
	// per-address AnonymousRate, from any origin: the demo, and
	// --public-search.
	PublicSearch bool
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// KeyRate is the rate of keys that set none of their own; ClientRate
	// the rate of one address within a search key; AnonymousRate of one
	// address without a key. Zero values take the defaults below; a
	// negative PerMinute turns that limit off.
	KeyRate       Rate
	ClientRate    Rate
	AnonymousRate Rate
	// MaxBuckets bounds each limiter's memory (default 100,000 buckets,
	// about 15 MB at most).
	MaxBuckets int
	// Now is the clock (default time.Now), for tests.
	Now func() time.Time
}

// Default rates: generous for a person typing into a search box (each
// keystroke may be a suggest request), tight for a script.
var (
	DefaultKeyRate       = Rate{PerMinute: 1200, Burst: 200}
	DefaultClientRate    = Rate{PerMinute: 120, Burst: 30}
	DefaultAnonymousRate = Rate{PerMinute: 120, Burst: 30}
)

const defaultMaxBuckets = 100_000

func (c *Config) setDefaults() {
	if c.KeyRate == (Rate{}) {
		c.KeyRate = DefaultKeyRate
	}
	if c.ClientRate == (Rate{}) {
		c.ClientRate = DefaultClientRate
	}
	if c.AnonymousRate == (Rate{}) {
		c.AnonymousRate = DefaultAnonymousRate
	}
	if c.MaxBuckets <= 0 {
		c.MaxBuckets = defaultMaxBuckets
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Headers a key may come in, beside Authorization: Bearer.
const (
	HeaderKey = "X-CareAtlas-Key"
	// QueryKey is the query parameter a key may come in, so that a plain GET
	// from a page needs no preflight. The middleware removes it from the
	// request before handlers (and request logs) see the URL.
	QueryKey = "key"
)

const contextKey = "careatlas.auth"

// FromContext returns the Access the middleware resolved for this request,
// or nil when the middleware did not run.
func FromContext(c echo.Context) *Access {
	a, _ := c.Get(contextKey).(*Access)
	return a
}

// Middleware authenticates each request, applies CORS, and rate-limits it,
// then puts its Access in the context for Require and the handlers. It does
// not decide which kinds may use which route: Require does, per route.
//
// Install it on the /v1 group (v1.Use), so that /healthz and /readyz stay
// open to probes; Echo runs a group's middleware for CORS preflights
// (OPTIONS) of the group's routes too, though they have no OPTIONS handler
// of their own (TestMiddlewareOnGroup).
func Middleware(cfg Config) echo.MiddlewareFunc {
	cfg.setDefaults()
	m := &middleware{cfg: cfg, keys: NewLimiter(cfg.MaxBuckets), clients: NewLimiter(cfg.MaxBuckets)}
	m.auth = authenticator{keys: cfg.Keys, cfg: &m.cfg, hasAdmin: cfg.AdminKey != ""}
	if cfg.AdminKey != "" {
		m.auth.bootstrap = sha256Sum(cfg.AdminKey)
	}
	return m.handle
}

type middleware struct {
	cfg           Config
	auth          authenticator
	keys, clients *Limiter
}

func (m *middleware) handle(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		now := m.cfg.Now()
		text := keyFromRequest(req)
		var a *Access
		if text == "" {
			a = &Access{publicSearch: m.cfg.PublicSearch,
				limits: []bucketSpec{{name: "a|", rate: m.cfg.AnonymousRate, policy: "client"}}}
		} else {
			var err *Error
			if a, err = m.auth.authenticate(text, now); err != nil {
				if err.Status == http.StatusServiceUnavailable {
					c.Response().Header().Set(echo.HeaderRetryAfter, RetryAfterKeys)
				} else {
					c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="careatlas"`)
				}
				return err
			}
		}
		a.Client = ClientAddr(req, m.cfg.TrustedProxies)
		if origin := req.Header.Get(echo.HeaderOrigin); origin != "" {
			if err := m.cors(c, a, origin); err != nil {
				return err
			}
			if isPreflight(req) {
				return c.NoContent(http.StatusNoContent)
			}
		}
		if err := m.limit(c, a, now); err != nil {
			return err
		}
		c.Set(contextKey, a)
		return next(c)
	}
}

// keyFromRequest finds the key in Authorization: Bearer, X-CareAtlas-Key or
// key=, in that order, and removes key= from the URL.
func keyFromRequest(req *http.Request) string {
	fromQuery := stripQueryKey(req)
	if token, ok := strings.CutPrefix(req.Header.Get(echo.HeaderAuthorization), "Bearer "); ok {
		return strings.TrimSpace(token)
	}
	if k := req.Header.Get(HeaderKey); k != "" {
		return strings.TrimSpace(k)
	}
	return fromQuery
}

// stripQueryKey removes key= from the request's query, leaving every other
// parameter as it was, and returns its value. Handlers that refuse unknown
// parameters then never see it, and request logs (which print RequestURI)
// never hold a secret.
func stripQueryKey(req *http.Request) string {
	raw := req.URL.RawQuery
	if !strings.Contains(raw, QueryKey+"=") {
		return ""
	}
	var key string
	kept := make([]string, 0, strings.Count(raw, "&")+1)
	for _, part := range strings.Split(raw, "&") {
		name, value, _ := strings.Cut(part, "=")
		if name == QueryKey {
			if v, err := url.QueryUnescape(value); err == nil && key == "" {
				key = v
			}
			continue
		}
		kept = append(kept, part)
	}
	req.URL.RawQuery = strings.Join(kept, "&")
	req.RequestURI = req.URL.RequestURI()
	return strings.TrimSpace(key)
}

func isPreflight(req *http.Request) bool {
	return req.Method == http.MethodOptions && req.Header.Get(echo.HeaderAccessControlRequestMethod) != ""
}

// Headers a page's script may send and read.
const (
	allowMethods  = "GET, HEAD, POST, DELETE"
	allowHeaders  = "Authorization, Content-Type, X-CareAtlas-Key, X-Session-ID"
	exposeHeaders = "RateLimit, RateLimit-Policy, Retry-After"
	preflightAge  = "600"
)

// cors allows or refuses a browser request from origin. Without a key every
// origin is allowed (the request can do no more than a public search); with
// one, the origin must be among the key's. A preflight that carries no key
// (browsers send no Authorization or custom header with it) is allowed: it
// can do nothing itself, and the real request that follows is checked.
func (m *middleware) cors(c echo.Context, a *Access, origin string) error {
	h := c.Response().Header()
	h.Add(echo.HeaderVary, echo.HeaderOrigin)
	if !a.Keyless() && !OriginAllowed(a.Scope.Origins, origin) {
		msg := "origin " + origin + " may not use this key"
		if len(a.Scope.Origins) == 0 {
			msg = "origin " + origin + ": this key lists no origins, so it cannot be used from a browser page"
		}
		return &Error{Status: http.StatusForbidden, Code: CodeOriginForbidden, Message: msg, Param: "Origin"}
	}
	h.Set(echo.HeaderAccessControlAllowOrigin, origin)
	if isPreflight(c.Request()) {
		h.Add(echo.HeaderVary, echo.HeaderAccessControlRequestMethod)
		h.Add(echo.HeaderVary, echo.HeaderAccessControlRequestHeaders)
		h.Set(echo.HeaderAccessControlAllowMethods, allowMethods)
		h.Set(echo.HeaderAccessControlAllowHeaders, allowHeaders)
		h.Set(echo.HeaderAccessControlMaxAge, preflightAge)
		return nil
	}
	h.Set(echo.HeaderAccessControlExposeHeaders, exposeHeaders)
	return nil
}

// limit takes a token from each of the request's buckets, and sets the
// RateLimit headers. When one refuses, the tokens already taken are given
// back, and the answer is 429 with Retry-After.
func (m *middleware) limit(c echo.Context, a *Access, now time.Time) error {
	if len(a.limits) == 0 {
		return nil
	}
	client := clientBucket(a.Client)
	var buf [3]Limit
	limits := buf[:0]
	for i, b := range a.limits {
		l, name := m.clients, b.name
		if b.perKey {
			l = m.keys
		} else if b.policy == "client" {
			name += client
		}
		lim := l.Take(name, b.rate, now)
		if lim.Rate.PerMinute <= 0 {
			continue
		}
		lim.Policy = b.policy
		limits = append(limits, lim)
		if !lim.Allowed {
			m.refund(a, i, client)
			return m.refuse(c, limits, lim)
		}
	}
	if len(limits) > 0 {
		h := c.Response().Header()
		h.Set(HeaderRateLimitPolicy, policyField(limits))
		h.Set(HeaderRateLimit, limitField(limits))
	}
	return nil
}

func (m *middleware) refund(a *Access, upTo int, client string) {
	for _, b := range a.limits[:upTo] {
		l, name := m.clients, b.name
		if b.perKey {
			l = m.keys
		} else if b.policy == "client" {
			name += client
		}
		l.Refund(name, b.rate)
	}
}

func (m *middleware) refuse(c echo.Context, limits []Limit, refused Limit) error {
	h := c.Response().Header()
	retry := strconv.FormatInt(ceilSeconds(refused.Reset), 10)
	h.Set(echo.HeaderRetryAfter, retry)
	// Only the refusing policy in RateLimit: its reset is Retry-After's moment.
	h.Set(HeaderRateLimitPolicy, policyField(limits))
	h.Set(HeaderRateLimit, limitField([]Limit{refused}))
	what := "this key's"
	if refused.Policy == "client" {
		what = "your address's"
	} else if refused.Policy == "derived" {
		what = "this derived key's"
	}
	return &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited,
		Message: "too many requests: " + what + " limit is " + strconv.Itoa(refused.Rate.PerMinute) +
			" a minute; retry in " + retry + " s"}
}

// Require lets a request through to a route meant for keys of kind k (see
// Access.Can): 401 when it sent no key and needs one, 403 when its key is of
// another kind.
func Require(k Kind) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a := FromContext(c)
			switch {
			case a == nil:
				return errForbidden("access control is not set up for this route")
			case a.Can(k):
				return next(c)
			case a.Keyless():
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="careatlas"`)
				return errUnauthorized("this needs " + article(k) + " key: send it as Authorization: Bearer <key>")
			}
			return errForbidden("a " + string(a.Kind) + " key cannot do this; it needs " + article(k) + " key")
		}
	}
}

func article(k Kind) string {
	if k == Admin {
		return "an admin"
	}
	return "a " + string(k)
}

// RequireAnalytics guards a provider's analytics route: the request needs an
// admin key, or a provider key listing the facility whose id is the route
// parameter param.
func RequireAnalytics(param string) echo.MiddlewareFunc {
	need := Require(Provider)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return need(func(c echo.Context) error {
			id, err := strconv.ParseInt(c.Param(param), 10, 64)
			if err != nil || id <= 0 {
				return errInvalid(param, "the facility id is a positive integer")
			}
			if !FromContext(c).CanReadAnalytics(id) {
				return errForbidden("this key may not read the analytics of facility " + strconv.FormatInt(id, 10))
			}
			return next(c)
		})
	}
}
