package web

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

const mini = "../testdata/mini"

// startCareAtlas serves the mini catalogue on 127.0.0.1 as `careatlas serve`
// does with a database (index, synonyms, posts, analytics and keys in a real
// PostgreSQL), open to keyless clients, with the front end registered, until
// the test ends, and returns its base URL. It is the one place these tests
// build a server.
func startCareAtlas(t *testing.T) (baseURL string) {
	t.Helper()
	base, _ := serveMini(t, true)
	return base
}

// startCareAtlasWithKey is startCareAtlas with public search off and one
// search key allowing the given browser origins; it returns the key too.
func startCareAtlasWithKey(t *testing.T, origins ...string) (baseURL, key string) {
	t.Helper()
	base, keys := serveMini(t, false)
	k, secret, err := auth.NewKey(auth.Search, "clinic page", auth.Scope{Origins: origins}, time.Time{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.store.CreateKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	if err := keys.cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return base, secret.Reveal()
}

type testKeys struct {
	store postgres.Keys
	cache *auth.Cache
}

func serveMini(t *testing.T, public bool) (string, testKeys) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := indexer.Build(ctx, &indexer.FileSource{Dir: mini}, dir, nil); err != nil {
		t.Fatal(err)
	}
	lv, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	edges, err := indexer.FileSynonyms(mini)
	if err != nil {
		t.Fatal(err)
	}
	lv.SetSynonyms(search.NewSynonyms(edges), "")
	pool, err := postgres.Connect(ctx, pgtest.MustDB(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Load(ctx, pool, mini); err != nil {
		t.Fatal(err)
	}
	events := postgres.NewEventWriter(pool, postgres.EventOptions{FlushEvery: 10 * time.Millisecond})
	keys := testKeys{store: postgres.Keys{Pool: pool}}
	keys.cache = auth.NewCache(keys.store)
	if err := keys.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	e := api.New(lv, api.Options{
		Analytics: postgres.Analytics{EventWriter: events, Reports: postgres.Reports{Pool: pool}},
		// One address (the test's browser) searches as fast as a test
		// types: no per-address limit.
		Auth: auth.Config{Keys: keys.cache, PublicSearch: public, AnonymousRate: auth.Rate{PerMinute: -1}},
	})
	Register(e)
	srv := httptest.NewServer(e)
	t.Cleanup(func() {
		srv.Close()
		events.Close(ctx)
		pool.Close()
		lv.Close()
	})
	return srv.URL, keys
}
