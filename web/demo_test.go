package web

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
)

// TestKeystrokeToResultsOnTheDemo measures the widget's budget where the
// issue names it: from the last keystroke to the first results on screen,
// debounce included, on the demo catalogue a new user searches (served as
// `careatlas serve` serves it, with no database). The figures are logged;
// the test fails only past maxKeystrokeToResults, which catches something
// badly wrong, since a shared machine's timing is no assertion.
func TestKeystrokeToResultsOnTheDemo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := indexer.Build(ctx, &indexer.FileSource{}, dir, nil); err != nil {
		t.Fatal(err)
	}
	lv, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lv.Close)
	edges, err := indexer.FileSynonyms("")
	if err != nil {
		t.Fatal(err)
	}
	lv.SetSynonyms(search.NewSynonyms(edges), "")
	e := api.New(lv, api.Options{NoAccessLog: true,
		Auth: auth.Config{PublicSearch: true, AnonymousRate: auth.Rate{PerMinute: -1}}})
	Register(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)

	site := startClinic(t, "")
	b := newBrowser(t)
	page := site.page("/demo.html", clinicHTML("en", "", widgetTag(srv.URL)))
	var ms []float64
	for _, q := range []string{"knee replacement", "hair transplant", "dental implants", "nose job", "ivf", "cataract surgery"} {
		b.open(page)
		b.waitWidget("the search box", `$('input[role=combobox]') !== null`)
		b.widget(`$('input[role=combobox]').focus()`, nil)
		b.keys(q)
		b.waitFor("results for "+q, `__events.some(e => e.name === 'results' && e.t > __lastKey && e.detail.q === `+jsString(q)+`)`)
		var took float64
		b.eval(`(e => e.t - __lastKey)(__events.find(e => e.name === 'results' && e.t > __lastKey && e.detail.q === `+jsString(q)+`))`, &took)
		t.Logf("%-18q last keystroke to results: %4.0f ms", q, took)
		if time.Duration(took*float64(time.Millisecond)) > maxKeystrokeToResults {
			t.Errorf("%q: results took %.0f ms after the last keystroke", q, took)
		}
		ms = append(ms, took)
	}
	slices.Sort(ms)
	t.Logf("demo catalogue, last keystroke to results (40 ms debounce included): median %.0f ms, max %.0f ms (target 100 ms)",
		ms[len(ms)/2], ms[len(ms)-1])
}
