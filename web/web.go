// Package web is CareAtlas's front end: the search widget a clinic adds to
// its site with one script tag, the InstantSearch.js adapter, the search page
// at "/" and the embedding example. The files are embedded in the binary and
// served with content-hash ETags, gzip, and caching that lets a browser keep
// a hashed URL for a year and revalidate a stable one cheaply.
//
// It knows nothing of the search engine: the widget talks to the public API
// (/v1/search, /v1/suggest, …) like any other client.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed assets
var files embed.FS

// Cache lifetimes. A hashed URL never changes content, so it is kept for a
// year; a stable URL is kept briefly, then revalidated with its ETag, so a
// new release reaches every clinic's visitors within minutes.
const (
	cacheHashed = "public, max-age=31536000, immutable"
	cacheStable = "public, max-age=300"
	cachePage   = "no-cache"
)

// Content types of the files served.
const (
	typeJS   = "text/javascript; charset=utf-8"
	typeHTML = "text/html; charset=utf-8"
)

// asset is one file as served: its bytes, gzipped bytes and strong ETag.
type asset struct {
	body, gz    []byte
	contentType string
	// hash is the first 16 hex digits of the SHA-256 of body: the ETag and
	// the name of the file's content-hashed URL.
	hash string
}

func newAsset(body []byte, contentType string) *asset {
	sum := sha256.Sum256(body)
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	w.Write(body)
	w.Close()
	return &asset{body: body, gz: gz.Bytes(), contentType: contentType, hash: hex.EncodeToString(sum[:8])}
}

// The scripts: the widget and the InstantSearch adapter, read once.
var (
	widget        = mustAsset("assets/widget.js", typeJS)
	instantSearch = mustAsset("assets/instantsearch.js", typeJS)
)

func mustAsset(name, contentType string) *asset {
	b, err := fs.ReadFile(files, name)
	if err != nil {
		panic(fmt.Sprintf("web: embedded %s: %v", name, err))
	}
	return newAsset(b, contentType)
}

// hashedPath is the script's content-hashed URL, e.g. /v1/widget.3f2a….js.
func (a *asset) hashedPath(stem string) string { return "/v1/" + stem + "." + a.hash + ".js" }

// Register adds the front end's routes to e: the search page at "/", the
// embedding example, and the widget and InstantSearch adapter at stable and
// content-hashed URLs.
func Register(e *echo.Echo) {
	scripts := []struct {
		stem string
		a    *asset
	}{{"widget", widget}, {"instantsearch", instantSearch}}
	for _, s := range scripts {
		get(e, "/v1/"+s.stem+".js", serve(s.a, cacheStable))
		get(e, s.a.hashedPath(s.stem), serve(s.a, cacheHashed))
	}
	get(e, "/", serve(newAsset([]byte(page("assets/index.html")), typeHTML), cachePage))
	example := page("assets/embed-example.html")
	get(e, "/embed-example.html", func(c echo.Context) error {
		// The tag to copy names the host the visitor reached.
		origin := html.EscapeString(c.Scheme() + "://" + c.Request().Host)
		body := strings.ReplaceAll(example, "{{origin}}", origin)
		return serve(newAsset([]byte(body), typeHTML), cachePage)(c)
	})
}

// get routes GET and HEAD.
func get(e *echo.Echo, path string, h echo.HandlerFunc) {
	e.Match([]string{http.MethodGet, http.MethodHead}, path, h)
}

// page reads an HTML page and points it at the scripts' hashed URLs: the
// page is revalidated on every visit, so the scripts it names can be cached
// for good.
func page(name string) string {
	b, err := fs.ReadFile(files, name)
	if err != nil {
		panic(fmt.Sprintf("web: embedded %s: %v", name, err))
	}
	return strings.NewReplacer("{{widget.js}}", widget.hashedPath("widget"),
		"{{instantsearch.js}}", instantSearch.hashedPath("instantsearch")).Replace(string(b))
}

// serve answers with a, gzipped when the client accepts it, or 304 when
// the client's copy is current.
func serve(a *asset, cacheControl string) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		gz := acceptsGzip(c.Request().Header.Get("Accept-Encoding"))
		body, etag := a.body, `"`+a.hash+`"`
		if gz {
			// A strong ETag names one representation: the gzipped bytes
			// differ from the plain ones.
			body, etag = a.gz, `"`+a.hash+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("Vary", "Accept-Encoding")
		h.Set("ETag", etag)
		h.Set("Cache-Control", cacheControl)
		h.Set("X-Content-Type-Options", "nosniff")
		if a.contentType == typeJS {
			// Clinics load the scripts from their own pages: allow
			// Subresource Integrity (crossorigin) and cross-origin isolation.
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		}
		if matchesETag(c.Request().Header.Get("If-None-Match"), a.hash) {
			h.Del("Content-Encoding")
			return c.NoContent(http.StatusNotModified)
		}
		if c.Request().Method == http.MethodHead {
			h.Set("Content-Type", a.contentType)
			h.Set("Content-Length", fmt.Sprint(len(body)))
			return c.NoContent(http.StatusOK)
		}
		return c.Blob(http.StatusOK, a.contentType, body)
	}
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) listed without
// q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// matchesETag says whether an If-None-Match header names either
// representation of the content with this hash (comparison is weak, as
// RFC 9110 asks for If-None-Match).
func matchesETag(header, hash string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == `"`+hash+`"` || tag == `"`+hash+`-gz"` {
			return true
		}
	}
	return false
}
