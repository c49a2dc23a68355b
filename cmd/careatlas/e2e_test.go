package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/replica/s3test"
	"github.com/jackc/pgx/v5"
)

// TestMain runs the tests, or, when childEnv is set, careatlas itself: the
// fault tests start the test binary as a real careatlas process to kill it.
// So do 'bench fresh', for its writers' process (benchWriterEnv), and serve's folds
// (foldEnv).
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" || os.Getenv(benchWriterEnv) != "" || os.Getenv(foldEnv) != "" {
		main() // exits
	}
	os.Exit(pgtest.Run(m))
}

const bundled = "../../testdata/catalog"

// cli runs a careatlas command and fails the test if it does not exit 0.
func cli(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("careatlas %v: exit %d\n%s%s", args, code, out.String(), errOut.String())
	}
	return out.String()
}

// startServe runs 'careatlas serve' with args until the test ends, when it
// must shut down cleanly, and returns its base URL.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	base, stop := serveUntil(t, args...)
	t.Cleanup(func() {
		if code := stop(); code != 0 {
			t.Errorf("serve exited %d", code)
		}
	})
	return base
}

// waitReady polls /readyz until it answers 200 and returns the index name.
func waitReady(t *testing.T, base string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var body struct {
			Index struct{ Generation string }
		}
		if code, err := getJSON(base+"/readyz", &body); err == nil && code == 200 {
			return body.Index.Generation
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server not ready within %v", timeout)
	return ""
}

func getJSON(u string, out any) (int, error) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return resp.StatusCode, fmt.Errorf("%w: %s", err, body)
	}
	return resp.StatusCode, nil
}

type hit struct {
	Type  string `json:"type"`
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Price *struct {
		Amount   float64 `json:"amount"`
		Currency string  `json:"currency"`
	} `json:"price"`
	Treatment *struct {
		ID   int64  `json:"id"`
		Code string `json:"code"`
	} `json:"treatment"`
	Facility *struct {
		Country string `json:"country"`
	} `json:"facility"`
}

type searchResult struct {
	Total  int   `json:"total"`
	Hits   []hit `json:"hits"`
	Facets map[string][]struct {
		Value string
		Count int
	} `json:"facets"`
}

func searchAPI(t *testing.T, base string, q url.Values) searchResult {
	t.Helper()
	var res searchResult
	code, err := getJSON(base+"/v1/search?"+q.Encode(), &res)
	if err != nil || code != 200 {
		t.Fatalf("search %v: %d %v", q, code, err)
	}
	return res
}

// TestEndToEnd runs the product as an operator would: migrate, load the
// bundled catalogue, index, serve, and check the answers against SQL over
// the same rows.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	dir := t.TempDir()
	cli(t, "migrate", "--database-url", db)
	if out := cli(t, "load", "--database-url", db); !strings.Contains(out, "from the built-in demo catalogue") {
		t.Errorf("load with no path said %q; want it to load the built-in demo catalogue", out)
	}
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	// The search budget is one a search under the race detector on a
	// busy shared machine never meets ("schnozz fix", typo-corrected in
	// five languages, took over 500 ms at a load average of 23): this
	// test is about the answers; the budget has its own (api/budget_test.go).
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--synonyms-every", "100ms",
		"--search-budget", "1m")
	firstIndex := waitReady(t, base, 30*time.Second)

	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	t.Run("hip and knee replacement in the US by price", func(t *testing.T) {
		for _, q := range []string{"knee replacement", "hip replacement"} {
			res := searchAPI(t, base, url.Values{"q": {q}, "type": {"offer"}, "country": {"US"}, "sort": {"price_asc"}, "per_page": {"100"}})
			var want int
			var cheapest float64
			err := conn.QueryRow(ctx, `SELECT count(*), min(o.price)::float8 FROM offers o
				JOIN treatments t ON t.id = o.treatment_id JOIN facilities f ON f.id = o.facility_id
				WHERE f.country_code = 'US' AND EXISTS (SELECT 1 FROM unnest(t.lay_names) l WHERE lower(l) = $1)`, q).Scan(&want, &cheapest)
			if err != nil {
				t.Fatal(err)
			}
			if want < 100 || res.Total < want {
				t.Fatalf("%q: %d hits, SQL has %d offers with that lay name (want 100+)", q, res.Total, want)
			}
			prev := 0.0
			for i, h := range res.Hits {
				if h.Type != "offer" || h.Facility == nil || h.Facility.Country != "US" || h.Price == nil || h.Price.Currency != "USD" {
					t.Fatalf("%q hit %d is not a priced US offer: %+v", q, i, h)
				}
				if h.Price.Amount < prev {
					t.Fatalf("%q: hit %d costs %v, less than the one before (%v)", q, i, h.Price.Amount, prev)
				}
				prev = h.Price.Amount
			}
			if res.Hits[0].Price.Amount != cheapest {
				t.Errorf("%q: cheapest hit %v, SQL says %v", q, res.Hits[0].Price.Amount, cheapest)
			}
		}
	})

	t.Run("a synonym added in PostgreSQL applies without a rebuild", func(t *testing.T) {
		q := url.Values{"q": {"schnozz fix"}, "type": {"treatment"}}
		if res := searchAPI(t, base, q); res.Total != 0 {
			t.Fatalf("before the synonym exists: %d hits", res.Total)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO synonyms (term, synonym, source) VALUES ('schnozz fix', 'rhinoplasty', 'curated')`); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			var res struct {
				Total      int `json:"total"`
				Hits       []hit
				Expansions []struct {
					Text string   `json:"text"`
					Kind string   `json:"kind"`
					To   []string `json:"to"`
				} `json:"expansions"`
			}
			if code, err := getJSON(base+"/v1/search?"+q.Encode(), &res); err != nil || code != 200 {
				t.Fatalf("search: %d %v", code, err)
			}
			if res.Total > 0 {
				if res.Hits[0].Name != "Rhinoplasty" || len(res.Expansions) != 1 || res.Expansions[0].Kind != "synonym" ||
					!slices.Equal(res.Expansions[0].To, []string{"rhinoplasty"}) {
					t.Fatalf("with the synonym: first hit %q, expansions %+v", res.Hits[0].Name, res.Expansions)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the new synonym was not applied within 10s")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if _, err := conn.Exec(ctx, `DELETE FROM synonyms WHERE term = 'schnozz fix'`); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); searchAPI(t, base, q).Total != 0; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the deleted synonym still applies after 10s")
			}
		}
		if now := waitReady(t, base, time.Second); now != firstIndex {
			t.Errorf("the index changed (%s → %s): synonyms must not need a rebuild", firstIndex, now)
		}
	})

	t.Run("facet counts equal SQL GROUP BY", func(t *testing.T) {
		checks := []struct {
			params url.Values
			facet  string
			sql    string
		}{
			// Offers span 126 countries, more than a facet shows (100): one
			// category's span (87) is checked.
			{url.Values{"type": {"offer"}, "category": {"Cardiology"}}, "country",
				`SELECT f.country_code, count(*) FROM offers o JOIN facilities f ON f.id = o.facility_id
				 JOIN treatments t ON t.id = o.treatment_id WHERE t.category = 'Cardiology' GROUP BY 1`},
			{url.Values{"type": {"offer"}, "country": {"US"}}, "category",
				`SELECT t.category, count(*) FROM offers o JOIN facilities f ON f.id = o.facility_id
				 JOIN treatments t ON t.id = o.treatment_id WHERE f.country_code = 'US' GROUP BY 1`},
			{url.Values{"type": {"facility"}}, "kind", `SELECT kind, count(*) FROM facilities GROUP BY 1`},
			{url.Values{"type": {"facility"}}, "accreditation",
				`SELECT a, count(*) FROM facilities, unnest(accreditations) a GROUP BY 1`},
			{url.Values{"type": {"doctor"}}, "language",
				`SELECT l, count(*) FROM doctors, unnest(languages) l GROUP BY 1`},
			{url.Values{"type": {"offer"}}, "price", `WITH r AS (SELECT DISTINCT ON (currency) currency, rate FROM exchange_rates ORDER BY currency, as_of DESC),
				 usd AS (SELECT coalesce(o.price, o.price_min) / r.rate AS v FROM offers o JOIN r ON r.currency = o.currency)
				 , bands (name, lo, hi) AS (VALUES ('0-1000', 0, 1000), ('1000-2500', 1000, 2500), ('2500-5000', 2500, 5000),
				   ('5000-10000', 5000, 10000), ('10000-25000', 10000, 25000), ('25000-50000', 25000, 50000), ('50000+', 50000, NULL))
				 -- A band holds what its bounds find: both included, so a price on an edge is in both bands beside it.
				 SELECT b.name, count(*) FROM usd JOIN bands b ON v >= b.lo AND (b.hi IS NULL OR v <= b.hi) GROUP BY 1`},
		}
		for _, c := range checks {
			q := c.params
			q.Set("facets", c.facet)
			q.Set("facet_size", "100")
			res := searchAPI(t, base, q)
			want := map[string]int{}
			rows, _ := conn.Query(ctx, c.sql)
			var k string
			var n int
			if _, err := pgx.ForEachRow(rows, []any{&k, &n}, func() error { want[k] = n; return nil }); err != nil {
				t.Fatal(err)
			}
			if len(want) < 2 || len(want) > 100 {
				t.Fatalf("%s: SQL gives %d groups; the check needs 2 to 100", c.facet, len(want))
			}
			got := map[string]int{}
			for _, v := range res.Facets[c.facet] {
				if v.Count > 0 {
					got[v.Value] = v.Count
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("facet %s over %v:\n got %v\nwant %v", c.facet, c.params, got, want)
			}
		}
	})
}

// TestServeDemoWithoutDatabase is the README's first command: serve with no
// database builds the index from the bundled catalogue, which is built into
// the binary, so it works from a directory that holds no catalogue at all.
func TestServeDemoWithoutDatabase(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Chdir(t.TempDir())
	base := startServe(t, "--index-dir", "index")
	var status map[string]string
	if code, err := getJSON(base+"/healthz", &status); err != nil || code != 200 {
		t.Fatalf("healthz: %d %v", code, err)
	}
	waitReady(t, base, 3*time.Minute)
	// A new user opens / and searches with the widget.
	for path, want := range map[string]string{"/": "/v1/widget.", "/v1/widget.js": "CareAtlas"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(want)) {
			t.Errorf("GET %s: %d, %d bytes without %q", path, resp.StatusCode, len(body), want)
		}
	}
	for _, c := range []struct{ q, wantName string }{
		{"nose job", "Rhinoplasty"},
		{"heart attack", "Acute myocardial infarction"},
		{"IVF", "In vitro fertilisation"},
	} {
		res := searchAPI(t, base, url.Values{"q": {c.q}, "type": {"treatment"}})
		if len(res.Hits) == 0 || !slices.ContainsFunc(res.Hits[:min(3, len(res.Hits))], func(h hit) bool {
			return len(h.Name) >= len(c.wantName) && h.Name[:len(c.wantName)] == c.wantName
		}) {
			t.Errorf("%q: top treatments %+v, want %q among the first three", c.q, res.Hits, c.wantName)
		}
	}
	// The demo shows the bundled posts, and has no analytics.
	var withPosts struct {
		Posts []struct{ ID int64 } `json:"posts"`
	}
	if code, err := getJSON(base+"/v1/search?q=hip+replacement&country=US", &withPosts); err != nil || code != 200 || len(withPosts.Posts) == 0 {
		t.Errorf("hip replacement in the US: %d %v, posts %+v; want the bundled posts", code, err, withPosts.Posts)
	}
	resp, err := http.Post(base+"/v1/posts/19/click", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("a click in the demo: %d, want 503 (no database, no analytics)", resp.StatusCode)
	}
}

// TestServeCatalogFlagOverridesDemo serves a directory given with --catalog
// instead of the built-in demo catalogue: the small test catalogue, whose
// 6 treatments the demo's hundreds could not be mistaken for.
func TestServeCatalogFlagOverridesDemo(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	mini, err := filepath.Abs("../../testdata/mini")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	base := startServe(t, "--index-dir", "index", "--catalog", mini)
	waitReady(t, base, time.Minute)
	res := searchAPI(t, base, url.Values{"type": {"treatment"}, "per_page": {"100"}})
	if res.Total != miniTreatments(t, mini) {
		t.Errorf("%d treatments served; the catalogue given with --catalog has %d", res.Total, miniTreatments(t, mini))
	}
}

func miniTreatments(t *testing.T, dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "treatments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(strings.TrimSpace(string(b)), "\n")
}

// TestIndexWithoutSchema is an operator's first mistake: 'index' before
// 'migrate' or 'load'. It fails saying which command to run.
func TestIndexWithoutSchema(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"index", "--database-url", pgtest.MustDB(t), "--index-dir", t.TempDir()}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "run 'careatlas migrate' (empty catalogue) or") {
		t.Errorf("index on a database with no schema: exit %d, %q; want exit 1 saying to run 'careatlas migrate'", code, errOut.String())
	}
}

func TestCLIErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"index", "--database-url", ""}, 1, "no database configured"},
		{[]string{"load", "--nope"}, 2, "flag provided but not defined"},
		{[]string{"serve", "--refresh", "10ms"}, 1, "--refresh 10ms: must be from 50ms to 5s"},
		{[]string{"serve", "--refresh", "1m"}, 1, "--refresh 1m0s: must be from 50ms to 5s"},
		{[]string{"serve", "--background-nice", "20"}, 1, "--background-nice 20: must be from 0 to 19"},
		{[]string{"serve", "--background-nice", "-1"}, 1, "--background-nice -1: must be from 0 to 19"},
		{[]string{"bench", "fresh", "--index-dir", "x", "--background-nice", "99"}, 1, "--background-nice 99: must be from 0 to 19"},
		{[]string{"bench", "fresh", "--index-dir", "x", "--control"}, 1, "--control needs --rounds, and not --floor or --unfollowed"},
		{[]string{"bench", "fresh", "--index-dir", "x", "--rounds", "2", "--control", "--floor"}, 1, "--control needs --rounds, and not --floor or --unfollowed"},
		{[]string{"bench", "fresh", "--index-dir", "x", "--rounds", "2", "--control", "--unfollowed"}, 1, "--control needs --rounds, and not --floor or --unfollowed"},
		{[]string{"bench", "fresh", "--index-dir", "x", "--lower-writers", "--writers-process"}, 1, "--lower-writers lowers goroutines in this process: not with --writers-process"},
		{[]string{"load", "--database-url", "postgres://127.0.0.1:1/x?connect_timeout=2", "a", "b"}, 2, "Usage"},
	} {
		t.Setenv("DATABASE_URL", "")
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, &out, &errOut)
		if code != c.code || !bytes.Contains(append(out.Bytes(), errOut.Bytes()...), []byte(c.want)) {
			t.Errorf("%v: exit %d, output %q; want exit %d saying %q", c.args, code, out.String()+errOut.String(), c.code, c.want)
		}
	}
}

// TestGenAndBench runs the benchmark harness end to end on a small
// generated catalogue: every class must be measured on both engines.
func TestGenAndBench(t *testing.T) {
	db := pgtest.MustDB(t)
	out := cli(t, "gen", "--database-url", db, "--offers", "3000", "--base", bundled)
	if !bytes.Contains([]byte(out), []byte("generated 3000 offers")) {
		t.Errorf("gen said %q", out)
	}
	// The cost curve also times shipping the generation to a replica.
	store := s3test.Start(t)
	store.Bucket("bench")
	for _, kv := range store.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	indexDir := t.TempDir()
	out = cli(t, "bench", "--database-url", db, "--offers", "3000", "--base", bundled, "--json", "--index-dir", indexDir,
		"--samples", "3", "--clients", "2", "--duration", "200ms", "--publish", "s3://bench/curve")
	var rep benchReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bench --json printed %q: %v", out, err)
	}
	if rep.Catalogue["offers"] != 3000 || rep.Build.Docs < 3000 || rep.Build.DocsPerSecond <= 0 || rep.Build.IndexMiB <= 0 {
		t.Errorf("catalogue %v, build %+v", rep.Catalogue, rep.Build)
	}
	for _, class := range []string{"text", "text_facets", "filters", "broad_facets", "price_currency", "suggest"} {
		c, ok := rep.Classes[class]
		if !ok {
			t.Errorf("class %s missing", class)
			continue
		}
		if c.P50 <= 0 || c.P99 < c.P50 || c.PostgresP50 <= 0 || c.Ratio <= 0 || c.QPS <= 0 || c.PostgresQPS <= 0 {
			t.Errorf("class %s: %+v", class, c)
		}
		// PostgreSQL at its strongest: where the order is rank, through
		// RUM too, and the ratio is against the faster of the two.
		rum := class == "text" || class == "suggest"
		if rum && (c.RumP50 <= 0 || c.RumP99 < c.RumP50) || !rum && c.RumP50 != 0 {
			t.Errorf("class %s's RUM figures: %+v", class, c)
		}
		if best := min(c.PostgresP50, cmp.Or(c.RumP50, c.PostgresP50)); math.Abs(c.BestRatio-best/c.P50) > 1e-9 {
			t.Errorf("class %s: ratio to the best PostgreSQL %v, want %v", class, c.BestRatio, best/c.P50)
		}
	}
	if rep.RumBuild == nil || rep.RumBuild.IndexMiB <= 0 {
		t.Errorf("RUM build %+v", rep.RumBuild)
	}
	if s := rep.Serve; s.OpenSeconds <= 0 || s.RSSOpenMiB <= 0 || s.RSSQueriedMiB <= 0 || s.UploadSeconds <= 0 ||
		s.DownloadOpenSeconds <= 0 || s.UploadedMiB < rep.Build.IndexMiB/2 {
		t.Errorf("serve figures %+v (index %.1f MiB)", s, rep.Build.IndexMiB)
	}

	// The cost curve's larger sizes measure CareAtlas alone.
	out = cli(t, "bench", "--database-url", db, "--offers", "3000", "--json", "--index-dir", indexDir, "--reuse-index",
		"--postgres=false", "--classes", "text,filters", "--samples", "3", "--clients", "2", "--duration", "200ms")
	rep = benchReport{}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bench --postgres=false --json printed %q: %v", out, err)
	}
	if len(rep.Classes) != 2 {
		t.Errorf("--classes text,filters measured %d classes", len(rep.Classes))
	}
	for name, c := range rep.Classes {
		if c.P50 <= 0 || c.QPS <= 0 || c.PostgresP50 != 0 || c.RumP50 != 0 || c.PostgresQPS != 0 {
			t.Errorf("class %s without PostgreSQL: %+v", name, c)
		}
	}
}
