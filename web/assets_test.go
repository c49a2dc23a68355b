package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// widgetBudget is the most the widget may take over the wire.
const widgetBudget = 30 << 10

func TestWidgetBudget(t *testing.T) {
	t.Logf("widget.js: %d bytes, %d gzipped (budget %d); instantsearch.js: %d bytes, %d gzipped",
		len(widget.body), len(widget.gz), widgetBudget, len(instantSearch.body), len(instantSearch.gz))
	if len(widget.gz) > widgetBudget {
		t.Errorf("widget.js is %d bytes gzipped, over the %d budget", len(widget.gz), widgetBudget)
	}
}

// TestWidgetText checks every language has every string English has.
func TestWidgetText(t *testing.T) {
	src := string(widget.body)
	block := regexp.MustCompile(`(?s)\n    (en|es|fr|de|tr): \{\n(.*?)\n    \}`)
	key := regexp.MustCompile(`(?m)(?:^|, )\s*(\w+): '`)
	keys := map[string][]string{}
	for _, m := range block.FindAllStringSubmatch(src, -1) {
		for _, k := range key.FindAllStringSubmatch(m[2], -1) {
			keys[m[1]] = append(keys[m[1]], k[1])
		}
		slices.Sort(keys[m[1]])
	}
	if len(keys) != 5 || len(keys["en"]) < 50 {
		t.Fatalf("found text for %d languages, %d English strings", len(keys), len(keys["en"]))
	}
	for lang, ks := range keys {
		if !slices.Equal(ks, keys["en"]) {
			t.Errorf("%s strings differ from English:\n%v\n%v", lang, ks, keys["en"])
		}
	}
}

func TestAssets(t *testing.T) {
	base := startCareAtlas(t)
	tests := []struct {
		path, accept string
		want         []byte
		cache        string
		contentType  string
	}{
		{"/v1/widget.js", "", widget.body, cacheStable, typeJS},
		{"/v1/widget.js", "gzip, deflate, br", widget.body, cacheStable, typeJS},
		{"/v1/widget.js", "gzip;q=0, identity", widget.body, cacheStable, typeJS},
		{"/v1/widget." + widget.hash + ".js", "gzip", widget.body, cacheHashed, typeJS},
		{"/v1/instantsearch.js", "gzip", instantSearch.body, cacheStable, typeJS},
		{"/v1/instantsearch." + instantSearch.hash + ".js", "", instantSearch.body, cacheHashed, typeJS},
		{"/", "gzip", nil, cachePage, typeHTML},
		{"/embed-example.html", "", nil, cachePage, typeHTML},
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, tc := range tests {
		req, _ := http.NewRequest("GET", base+tc.path, nil)
		if tc.accept != "" {
			req.Header.Set("Accept-Encoding", tc.accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		gz := resp.Header.Get("Content-Encoding") == "gzip"
		if wantGz := strings.HasPrefix(tc.accept, "gzip") && !strings.Contains(tc.accept, "q=0"); gz != wantGz {
			t.Errorf("%s (Accept-Encoding %q): Content-Encoding %q", tc.path, tc.accept, resp.Header.Get("Content-Encoding"))
		}
		if gz {
			r, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", tc.path, err)
			}
			body, _ = io.ReadAll(r)
		}
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Cache-Control") != tc.cache || h.Get("Content-Type") != tc.contentType ||
			h.Get("Vary") != "Accept-Encoding" || !strings.HasPrefix(h.Get("ETag"), `"`) || strings.HasPrefix(h.Get("ETag"), `W/`) {
			t.Errorf("%s: %d %v", tc.path, resp.StatusCode, h)
		}
		if tc.want != nil && !bytes.Equal(body, tc.want) {
			t.Errorf("%s: body differs from the embedded file", tc.path)
		}

		// The ETag revalidates: 304 with no body.
		req.Header.Set("If-None-Match", h.Get("ETag"))
		resp, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s with If-None-Match %s: %d, want 304", tc.path, h.Get("ETag"), resp.StatusCode)
		}
	}

	// The search page loads the widget from its hashed URL, so a browser
	// keeps it until it changes.
	page := fetchPage(t, base+"/")
	if !strings.Contains(page, `src="/v1/widget.`+widget.hash+`.js"`) {
		t.Errorf("/ does not load the hashed widget:\n%s", page)
	}
	if ex := fetchPage(t, base+"/embed-example.html"); !strings.Contains(ex, "&lt;script src=&#34;"+base+"/v1/widget.js&#34;") &&
		!strings.Contains(ex, `&lt;script src="`+base+`/v1/widget.js"`) {
		t.Errorf("the embedding example does not show the tag for %s:\n%s", base, ex)
	}

	// An outdated hash is not found; HEAD answers without a body.
	for _, path := range []string{"/v1/widget.0000000000000000.js", "/v1/nothing"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.Contains(string(body), `"not_found"`) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	resp, err := http.Head(base + "/v1/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != typeJS || resp.ContentLength != int64(len(widget.body)) {
		t.Errorf("HEAD /v1/widget.js: %d %v", resp.StatusCode, resp.Header)
	}
}

func fetchPage(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}
