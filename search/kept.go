package search

import "sync"

// kept holds values a generation keeps between searches, by key: the
// queries it understood (understandings), the records its pages showed
// (pageRecord). Each is read, never written, once put.
//
// Held in two maps of at most max entries each: a key found in the
// older is moved to the newer, and when the newer is full the older is
// dropped and the newer takes its place. What is asked for again stays;
// a client asking for something new every time only ever replaces the
// maps. A nil *kept keeps nothing.
type kept[K comparable, V any] struct {
	max       int
	mu        sync.RWMutex
	cur, prev map[K]V
}

func newKept[K comparable, V any](max int) *kept[K, V] { return &kept[K, V]{max: max} }

// get returns the value kept for k.
func (c *kept[K, V]) get(k K) (v V, ok bool) {
	if c == nil {
		return v, false
	}
	c.mu.RLock()
	v, ok = c.cur[k]
	older := false
	if !ok {
		v, ok = c.prev[k]
		older = ok
	}
	c.mu.RUnlock()
	if older {
		c.put(k, v)
	}
	return v, ok
}

// put keeps v for k.
func (c *kept[K, V]) put(k K, v V) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cur) >= c.max {
		c.prev, c.cur = c.cur, nil
	}
	if c.cur == nil {
		c.cur = map[K]V{}
	}
	c.cur[k] = v
}

// each calls fn with each key and value kept.
func (c *kept[K, V]) each(fn func(K, V)) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, m := range []map[K]V{c.cur, c.prev} {
		for k, v := range m {
			fn(k, v)
		}
	}
}

// drop forgets everything kept.
func (c *kept[K, V]) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur, c.prev = nil, nil
}
