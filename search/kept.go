package search

import "sync"

// kept holds values a generation keeps between searches, by key: the
// queries it understood (understandings), the records its pages showed
// (pageRecord). Each is read, never written, once put.
//
// Held in two maps of at most maxBytes each, by the size each value was
// put with (roughly what it holds on the heap): a key found in the
// older is moved to the newer, and when the newer is full the older is
// dropped and the newer takes its place. What is asked for again stays;
// a client asking for something new every time only ever replaces the
// maps. A nil *kept keeps nothing.
type kept[K comparable, V any] struct {
	maxBytes  int
	mu        sync.RWMutex
	cur, prev map[K]sized[V]
	curBytes  int
}

type sized[V any] struct {
	v     V
	bytes int
}

func newKept[K comparable, V any](maxBytes int) *kept[K, V] { return &kept[K, V]{maxBytes: maxBytes} }

// get returns the value kept for k.
func (c *kept[K, V]) get(k K) (v V, ok bool) {
	if c == nil {
		return v, false
	}
	c.mu.RLock()
	e, ok := c.cur[k]
	older := false
	if !ok {
		e, ok = c.prev[k]
		older = ok
	}
	c.mu.RUnlock()
	if older {
		c.put(k, e.v, e.bytes)
	}
	return e.v, ok
}

// put keeps v for k; v holds about bytes (a value of more than a map
// holds is not kept).
func (c *kept[K, V]) put(k K, v V, bytes int) {
	if c == nil || bytes > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.curBytes+bytes > c.maxBytes {
		c.prev, c.cur, c.curBytes = c.cur, nil, 0
	}
	if c.cur == nil {
		c.cur = map[K]sized[V]{}
	}
	if was, ok := c.cur[k]; ok {
		c.curBytes -= was.bytes
	}
	c.cur[k] = sized[V]{v, bytes}
	c.curBytes += bytes
}

// each calls fn with each key and value kept.
func (c *kept[K, V]) each(fn func(K, V)) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, m := range []map[K]sized[V]{c.cur, c.prev} {
		for k, e := range m {
			fn(k, e.v)
		}
	}
}

// drop forgets everything kept.
func (c *kept[K, V]) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur, c.prev, c.curBytes = nil, nil, 0
}
