package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search/live"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) {
	// Every request the tests make through http.DefaultClient is held to
	// api/openapi.json (contract_test.go).
	http.DefaultClient.Transport = theContract
	code := pgtest.Run(m)
	removeBundled()
	removeFuzzed()
	os.Exit(code)
}

type postsServer struct {
	url    string
	pool   *pgxpool.Pool
	writer *postgres.EventWriter
}

// newPostsServer serves the mini catalogue with its posts, and, with a
// database, analytics in PostgreSQL.
func newPostsServer(t *testing.T, withDB bool, adminKey string) *postsServer {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	_, err := indexer.Build(ctx, &indexer.FileSource{Dir: "../testdata/mini"}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	lv, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := openAccess()
	opts.Auth.AdminKey, opts.PostsPerSession = adminKey, 3
	ps := &postsServer{}
	if withDB {
		ps.pool, err = postgres.Connect(ctx, pgtest.MustDB(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := postgres.Load(ctx, ps.pool, "../testdata/mini"); err != nil {
			t.Fatal(err)
		}
		ps.writer = postgres.NewEventWriter(ps.pool, postgres.EventOptions{FlushEvery: 10 * time.Millisecond})
		opts.Analytics = postgres.Analytics{EventWriter: ps.writer, Reports: postgres.Reports{Pool: ps.pool}}
	}
	srv := httptest.NewServer(api.New(lv, opts))
	ps.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		if ps.writer != nil {
			ps.writer.Close(ctx)
			ps.pool.Close()
		}
		lv.Close()
	})
	return ps
}

type postJSON struct {
	Type       string   `json:"type"`
	ID         int64    `json:"id"`
	FacilityID int64    `json:"facility_id"`
	DoctorID   int64    `json:"doctor_id"`
	Title      string   `json:"title"`
	Text       string   `json:"text"`
	Reasons    []string `json:"reasons"`
}

func do(t *testing.T, method, u string, header http.Header, body io.Reader, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v in %s", method, u, err, b)
	}
	return resp.StatusCode
}

func ids(ps []postJSON) []int64 {
	var out []int64
	for _, p := range ps {
		out = append(out, p.ID)
	}
	slices.Sort(out)
	return out
}

func TestPostsBesideResults(t *testing.T) {
	srv := newPostsServer(t, false, "")
	tests := []struct {
		params  url.Values
		want    []int64
		reasons []string
	}{
		// 4 (expired), 5 (future) and 6 (unpublished) also target knee replacement.
		{url.Values{"q": {"knee replacement"}}, []int64{1}, []string{"you searched knee replacement"}},
		{url.Values{"q": {"nose job"}, "from": {"de"}, "country": {"TR"}, "currency": {"EUR"}, "price_max": {"4000"}}, []int64{2},
			[]string{"you searched nose job", "patients from Germany", "Turkey", "under €4,000"}},
		{url.Values{"q": {"nose job"}, "from": {"US"}}, nil, nil},
		{url.Values{"q": {"nose job"}, "from": {"DE"}, "currency": {"EUR"}, "price_max": {"2000"}}, nil, nil},
		{url.Values{"q": {"IVF"}, "language": {"de"}}, []int64{3}, []string{"you searched IVF", "in German"}},
		{url.Values{"q": {"IVF"}, "language": {"fr"}}, nil, nil},
		{url.Values{"category": {"Cosmetic surgery"}, "from": {"GB"}}, []int64{2}, []string{"Cosmetic surgery", "patients from United Kingdom"}},
		{url.Values{"q": {"knee replacement"}, "posts": {"0"}}, nil, nil},
	}
	for _, tc := range tests {
		var res struct {
			Total int        `json:"total"`
			Posts []postJSON `json:"posts"`
		}
		if code := do(t, "GET", srv.url+"/v1/search?"+tc.params.Encode(), nil, nil, &res); code != 200 || res.Posts == nil {
			t.Fatalf("%v: %d, posts %v", tc.params, code, res.Posts)
		}
		if got := ids(res.Posts); !slices.Equal(got, tc.want) {
			t.Errorf("%v: posts %v, want %v", tc.params, got, tc.want)
			continue
		}
		if tc.reasons != nil && !slices.Equal(res.Posts[0].Reasons, tc.reasons) {
			t.Errorf("%v: reasons %q, want %q", tc.params, res.Posts[0].Reasons, tc.reasons)
		}
	}
	var res struct{ Posts []postJSON }
	do(t, "GET", srv.url+"/v1/search?q=knee+replacement", nil, nil, &res)
	if p := res.Posts[0]; p.Type != "post" || p.FacilityID != 11 || p.DoctorID != 102 || p.Title == "" || p.Text == "" {
		t.Errorf("post %+v lacks its provider, title or text", p)
	}
}

func TestPostsMatchEndpoint(t *testing.T) {
	srv := newPostsServer(t, false, "")
	var res struct {
		Posts []postJSON `json:"posts"`
	}
	form := url.Values{"q": {"nose job"}, "from": {"GB"}, "limit": {"2"}}
	if code := do(t, "POST", srv.url+"/v1/posts/match", nil, strings.NewReader(form.Encode()), &res); code != 200 ||
		!slices.Equal(ids(res.Posts), []int64{2}) {
		t.Errorf("POST form: %d %+v", code, res)
	}
	if code := do(t, "POST", srv.url+"/v1/posts/match?q=IVF", nil, nil, &res); code != 200 || !slices.Equal(ids(res.Posts), []int64{3}) {
		t.Errorf("POST query string: %d %+v", code, res)
	}
	for _, c := range []struct {
		path, param string
	}{
		{"/v1/posts/match?limit=0", "limit"}, {"/v1/posts/match?limit=11", "limit"}, {"/v1/posts/match?limit=x", "limit"},
		{"/v1/posts/match?currency=ZZZ", "currency"}, {"/v1/posts/match?nope=1", "nope"},
		{"/v1/posts/match?session=" + strings.Repeat("s", 300), "session"},
		{"/v1/search?posts=11", "posts"}, {"/v1/posts/match?from=Germany", "from"},
	} {
		var body struct {
			Error struct{ Code, Param string } `json:"error"`
		}
		method := "POST"
		if strings.HasPrefix(c.path, "/v1/search") {
			method = "GET"
		}
		if code := do(t, method, srv.url+c.path, nil, nil, &body); code != 400 || body.Error.Param != c.param {
			t.Errorf("%s: %d %+v, want 400 naming %s", c.path, code, body, c.param)
		}
	}
}

func TestPostsFrequencyCap(t *testing.T) {
	srv := newPostsServer(t, false, "")
	shown := func(session string) int {
		var res struct{ Posts []postJSON }
		h := http.Header{}
		if session != "" {
			h.Set("X-Session-ID", session)
		}
		do(t, "GET", srv.url+"/v1/search?q=knee+replacement", h, nil, &res)
		return len(res.Posts)
	}
	var got []int
	for range 5 {
		got = append(got, shown("patient-a"))
	}
	if !slices.Equal(got, []int{1, 1, 1, 0, 0}) {
		t.Errorf("one session's searches showed %v posts, want the post 3 times then no more", got)
	}
	if shown("patient-b") != 1 || shown("") != 1 {
		t.Errorf("another session, or none, is capped by the first")
	}
	var res struct{ Posts []postJSON }
	do(t, "GET", srv.url+"/v1/search?q=knee+replacement&session=patient-c", nil, nil, &res)
	if len(res.Posts) != 1 {
		t.Errorf("session as a parameter: %+v", res)
	}
}

func TestClicksAndAnalytics(t *testing.T) {
	srv := newPostsServer(t, true, "s3cret")
	ctx := context.Background()
	var res struct{ Posts []postJSON }
	for range 3 {
		do(t, "GET", srv.url+"/v1/search?q=knee+replacement&from=DE", nil, nil, &res)
	}
	do(t, "GET", srv.url+"/v1/search?q=robot+knee&category=Orthopaedics", nil, nil, &res)
	var body map[string]any
	for range 2 {
		if code := do(t, "POST", srv.url+"/v1/posts/1/click", nil, nil, &body); code != 202 {
			t.Fatalf("click: %d %v", code, body)
		}
	}
	if code := do(t, "POST", srv.url+"/v1/posts/999/click", nil, nil, &body); code != 404 {
		t.Errorf("click on an unknown post: %d", code)
	}
	if code := do(t, "POST", srv.url+"/v1/posts/4/click", nil, nil, &body); code != 404 {
		t.Errorf("click on an expired post: %d", code)
	}

	auth := http.Header{"Authorization": {"Bearer s3cret"}}
	report := srv.url + "/v1/providers/11/analytics?from=" + time.Now().UTC().AddDate(0, 0, -7).Format(time.DateOnly)
	for _, h := range []http.Header{nil, {"Authorization": {"Bearer wrong"}}, {"Authorization": {"s3cret"}}} {
		var e struct{ Error struct{ Code string } }
		if code := do(t, "GET", report, h, nil, &e); code != 401 || e.Error.Code != "unauthorized" {
			t.Errorf("analytics with %v: %d %+v, want 401", h, code, e)
		}
	}
	var rep posts.Report
	deadline := time.Now().Add(10 * time.Second)
	for {
		if code := do(t, "GET", report, auth, nil, &rep); code != 200 {
			t.Fatalf("analytics: %d", code)
		}
		if len(rep.Posts) == 1 && rep.Posts[0].Clicks == 2 && rep.Surfaced >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(rep.Posts) != 1 || rep.Posts[0] != (posts.PostStats{ID: 1, Title: "Knee replacement with Dr. Sam Lee", Views: 3, Clicks: 2}) {
		t.Errorf("posts %+v, want post 1 seen 3 times and clicked twice", rep.Posts)
	}
	if rep.Surfaced != 3 || len(rep.Keywords) == 0 || rep.Keywords[0].Keyword != "knee" {
		t.Errorf("surfaced %d keywords %+v", rep.Surfaced, rep.Keywords)
	}
	if len(rep.Unmet) != 1 || rep.Unmet[0].Keywords != "robot knee" {
		t.Errorf("unmet %+v, want robot knee", rep.Unmet)
	}
	var country *string
	srv.pool.QueryRow(ctx, `SELECT patient_country FROM search_events WHERE keywords = '{knee,replac}' LIMIT 1`).Scan(&country)
	if country == nil || *country != "DE" {
		t.Errorf("search event country %v, want DE", country)
	}

	for _, c := range []struct {
		path  string
		code  int
		param string
	}{
		{"/v1/providers/999/analytics", 404, "id"},
		{"/v1/providers/x/analytics", 400, "id"},
		{"/v1/providers/11/analytics?from=yesterday", 400, "from"},
		{"/v1/providers/11/analytics?from=2026-02-01&to=2026-01-01", 400, "from"},
		{"/v1/providers/11/analytics?from=2020-01-01&to=2026-01-01", 400, "from"},
		{"/v1/providers/11/analytics?limit=5", 400, "limit"},
	} {
		var e struct{ Error struct{ Param string } }
		if code := do(t, "GET", srv.url+c.path, auth, nil, &e); code != c.code || e.Error.Param != c.param {
			t.Errorf("%s: %d %+v, want %d naming %q", c.path, code, e, c.code, c.param)
		}
	}
}

func TestAnalyticsClosedWithoutKeyOrDatabase(t *testing.T) {
	srv := newPostsServer(t, false, "")
	var e struct{ Error struct{ Code string } }
	if code := do(t, "GET", srv.url+"/v1/providers/11/analytics", http.Header{"Authorization": {"Bearer "}}, nil, &e); code != 401 {
		t.Errorf("analytics with no key: %d %+v, want 401", code, e)
	}
	if code := do(t, "POST", srv.url+"/v1/posts/1/click", nil, nil, &e); code != 503 || e.Error.Code != "analytics_disabled" {
		t.Errorf("click without a database: %d %+v, want 503", code, e)
	}
	if code := do(t, "POST", srv.url+"/v1/facilities/11/view?q=knee", nil, nil, &e); code != 503 || e.Error.Code != "analytics_disabled" {
		t.Errorf("page view without a database: %d %+v, want 503", code, e)
	}
	srv = newPostsServer(t, false, "k")
	if code := do(t, "GET", srv.url+"/v1/providers/11/analytics", http.Header{"Authorization": {"Bearer k"}}, nil, &e); code != 503 {
		t.Errorf("analytics without a database: %d %+v, want 503", code, e)
	}
	var res struct{ Posts []postJSON }
	if code := do(t, "GET", srv.url+"/v1/search?q=knee+replacement", nil, nil, &res); code != 200 || len(res.Posts) != 1 {
		t.Errorf("search without a database: %d %+v", code, res)
	}
}

// TestFacilityViews: the page-view beacon records a view with the search's
// terms and the patient's country, counts a session's repeated opens once,
// refuses what it should with a JSON error naming the parameter, and the
// provider's report shows the views per day and the terms that led there.
func TestFacilityViews(t *testing.T) {
	srv := newPostsServer(t, true, "s3cret")
	ctx := context.Background()
	views := []struct {
		path   string
		body   string // a form, when set
		header http.Header
		code   int
		status string
	}{
		{"/v1/facilities/11/view?q=knee+replacement&from=de&session=a", "", nil, 202, "counted"},
		{"/v1/facilities/11/view?q=knee+replacement&from=DE&session=a", "", nil, 200, "already_counted"},
		{"/v1/facilities/11/view", "q=new+knee&session=b", nil, 202, "counted"},
		{"/v1/facilities/11/view", "", http.Header{"X-Session-Id": {"b"}}, 200, "already_counted"},
		{"/v1/facilities/12/view?session=a&lang=tr&q=burun+esteti%C4%9Fi", "", nil, 202, "counted"},
		{"/v1/facilities/11/view", "", nil, 202, "counted"}, // no session, no search: counted every time
		{"/v1/facilities/11/view", "", nil, 202, "counted"},
	}
	for _, v := range views {
		var res struct {
			Status     string `json:"status"`
			FacilityID int64  `json:"facility_id"`
		}
		var body io.Reader
		if v.body != "" {
			body = strings.NewReader(v.body)
		}
		if code := do(t, "POST", srv.url+v.path, v.header, body, &res); code != v.code || res.Status != v.status {
			t.Errorf("POST %s %s: %d %+v, want %d %s", v.path, v.body, code, res, v.code, v.status)
		}
	}
	for _, c := range []struct {
		path, body string
		code       int
		param      string
	}{
		{"/v1/facilities/999/view", "", 404, ""},
		{"/v1/facilities/1000/view", "", 404, ""}, // an offer's id
		{"/v1/facilities/x/view", "", 400, "id"},
		{"/v1/facilities/0/view", "", 400, "id"},
		{"/v1/facilities/11/view?q=" + strings.Repeat("k", 501), "", 400, "q"},
		{"/v1/facilities/11/view?from=Germany", "", 400, "from"},
		{"/v1/facilities/11/view?lang=xx", "", 400, "lang"},
		{"/v1/facilities/11/view?session=" + strings.Repeat("s", 201), "", 400, "session"},
		{"/v1/facilities/11/view?q=a&q=b", "", 400, "q"},
		{"/v1/facilities/11/view?email=me@example.org", "", 400, "email"},
		{"/v1/facilities/11/view", "q=" + strings.Repeat("k", 70<<10), 413, ""},
	} {
		var e struct {
			Error struct{ Code, Param string } `json:"error"`
		}
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		if code := do(t, "POST", srv.url+c.path, nil, body, &e); code != c.code || e.Error.Param != c.param || e.Error.Code == "" {
			t.Errorf("POST %.80s: %d %+v, want %d naming %q", c.path, code, e, c.code, c.param)
		}
	}

	today := time.Now().UTC().Format(time.DateOnly)
	report := srv.url + "/v1/providers/11/analytics?from=" + today
	var rep posts.Report
	deadline := time.Now().Add(10 * time.Second)
	for {
		if code := do(t, "GET", report, http.Header{"Authorization": {"Bearer s3cret"}}, nil, &rep); code != 200 {
			t.Fatalf("analytics: %d", code)
		}
		if rep.PageViews.Total >= 4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := posts.PageViews{Total: 4, PerDay: []posts.DayCount{{Date: today, Count: 4}},
		Keywords:  []posts.TermCount{{Keyword: "knee", Count: 2}, {Keyword: "new", Count: 1}, {Keyword: "replac", Count: 1}},
		Countries: []posts.CountryCount{{Country: "DE", Count: 1}}}
	got := rep.PageViews
	if got.Total != want.Total || !slices.Equal(got.PerDay, want.PerDay) || !slices.Equal(got.Keywords, want.Keywords) ||
		!slices.Equal(got.Countries, want.Countries) {
		t.Errorf("page views %+v, want %+v", got, want)
	}
	var kw []string
	srv.pool.QueryRow(ctx, `SELECT keywords FROM facility_views WHERE facility_id = 12`).Scan(&kw)
	if !slices.Equal(kw, []string{"bur", "estetik"}) {
		t.Errorf("the Turkish search that led to facility 12 was recorded as %q", kw)
	}
}

// TestSearchNotRecorded: record=false leaves a search out of analytics;
// a bad value is a 400 naming it.
func TestSearchNotRecorded(t *testing.T) {
	srv := newPostsServer(t, true, "")
	ctx := context.Background()
	var res struct{ Total int }
	for _, q := range []string{"kne&record=false", "knee+r&record=0", "knee+replacement&record=true", "knee+replacement"} {
		if code := do(t, "GET", srv.url+"/v1/search?posts=0&q="+q, nil, nil, &res); code != 200 {
			t.Fatalf("%s: %d", q, code)
		}
	}
	var e struct {
		Error struct{ Param string } `json:"error"`
	}
	for _, q := range []string{"record=maybe", "record=true&record=false"} {
		if code := do(t, "GET", srv.url+"/v1/search?q=knee&"+q, nil, nil, &e); code != 400 || e.Error.Param != "record" {
			t.Errorf("%s: %d %+v, want 400 naming record", q, code, e)
		}
	}
	if err := srv.writer.Close(ctx); err != nil {
		t.Fatal(err)
	}
	var recorded []string
	rows, err := srv.pool.Query(ctx, `SELECT array_to_string(keywords, ' ') FROM search_events ORDER BY at`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		recorded = append(recorded, k)
	}
	if !slices.Equal(recorded, []string{"knee replac", "knee replac"}) {
		t.Errorf("recorded searches %q, want the two settled ones", recorded)
	}
}
