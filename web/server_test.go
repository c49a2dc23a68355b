package web

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/labstack/echo/v4/middleware"
)

const mini = "../testdata/mini"

// startCareAtlas serves the mini catalogue on 127.0.0.1 as `careatlas serve`
// does (index, synonyms, posts), with the front end registered, until the
// test ends, and returns its base URL. It is the one place these tests build
// a server.
//
// Two stand-ins, until the pieces land on main: analytics are kept in memory
// (a post click answers 202, as with a database), and CORS allows every
// origin (issue 10 replaces it with each search key's allowed origins).
func startCareAtlas(t *testing.T) (baseURL string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	stats, err := indexer.Build(ctx, &indexer.FileSource{Dir: mini}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	live, err := search.NewLive(dir)
	if err != nil {
		t.Fatal(err)
	}
	edges, err := indexer.FileSynonyms(mini)
	if err != nil {
		t.Fatal(err)
	}
	live.SetSynonyms(search.NewSynonyms(edges))
	set, err := indexer.ReadPosts(stats.Path)
	if err != nil {
		t.Fatal(err)
	}
	e := api.New(live, api.Options{
		Posts:     postSource{posts.NewIndex(set.Posts, set.Countries, time.Now()).WithRates(set.Rates)},
		Analytics: &memAnalytics{},
	})
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: []string{"*"}, ExposeHeaders: []string{"Retry-After"}}))
	Register(e)
	srv := httptest.NewServer(e)
	t.Cleanup(func() { srv.Close(); live.Close() })
	return srv.URL
}

type postSource struct{ ix *posts.Index }

func (p postSource) Posts() *posts.Index { return p.ix }

// memAnalytics keeps events in memory.
type memAnalytics struct {
	mu       sync.Mutex
	searches []posts.SearchEvent
	posts    []posts.PostEvent
}

func (m *memAnalytics) RecordSearch(_ context.Context, e posts.SearchEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.searches = append(m.searches, e)
	return nil
}

func (m *memAnalytics) RecordPost(_ context.Context, e posts.PostEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.posts = append(m.posts, e)
	return nil
}

func (m *memAnalytics) Report(context.Context, int64, time.Time, time.Time) (*posts.Report, error) {
	return nil, &search.Error{Code: search.NotFound, Message: "no reports in these tests"}
}
