package search

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Live serves searches from the current generation of an index directory
// and switches to a new generation when one is published, without a failed
// or paused request: searches in flight finish on the generation they
// started on, which is closed once the last of them is done.
type Live struct {
	dir        string
	reloadMu   sync.Mutex // one Reload at a time, so a generation is opened once
	mu         sync.RWMutex
	cur        *generation
	syn        atomic.Pointer[Synonyms] // applied at query time, to every generation
	synMu      sync.Mutex
	synVersion string
}

type generation struct {
	ix   *Index
	refs atomic.Int64
}

// NewLive opens the live generation of dir if there is one. With none, the
// Live is not ready and its searches return ErrNoIndex until Reload finds one.
func NewLive(dir string) (*Live, error) {
	l := &Live{dir: dir}
	if _, err := l.Reload(); err != nil && !errors.Is(err, ErrNoIndex) {
		return nil, err
	}
	return l, nil
}

// Ready reports whether an index is open.
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
// one, and reports whether it switched.
func (l *Live) Reload() (bool, error) {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	path, err := Current(l.dir)
	if err != nil {
		return false, err
	}
	if path == l.Path() {
		return false, nil
	}
	ix, err := Open(path)
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	old := l.cur
	l.cur = &generation{ix: ix}
	l.mu.Unlock()
	if old != nil {
		go old.closeWhenIdle()
	}
	slog.Info("index opened", "path", path)
	return true, nil
}

// Watch polls for a newly published generation until ctx is done.
func (l *Live) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := l.Reload(); err != nil && !errors.Is(err, ErrNoIndex) {
				slog.Error("reload index", "err", err)
			}
		}
	}
}

// acquire returns the open generation, counted as in use until release.
func (l *Live) acquire() (*generation, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur == nil {
		return nil, ErrNoIndex
	}
	l.cur.refs.Add(1)
	return l.cur, nil
}

func (g *generation) release() { g.refs.Add(-1) }

// closeWhenIdle closes a generation that is no longer current once no
// search uses it. No new search can acquire it, so the count only falls.
func (g *generation) closeWhenIdle() {
	for g.refs.Load() > 0 {
		time.Sleep(20 * time.Millisecond)
	}
	if err := g.ix.Close(); err != nil {
		slog.Error("close old index", "path", g.ix.Path(), "err", err)
	}
}

// Search runs r on the open generation.
func (l *Live) Search(ctx context.Context, r Request) (*Result, error) {
	g, err := l.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.ix.Search(ctx, r, l.syn.Load())
}

// SetSynonyms replaces the synonym graph every generation's searches use.
func (l *Live) SetSynonyms(s *Synonyms) { l.SetSynonymsVersion(s, "") }

// SetSynonymsVersion replaces the synonym graph and records which version
// of its source it came from.
func (l *Live) SetSynonymsVersion(s *Synonyms, version string) {
	l.synMu.Lock()
	defer l.synMu.Unlock()
	l.syn.Store(s)
	l.synVersion = version
}

// Synonyms is the synonym graph in use (nil: none).
func (l *Live) Synonyms() *Synonyms { return l.syn.Load() }

// SynonymsVersion is the version SetSynonymsVersion recorded.
func (l *Live) SynonymsVersion() string {
	l.synMu.Lock()
	defer l.synMu.Unlock()
	return l.synVersion
}

// Get returns one record from the open generation.
func (l *Live) Get(ctx context.Context, typ string, id int64) (*Record, error) {
	g, err := l.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.ix.Get(ctx, typ, id)
}

// Close closes the open generation once searches on it have finished.
func (l *Live) Close() {
	l.mu.Lock()
	old := l.cur
	l.cur = nil
	l.mu.Unlock()
	if old != nil {
		old.closeWhenIdle()
	}
}

// Rates are the exchange rates of the open generation.
func (l *Live) Rates() Rates {
	g, err := l.acquire()
	if err != nil {
		return Rates{}
	}
	defer g.release()
	return g.ix.Rates()
}
