package search

import "testing"

// TestKeptStaysBounded: a kept map never holds more than twice its
// bytes, whatever a client asks for; what is asked for again stays
// while new keys keep coming; a value larger than a map is not kept.
func TestKeptStaysBounded(t *testing.T) {
	c := newKept[int, int](1000)
	held := func() (bytes, n int) {
		c.mu.RLock()
		defer c.mu.RUnlock()
		for _, m := range []map[int]sized[int]{c.cur, c.prev} {
			for _, e := range m {
				bytes += e.bytes
				n++
			}
		}
		return bytes, n
	}
	const popular = -1
	c.put(popular, 42, 100)
	for k := range 10_000 {
		c.put(k, k, 10+k%90)
		if k%10 == 0 {
			if v, ok := c.get(popular); !ok || v != 42 {
				t.Fatalf("after %d new keys, the key asked for every 10 is gone (%d, %v)", k+1, v, ok)
			}
		}
		if bytes, _ := held(); bytes > 2000 {
			t.Fatalf("after %d keys, %d bytes held, more than two maps of 1000", k+1, bytes)
		}
	}
	if _, ok := c.get(9_999); !ok {
		t.Error("the last key put is not kept")
	}
	if _, ok := c.get(0); ok {
		t.Error("the first key, never asked for again, is still kept after 10,000 others")
	}
	c.put(-2, 0, 1001)
	if _, ok := c.get(-2); ok {
		t.Error("a value larger than a map is kept")
	}
	c.drop()
	if bytes, n := held(); bytes != 0 || n != 0 {
		t.Errorf("dropped, it still holds %d values, %d bytes", n, bytes)
	}
	var none *kept[int, int]
	none.put(1, 1, 1)
	if _, ok := none.get(1); ok {
		t.Error("a nil kept keeps a value")
	}
}
