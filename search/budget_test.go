package search_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
)

// adversarialQuery is what a hostile client sends to cost the most: many
// distinct words the index does not hold (each analysed in every language
// and typo-corrected), long enough for two-edit corrections.
func adversarialQuery(r *rand.Rand, words int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	out := make([]string, words)
	for i := range out {
		b := make([]byte, 8+r.IntN(6))
		for j := range b {
			b[j] = letters[r.IntN(len(letters))]
		}
		out[i] = string(b)
	}
	q := strings.Join(out, " ")
	return strings.TrimSpace(q[:min(len(q), search.MaxQueryLength)])
}

func BenchmarkAdversarial(b *testing.B) {
	live := bundledIndex(b)
	edges, err := indexer.FileSynonyms("../testdata/catalog")
	if err != nil {
		b.Fatal(err)
	}
	live.SetSynonyms(search.NewSynonyms(edges))
	r := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for b.Loop() {
		req := search.Request{Query: adversarialQuery(r, 45), Facets: search.FacetNames()}
		if _, err := live.Search(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
