package main

import (
	"math"
	"reflect"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/careatlas/careatlas/search/live"
)

// TestGCMarksAreWatched forces collections while the watcher polls: each
// must be seen as a mark phase that overlaps the call and ends soon
// after it.
func TestGCMarksAreWatched(t *testing.T) {
	a := &attribution{kind: -1, stop: make(chan struct{}), done: make(chan struct{})}
	go a.watchGC()
	type call struct{ from, to time.Time }
	var calls []call
	for range 3 {
		time.Sleep(10 * gcPoll)
		from := time.Now()
		runtime.GC()
		calls = append(calls, call{from, time.Now()})
	}
	time.Sleep(10 * gcPoll)
	a.close()
	for _, c := range calls {
		found := false
		for _, m := range a.marks {
			if m.overlaps(span{c.from, c.to.Add(5 * gcPoll)}) && m.to.Before(c.to.Add(time.Second)) && !m.to.Before(m.from) {
				found = true
			}
		}
		if !found {
			t.Errorf("a collection from %s to %s not among the marks watched: %v", c.from.Format(time.StampMicro),
				c.to.Format(time.StampMicro), a.marks)
		}
	}
}

// TestBlocksCountWhatWasAllocated: a block records the heap allocated
// while it searched, and not what was allocated before or after it.
func TestBlocksCountWhatWasAllocated(t *testing.T) {
	a := &attribution{kind: -1}
	keep := make([]byte, 32<<20) // before: not the block's
	done := a.block(blockQuiet)
	in := make([][]byte, 8)
	for i := range in {
		in[i] = make([]byte, 1<<20)
	}
	done()
	keep = append(keep, make([]byte, 32<<20)...) // after
	runtime.KeepAlive(in)
	runtime.KeepAlive(keep)
	if got := a.blocks[0].allocated; got < 8<<20 || got >= 32<<20 {
		t.Errorf("a block that allocated 8 MB recorded %d bytes", got)
	}
}

// TestBlocksCountThePagesTouched: a block records the pages the process
// touched for the first time while it searched.
func TestBlocksCountThePagesTouched(t *testing.T) {
	const pages = 256
	mem, err := unix.Mmap(-1, 0, pages*4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mapping memory: %v", err)
	}
	defer unix.Munmap(mem)
	// One page, one fault, whatever the machine's huge page setting.
	if err := unix.Madvise(mem, unix.MADV_NOHUGEPAGE); err != nil {
		t.Fatalf("madvise: %v", err)
	}
	a := &attribution{kind: -1}
	done := a.block(blockQuiet)
	for i := 0; i < len(mem); i += 4096 {
		mem[i] = 1
	}
	done()
	if got := a.blocks[0].faults; got < pages {
		t.Errorf("a block that touched %d new pages recorded %d page faults", pages, got)
	}
}

// TestBlocksCountTheCollectorsStops: a block records the collector's
// stops of the world while it searched, two for each collection (one
// that starts its mark phase, one that ends it), and none after it.
func TestBlocksCountTheCollectorsStops(t *testing.T) {
	a := &attribution{kind: -1}
	done := a.block(blockQuiet)
	for range 3 {
		runtime.GC()
	}
	done()
	runtime.GC() // after: not the block's
	b := a.blocks[0]
	for _, c := range []struct {
		name string
		s    pauseSummary
	}{{"stopping", b.stopping.summary()}, {"paused", b.paused.summary()}} {
		if c.s.N < 6 || c.s.N > 8 {
			t.Errorf("%s: a block of three collections recorded %d stops of the world, want 6 (or a little more)", c.name, c.s.N)
		}
		if !(0 < c.s.P50MS && c.s.P50MS <= c.s.P99MS && c.s.P99MS <= c.s.MaxMS && c.s.MaxMS < 1000) {
			t.Errorf("%s: %+v", c.name, c.s)
		}
	}
}

func TestPauseSummary(t *testing.T) {
	bounds := []float64{0, 0.001, 0.002, 0.004, math.Inf(1)} // seconds
	for _, tc := range []struct {
		name   string
		counts []uint64
		want   pauseSummary
	}{
		{"none", []uint64{0, 0, 0, 0}, pauseSummary{}},
		{"one", []uint64{0, 1, 0, 0}, pauseSummary{N: 1, P50MS: 2, P99MS: 2, MaxMS: 2}},
		// 99 under a millisecond and one of 2 to 4: the p99 is the 99th.
		{"a tail of one", []uint64{99, 0, 1, 0}, pauseSummary{N: 100, P50MS: 1, P99MS: 1, MaxMS: 4}},
		{"a tail of two", []uint64{98, 0, 2, 0}, pauseSummary{N: 100, P50MS: 1, P99MS: 4, MaxMS: 4}},
		// The last bucket has no upper bound: its lower one is read.
		{"past the last bound", []uint64{1, 0, 0, 1}, pauseSummary{N: 2, P50MS: 1, P99MS: 4, MaxMS: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (pauseCounts{counts: tc.counts, bounds: bounds}).summary(); got != tc.want {
				t.Errorf("summary of %v: %+v, want %+v", tc.counts, got, tc.want)
			}
		})
	}
	// Two readings' difference, and two blocks added.
	early := pauseCounts{counts: []uint64{1, 2, 0, 0}, bounds: bounds}
	late := pauseCounts{counts: []uint64{1, 5, 1, 0}, bounds: bounds}
	diff := late.minus(early)
	if !reflect.DeepEqual(diff.counts, []uint64{0, 3, 1, 0}) {
		t.Errorf("late minus early: %v", diff.counts)
	}
	if sum := (pauseCounts{}).plus(diff).plus(early); !reflect.DeepEqual(sum.counts, late.counts) {
		t.Errorf("blocks added: %v, want %v", sum.counts, late.counts)
	}
}

// TestSlowSearchesAreCountedByWhatRanBeside lines searches of two blocks
// up against marks, merges, batches read and applied, and sort orders
// made: each slow one counts under every
// kind of work it overlapped, or none; fast ones count only as searches;
// work counts in the block it began in; each shape has its own p50 and
// p99 in each block.
func TestSlowSearchesAreCountedByWhatRanBeside(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	sp := func(from, to int) span { return span{at(from), at(to)} }
	a := &attribution{
		blocks: []blockSpan{{kind: blockQuiet, span: sp(0, 1000), allocated: 3 << 20, faults: 40}, {kind: blockLoaded, span: sp(1000, 2000), allocated: 5 << 20, faults: 700}},
		marks:  []span{sp(100, 150), sp(1100, 1160)},
		work: []live.Work{
			{Kind: live.WorkApply, Start: at(1300), End: at(1320)},
			{Kind: live.WorkMerge, Start: at(1140), End: at(1400)},
			{Kind: live.WorkApply, Start: at(2100), End: at(2110)}, // after the blocks: counted in none
			{Kind: live.WorkRead, Start: at(1600), End: at(1650)},
			{Kind: workOrder, Start: at(1700), End: at(1900)},
			{Kind: live.WorkPublish, Start: at(1305), End: at(1305)}, // the batch's overlay, before its span ends
			{Kind: live.WorkPublish, Start: at(1490), End: at(1490)},
		},
		searches: []timedSearch{
			{blockQuiet, "a", 1, sp(120, 140)},    // slow, during a mark
			{blockQuiet, "b", 1, sp(500, 505)},    // fast
			{blockQuiet, "a", 1, sp(600, 650)},    // slow, beside nothing
			{blockLoaded, "a", 3, sp(1150, 1170)}, // slow, during a mark and a merge
			{blockLoaded, "b", 5, sp(1310, 1330)}, // slow, during a batch and a merge, the first after a publish
			{blockLoaded, "b", 3, sp(1500, 1502)}, // fast, the first after another
			{blockLoaded, "b", 3, sp(1510, 1512)}, // fast, too late to be one of them
			{blockLoaded, "a", 4, sp(1640, 1660)}, // slow, during a batch read
			{blockLoaded, "b", 5, sp(1800, 1820)}, // slow, while a sort order was made
			{blockLoaded, "a", 5, sp(1950, 1970)}, // slow, beside nothing
		},
	}
	got := a.report(10*time.Millisecond, []int{blockQuiet, blockLoaded})
	want := slowWork{OverMS: 10,
		Quiet: &blockWork{Seconds: 1, AllocatedMB: 3, MinorFaults: 40, Searches: 3, Slow: 2, DuringGC: 1, DuringNone: 1, GCMarks: 1, GCMarkMS: 50,
			ByClass: map[string]classCount{"a": {2, 2}, "b": {0, 1}}, BySegments: map[int]classCount{1: {2, 3}},
			LatencyByClass: map[string]latency{"a": {N: 2, P50: 20, P99: 50, Max: 50}, "b": {N: 1, P50: 5, P99: 5, Max: 5}}},
		Loaded: &blockWork{Seconds: 1, AllocatedMB: 5, MinorFaults: 700, Searches: 7, Slow: 5, DuringGC: 1, DuringMerge: 2, DuringApply: 1, DuringRead: 1,
			DuringOrder: 1, DuringNone: 1, GCMarks: 1, GCMarkMS: 60, Merges: 1, MergeMS: 260, Applies: 1, ApplyMS: 20,
			Reads: 1, ReadMS: 50, Orders: 1, OrderMS: 200, Publishes: 2, AfterPublish: classCount{Slow: 1, Searches: 2},
			ByClass:        map[string]classCount{"a": {3, 3}, "b": {2, 4}},
			BySegments:     map[int]classCount{3: {1, 3}, 4: {1, 1}, 5: {3, 3}},
			LatencyByClass: map[string]latency{"a": {N: 3, P50: 20, P99: 20, Max: 20}, "b": {N: 4, P50: 2, P99: 20, Max: 20}}},
	}
	if got.OverMS != want.OverMS || got.Floor != nil || got.Unfollowed != nil || !reflect.DeepEqual(got.Quiet, want.Quiet) ||
		!reflect.DeepEqual(got.Loaded, want.Loaded) {
		t.Errorf("report:\n got %+v %+v %+v\nwant %+v %+v", got, got.Quiet, got.Loaded, *want.Quiet, *want.Loaded)
	}
}

// TestSearchClass gives the bench's searches of one shape one class,
// whatever their words, country and category, and keeps apart what
// makes them different work.
func TestSearchClass(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/v1/search?type=offer&q=nose+job", "/v1/search?q=…&type=offer"},
		{"/v1/search?type=offer&q=hip", "/v1/search?q=…&type=offer"},
		{"/v1/search?type=offer&sort=price_asc&currency=EUR&q=ivf", "/v1/search?currency=EUR&q=…&sort=price_asc&type=offer"},
		{"/v1/search?type=offer&sort=price_asc&country=TR&category=Dental", "/v1/search?category=…&country=…&sort=price_asc&type=offer"},
		{"/v1/search?type=offer&facets=country,kind,city&category=Eyes", "/v1/search?category=…&facets=country,kind,city&type=offer"},
	} {
		if got := searchClass(tc.path); got != tc.want {
			t.Errorf("searchClass(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
