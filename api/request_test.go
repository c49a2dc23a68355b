package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search/live"
)

// TestOneSearchPerRequest counts the searches the engine runs for each
// /v1/search: one, with posts on or off, with or without text.
func TestOneSearchPerRequest(t *testing.T) {
	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: "../testdata/mini"}, dir, nil); err != nil {
		t.Fatal(err)
	}
	lv, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(lv, openAccess()))
	t.Cleanup(func() { srv.Close(); lv.Close() })
	searches := func() uint64 {
		s, err := lv.Acquire()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Release()
		return s.Index.Searches()
	}
	for _, path := range []string{
		"/v1/search?q=knee+replacement",
		"/v1/search?q=nose+job&posts=3&from=GB",
		"/v1/search?q=nose+job&posts=0",
		"/v1/search?type=offer&country=US&facets=city",
		"/v1/search?q=xylophone", // nothing found: did-you-mean looks further, but searches once
	} {
		before := searches()
		var body map[string]any
		if code := get(t, srv, path, &body); code != 200 {
			t.Fatalf("%s: %d %v", path, code, body)
		}
		if n := searches() - before; n != 1 {
			t.Errorf("%s ran %d searches, want 1", path, n)
		}
	}
}

// postJSONBody sends a POST with the given content type and body.
func postBody(t *testing.T, u, contentType, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("POST %s: %v in %s", u, err, b)
	}
	return resp.StatusCode
}

// TestPostsMatchJSONBody: POST /v1/posts/match takes its parameters as a
// JSON object as well as a form or the query string, and refuses any other
// body with 415.
func TestPostsMatchJSONBody(t *testing.T) {
	srv := newPostsServer(t, false, "")
	u := srv.url + "/v1/posts/match"
	var res struct {
		Posts []postJSON `json:"posts"`
	}
	if code := postBody(t, u, "application/json", `{"q":"nose job","from":"GB","limit":2}`, &res); code != 200 ||
		!slices.Equal(ids(res.Posts), []int64{2}) {
		t.Errorf("JSON body: %d %+v, want post 2", code, res)
	}
	if code := postBody(t, u, "application/json; charset=utf-8", `{"q":"IVF","country":["DE","TR"]}`, &res); code != 200 ||
		!slices.Equal(ids(res.Posts), []int64{3}) {
		t.Errorf("JSON body with a list: %d %+v, want post 3", code, res)
	}
	for _, c := range []struct {
		contentType, body string
		status            int
		code, param       string
	}{
		{"text/plain", "q=knee", 415, "unsupported_media_type", ""},
		{"application/xml", "<q>knee</q>", 415, "unsupported_media_type", ""},
		{"application/json", `{"q":`, 400, "invalid_parameter", "body"},
		{"application/json", `["knee"]`, 400, "invalid_parameter", "body"},
		{"application/json", `{"q":{"text":"knee"}}`, 400, "invalid_parameter", "q"},
		{"application/json", `{"q":"knee"} {"q":"hip"}`, 400, "invalid_parameter", "body"},
		{"application/json", `{"colour":"red"}`, 400, "invalid_parameter", "colour"},
		{"application/json", `{"limit":0}`, 400, "invalid_parameter", "limit"},
	} {
		var body struct {
			Error struct{ Code, Param string } `json:"error"`
		}
		if code := postBody(t, u, c.contentType, c.body, &body); code != c.status || body.Error.Code != c.code || body.Error.Param != c.param {
			t.Errorf("%s %s: %d %+v, want %d %s naming %q", c.contentType, c.body, code, body, c.status, c.code, c.param)
		}
	}
}

// TestFacetsOnly: per_page=0 answers the total and the facets, no hits, as
// a client building a filter menu asks.
func TestFacetsOnly(t *testing.T) {
	srv := newServer(t)
	var res struct {
		Total   int              `json:"total"`
		PerPage int              `json:"per_page"`
		Hits    []map[string]any `json:"hits"`
		Facets  map[string][]struct {
			Value string
			Count int
		} `json:"facets"`
	}
	if code := get(t, srv, "/v1/search?type=offer&facets=country&per_page=0", &res); code != 200 {
		t.Fatalf("status %d", code)
	}
	if res.Total != 7 || len(res.Hits) != 0 || res.PerPage != 0 || len(res.Facets["country"]) != 3 ||
		res.Facets["country"][0].Value != "US" || res.Facets["country"][0].Count != 4 {
		t.Errorf("facets only: %+v", res)
	}
}
