package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/search"
)

// The judged relevance set (testdata/relevance/judged.json) is graded against
// the bundled catalogue; these tests keep the two in step, so that a
// regenerated catalogue cannot silently turn judgments into dangling keys.

const (
	bundled = "../../testdata/catalog"
	judged  = "../../testdata/relevance/judged.json"
)

type judgedQuery struct {
	ID     string            `json:"id"`
	Kind   string            `json:"kind"`
	Params map[string]string `json:"params"`
	Must   []string          `json:"must"`
	Also   []string          `json:"also"`
	Note   string            `json:"note"`
}

// searchParams are the /v1/search parameters a judged query may use.
var searchParams = []string{"q", "type", "country", "city", "category", "lang", "currency",
	"price_min", "price_max", "near", "radius_km", "from", "sort"}

var (
	judgedKinds = []string{"lay", "typo", "language", "place", "price", "clinical", "mixed"}
	docTypes    = []string{"offer", "facility", "doctor", "treatment"}
	sorts       = []string{"relevance", "price_asc", "price_desc", "rating", "distance"}
)

// bundledKeys returns the document key ("type:id") of every row of the
// bundled catalogue that becomes a document, reading it as Load does.
func bundledKeys(t *testing.T) map[string]bool {
	t.Helper()
	r, err := Open(bundled)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	add := func(typ string, id int64) { keys[typ+":"+strconv.FormatInt(id, 10)] = true }
	check := func(err error) {
		if err != nil {
			t.Fatalf("read bundled catalogue: %v", err)
		}
	}
	for _, err := range r.ExchangeRates() {
		check(err)
	}
	for _, err := range r.Countries() {
		check(err)
	}
	for x, err := range r.Treatments() {
		check(err)
		add("treatment", x.ID)
	}
	for x, err := range r.Facilities() {
		check(err)
		add("facility", x.ID)
	}
	for x, err := range r.Doctors() {
		check(err)
		add("doctor", x.ID)
	}
	for _, err := range r.DoctorTreatments() {
		check(err)
	}
	for x, err := range r.Offers() {
		check(err)
		add("offer", x.ID)
	}
	return keys
}

func readJudged(t *testing.T) []judgedQuery {
	t.Helper()
	b, err := os.ReadFile(judged)
	if err != nil {
		t.Fatal(err)
	}
	var qs []judgedQuery
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&qs); err != nil {
		t.Fatalf("parse %s: %v", judged, err)
	}
	return qs
}

func TestJudgedQueriesMatchBundledCatalogue(t *testing.T) {
	keys := bundledKeys(t)
	qs := readJudged(t)
	if len(qs) < 60 {
		t.Errorf("%d judged queries, want at least 60", len(qs))
	}
	perKind := map[string]int{}
	ids := map[string]bool{}
	for _, q := range qs {
		perKind[q.Kind]++
		if q.ID == "" || ids[q.ID] {
			t.Errorf("query id %q is empty or repeated", q.ID)
		}
		ids[q.ID] = true
		for _, err := range checkJudged(q, keys) {
			t.Errorf("%s: %v", q.ID, err)
		}
	}
	for kind, least := range map[string]int{"lay": 15, "typo": 12, "language": 12} {
		if perKind[kind] < least {
			t.Errorf("%d %s queries, want at least %d", perKind[kind], kind, least)
		}
	}
	if n := perKind["place"] + perKind["price"]; n < 10 {
		t.Errorf("%d place and price queries, want at least 10", n)
	}
}

// checkJudged returns what is wrong with one judged query.
func checkJudged(q judgedQuery, keys map[string]bool) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !slices.Contains(judgedKinds, q.Kind) {
		bad("kind %q is not one of %v", q.Kind, judgedKinds)
	}
	if q.Note == "" {
		bad("no note saying why")
	}
	for k, v := range q.Params {
		if !slices.Contains(searchParams, k) {
			bad("unknown parameter %q", k)
		}
		if strings.TrimSpace(v) == "" {
			bad("parameter %q is empty", k)
		}
	}
	var types []string
	if typ, ok := q.Params["type"]; ok {
		types = strings.Split(typ, ",")
		for _, ty := range types {
			if !slices.Contains(docTypes, ty) {
				bad("type %q is not one of %v", ty, docTypes)
			}
		}
	}
	if lang, ok := q.Params["lang"]; ok && !search.SupportedLanguage(lang) {
		bad("lang %q is not one of %v", lang, search.Languages)
	}
	if s, ok := q.Params["sort"]; ok && !slices.Contains(sorts, s) {
		bad("sort %q is not one of %v", s, sorts)
	}
	for _, k := range []string{"price_min", "price_max", "radius_km"} {
		if v, ok := q.Params[k]; ok {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				bad("%s %q is not a number", k, v)
			}
		}
	}
	if len(q.Must) == 0 {
		bad("no must key")
	}
	if len(q.Must) > 10 {
		bad("%d must keys, but only the top 10 are judged", len(q.Must))
	}
	seen := map[string]bool{}
	for _, key := range append(slices.Clone(q.Must), q.Also...) {
		if seen[key] {
			bad("key %s listed twice", key)
		}
		seen[key] = true
		if !keys[key] {
			bad("key %s is not in the bundled catalogue", key)
		}
		if typ, _, _ := strings.Cut(key, ":"); len(types) > 0 && !slices.Contains(types, typ) {
			bad("key %s is not of the type searched (%v)", key, types)
		}
	}
	return errs
}

func TestCheckJudgedCatchesMistakes(t *testing.T) {
	keys := map[string]bool{"treatment:1": true, "offer:7": true}
	good := judgedQuery{ID: "x", Kind: "lay", Params: map[string]string{"q": "nose job", "type": "treatment"},
		Must: []string{"treatment:1"}, Note: "why"}
	tests := []struct {
		name string
		edit func(*judgedQuery)
		want string
	}{
		{"good", func(*judgedQuery) {}, ""},
		{"unknown key", func(q *judgedQuery) { q.Must = []string{"treatment:2"} }, "not in the bundled catalogue"},
		{"no must", func(q *judgedQuery) { q.Must = nil; q.Also = []string{"treatment:1"} }, "no must key"},
		{"unknown parameter", func(q *judgedQuery) { q.Params = map[string]string{"q": "x", "pricemax": "3"} }, "unknown parameter"},
		{"wrong type", func(q *judgedQuery) { q.Must = []string{"offer:7"} }, "not of the type searched"},
		{"must and also", func(q *judgedQuery) { q.Also = []string{"treatment:1"} }, "listed twice"},
		{"bad kind", func(q *judgedQuery) { q.Kind = "other" }, "kind"},
		{"bad price", func(q *judgedQuery) { q.Params = map[string]string{"q": "x", "price_max": "3k"} }, "not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := good
			q.Params = maps.Clone(good.Params)
			tc.edit(&q)
			errs := checkJudged(q, keys)
			switch {
			case tc.want == "" && len(errs) > 0:
				t.Errorf("unexpected errors %v", errs)
			case tc.want != "" && !strings.Contains(fmt.Sprint(errs), tc.want):
				t.Errorf("errors %v do not say %q", errs, tc.want)
			}
		})
	}
}
