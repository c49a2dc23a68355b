package api_test

import (
	"strings"
	"testing"
)

// TestHostileParameters pins what the fuzz targets found and the issue
// asked for: invalid UTF-8, control characters, absurd numbers and
// nameless parameters are refused with a 400 naming the parameter.
func TestHostileParameters(t *testing.T) {
	opts := openAccess()
	opts.Auth.AdminKey = "admin-for-hostile"
	srv := serve(t, miniLive(t), opts)
	for _, c := range []struct {
		method, path, param string
	}{
		{"GET", "/v1/search?q=%ff%fe", "q"},
		{"GET", "/v1/search?q=knee%00", "q"},
		{"GET", "/v1/search?from=12", "from"},
		{"GET", "/v1/search?page=922700000000000000&price_min=0", "page"}, // overflowed page × per_page
		{"GET", "/v1/search?page=99999999999999999999", "page"},
		{"GET", "/v1/search?=1", "(unnamed)"},
		{"GET", "/v1/search?city=" + strings.Repeat("a", 1001), "city"},
		{"GET", "/v1/suggest?q=kn%ff", "q"},
		{"GET", "/v1/suggest?q=kn%07", "q"},
		{"GET", "/v1/suggest?=kn", "(unnamed)"},
		{"GET", "/v1/search?q=knee&session=a%0Ab", "session"},
		{"POST", "/v1/posts/match?q=knee&session=%ff", "session"},
		{"GET", "/v1/providers/11/analytics?=1", "(unnamed)"},
	} {
		var body struct {
			Error struct{ Code, Param string } `json:"error"`
		}
		h := map[string][]string{"Authorization": {"Bearer admin-for-hostile"}}
		if code := do(t, c.method, srv.URL+c.path, h, nil, &body); code != 400 || body.Error.Param != c.param {
			t.Errorf("%s %s: %d %+v, want 400 naming %q", c.method, c.path, code, body.Error, c.param)
		}
	}
}
