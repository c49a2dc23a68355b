package main

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
)

// livePosts serves the posts of the index generation being served: each
// generation carries its posts, and when serve switches generation the
// posts switch with it.
type livePosts struct {
	cur  atomic.Pointer[posts.Index]
	mu   sync.Mutex
	path string
}

// Posts returns the current posts index, nil before the first one.
func (p *livePosts) Posts() *posts.Index { return p.cur.Load() }

// refresh loads the posts of the generation at path unless they are loaded.
func (p *livePosts) refresh(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if path == "" || path == p.path {
		return
	}
	set, err := indexer.ReadPosts(path)
	if err != nil {
		slog.Error("load posts", "err", err)
		return
	}
	ix := posts.NewIndex(set.Posts, set.Countries, time.Now()).WithRates(set.Rates)
	p.cur.Store(ix)
	p.path = path
	slog.Info("posts loaded", "path", path, "posts", ix.Len())
}

// watch follows the generation live serves until ctx is done.
func (p *livePosts) watch(ctx context.Context, live *search.Live, every time.Duration) {
	p.refresh(live.Path())
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.refresh(live.Path())
		}
	}
}
