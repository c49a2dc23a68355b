package auth

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// KeyLister is what a Cache reads from a Store.
type KeyLister interface {
	ListKeys(ctx context.Context) ([]*Key, error)
	KeysVersion(ctx context.Context) (string, error)
}

// DefaultRefresh is how often a Cache polls its store. Revocation must take
// effect within 5 seconds on every server; a poll every 2 s leaves room for
// a slow query and a request already in flight.
const DefaultRefresh = 2 * time.Second

// Cache serves keys from memory, so a request never waits on the database,
// and reloads them when the store's version stamp moves. Expiry needs no
// reload (it is checked against the clock on every request); revocation and
// new keys appear within one poll.
//
// When the store cannot be read, the cache keeps the keys it has and logs
// the error: failing every request because the database blinked would be
// worse than honouring a revocation a few seconds late.
type Cache struct {
	src  KeyLister
	keys atomic.Pointer[map[string]*Key]

	mu      sync.Mutex // serialises Refresh
	version string     // of the keys held
	// loaded is set by the first Refresh that reads the store: until then
	// the cache cannot tell a real key from a made-up one (Loaded).
	loaded atomic.Bool
}

// NewCache returns an empty cache over src; call Refresh before serving and
// Run to keep it fresh.
func NewCache(src KeyLister) *Cache {
	c := &Cache{src: src}
	empty := map[string]*Key{}
	c.keys.Store(&empty)
	return c
}

// Key returns the key with this id, or nil. A nil Cache holds no keys, so
// a server without a database may pass one.
func (c *Cache) Key(id string) *Key {
	if c == nil {
		return nil
	}
	return (*c.keys.Load())[id]
}

// Loaded reports whether the keys have been read from the store at least
// once. Until then an unknown key may be a real one the cache has not
// seen, and the middleware answers 503 keys_unavailable rather than 401:
// a server started while its database was away must not tell a clinic
// that its key is invalid. A nil Cache has nothing to load.
func (c *Cache) Loaded() bool { return c == nil || c.loaded.Load() }

// Len returns how many keys are held.
func (c *Cache) Len() int { return len(*c.keys.Load()) }

// Refresh reloads the keys if the store's version has moved since the last
// load. Run calls it on a timer; a server may also call it after a change of
// its own, to see it at once.
func (c *Cache) Refresh(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.src.KeysVersion(ctx)
	if err != nil {
		return fmt.Errorf("refresh keys: %w", err)
	}
	if v == c.version {
		c.loaded.Store(true)
		return nil
	}
	list, err := c.src.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("refresh keys: %w", err)
	}
	m := make(map[string]*Key, len(list))
	for _, k := range list {
		m[k.ID] = k
	}
	c.keys.Store(&m)
	c.version = v
	c.loaded.Store(true)
	return nil
}

// Run refreshes the cache every interval (DefaultRefresh when zero or less)
// until ctx is done, and then returns. Errors are logged, not returned: the
// cache keeps serving what it has.
func (c *Cache) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultRefresh
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
				slog.Error("keys cache: keeping the keys it has", "err", err)
			}
		}
	}
}
