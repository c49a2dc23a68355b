package api_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
)

// bundled is the bundled catalogue's index with its synonyms, built once
// per test run (it takes seconds) and shared by the tests that need a
// catalogue of realistic size; TestMain removes it.
var bundled struct {
	once sync.Once
	dir  string
	live *live.Live
	err  error
}

func bundledLive(t testing.TB) *live.Live {
	t.Helper()
	bundled.once.Do(func() {
		const catalogue = "../testdata/catalog"
		if bundled.dir, bundled.err = os.MkdirTemp("", "careatlas-api-bundled-"); bundled.err != nil {
			return
		}
		if _, bundled.err = indexer.Build(context.Background(), &indexer.FileSource{Dir: catalogue}, bundled.dir, nil); bundled.err != nil {
			return
		}
		if bundled.live, bundled.err = live.New(bundled.dir); bundled.err != nil {
			return
		}
		edges, err := indexer.FileSynonyms(catalogue)
		if err != nil {
			bundled.err = err
			return
		}
		bundled.live.SetSynonyms(search.NewSynonyms(edges), "")
	})
	if bundled.err != nil {
		t.Fatal(bundled.err)
	}
	return bundled.live
}

// removeBundled closes and deletes the shared index after the tests.
func removeBundled() {
	if bundled.live != nil {
		bundled.live.Close()
	}
	if bundled.dir != "" {
		os.RemoveAll(bundled.dir)
	}
}

// randomWords is what a hostile client sends to cost the most: distinct
// long words the index does not hold, each analysed in every language and
// a candidate for typo correction, up to the 500-byte limit on q.
func randomWords(r *rand.Rand, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	words := make([]string, n)
	for i := range words {
		b := make([]byte, 8+r.IntN(6))
		for j := range b {
			b[j] = letters[r.IntN(len(letters))]
		}
		words[i] = string(b)
	}
	q := strings.Join(words, " ")
	return strings.TrimSpace(q[:min(len(q), search.MaxQueryLength)])
}

// TestAdversarialSearchBounded: searches built to cost the most — many
// random words, the deepest page, every facet at its largest, every sort —
// get a fast answer or 503 over_budget with Retry-After, never a long run.
func TestAdversarialSearchBounded(t *testing.T) {
	const budget = 100 * time.Millisecond
	opts := openAccess()
	opts.SearchBudget = budget
	srv := serve(t, bundledLive(t), opts)
	r := rand.New(rand.NewPCG(13, 13))
	sorts := search.Sorts[:4] // distance needs near; it is no dearer
	statuses := map[int]int{}
	var slowest time.Duration
	for i := range 30 {
		v := url.Values{"page": {"100"}, "per_page": {"100"}, "facet_size": {"100"},
			"facets": {strings.Join(search.FacetNames(), ",")}, "sort": {sorts[i%len(sorts)]}}
		if i%5 != 4 { // and now and then no text at all: every document is a candidate
			v.Set("q", randomWords(r, 40+r.IntN(20)))
		}
		start := time.Now()
		resp, body := send(t, "GET", srv.URL+"/v1/search?"+v.Encode(), nil)
		took := time.Since(start)
		statuses[resp.StatusCode]++
		slowest = max(slowest, took)
		switch resp.StatusCode {
		case 200:
		case 503:
			var e struct{ Error struct{ Code string } }
			json.Unmarshal(body, &e)
			if e.Error.Code != "over_budget" || resp.Header.Get("Retry-After") == "" {
				t.Errorf("503 %s, Retry-After %q; want over_budget with Retry-After", body, resp.Header.Get("Retry-After"))
			}
		default:
			t.Errorf("%v: %d %.200s", v, resp.StatusCode, body)
		}
		// The budget bounds the engine; the rest (decoding, a page of 100
		// hits read and encoded) is bounded by the page size.
		if took > budget+400*time.Millisecond {
			t.Errorf("an adversarial search ran %v (budget %v): %.120s", took, budget, v.Encode())
		}
	}
	t.Logf("statuses %v, slowest %v", statuses, slowest)
}

// TestOverBudget: a search stopped by its budget is answered 503
// over_budget with Retry-After: 1, and counted.
func TestOverBudget(t *testing.T) {
	opts := openAccess()
	opts.SearchBudget = time.Nanosecond // spent before the first word is read
	srv := serve(t, miniLive(t), opts)
	for _, path := range []string{"/v1/search?q=knee", "/v1/suggest?q=kne"} {
		resp, body := send(t, "GET", srv.URL+path, nil)
		var e struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(body, &e)
		if resp.StatusCode != 503 || e.Error.Code != "over_budget" || e.Error.Message == "" || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("%s: %d %s Retry-After %q", path, resp.StatusCode, body, resp.Header.Get("Retry-After"))
		}
	}
	_, body := send(t, "GET", srv.URL+"/metrics", nil)
	if v := metricValue(t, string(body), `careatlas_search_over_budget_total{kind="text"}`); v != "1" {
		t.Errorf("over budget (text) counted %s times, want 1", v)
	}
}
