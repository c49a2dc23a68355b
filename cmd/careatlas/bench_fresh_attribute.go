package main

import (
	"context"
	"math"
	"net/url"
	"runtime/metrics"
	"slices"
	"sync"
	"time"
	"unique"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
)

// attribution lines the rounds' slow searches up against what else ran at
// the moment (--attribute): the collector's mark phases, the
// follower's batches read from the database and applied, and merges
// built, and the sort orders made (search.ObserveOrders). A slow search is one at
// least as slow as the pooled p99 of the blocks without writes; each is
// counted under every kind of work its span overlapped, or under none.
// The tail under writes is moments, not functions: a CPU profile spreads
// them over the minute, and one execution trace (--slow-trace) shows one
// of them; this counts them all.
//
// The mark phases are read off runtime/metrics every gcPoll: the
// collector's pause time grows at the pause that starts a cycle's mark
// phase and at the one that ends it, and its count of cycles done at the
// second, so a phase is known widened by at most a poll at each end (a
// poll later than gcPoll widens it more). Polling wakes a
// goroutine 500 times a second, so it runs only when asked for.
type attribution struct {
	mu       sync.Mutex
	kind     int // the kind of block searching now; -1: none
	searches []timedSearch
	work     []live.Work
	marks    []span
	blocks   []blockSpan
	stop     chan struct{}
	done     chan struct{}
	lv       *live.Live
}

type timedSearch struct {
	kind     int
	class    string // the search's shape: its path with the values of q, country and category left out
	segments int    // the overlay's segments when the search was answered
	span
}

type span struct{ from, to time.Time }

func (s span) overlaps(o span) bool { return s.from.Before(o.to) && o.from.Before(s.to) }

// holds reports whether t falls in s.
func (s span) holds(t time.Time) bool { return !t.Before(s.from) && t.Before(s.to) }

type blockSpan struct {
	kind int
	span
	allocated uint64 // bytes the process allocated on its heap meanwhile
	faults    int64  // pages the process touched for the first time meanwhile
	// stopping and paused are the collector's stops of the world
	// meanwhile: how long each took to stop every goroutine, and how long
	// each held them stopped in all.
	stopping, paused pauseCounts
}

const gcPoll = 2 * time.Millisecond

// workOrder is the kind of work of a sort order made (search.ObserveOrders).
const workOrder = "order"

// startAttribution starts watching the collector and lv's follower.
func startAttribution(lv *live.Live) *attribution {
	a := &attribution{kind: -1, stop: make(chan struct{}), done: make(chan struct{}), lv: lv}
	lv.Observe(func(w live.Work) {
		a.mu.Lock()
		a.work = append(a.work, w)
		a.mu.Unlock()
	})
	search.ObserveOrders(func(start, end time.Time) {
		a.mu.Lock()
		a.work = append(a.work, live.Work{Kind: workOrder, Start: start, End: end})
		a.mu.Unlock()
	})
	go a.watchGC()
	return a
}

// watchGC records the collector's mark phases until close.
func (a *attribution) watchGC() {
	defer close(a.done)
	samples := []metrics.Sample{{Name: "/cpu/classes/gc/pause:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	read := func() (float64, uint64) {
		metrics.Read(samples)
		return samples[0].Value.Float64(), samples[1].Value.Uint64()
	}
	pause, cycles := read()
	last := time.Now()
	var marking time.Time // when the current mark phase began; zero: none
	tick := time.NewTicker(gcPoll)
	defer tick.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-tick.C:
		}
		p, c := read()
		now := time.Now()
		switch {
		case c > cycles:
			from := marking
			if from.IsZero() {
				from = last // begun and ended between two polls
			}
			a.mu.Lock()
			a.marks = append(a.marks, span{from, now})
			a.mu.Unlock()
			marking = time.Time{}
		case p > pause && marking.IsZero():
			marking = last
		}
		pause, cycles, last = p, c, now
	}
}

// close stops watching.
func (a *attribution) close() {
	if a == nil {
		return
	}
	if a.lv != nil {
		a.lv.Observe(nil)
		search.ObserveOrders(nil)
	}
	close(a.stop)
	<-a.done
}

// block marks a block of kind as searching from now until the returned
// func is called.
func (a *attribution) block(kind int) func() {
	if a == nil {
		return func() {}
	}
	a.mu.Lock()
	a.kind = kind
	a.mu.Unlock()
	from, before, faults := time.Now(), heapAllocated(), minorFaults()
	stopping, paused := gcPauses()
	return func() {
		allocated, faults := heapAllocated()-before, minorFaults()-faults
		stoppingNow, pausedNow := gcPauses()
		a.mu.Lock()
		defer a.mu.Unlock()
		a.kind = -1
		a.blocks = append(a.blocks, blockSpan{kind, span{from, time.Now()}, allocated, faults,
			stoppingNow.minus(stopping), pausedNow.minus(paused)})
	}
}

// pauseCounts is a histogram of the collector's stops of the world, as
// runtime/metrics keeps it: counts of each bucket (bounds: bucket i
// holds pauses from bounds[i] to bounds[i+1] seconds).
type pauseCounts struct {
	counts []uint64
	bounds []float64
}

// gcPauses reads how long the collector's stops of the world took to
// stop every goroutine (runtime/metrics' /sched/pauses/stopping/gc) and
// how long they held them stopped in all (/sched/pauses/total/gc). Every
// search in flight waits out each whole pause; a goroutine running on a
// background thread that the kernel keeps from a core (background.Setup:
// idle scheduling) cannot stop until it gets one, and the stop waits for it.
func gcPauses() (stopping, paused pauseCounts) {
	s := []metrics.Sample{{Name: "/sched/pauses/stopping/gc:seconds"}, {Name: "/sched/pauses/total/gc:seconds"}}
	metrics.Read(s)
	of := func(v metrics.Value) pauseCounts {
		if v.Kind() != metrics.KindFloat64Histogram {
			return pauseCounts{}
		}
		h := v.Float64Histogram()
		return pauseCounts{counts: slices.Clone(h.Counts), bounds: h.Buckets}
	}
	return of(s[0].Value), of(s[1].Value)
}

// minus is the pauses of p not in q, an earlier reading.
func (p pauseCounts) minus(q pauseCounts) pauseCounts {
	return p.with(q, func(a, b uint64) uint64 { return a - b })
}

// plus is the pauses of p and q, of the same runtime.
func (p pauseCounts) plus(q pauseCounts) pauseCounts {
	return p.with(q, func(a, b uint64) uint64 { return a + b })
}

// with is p's counts combined bucket by bucket with q's by f (p empty:
// as zeros), in a copy.
func (p pauseCounts) with(q pauseCounts, f func(a, b uint64) uint64) pauseCounts {
	if p.counts == nil && q.counts != nil {
		p = pauseCounts{counts: make([]uint64, len(q.counts)), bounds: q.bounds}
	} else {
		p.counts = slices.Clone(p.counts)
	}
	for i := range p.counts {
		if i < len(q.counts) {
			p.counts[i] = f(p.counts[i], q.counts[i])
		}
	}
	return p
}

// summary is how many pauses p holds, the median and p99 of them and the
// longest, in milliseconds, each read as its bucket's upper bound (a
// bucket is up to a sixth of its value wide): at most that long.
func (p pauseCounts) summary() pauseSummary {
	var n uint64
	for _, c := range p.counts {
		n += c
	}
	out := pauseSummary{N: n}
	if n == 0 {
		return out
	}
	upper := func(i int) float64 {
		b := p.bounds[min(i+1, len(p.bounds)-1)]
		if math.IsInf(b, 1) {
			b = p.bounds[i]
		}
		return 1000 * b
	}
	rank := func(q float64) uint64 { return max(1, uint64(math.Ceil(q*float64(n)))) }
	var seen uint64
	for i, c := range p.counts {
		if c == 0 {
			continue
		}
		if seen < rank(0.5) && seen+c >= rank(0.5) {
			out.P50MS = upper(i)
		}
		if seen < rank(0.99) && seen+c >= rank(0.99) {
			out.P99MS = upper(i)
		}
		seen += c
		out.MaxMS = upper(i)
	}
	return out
}

// pauseSummary is what --attribute reports of a kind of pause.
type pauseSummary struct {
	N     uint64  `json:"n"`
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
}

// heapAllocated is how many bytes the process has allocated on its heap
// since it started: what sets how often the collector marks.
func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// searched records a search of path, of the block searching now, due at
// from (when it was sent, unpaced) and answered took later.
func (a *attribution) searched(path string, from time.Time, took time.Duration) {
	if a == nil {
		return
	}
	segments := 0
	if a.lv != nil {
		segments = a.lv.Freshness().Segments
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.kind >= 0 {
		// One string per class, not per search: the bench runs in the
		// server's process, and a quarter of a million strings held to
		// the end were a sixth of the objects each collection marked.
		class := unique.Make(searchClass(path)).Value()
		a.searches = append(a.searches, timedSearch{a.kind, class, segments, span{from, from.Add(took)}})
	}
}

// searchClass is path's shape: the values of the parameters that vary
// between the bench's searches of one kind left out.
func searchClass(path string) string {
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	q := u.Query()
	for _, k := range []string{"q", "country", "category"} {
		if q.Has(k) {
			q.Set(k, "…")
		}
	}
	u.RawQuery = q.Encode()
	s, _ := url.QueryUnescape(u.String())
	return s
}

// slowWork is --attribute's report.
type slowWork struct {
	// OverMS is the least time of a slow search: the pooled p99 of the
	// blocks without writes.
	OverMS float64    `json:"over_ms"`
	Quiet  *blockWork `json:"without_writes"`
	Loaded *blockWork `json:"under_writes"`
	Floor  *blockWork `json:"generation_alone,omitempty"`
	// Unfollowed is the blocks under writes with the follower stopped
	// (--unfollowed).
	Unfollowed *blockWork `json:"unfollowed,omitempty"`
}

// blockWork is one kind of block's slow searches, by what ran beside
// them, and the work that began in those blocks.
type blockWork struct {
	Seconds float64 `json:"seconds"`
	// AllocatedMB is what the whole process allocated on its heap during
	// the blocks (searches, follower, writers alike): more under writes
	// is more marks of the collector.
	AllocatedMB float64 `json:"allocated_mb"`
	// MinorFaults is how many pages the process touched that the kernel
	// had to map for it (getrusage's minflt) during the blocks: on these
	// VMs each costs about 16 µs of whichever thread touched it, a search's
	// as likely as the follower's (a heap grown into new memory faults a
	// page at a time).
	MinorFaults int64 `json:"minor_faults"`
	// GCStopping is how long the collector's stops of the world in the
	// blocks took to stop every goroutine, GCPaused how long they held
	// them stopped in all (runtime/metrics: gcPauses).
	GCStopping  pauseSummary `json:"gc_stopping"`
	GCPaused    pauseSummary `json:"gc_paused"`
	stopping    pauseCounts
	paused      pauseCounts
	Searches    int     `json:"searches"`
	Slow        int     `json:"slow"`
	DuringGC    int     `json:"slow_during_gc_mark"`
	DuringMerge int     `json:"slow_during_merge"`
	DuringApply int     `json:"slow_during_apply"`
	DuringRead  int     `json:"slow_during_read"`
	DuringOrder int     `json:"slow_during_order"`
	DuringNone  int     `json:"slow_during_none"`
	GCMarks     int     `json:"gc_marks"`
	GCMarkMS    float64 `json:"gc_mark_ms"`
	Merges      int     `json:"merges"`
	MergeMS     float64 `json:"merge_ms"`
	Applies     int     `json:"applies"`
	ApplyMS     float64 `json:"apply_ms"`
	Reads       int     `json:"reads"`
	ReadMS      float64 `json:"read_ms"`
	Orders      int     `json:"orders"`
	OrderMS     float64 `json:"order_ms"`
	// ByClass counts the searches and the slow ones by their shape
	// (searchClass): a tail that follows one shape is that search's work,
	// one spread over all is the machine's.
	ByClass map[string]classCount `json:"slow_by_class,omitempty"`
	// LatencyByClass is each shape's own p50 and p99: a shape slower
	// throughout under writes moves its p50 too, one slowed by moments
	// only its tail.
	LatencyByClass map[string]latency `json:"latency_by_class,omitempty"`
	// BySegments counts them by how many segments the overlay held when
	// each was answered: a tail that grows with them is the segments'.
	BySegments map[int]classCount `json:"slow_by_segments,omitempty"`
	// Publishes is how many new overlays (a batch's or a merge's) were
	// published, and AfterPublish the searches sent within afterPublish
	// of one, and how many of them were slow: the first searches on a new
	// overlay, which make what it makes on first use (a new segment's
	// sides, sort orders and bitmaps). A tail that follows them is that
	// work's, whatever else ran.
	Publishes    int        `json:"publishes"`
	AfterPublish classCount `json:"after_publish"`
}

// afterPublish is how soon after a new overlay is published a search
// counts as one of the first on it.
const afterPublish = 20 * time.Millisecond

// classCount is the searches of one shape (or one number of segments) in
// a kind of block, and how many of them were slow.
type classCount struct {
	Slow     int `json:"slow"`
	Searches int `json:"searches"`
}

// tally counts a search, slow or not, under k in *m (made if nil).
func tally[K comparable](m *map[K]classCount, k K, slow bool) {
	if *m == nil {
		*m = map[K]classCount{}
	}
	c := (*m)[k]
	c.Searches++
	if slow {
		c.Slow++
	}
	(*m)[k] = c
}

// report counts the searches of each kind of block at least over long.
func (a *attribution) report(over time.Duration, kinds []int) *slowWork {
	a.mu.Lock()
	defer a.mu.Unlock()
	var merges, applies, reads, orders, published []span
	for _, w := range a.work {
		switch w.Kind {
		case live.WorkPublish:
			published = append(published, span{w.Start, w.Start.Add(afterPublish)})
		case live.WorkMerge:
			merges = append(merges, span{w.Start, w.End})
		case live.WorkRead:
			reads = append(reads, span{w.Start, w.End})
		case workOrder:
			orders = append(orders, span{w.Start, w.End})
		default:
			applies = append(applies, span{w.Start, w.End})
		}
	}
	by := map[int]*blockWork{}
	for _, k := range kinds {
		by[k] = &blockWork{}
	}
	kindAt := func(t time.Time) *blockWork {
		for _, b := range a.blocks {
			if b.holds(t) {
				return by[b.kind]
			}
		}
		return nil
	}
	for _, b := range a.blocks {
		if bw := by[b.kind]; bw != nil {
			bw.Seconds += b.to.Sub(b.from).Seconds()
			bw.AllocatedMB += float64(b.allocated) / (1 << 20)
			bw.MinorFaults += b.faults
			bw.stopping, bw.paused = bw.stopping.plus(b.stopping), bw.paused.plus(b.paused)
		}
	}
	for _, bw := range by {
		if bw != nil {
			bw.GCStopping, bw.GCPaused = bw.stopping.summary(), bw.paused.summary()
		}
	}
	for _, s := range a.marks {
		if bw := kindAt(s.from); bw != nil {
			bw.GCMarks++
			bw.GCMarkMS += msOf(s.to.Sub(s.from))
		}
	}
	for _, w := range a.work {
		bw := kindAt(w.Start)
		if bw == nil {
			continue
		}
		switch w.Kind {
		case live.WorkPublish:
			bw.Publishes++
		case live.WorkMerge:
			bw.Merges++
			bw.MergeMS += msOf(w.End.Sub(w.Start))
		case live.WorkRead:
			bw.Reads++
			bw.ReadMS += msOf(w.End.Sub(w.Start))
		case workOrder:
			bw.Orders++
			bw.OrderMS += msOf(w.End.Sub(w.Start))
		default:
			bw.Applies++
			bw.ApplyMS += msOf(w.End.Sub(w.Start))
		}
	}
	overlapsAny := func(s span, spans []span) bool {
		for _, o := range spans {
			if s.overlaps(o) {
				return true
			}
		}
		return false
	}
	took := map[*blockWork]map[string][]time.Duration{}
	for _, s := range a.searches {
		bw := by[s.kind]
		if bw == nil {
			continue
		}
		bw.Searches++
		slow := s.to.Sub(s.from) >= over
		if took[bw] == nil {
			took[bw] = map[string][]time.Duration{}
		}
		took[bw][s.class] = append(took[bw][s.class], s.to.Sub(s.from))
		tally(&bw.ByClass, s.class, slow)
		tally(&bw.BySegments, s.segments, slow)
		if startsIn(s.from, published) {
			bw.AfterPublish.Searches++
			if slow {
				bw.AfterPublish.Slow++
			}
		}
		if !slow {
			continue
		}
		bw.Slow++
		gc, merge, apply := overlapsAny(s.span, a.marks), overlapsAny(s.span, merges), overlapsAny(s.span, applies)
		read, order := overlapsAny(s.span, reads), overlapsAny(s.span, orders)
		if gc {
			bw.DuringGC++
		}
		if merge {
			bw.DuringMerge++
		}
		if apply {
			bw.DuringApply++
		}
		if read {
			bw.DuringRead++
		}
		if order {
			bw.DuringOrder++
		}
		if !gc && !merge && !apply && !read && !order {
			bw.DuringNone++
		}
	}
	for bw, classes := range took {
		bw.LatencyByClass = map[string]latency{}
		for class, ds := range classes {
			bw.LatencyByClass[class] = latencyOf(ds)
		}
	}
	return &slowWork{OverMS: msOf(over), Quiet: by[blockQuiet], Loaded: by[blockLoaded], Floor: by[blockFloor],
		Unfollowed: by[blockUnfollowed]}
}

// startsIn reports whether t falls in one of spans.
func startsIn(t time.Time, spans []span) bool {
	return slices.ContainsFunc(spans, func(s span) bool { return s.holds(t) })
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type attributionKey struct{}

// withAttribution has the searches run with ctx record themselves in a.
func withAttribution(ctx context.Context, a *attribution) context.Context {
	if a == nil {
		return ctx
	}
	return context.WithValue(ctx, attributionKey{}, a)
}

func attributionOf(ctx context.Context) *attribution {
	a, _ := ctx.Value(attributionKey{}).(*attribution)
	return a
}
