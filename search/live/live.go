// Package live serves searches from the current generation of an index
// directory and switches generations without a failed or paused request.
//
// A request acquires one Snapshot — the generation's index with its
// columns and exchange rates, the generation's posts, and the synonym graph
// in force — and releases it when it is done: everything one request reads
// comes from that snapshot, so a search, its posts and its analytics always
// agree, whatever is published meanwhile. A generation owns its posts: they
// are loaded when it opens and closed with it.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/background"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
)

// Live follows an index directory: the generation its `current` link names
// is open, and a newly published one replaces it on Reload.
type Live struct {
	dir      string
	reloadMu sync.Mutex   // one Reload at a time, so a generation is opened once
	applyMu  sync.Mutex   // one Apply at a time (fresh.go)
	mu       sync.RWMutex // guards cur
	cur      *generation
	syn      atomic.Pointer[synonyms]   // applied at query time, to every generation
	closing  sync.WaitGroup             // old generations waiting for their last search, merges
	merging  atomic.Bool                // a merge of overlay segments is under way (fresh.go)
	backlog  atomic.Bool                // the last batch applied said more wait behind it (fresh.go)
	replay   Replayer                   // brings a new generation up to date before it is served; nil: none
	observe  atomic.Pointer[func(Work)] // told of each batch applied and merge built (Observe); nil: none
	// What /metrics reports of the generations and synonyms; see Stats.
	opens, swaps, openFailures, synonymReloads atomic.Uint64
}

// Stats count what a Live has done since it was made: generations opened,
// swaps (an open generation replaced by a newer one), generations that
// failed to open, and synonym graphs set. Operators watch them to see that
// reindexing and synonym edits reach the server.
type Stats struct {
	Opens, Swaps, OpenFailures, SynonymReloads uint64
}

// Stats returns the counts so far.
func (l *Live) Stats() Stats {
	return Stats{Opens: l.opens.Load(), Swaps: l.swaps.Load(), OpenFailures: l.openFailures.Load(),
		SynonymReloads: l.synonymReloads.Load()}
}

// generation is one open index generation and its posts. inUse counts the
// snapshots holding it; once it is no longer current, it closes when the
// count falls to zero.
type generation struct {
	ix    *search.Index
	posts *posts.Index
	inUse sync.WaitGroup
	// fresh is the changes applied on top (fresh.go); nil: none. Written
	// under Live.mu and Live.applyMu.
	fresh *fresh
	// retired: no longer current (or never to be); nothing is applied to
	// it any more. Written under Live.mu.
	retired bool
}

// synonyms is a synonym graph and the version of its source it came from.
type synonyms struct {
	graph   *search.Synonyms
	version string
}

// New opens the current generation of dir if there is one. With none, the
// Live is not ready and Acquire returns search.ErrNoIndex until Reload
// finds one.
func New(dir string) (*Live, error) {
	l := &Live{dir: dir}
	l.syn.Store(&synonyms{})
	if _, err := l.Reload(); err != nil && !errors.Is(err, search.ErrNoIndex) {
		return nil, err
	}
	return l, nil
}

// Snapshot is what one request reads: one generation's index and posts, and
// the synonym graph in force when it was acquired. Release it when done.
type Snapshot struct {
	Index    *search.Index
	Posts    *posts.Index
	Synonyms *search.Synonyms
	gen      *generation
	fresh    *fresh // the changes applied on top of Index; nil: none
	released atomic.Bool
}

// Acquire returns a snapshot of the current generation, or
// search.ErrNoIndex while none is open.
func (l *Live) Acquire() (*Snapshot, error) { return l.acquire(true) }

// AcquireGeneration returns a snapshot of the current generation as it
// was built, without the changes applied on top: what 'careatlas bench
// fresh --floor' measures searches under writes against when they have
// no overlay to read. Serving never uses it.
func (l *Live) AcquireGeneration() (*Snapshot, error) { return l.acquire(false) }

func (l *Live) acquire(changes bool) (*Snapshot, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur == nil {
		return nil, search.ErrNoIndex
	}
	l.cur.inUse.Add(1)
	s := &Snapshot{Index: l.cur.ix, Posts: l.cur.posts, Synonyms: l.syn.Load().graph, gen: l.cur}
	if f := l.cur.fresh; f != nil && changes { // freshness hook: the overlay in force
		f.inUse.Add(1)
		s.fresh = f
		if f.posts != nil {
			s.Posts = f.posts
		}
	}
	return s, nil
}

// Release gives the snapshot back; a second call does nothing.
func (s *Snapshot) Release() {
	if s.released.CompareAndSwap(false, true) {
		if s.fresh != nil {
			s.fresh.inUse.Done()
		}
		s.gen.inUse.Done()
	}
}

// Rates are the exchange rates of the snapshot: its generation's, or the
// newer ones applied on top.
func (s *Snapshot) Rates() search.Rates {
	if s.fresh != nil {
		return s.fresh.overlay.Rates()
	}
	return s.Index.Rates()
}

// Generation names the snapshot's generation (its directory's name).
func (s *Snapshot) Generation() string { return filepath.Base(s.Index.Path()) }

// Search runs r on the snapshot.
func (s *Snapshot) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	if s.fresh != nil {
		return s.fresh.overlay.Search(ctx, r, s.Synonyms)
	}
	return s.Index.Search(ctx, r, s.Synonyms)
}

// Suggest completes q on the snapshot.
func (s *Snapshot) Suggest(ctx context.Context, q string, limit int) ([]search.Suggestion, error) {
	if s.fresh != nil {
		return s.fresh.overlay.Suggest(ctx, q, limit)
	}
	return s.Index.Suggest(ctx, q, limit)
}

// Get returns one record of the snapshot.
func (s *Snapshot) Get(ctx context.Context, typ string, id int64) (*search.Record, error) {
	if s.fresh != nil {
		return s.fresh.overlay.Get(ctx, typ, id)
	}
	return s.Index.Get(ctx, typ, id)
}

// Ready reports whether a generation is open.
func (l *Live) Ready() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur != nil
}

// Path is the path of the open generation, "" when none is.
func (l *Live) Path() string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur == nil {
		return ""
	}
	return l.cur.ix.Path()
}

// Reload switches to the published generation if it differs from the open
// one, and reports whether it switched. The new generation is opened, with
// its posts, and brought up to date by the Replayer, if one is set, before
// any search is sent to it.
func (l *Live) Reload() (bool, error) { return l.ReloadContext(context.Background()) }

// ReloadContext is Reload with a context for the replay.
func (l *Live) ReloadContext(ctx context.Context) (bool, error) {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	path, err := search.Current(l.dir)
	if err != nil {
		return false, err
	}
	if path == l.Path() {
		return false, nil
	}
	g, err := open(path)
	if err != nil {
		l.openFailures.Add(1)
		return false, err
	}
	if l.replay != nil {
		// Replay what came after the generation's position while the old
		// one keeps being updated, then what came meanwhile with the old
		// one's updates held: the swap happens at a position at or past
		// the old one's, so no request sees older data after it.
		err := l.replay(ctx, &Pending{l: l, g: g})
		if err == nil {
			l.applyMu.Lock()
			defer l.applyMu.Unlock()
			err = l.replay(ctx, &Pending{l: l, g: g, locked: true})
		}
		if err != nil {
			l.openFailures.Add(1)
			l.mu.Lock()
			g.retired = true
			l.mu.Unlock()
			l.retire(g)
			return false, fmt.Errorf("bring %s up to date: %w", filepath.Base(path), err)
		}
	}
	l.mu.Lock()
	old := l.cur
	l.cur = g
	if old != nil {
		old.retired = true
	}
	l.mu.Unlock()
	l.opens.Add(1)
	if old != nil {
		l.swaps.Add(1)
		l.retire(old)
	}
	slog.Info("index opened", "path", path, "posts", g.posts.Len())
	return true, nil
}

// open opens the generation at path and its posts.
func open(path string) (*generation, error) {
	ix, err := search.Open(path)
	if err != nil {
		return nil, err
	}
	set, err := posts.ReadSet(path)
	if err != nil {
		ix.Close()
		return nil, fmt.Errorf("open generation %s: %w", path, err)
	}
	ps := posts.NewIndex(set.Posts, set.Countries, time.Now()).WithRates(ix.Rates())
	return &generation{ix: ix, posts: ps}, nil
}

// retire closes a generation that is no longer current once the last
// snapshot of it is released. No new snapshot can take it, so the count
// only falls.
func (l *Live) retire(g *generation) {
	l.closing.Add(1)
	go func() {
		defer l.closing.Done()
		g.inUse.Wait()
		l.mu.RLock()
		f := g.fresh // no longer current: Apply writes it no more
		l.mu.RUnlock()
		if f != nil {
			f.inUse.Wait()
			if err := f.overlay.Close(); err != nil {
				slog.Error("close overlay", "path", g.ix.Path(), "err", err)
			}
		}
		if err := g.ix.Close(); err != nil {
			slog.Error("close old index", "path", g.ix.Path(), "err", err)
		}
	}()
}

// Watch looks for a newly published generation every interval until ctx is
// done. A generation that fails to open is logged and tried again at the
// next tick; the open one keeps serving. Each look runs at background
// priority (package background): opening a generation and replaying the
// changes after it take a core for seconds while the open one serves.
func (l *Live) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	done := make(chan error, 1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			background.Go(func() {
				_, err := l.ReloadContext(ctx)
				done <- err
			})
			if err := <-done; err != nil && !errors.Is(err, search.ErrNoIndex) {
				slog.Error("reload index", "err", err)
			}
		}
	}
}

// SetSynonyms replaces the synonym graph every generation's searches use,
// and records which version of its source it came from.
func (l *Live) SetSynonyms(g *search.Synonyms, version string) {
	l.syn.Store(&synonyms{graph: g, version: version})
	l.synonymReloads.Add(1)
}

// Synonyms is the synonym graph in use (nil: none) and its version.
func (l *Live) Synonyms() (*search.Synonyms, string) {
	s := l.syn.Load()
	return s.graph, s.version
}

// Close closes the open generation once the searches on it have finished,
// and waits for every retired generation to close.
func (l *Live) Close() {
	l.mu.Lock()
	old := l.cur
	l.cur = nil
	if old != nil {
		old.retired = true
	}
	l.mu.Unlock()
	if old != nil {
		l.retire(old)
	}
	l.closing.Wait()
}
