package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/web"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// The API is held to its OpenAPI description (api/openapi.json) by every
// test that talks to it: TestMain installs contract as the transport of
// http.DefaultClient, which the tests' helpers use, so each request a test
// makes and each response it gets is validated against the document.
//
// A response must be one the document describes for the request: its
// status, headers and body. A request the document calls invalid (a
// missing key, a bad parameter, an undescribed method or path) must get a
// 4xx: a 2xx means the server accepts what the document says it refuses,
// and one of them has drifted. A valid request may still get a 400: the
// document cannot say everything (price_min ≤ price_max, page × per_page
// ≤ 10000), and says it in words instead.
//
// Validation is done with github.com/pb33f/libopenapi-validator, which
// implements OpenAPI 3.1 and JSON Schema 2020-12 (unevaluatedProperties,
// type arrays, const); kin-openapi's 3.1 support is newer and opt-in.

// contract validates traffic against the document, then hands it to next.
type contract struct {
	next http.RoundTripper
	mu   sync.Mutex // the validator's caches are not documented as safe for concurrent use
	v    validator.Validator
}

var theContract = newContract()

func newContract() *contract {
	doc, err := libopenapi.NewDocument(api.OpenAPI)
	if err != nil {
		panic(fmt.Sprintf("api/openapi.json: %v", err))
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		panic(fmt.Sprintf("api/openapi.json: %v", errs))
	}
	return &contract{next: http.DefaultTransport, v: v}
}

// RoundTrip sends req and returns its response, or an error naming how the
// exchange breaks the document (which fails the test that made it).
func (ct *contract) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := ct.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err := ct.check(req, reqBody, resp, respBody); err != nil {
		return nil, fmt.Errorf("%s %s → %d breaks api/openapi.json: %w\nresponse: %.400s", req.Method, req.URL.RequestURI(),
			resp.StatusCode, err, respBody)
	}
	return resp, nil
}

func (ct *contract) check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) error {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	vreq := req.Clone(req.Context())
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	reqOK, reqErrs := ct.v.ValidateHttpRequestSync(vreq)
	if !reqOK {
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return fmt.Errorf("the document refuses the request, the server answered %d: %s", resp.StatusCode, describe(reqErrs))
		}
		if resp.StatusCode >= 500 {
			return fmt.Errorf("a request the document refuses got %d, not a 4xx: %s", resp.StatusCode, describe(reqErrs))
		}
		if isUndescribed(reqErrs) {
			// No operation to hold the response to: still, an error is an
			// error body.
			return checkErrorBody(resp, respBody)
		}
	}
	vresp := *resp
	vresp.Body = io.NopCloser(bytes.NewReader(respBody))
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	if ok, errs := ct.v.ValidateHttpResponse(vreq, &vresp); !ok {
		return fmt.Errorf("the response: %s", describe(errs))
	}
	return nil
}

// isUndescribed reports whether the request was refused for its path or
// method, which leaves no response to validate against.
func isUndescribed(errs []*verrors.ValidationError) bool {
	for _, e := range errs {
		if e.ValidationType == "path" {
			return true
		}
	}
	return false
}

// checkErrorBody holds a response outside any operation (a 404 for an
// unknown path, a 405) to the error shape.
func checkErrorBody(resp *http.Response, body []byte) error {
	if resp.StatusCode < 400 {
		return fmt.Errorf("an undescribed route answered %d", resp.StatusCode)
	}
	if resp.Request != nil && resp.Request.Method == http.MethodHead || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte(`{"error":{"code":`)) {
		return fmt.Errorf("an error outside the document's routes is not the error shape")
	}
	if resp.Header.Get(api.HeaderRequestID) == "" {
		return fmt.Errorf("no %s", api.HeaderRequestID)
	}
	return nil
}

func describe(errs []*verrors.ValidationError) string {
	var parts []string
	for _, e := range errs {
		s := e.ValidationType + "/" + e.ValidationSubType + ": " + e.Message
		if e.Reason != "" && e.Reason != e.Message {
			s += " (" + e.Reason + ")"
		}
		for _, f := range e.SchemaValidationErrors {
			s += "; " + f.Error()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " | ")
}

// TestOpenAPIDocumentIsValid: the document is valid OpenAPI 3.1.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, err := libopenapi.NewDocument(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		t.Errorf("OpenAPI %s, want 3.1", v)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		t.Errorf("api/openapi.json is not valid OpenAPI: %s", describe(errs))
	}
}

// TestEveryRouteDescribed fails on a route of api.New that the document
// does not describe, and on an operation the document describes that no
// route serves (beside the CORS preflights, which the auth middleware
// answers).
func TestEveryRouteDescribed(t *testing.T) {
	e := api.New(miniLive(t), api.Options{KeyStore: postgres.Keys{}}) // every route, the key management ones too
	web.Register(e)                                                   // and the front end, as serve adds it
	doc, err := libopenapi.NewDocument(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			described[strings.ToUpper(method)+" "+path] = true
		}
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]bool{}
	for _, r := range e.Routes() {
		op := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		op = assetHash.ReplaceAllString(op, ".{hash}.js") // a script's content-hashed URL
		served[op] = true
		if !described[op] {
			t.Errorf("%s is served but not described in api/openapi.json", op)
		}
	}
	for op := range described {
		if !served[op] && !strings.HasPrefix(op, http.MethodOptions+" ") {
			t.Errorf("api/openapi.json describes %s, which no route serves", op)
		}
	}
	if len(served) < 26 {
		t.Errorf("only %d routes: %v", len(served), slices.Sorted(func(yield func(string) bool) {
			for k := range served {
				if !yield(k) {
					return
				}
			}
		}))
	}
}

// TestOpenAPIServed: the document is served as it is kept.
func TestOpenAPIServed(t *testing.T) {
	srv := serve(t, miniLive(t), openAccess())
	resp, body := send(t, "GET", srv.URL+"/openapi.json", nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, api.OpenAPI) ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("/openapi.json: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
}

// TestContractCatchesDrift: the transport refuses a response the document
// does not describe, so that the other tests' passing means something.
func TestContractCatchesDrift(t *testing.T) {
	srv := serve(t, miniLive(t), openAccess())
	req, _ := http.NewRequest("GET", srv.URL+"/v1/search?q=knee", nil)
	resp, err := theContract.next.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tampered := bytes.Replace(body, []byte(`"total":`), []byte(`"totals":`), 1)
	if err := theContract.check(req, nil, resp, tampered); err == nil {
		t.Errorf("a search response without total passed the contract")
	}
	if err := theContract.check(req, nil, resp, body); err != nil {
		t.Errorf("the real response failed the contract: %v", err)
	}
	bad, _ := http.NewRequest("GET", srv.URL+"/v1/search?per_page=1000", nil)
	ok := &http.Response{StatusCode: 200, Header: resp.Header, Request: bad}
	if err := theContract.check(bad, nil, ok, body); err == nil {
		t.Errorf("a 200 to per_page=1000, which the document refuses, passed the contract")
	}
}

// assetHash is the hash in a script's content-hashed URL.
var assetHash = regexp.MustCompile(`\.[0-9a-f]{16}\.js$`)

// TestFrontEndContract fetches every page and script of the front end
// through the contract, as serve serves them beside the API: plain and
// gzipped, whole and revalidated (304), by GET and HEAD, at the stable and
// the content-hashed URLs the search page names.
func TestFrontEndContract(t *testing.T) {
	e := api.New(miniLive(t), openAccess())
	web.Register(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	// The content-hashed URLs: the first 16 hex digits of the SHA-256
	// of each script; the search page names the widget's.
	var hashed []string
	for _, stem := range []string{"widget", "instantsearch"} {
		_, script := send(t, "GET", srv.URL+"/v1/"+stem+".js", nil)
		sum := sha256.Sum256(script)
		hashed = append(hashed, "/v1/"+stem+"."+hex.EncodeToString(sum[:8])+".js")
	}
	if _, page := send(t, "GET", srv.URL+"/", nil); !strings.Contains(string(page), hashed[0]) {
		t.Errorf("the search page does not name %s", hashed[0])
	}
	paths := append([]string{"/", "/embed-example.html", "/v1/widget.js", "/v1/instantsearch.js"}, hashed...)
	for _, path := range paths {
		for _, method := range []string{"GET", "HEAD"} {
			for _, gzip := range []bool{false, true} {
				h := http.Header{}
				if gzip {
					h.Set("Accept-Encoding", "gzip")
				}
				resp, body := send(t, method, srv.URL+path, h)
				etag := resp.Header.Get("ETag")
				if resp.StatusCode != 200 || etag == "" || (method == "GET" && len(body) == 0) ||
					(resp.Header.Get("Content-Encoding") == "gzip") != gzip {
					t.Errorf("%s %s (gzip %v): %d, ETag %q, %d bytes, Content-Encoding %q", method, path, gzip,
						resp.StatusCode, etag, len(body), resp.Header.Get("Content-Encoding"))
					continue
				}
				h.Set("If-None-Match", etag)
				if resp, body := send(t, method, srv.URL+path, h); resp.StatusCode != 304 || len(body) != 0 {
					t.Errorf("%s %s with If-None-Match %s: %d, %d bytes; want 304", method, path, etag, resp.StatusCode, len(body))
				}
			}
		}
	}
	// A hash that names no version of the file is not found.
	if resp, _ := send(t, "GET", srv.URL+"/v1/widget.0000000000000000.js", nil); resp.StatusCode != 404 {
		t.Errorf("an unknown hash: %d, want 404", resp.StatusCode)
	}
}
