package main

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
)

// livePosts serves the posts of the index generation being served: each
// generation carries its posts, and when serve switches generation the
// posts switch with it. watch loads a new generation's posts soon after it
// opens; Posts checks too, so a search never sees another generation's.
type livePosts struct {
	live   *search.Live
	cur    atomic.Pointer[posts.Index]
	loaded atomic.Pointer[string]
	mu     sync.Mutex
	path   string
}

// Posts returns the posts of the generation being served, nil before one.
func (p *livePosts) Posts() *posts.Index {
	if path := p.live.Path(); path != "" {
		if l := p.loaded.Load(); l == nil || *l != path {
			p.refresh(path)
		}
	}
	return p.cur.Load()
}

// refresh loads the posts of the generation at path unless they are loaded.
func (p *livePosts) refresh(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if path == "" || path == p.path {
		return
	}
	set, err := posts.ReadSet(path)
	if err != nil {
		// Logged once: this generation is served without posts.
		slog.Error("load posts", "err", err)
		p.cur.Store(nil)
		p.path = path
		p.loaded.Store(&path)
		return
	}
	ix := posts.NewIndex(set.Posts, set.Countries, time.Now()).WithRates(p.live.Rates())
	p.cur.Store(ix)
	p.path = path
	p.loaded.Store(&path)
	slog.Info("posts loaded", "path", path, "posts", ix.Len())
}

// watch follows the generation live serves until ctx is done.
func (p *livePosts) watch(ctx context.Context, every time.Duration) {
	live := p.live
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
