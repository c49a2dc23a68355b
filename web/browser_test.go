package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// How to get what the browser tests need.
const (
	chromiumHint = "the README's test command (`bash .ci/test`) installs it, or `apt-get install -y chromium`"
	npmHint      = "the README's test command (`bash .ci/test`) installs them, or: mkdir -p ~/.cache/careatlas/npm && " +
		"cp .ci/package.json ~/.cache/careatlas/npm/ && (cd ~/.cache/careatlas/npm && npm install) && " +
		"export CAREATLAS_NODE_MODULES=~/.cache/careatlas/npm/node_modules"
)

// chromium finds the browser, or fails the test saying how to install it.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CAREATLAS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no Chromium on this machine (looked for chromium, chromium-browser, google-chrome on PATH): %s", chromiumHint)
	return ""
}

// nodeModules is where .ci/test installed the pinned npm packages.
func nodeModules(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CAREATLAS_NODE_MODULES")
	if dir == "" {
		t.Fatalf("CAREATLAS_NODE_MODULES is not set, so instantsearch.js and axe-core cannot be found: %s", npmHint)
	}
	for _, f := range []string{"instantsearch.js/dist/instantsearch.production.min.js", "axe-core/axe.min.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("%s: %v: %s", dir, err, npmHint)
		}
	}
	return dir
}

// browser is a headless Chromium tab and the requests it has made.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	requests []request
}

// request is one network request the page made, and its answer.
type request struct {
	id     network.RequestID
	method string
	url    string
	status int64
	header map[string]string
}

// newBrowser starts headless Chromium with a fresh profile for the test.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v (%s)", err, chromiumHint)
	}
	b := &browser{t: t, ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			h := map[string]string{}
			for k, v := range ev.Request.Headers {
				h[strings.ToLower(k)] = fmt.Sprint(v)
			}
			b.requests = append(b.requests, request{id: ev.RequestID, method: ev.Request.Method, url: ev.Request.URL, header: h})
		case *network.EventResponseReceived:
			for i := range b.requests {
				if b.requests[i].id == ev.RequestID {
					b.requests[i].status = ev.Response.Status
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seen returns the requests made so far.
func (b *browser) seen() []request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]request(nil), b.requests...)
}

func (b *browser) open(u string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(u)); err != nil {
		b.t.Fatalf("open %s: %v", u, err)
	}
}

// eval runs a script in the page (awaiting a promise it returns) and
// decodes its JSON value into out, which may be nil.
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	if err := b.try(js, out); err != nil {
		b.t.Fatalf("%v\nin: %s", err, js)
	}
}

func (b *browser) try(js string, out any) error {
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// widgetJS wraps an expression so it runs with the n-th widget's shadow
// root in scope: root, $ (one element) and $$ (an array).
func widgetJS(n int, expr string) string {
	return fmt.Sprintf(`(() => { const root = document.querySelectorAll('[data-careatlas]')[%d].shadowRoot;
		const $ = s => root.querySelector(s), $$ = s => [...root.querySelectorAll(s)];
		return (%s); })()`, n, expr)
}

// widget evaluates expr in the first widget (see widgetJS).
func (b *browser) widget(expr string, out any) {
	b.t.Helper()
	b.eval(widgetJS(0, expr), out)
}

// waitFor polls a page expression until it is true, failing after a while
// with what and the expression's last error.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		var ok bool
		if last = b.try(expr, &ok); last == nil && ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.t.Fatalf("timed out waiting for %s (last error: %v)\nexpression: %s", what, last, expr)
}

// waitWidget is waitFor in the first widget.
func (b *browser) waitWidget(what, expr string) {
	b.t.Helper()
	b.waitFor(what, `(() => { try { return !!`+widgetJS(0, expr)+` } catch (e) { return false } })()`)
}

// keys types into the focused element as a person does: key by key.
func (b *browser) keys(s string) {
	b.t.Helper()
	for _, r := range s {
		if err := chromedp.Do(b.ctx, chromedp.KeyEvent(string(r))); err != nil {
			b.t.Fatal(err)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

// clinic is a clinic's web site: pages on another origin (another port on
// 127.0.0.1) than CareAtlas, and the pinned npm packages under /npm/.
type clinic struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]string
}

func startClinic(t *testing.T, npm string) *clinic {
	t.Helper()
	c := &clinic{pages: map[string]string{}}
	mux := http.NewServeMux()
	if npm != "" {
		mux.Handle("/npm/", http.StripPrefix("/npm/", http.FileServer(http.Dir(npm))))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		page, ok := c.pages[r.URL.Path]
		c.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	c.Server = httptest.NewServer(mux)
	t.Cleanup(c.Close)
	return c
}

// page publishes html at path and returns its URL.
func (c *clinic) page(path, html string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pages[path] = html
	return c.URL + path
}

// instrument is a script a test page runs before the widget: it notes the
// page's globals (to compare later), the time of each key press, and the
// widget's events. Its own globals start with "__".
const instrument = `<script>
  window.__globals = Object.getOwnPropertyNames(window).map(n => [n, (Object.getOwnPropertyDescriptor(window, n) || {}).value]);
  window.__protos = [Object, Array, Function, String, Promise, EventTarget, Node, Element, HTMLElement, Document]
    .map(C => Object.getOwnPropertyNames(C.prototype).length);
  window.__sheets = () => [document.styleSheets.length, document.adoptedStyleSheets.length];
  window.__sheetsBefore = window.__sheets();
  window.__lastKey = 0;
  window.__events = [];
  addEventListener('keydown', () => { window.__lastKey = performance.now(); }, true);
  for (const name of ['results', 'error', 'post-click', 'facility', 'view']) {
    addEventListener('careatlas:' + name, e => window.__events.push({ name, t: performance.now(), detail: e.detail }), true);
  }
</script>`

// clinicHTML is a clinic page: a header, some text, its CSS, and the tag.
func clinicHTML(lang, css, body string) string {
	return `<!doctype html><html lang="` + lang + `"><head><meta charset="utf-8"><title>Sunrise Clinic</title>
<style>body{margin:0;font-family:Georgia,serif} .top{background:#28485c;color:#fff;padding:14px 20px} main{padding:10px 20px}` + css + `</style>
` + instrument + `</head><body><header class="top"><b>Sunrise Orthopaedic Clinic</b></header><main><h1>Find a treatment and its price</h1>
<p>Search every clinic we work with, with prices in euro.</p>` + body + `</main></body></html>`
}

// widgetTag is the one tag, with data attributes.
func widgetTag(base string, attrs ...string) string {
	return `<script src="` + base + `/v1/widget.js" ` + strings.Join(attrs, " ") + ` async></script>`
}

// searchResponse is what the tests read of /v1/search.
type searchResponse struct {
	Total int `json:"total"`
	Hits  []struct {
		Type           string `json:"type"`
		ID             int64  `json:"id"`
		ConvertedPrice *struct {
			Amount   float64 `json:"amount"`
			Currency string  `json:"currency"`
		} `json:"converted_price"`
	} `json:"hits"`
	Facets map[string][]struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	} `json:"facets"`
	Posts []struct {
		ID int64 `json:"id"`
	} `json:"posts"`
}

func apiSearch(t *testing.T, base string, q url.Values) searchResponse {
	t.Helper()
	resp, err := http.Get(base + "/v1/search?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out searchResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/v1/search?%s: %d %v", q.Encode(), resp.StatusCode, err)
	}
	return out
}

// ids are a response's hits as type:id.
func (r searchResponse) ids() []string {
	out := []string{}
	for _, h := range r.Hits {
		out = append(out, fmt.Sprintf("%s:%d", h.Type, h.ID))
	}
	return out
}

// facetCounts are a response's facet values with a count, as
// "facet value count".
func (r searchResponse) facetCounts(names ...string) []string {
	out := []string{}
	for _, n := range names {
		for _, v := range r.Facets[n] {
			if v.Count > 0 {
				out = append(out, fmt.Sprintf("%s %s %d", n, v.Value, v.Count))
			}
		}
	}
	return out
}
