package search_test

import (
	"context"

	"github.com/careatlas/careatlas/search"
)

// testIndex is an opened index and the synonym graph its searches use: what
// a served snapshot holds, without the serving around it.
type testIndex struct {
	ix  *search.Index
	syn *search.Synonyms
}

func openIndex(dir string) (*testIndex, error) {
	path, err := search.Current(dir)
	if err != nil {
		return nil, err
	}
	ix, err := search.Open(path)
	if err != nil {
		return nil, err
	}
	return &testIndex{ix: ix}, nil
}

func (t *testIndex) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	return t.ix.Search(ctx, r, t.syn)
}

func (t *testIndex) Suggest(ctx context.Context, q string, limit int) ([]search.Suggestion, error) {
	return t.ix.Suggest(ctx, q, limit)
}

func (t *testIndex) Get(ctx context.Context, typ string, id int64) (*search.Record, error) {
	return t.ix.Get(ctx, typ, id)
}

func (t *testIndex) SetSynonyms(s *search.Synonyms) { t.syn = s }

func (t *testIndex) Close() { t.ix.Close() }
