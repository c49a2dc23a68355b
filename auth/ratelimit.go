package auth

import (
	"hash/maphash"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate is a token bucket: PerMinute tokens a minute, at most Burst at once.
// A request takes one token. PerMinute zero means no limit.
type Rate struct {
	PerMinute int
	Burst     int
}

// burst returns the bucket's size: Burst, or ten seconds' worth of tokens
// (at least one) when unset, so a page that fires a few requests at once is
// not refused while a script is held to the rate.
func (r Rate) burst() float64 {
	if r.Burst > 0 {
		return float64(r.Burst)
	}
	return math.Max(1, float64(r.PerMinute)/6)
}

func (r Rate) perSecond() float64 { return float64(r.PerMinute) / 60 }

// Limit is the state of one bucket after a request, for the RateLimit
// headers and, when refused, Retry-After.
type Limit struct {
	// Policy names the bucket in the RateLimit headers: "key" for a key's
	// own rate, "client" for one address's.
	Policy    string
	Rate      Rate
	Allowed   bool
	Remaining int
	// Reset is how long until the bucket is full again or, when refused,
	// until the next request is allowed.
	Reset time.Duration
}

// Limiter holds token buckets in a bounded LRU, so memory stays flat however
// many distinct addresses call: past MaxEntries, the least recently used
// bucket is dropped. A dropped bucket is as good as full, which is what an
// idle bucket becomes anyway; only a flood of new addresses can push out a
// busy one early, and then it merely gets its burst back.
type Limiter struct {
	seed   maphash.Seed
	shards [limiterShards]limiterShard
}

// limiterShards splits the LRU so that concurrent requests seldom wait on
// one lock; each shard holds an equal part of the bound.
const limiterShards = 16

type limiterShard struct {
	mu      sync.Mutex
	max     int
	buckets map[string]*bucket
	// The LRU list: head is the most recently used.
	head, tail *bucket
}

type bucket struct {
	key        string
	tokens     float64
	last       int64 // UnixNano of the last refill
	prev, next *bucket
}

// NewLimiter returns a limiter holding at most maxEntries buckets (at least
// one per shard).
func NewLimiter(maxEntries int) *Limiter {
	l := &Limiter{seed: maphash.MakeSeed()}
	per := max(1, maxEntries/limiterShards)
	for i := range l.shards {
		l.shards[i].max = per
		l.shards[i].buckets = make(map[string]*bucket)
	}
	return l
}

// Len returns how many buckets are held.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

func (l *Limiter) shard(key string) *limiterShard {
	return &l.shards[maphash.String(l.seed, key)%limiterShards]
}

// Take takes a token from the bucket named key, filling it at rate r.
func (l *Limiter) Take(key string, r Rate, now time.Time) Limit {
	if r.PerMinute <= 0 {
		return Limit{Allowed: true, Rate: r}
	}
	s := l.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.get(key, r, now)
	lim := Limit{Rate: r}
	if b.tokens >= 1 {
		b.tokens--
		lim.Allowed = true
		lim.Reset = seconds((r.burst() - b.tokens) / r.perSecond())
	} else {
		lim.Reset = seconds((1 - b.tokens) / r.perSecond())
	}
	lim.Remaining = int(b.tokens)
	return lim
}

// Refund gives back a token taken from key: when a later check refuses the
// request, an earlier bucket should not pay for it.
func (l *Limiter) Refund(key string, r Rate) {
	if r.PerMinute <= 0 {
		return
	}
	s := l.shard(key)
	s.mu.Lock()
	if b := s.buckets[key]; b != nil {
		b.tokens = math.Min(r.burst(), b.tokens+1)
	}
	s.mu.Unlock()
}

// get returns the bucket for key, refilled to now and moved to the front,
// making it full when new and dropping the least recently used when over
// the bound.
func (s *limiterShard) get(key string, r Rate, now time.Time) *bucket {
	t := now.UnixNano()
	b := s.buckets[key]
	if b == nil {
		if len(s.buckets) >= s.max {
			old := s.tail
			s.unlink(old)
			delete(s.buckets, old.key)
			*old = bucket{} // reuse its memory
			b = old
		} else {
			b = new(bucket)
		}
		b.key, b.tokens, b.last = key, r.burst(), t
		s.buckets[key] = b
	} else {
		s.unlink(b)
		if elapsed := t - b.last; elapsed > 0 {
			b.tokens = math.Min(r.burst(), b.tokens+float64(elapsed)/1e9*r.perSecond())
			b.last = t
		}
	}
	s.pushFront(b)
	return b
}

func (s *limiterShard) unlink(b *bucket) {
	if b.prev != nil {
		b.prev.next = b.next
	} else {
		s.head = b.next
	}
	if b.next != nil {
		b.next.prev = b.prev
	} else {
		s.tail = b.prev
	}
	b.prev, b.next = nil, nil
}

func (s *limiterShard) pushFront(b *bucket) {
	b.next = s.head
	if s.head != nil {
		s.head.prev = b
	}
	s.head = b
	if s.tail == nil {
		s.tail = b
	}
}

func seconds(s float64) time.Duration { return time.Duration(math.Ceil(s * float64(time.Second))) }

// ceilSeconds rounds up to whole seconds, as Retry-After and the RateLimit
// fields count them: rounding down would invite a retry that is refused.
func ceilSeconds(d time.Duration) int64 {
	return int64(math.Ceil(d.Seconds()))
}

// Header values, per draft-ietf-httpapi-ratelimit-headers (-10): both fields
// are Structured Field lists whose items name a policy (as a String) with
// parameters. RateLimit-Policy gives each policy's quota q over a window w
// in seconds; RateLimit gives what remains (r) and the seconds until it
// resets (t). For a token bucket the quota is the rate per minute, and t is
// when the bucket is full again, or when refused, the same moment as
// Retry-After, as the draft asks.
const (
	HeaderRateLimitPolicy = "RateLimit-Policy"
	HeaderRateLimit       = "RateLimit"
)

// policyField returns the RateLimit-Policy value for limits.
func policyField(limits []Limit) string {
	var b strings.Builder
	for i, l := range limits {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(l.Policy))
		b.WriteString(";q=")
		b.WriteString(strconv.Itoa(l.Rate.PerMinute))
		b.WriteString(";w=60")
	}
	return b.String()
}

// limitField returns the RateLimit value for limits.
func limitField(limits []Limit) string {
	var b strings.Builder
	for i, l := range limits {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(l.Policy))
		b.WriteString(";r=")
		b.WriteString(strconv.Itoa(l.Remaining))
		b.WriteString(";t=")
		b.WriteString(strconv.FormatInt(ceilSeconds(l.Reset), 10))
	}
	return b.String()
}
