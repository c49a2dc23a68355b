package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search/live"
)

// miniLive opens the mini catalogue's index for a test.
func miniLive(t testing.TB) *live.Live {
	t.Helper()
	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: "../testdata/mini"}, dir, nil); err != nil {
		t.Fatal(err)
	}
	lv, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lv.Close)
	return lv
}

func serve(t testing.TB, s api.Snapshots, opts api.Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(api.New(s, opts))
	t.Cleanup(srv.Close)
	return srv
}

// send makes a request and returns the response with its body read.
func send(t testing.TB, method, u string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// logs captures what the default logger writes while a test runs.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func captureLogs(t *testing.T) *logs {
	l := &logs{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelInfo})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return l
}

// TestRequestIDs: every response carries X-Request-Id, the client's when it
// is sane, a fresh one otherwise; errors too.
func TestRequestIDs(t *testing.T) {
	srv := serve(t, miniLive(t), openAccess())
	seen := map[string]bool{}
	for _, c := range []struct {
		path, sent string
		kept       bool
	}{
		{"/v1/search?q=knee", "", false},
		{"/v1/search?q=knee", "", false},
		{"/v1/search?q=knee", "3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b", true},
		{"/v1/search?q=knee", "trace:abc/def+ghi=", true},
		{"/v1/search?q=knee", strings.Repeat("a", 129), false},
		{"/v1/search?q=knee", "two words", false},
		{"/v1/search?q=knee", `"quoted"`, false},
		{"/v1/search?q=knee", "semi;colon", false},
		{"/v1/nothing", "", false},
		{"/v1/search?page=0", "client-id-1", true},
	} {
		h := http.Header{}
		if c.sent != "" {
			h.Set("X-Request-Id", c.sent)
		}
		resp, _ := send(t, "GET", srv.URL+c.path, h)
		got := resp.Header.Get("X-Request-Id")
		switch {
		case got == "":
			t.Errorf("%s: no X-Request-Id", c.path)
		case c.kept && got != c.sent:
			t.Errorf("%s: sent id %q, got %q", c.path, c.sent, got)
		case !c.kept && (got == c.sent || seen[got]):
			t.Errorf("%s: sent %q, got %q; want a fresh id", c.path, c.sent, got)
		}
		seen[got] = true
	}
}

// TestAccessLog: one info line per request naming its method, route,
// status, latency and request id, never the key in the query string or
// the Authorization header; an error's line names the request id too.
func TestAccessLog(t *testing.T) {
	lv := miniLive(t)
	opts := openAccess()
	opts.Auth.AdminKey = "operator-secret-0123"
	srv := serve(t, lv, opts)
	out := captureLogs(t)
	secret := "ca_search_0123456789ab_" + strings.Repeat("f", 64)
	send(t, "GET", srv.URL+"/v1/search?q=knee&key="+secret, http.Header{"X-Request-Id": {"req-1"}})
	send(t, "GET", srv.URL+"/healthz?key="+secret, http.Header{"X-Request-Id": {"req-2"},
		"Authorization": {"Bearer operator-secret-0123"}})
	send(t, "GET", srv.URL+"/v1/facilities/99999", http.Header{"X-Request-Id": {"req-3"}})
	text := out.String()
	for _, leak := range []string{secret, "operator-secret-0123", "key="} {
		if strings.Contains(text, leak) {
			t.Errorf("the log holds %q:\n%s", leak, text)
		}
	}
	type line struct {
		Level, Msg, Method, Route, Path string
		Status                          int
		LatencyMS                       *float64 `json:"latency_ms"`
		RequestID                       string   `json:"request_id"`
	}
	var lines []line
	for _, s := range strings.Split(strings.TrimSpace(text), "\n") {
		var l line
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("%v in %s", err, s)
		}
		if l.Msg == "request" {
			lines = append(lines, l)
		}
	}
	want := []line{
		{Level: "INFO", Method: "GET", Route: "/v1/search", Path: "/v1/search", Status: 401, RequestID: "req-1"},
		{Level: "INFO", Method: "GET", Route: "/healthz", Path: "/healthz", Status: 200, RequestID: "req-2"},
		{Level: "INFO", Method: "GET", Route: "/v1/facilities/:id", Path: "/v1/facilities/99999", Status: 404, RequestID: "req-3"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d access log lines, want %d:\n%s", len(lines), len(want), text)
	}
	for i, l := range lines {
		if l.LatencyMS == nil {
			t.Errorf("line %d has no latency", i)
		}
		l.Msg, l.LatencyMS = "", nil
		if l != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, l, want[i])
		}
	}
}

// TestErrorLogNamesRequest: a failure the server logs names the request it
// failed and its cause.
func TestErrorLogNamesRequest(t *testing.T) {
	out := captureLogs(t)
	opts := openAccess()
	opts.SearchBudget = 1 // a nanosecond: every search with text is over it
	srv := serve(t, miniLive(t), opts)
	send(t, "GET", srv.URL+"/v1/search?q=knee", http.Header{"X-Request-Id": {"over-1"}})
	found := false
	for _, s := range strings.Split(out.String(), "\n") {
		if strings.Contains(s, `"msg":"search over budget"`) {
			found = strings.Contains(s, `"request_id":"over-1"`) && strings.Contains(s, "exceeded its time budget")
		}
	}
	if !found {
		t.Errorf("no over-budget line naming the request and the cause:\n%s", out)
	}
}

// metricLine finds a sample in the text format: name{labels} value.
func metricValue(t *testing.T, text, series string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		t.Errorf("no sample %s", series)
		return ""
	}
	return m[1]
}

// TestMetrics: /metrics in the Prometheus text format counts requests by
// route and status, times searches by kind, counts zero-result searches,
// and describes the served generation; each server has its own registry.
func TestMetrics(t *testing.T) {
	lv := miniLive(t)
	srv := serve(t, lv, openAccess())
	other := serve(t, lv, openAccess()) // a second server in the process: its own registry
	for _, p := range []string{"/v1/search?q=knee+replacement", "/v1/search?q=knee+replacement", "/v1/search?q=xylophone",
		"/v1/search?type=offer", "/v1/suggest?q=kn", "/v1/facilities/11", "/v1/search?page=0", "/no/such/thing"} {
		send(t, "GET", srv.URL+p, nil)
	}
	send(t, "POST", srv.URL+"/v1/posts/match?q=knee", nil)
	send(t, "GET", other.URL+"/v1/search?q=knee", nil)
	resp, body := send(t, "GET", srv.URL+"/metrics", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	text := string(body)
	for series, want := range map[string]string{
		`careatlas_http_requests_total{code="200",method="GET",route="/v1/search"}`:         "4",
		`careatlas_http_requests_total{code="400",method="GET",route="/v1/search"}`:         "1",
		`careatlas_http_requests_total{code="200",method="GET",route="/v1/facilities/:id"}`: "1",
		`careatlas_http_requests_total{code="404",method="GET",route="unmatched"}`:          "1",
		`careatlas_http_requests_total{code="200",method="POST",route="/v1/posts/match"}`:   "1",
		`careatlas_http_request_duration_seconds_count{route="/v1/search"}`:                 "5",
		`careatlas_search_duration_seconds_count{kind="text"}`:                              "3",
		`careatlas_search_duration_seconds_count{kind="filters"}`:                           "1",
		`careatlas_search_duration_seconds_count{kind="suggest"}`:                           "1",
		`careatlas_search_duration_seconds_count{kind="posts"}`:                             "1",
		`careatlas_search_zero_results_total{kind="text"}`:                                  "1",
		`careatlas_search_hits_bucket{kind="text",le="0"}`:                                  "1",
		`careatlas_index_ready`:                   "1",
		`careatlas_index_documents{type="offer"}`: "7",
		`careatlas_index_opens_total`:             "1",
		`careatlas_index_swaps_total`:             "0",
		`careatlas_index_generation_info{generation="` + generationOf(t, lv) + `"}`: "1",
	} {
		if got := metricValue(t, text, series); got != "" && got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
	for _, name := range []string{"careatlas_index_generation_age_seconds", "go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(text, "\n"+name+" ") {
			t.Errorf("no %s", name)
		}
	}
}

func generationOf(t *testing.T, lv *live.Live) string {
	snap, err := lv.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Release()
	return snap.Generation()
}

// TestReadyz: 200 "ready" with the index's generation, age and documents;
// 200 "degraded" naming the part that is down while search works; 503
// only with no index open.
func TestReadyz(t *testing.T) {
	lv := miniLive(t)
	var dbDown bool
	opts := openAccess()
	opts.Health = func(context.Context) map[string]api.Part {
		db := api.Part{OK: !dbDown, Detail: map[string]any{"ping_ms": 0.3}}
		if dbDown {
			db.Reason = "unreachable: connection refused"
		}
		return map[string]api.Part{"database": db, "analytics": {OK: true, Detail: map[string]any{"queued": 0}}}
	}
	srv := serve(t, lv, opts)
	type ready struct {
		Status  string   `json:"status"`
		Reasons []string `json:"reasons"`
		Index   struct {
			Status     string
			Generation string
			AgeSeconds *int64 `json:"age_seconds"`
			Documents  map[string]int
		} `json:"index"`
		Database  map[string]any `json:"database"`
		Analytics map[string]any `json:"analytics"`
	}
	var r ready
	if code := get(t, srv, "/readyz", &r); code != 200 || r.Status != "ready" || r.Index.Status != "ok" ||
		r.Index.Generation != generationOf(t, lv) || r.Index.AgeSeconds == nil || r.Index.Documents["offer"] != 7 ||
		r.Database["status"] != "ok" || r.Analytics["status"] != "ok" || len(r.Reasons) != 0 {
		t.Errorf("ready: %d %+v", code, r)
	}
	dbDown = true
	r = ready{}
	if code := get(t, srv, "/readyz", &r); code != 200 || r.Status != "degraded" || r.Database["status"] != "down" ||
		len(r.Reasons) != 1 || r.Reasons[0] != "database: unreachable: connection refused" {
		t.Errorf("database down: %d %+v", code, r)
	}

	// A change log that cannot be read degrades readiness too: searches
	// go on, on a generation that grows stale.
	dbDown = false
	fold := &api.FoldStatus{After: 20000, Folds: 2, Failures: 1, LastSeconds: 91.5, LastError: "careatlas index: exit status 1: connection refused"}
	opts.Freshness = func() api.Freshness {
		return api.Freshness{Position: "7/1", Error: "read changes: connection refused", Fold: fold}
	}
	fresh := serve(t, lv, opts)
	var fr struct {
		Status    string
		Reasons   []string
		Freshness struct {
			Position, Error string
			Fold            *api.FoldStatus
		}
	}
	if code := get(t, fresh, "/readyz", &fr); code != 200 || fr.Status != "degraded" || fr.Freshness.Position != "7/1" ||
		len(fr.Reasons) != 1 || fr.Reasons[0] != "freshness: read changes: connection refused" ||
		fr.Freshness.Fold == nil || *fr.Freshness.Fold != *fold {
		t.Errorf("change log unreadable: %d %+v", code, fr)
	}
	dbDown = true

	empty, err := live.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	none := serve(t, empty, opts)
	r = ready{}
	if code := get(t, none, "/readyz", &r); code != 503 || r.Status != "unavailable" || r.Index.Status != "down" ||
		len(r.Reasons) != 2 {
		t.Errorf("no index: %d %+v", code, r)
	}
}
