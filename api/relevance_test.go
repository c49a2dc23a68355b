package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/api"
)

// judgedQuery is one query of testdata/relevance/judged.json: its /v1/search
// parameters, the documents a good engine must show in the top 10 (grade 2)
// and those it may (grade 1).
type judgedQuery struct {
	ID     string            `json:"id"`
	Kind   string            `json:"kind"`
	Params map[string]string `json:"params"`
	Must   []string          `json:"must"`
	Also   []string          `json:"also"`
	Note   string            `json:"note"`
}

// Relevance floors, set from what the engine measured when the judged set
// was written (see BENCHMARKS.md), a little below it so that noise in ties
// does not fail the build but a real regression does.
const (
	floorNDCG   = 0.94
	floorRecall = 0.99
)

// TestRelevance runs the judged query set over the bundled catalogue, with
// its synonym graph, and fails when nDCG@10 or recall@10 falls below the
// floors.
func TestRelevance(t *testing.T) {
	raw, err := os.ReadFile("../testdata/relevance/judged.json")
	if err != nil {
		t.Fatal(err)
	}
	var queries []judgedQuery
	if err := json.Unmarshal(raw, &queries); err != nil {
		t.Fatalf("judged.json: %v", err)
	}
	if len(queries) < 60 {
		t.Fatalf("judged.json has %d queries; the set needs at least 60", len(queries))
	}

	srv := httptest.NewServer(api.New(bundledLive(t), openAccess()))
	t.Cleanup(srv.Close)

	type score struct{ ndcg, recall float64 }
	byKind := map[string][]score{}
	var all []score
	var misses []string
	for _, q := range queries {
		v := url.Values{}
		for k, val := range q.Params {
			v.Set(k, val)
		}
		v.Set("per_page", "10")
		var res struct {
			Hits []struct {
				Type string `json:"type"`
				ID   int64  `json:"id"`
			} `json:"hits"`
		}
		if code := get(t, srv, "/v1/search?"+v.Encode(), &res); code != 200 {
			t.Fatalf("%s: status %d", q.ID, code)
		}
		got := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			got[i] = fmt.Sprintf("%s:%d", h.Type, h.ID)
		}
		s := score{ndcg: ndcgAt10(got, q.Must, q.Also), recall: recallAt10(got, q.Must)}
		byKind[q.Kind] = append(byKind[q.Kind], s)
		all = append(all, s)
		if s.recall < 1 {
			misses = append(misses, fmt.Sprintf("%s (%q): recall %.2f nDCG %.2f, top 10 %v", q.ID, q.Params["q"], s.recall, s.ndcg, got))
		}
	}
	mean := func(ss []score) (n, r float64) {
		for _, s := range ss {
			n += s.ndcg
			r += s.recall
		}
		return n / float64(len(ss)), r / float64(len(ss))
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		n, r := mean(byKind[k])
		t.Logf("%-9s %3d queries  nDCG@10 %.3f  recall@10 %.3f", k, len(byKind[k]), n, r)
	}
	n, r := mean(all)
	t.Logf("%-9s %3d queries  nDCG@10 %.3f  recall@10 %.3f", "all", len(all), n, r)
	if len(misses) > 0 {
		t.Logf("queries that missed a must-have document:\n  %s", strings.Join(misses, "\n  "))
	}
	if n < floorNDCG || r < floorRecall {
		t.Errorf("nDCG@10 %.3f (floor %.2f), recall@10 %.3f (floor %.2f)", n, floorNDCG, r, floorRecall)
	}
}

// ndcgAt10 is the normalised discounted cumulative gain of the first ten
// results, must-have documents gaining 2 and acceptable ones 1.
func ndcgAt10(got, must, also []string) float64 {
	grade := func(key string) float64 {
		switch {
		case slices.Contains(must, key):
			return 2
		case slices.Contains(also, key):
			return 1
		}
		return 0
	}
	dcg := 0.0
	for i, key := range got[:min(10, len(got))] {
		dcg += (math.Pow(2, grade(key)) - 1) / math.Log2(float64(i)+2)
	}
	var ideal []float64
	for range must {
		ideal = append(ideal, 2)
	}
	for range also {
		ideal = append(ideal, 1)
	}
	idcg := 0.0
	for i, g := range ideal[:min(10, len(ideal))] {
		idcg += (math.Pow(2, g) - 1) / math.Log2(float64(i)+2)
	}
	if idcg == 0 {
		return 1
	}
	return dcg / idcg
}

// recallAt10 is the share of the must-have documents (at most ten of them
// count) found in the first ten results.
func recallAt10(got, must []string) float64 {
	if len(must) == 0 {
		return 1
	}
	found := 0
	for _, key := range got[:min(10, len(got))] {
		if slices.Contains(must, key) {
			found++
		}
	}
	return float64(found) / float64(min(10, len(must)))
}
