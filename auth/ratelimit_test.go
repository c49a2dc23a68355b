package auth

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

func TestTokenBucket(t *testing.T) {
	l := NewLimiter(100)
	r := Rate{PerMinute: 60, Burst: 3} // one a second, three at once
	clock := now
	for i := range 3 {
		lim := l.Take("a", r, clock)
		if !lim.Allowed || lim.Remaining != 2-i {
			t.Fatalf("request %d of the burst: %+v", i+1, lim)
		}
	}
	lim := l.Take("a", r, clock)
	if lim.Allowed || lim.Remaining != 0 || ceilSeconds(lim.Reset) != 1 {
		t.Fatalf("past the burst: %+v, want refused, retry in 1 s", lim)
	}
	if other := l.Take("b", r, clock); !other.Allowed {
		t.Fatal("another bucket was refused")
	}
	clock = clock.Add(500 * time.Millisecond)
	if lim := l.Take("a", r, clock); lim.Allowed || ceilSeconds(lim.Reset) != 1 {
		t.Fatalf("half a token later: %+v", lim)
	}
	clock = clock.Add(500 * time.Millisecond)
	if lim := l.Take("a", r, clock); !lim.Allowed {
		t.Fatalf("a token later: %+v", lim)
	}
	// An hour idle refills to the burst, never beyond.
	clock = clock.Add(time.Hour)
	for i := range 4 {
		if lim := l.Take("a", r, clock); lim.Allowed != (i < 3) {
			t.Fatalf("after an hour, request %d: %+v", i+1, lim)
		}
	}
	l.Refund("a", r)
	if lim := l.Take("a", r, clock); !lim.Allowed {
		t.Fatal("a refunded token could not be taken")
	}
	if lim := l.Take("x", Rate{}, clock); !lim.Allowed {
		t.Fatal("a zero rate limits")
	}
}

func TestDefaultBurst(t *testing.T) {
	for _, c := range []struct {
		r    Rate
		want float64
	}{{Rate{PerMinute: 120}, 20}, {Rate{PerMinute: 3}, 1}, {Rate{PerMinute: 60, Burst: 5}, 5}} {
		if got := c.r.burst(); got != c.want {
			t.Errorf("%+v: burst %v, want %v", c.r, got, c.want)
		}
	}
}

// Memory stays flat however many addresses call: 100,000 distinct ones fill
// a limiter bounded to 10,000 buckets, and the heap after them is no bigger
// than after the first 10,000.
func TestLimiterBounded(t *testing.T) {
	const bound = 10_000
	l := NewLimiter(bound)
	r := Rate{PerMinute: 60}
	fill := func(from, to int) uint64 {
		for i := from; i < to; i++ {
			l.Take(fmt.Sprintf("198.%d.%d.%d", i>>16&255, i>>8&255, i&255), r, now)
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	first := fill(0, bound)
	if n := l.Len(); n > bound {
		t.Fatalf("%d buckets after %d addresses", n, bound)
	}
	after := fill(bound, 100_000)
	if n := l.Len(); n > bound || n < bound*9/10 {
		t.Fatalf("%d buckets after 100,000 addresses, bound %d", n, bound)
	}
	t.Logf("heap: %d KB after 10,000 addresses, %d KB after 100,000", first>>10, after>>10)
	if after > first+first/4 && after > first+1<<20 {
		t.Errorf("heap grew from %d KB to %d KB: the LRU does not bound it", first>>10, after>>10)
	}
	// The most recent addresses are kept, the oldest dropped.
	held := func(key string) bool {
		s := l.shard(key)
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.buckets[key] != nil
	}
	if !held("198.1.134.159") || held("198.0.0.0") { // the 100,000th and the first
		t.Error("the LRU kept the oldest address or dropped the newest")
	}
}

func TestRateLimitFields(t *testing.T) {
	limits := []Limit{
		{Policy: "key", Rate: Rate{PerMinute: 1200}, Remaining: 199, Reset: 50 * time.Millisecond},
		{Policy: "client", Rate: Rate{PerMinute: 120}, Remaining: 0, Reset: 1500 * time.Millisecond},
	}
	if got, want := policyField(limits), `"key";q=1200;w=60, "client";q=120;w=60`; got != want {
		t.Errorf("RateLimit-Policy: %s, want %s", got, want)
	}
	if got, want := limitField(limits), `"key";r=199;t=1, "client";r=0;t=2`; got != want {
		t.Errorf("RateLimit: %s, want %s", got, want)
	}
}
