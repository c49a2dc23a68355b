package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/careatlas/careatlas/search/live"
)

// rounds is what --rounds measures: the searches without writes and
// under writes (and, with --floor, on the generation alone under writes)
// in short blocks that take turns, round after round, each round in a
// rotated order. A shared VM's speed drifts by a third over minutes; one
// phase a minute long after another measures that drift as much as the
// writes. Blocks that take turns share the drift, and each round's
// figures are compared within the round.
type rounds struct {
	Rounds int    `json:"rounds"`
	Block  string `json:"block"`
	// Control (--control) says that the blocks "under writes" were
	// searched without writes too: an A/A comparison, whose changes are
	// the rounds' own noise.
	Control bool `json:"control,omitempty"`
	// Quiet, Loaded and Floor pool every block of their kind.
	Quiet  latency  `json:"search_without_writes"`
	Loaded latency  `json:"search_under_writes"`
	Floor  *latency `json:"search_under_writes_generation_alone,omitempty"`
	// Unfollowed (--unfollowed) pools the blocks under the same writes
	// with the follower stopped: the searches read the overlay as the
	// blocks before left it, and beside them run the writers and
	// PostgreSQL, but none of the server's work for the changes.
	Unfollowed    *latency `json:"search_under_writes_unfollowed,omitempty"`
	QuietCPU      cpuUse   `json:"cpu_without_writes"`
	LoadedCPU     cpuUse   `json:"cpu_under_writes"`
	FloorCPU      *cpuUse  `json:"cpu_under_writes_generation_alone,omitempty"`
	UnfollowedCPU *cpuUse  `json:"cpu_under_writes_unfollowed,omitempty"`
	// Each is one round's change of the blocks under writes over the
	// block without writes, in percent, in the order the rounds ran.
	P50Change           []float64 `json:"p50_change_pct"`
	P99Change           []float64 `json:"p99_change_pct"`
	FloorP50Change      []float64 `json:"floor_p50_change_pct,omitempty"`
	FloorP99Change      []float64 `json:"floor_p99_change_pct,omitempty"`
	UnfollowedP50Change []float64 `json:"unfollowed_p50_change_pct,omitempty"`
	UnfollowedP99Change []float64 `json:"unfollowed_p99_change_pct,omitempty"`
	// The medians of the rounds' changes: the figures the target is
	// judged by.
	MedianP50Change           float64  `json:"median_p50_change_pct"`
	MedianP99Change           float64  `json:"median_p99_change_pct"`
	MedianFloorP50Change      *float64 `json:"median_floor_p50_change_pct,omitempty"`
	MedianFloorP99Change      *float64 `json:"median_floor_p99_change_pct,omitempty"`
	MedianUnfollowedP50Change *float64 `json:"median_unfollowed_p50_change_pct,omitempty"`
	MedianUnfollowedP99Change *float64 `json:"median_unfollowed_p99_change_pct,omitempty"`
	// Pooled is the change of every block under writes over every block
	// without, with its 95% interval and the verdict on the 10%
	// (pooledChangeOf); PooledUnfollowed the same of the blocks under
	// writes with the follower stopped. nil with one round.
	Pooled           *pooledChange `json:"pooled_change,omitempty"`
	PooledUnfollowed *pooledChange `json:"pooled_unfollowed_change,omitempty"`
	// QuietSides and LoadedSides count, in the blocks without writes and
	// under writes, the segments the searches reached by whether they
	// had the search's side kept (search.Index.SegmentSides).
	QuietSides  sideCount `json:"segment_sides_without_writes"`
	LoadedSides sideCount `json:"segment_sides_under_writes"`
	// Slow is --attribute: the slow searches of each kind of block by
	// what ran beside them.
	Slow *slowWork `json:"slow_searches,omitempty"`
}

// The kinds of block in a round.
const (
	blockQuiet = iota
	blockLoaded
	blockFloor
	blockUnfollowed
)

// roundsOptions are the kinds of block a round holds beside the two
// always there, and whether the blocks under writes are a control.
type roundsOptions struct {
	floor   bool
	control bool
	// unfollowed, when set, adds a block under writes with this
	// follower stopped.
	unfollowed *follower
}

// benchRounds runs n rounds of blocks of d each: without writes, under
// writes, and with floor on the generation alone under writes (served at
// its own loopback port), the follower applying the writes throughout.
// Before a block without writes the server catches up with the log and
// finishes its merges, so that the block has neither writes nor their
// work beside it.
//
// With control, the blocks under writes are searched without writes
// (and after the same wait) as well: what the rounds report then is how
// far two blocks of the same searches on the same server differ.
//
// With unfollowed, a block under writes has the follower stopped: its
// change over the block without writes is what the writers and
// PostgreSQL cost the searches, and the block under writes' change less
// it what the server's own work for the changes costs them. After it the
// follower starts again and catches up before the next block.
func benchRounds(ctx context.Context, w *freshWriter, client *http.Client, base string, lv *live.Live, paths []string,
	clients, searchRate, rate, n int, d time.Duration, opt roundsOptions) (*rounds, error) {
	floor, control := opt.floor, opt.control
	kinds := []int{blockQuiet, blockLoaded}
	at := map[int]string{blockQuiet: base, blockLoaded: base}
	if opt.unfollowed != nil {
		kinds, at[blockUnfollowed] = append(kinds, blockUnfollowed), base
	}
	if floor {
		gen, stopHTTP, err := serveFreshLoopback(generationOnly{lv})
		if err != nil {
			return nil, err
		}
		defer stopHTTP()
		kinds, at[blockFloor] = append(kinds, blockFloor), gen
	}
	out := &rounds{Rounds: n, Block: d.String(), Control: control}
	all := make([][]time.Duration, blockUnfollowed+1)
	byRound := make([][][]time.Duration, blockUnfollowed+1) // each kind's blocks, a round's each
	cpus := make([]cpuUse, blockUnfollowed+1)
	sides := make([]sideCount, blockUnfollowed+1)
	behind := false // the follower was stopped in the block before
	for r := range n {
		p50s, p99s := make([]float64, blockUnfollowed+1), make([]float64, blockUnfollowed+1)
		for i := range kinds {
			kind := kinds[(r+i)%len(kinds)]
			writes := kind != blockQuiet && !(control && kind == blockLoaded)
			if !writes || behind {
				if _, err := caughtUp(ctx, w, client, base, lv, 5*time.Minute); err != nil {
					return nil, err
				}
				behind = false
			}
			if kind == blockUnfollowed {
				opt.unfollowed.pause()
			}
			bctx := ctx
			if kind != blockLoaded {
				bctx = withoutSlowTrace(ctx) // --slow-trace: the overlay's searches under writes
			}
			endBlock := attributionOf(ctx).block(kind)
			sidesBefore := sidesOf(lv)
			lat, cpu, err := searchBlock(bctx, w, client, at[kind], paths, clients, searchRate, rate, d, writes)
			sides[kind] = sides[kind].plus(sidesOf(lv).minus(sidesBefore))
			endBlock()
			if kind == blockUnfollowed {
				opt.unfollowed.resume()
				behind = true
			}
			if err != nil {
				return nil, err
			}
			l := latencyOf(lat)
			p50s[kind], p99s[kind] = l.P50, l.P99
			all[kind] = append(all[kind], lat...)
			byRound[kind] = append(byRound[kind], lat)
			cpus[kind] = cpus[kind].plus(cpu)
		}
		out.P50Change = append(out.P50Change, change(p50s[blockLoaded], p50s[blockQuiet]))
		out.P99Change = append(out.P99Change, change(p99s[blockLoaded], p99s[blockQuiet]))
		if floor {
			out.FloorP50Change = append(out.FloorP50Change, change(p50s[blockFloor], p50s[blockQuiet]))
			out.FloorP99Change = append(out.FloorP99Change, change(p99s[blockFloor], p99s[blockQuiet]))
		}
		if opt.unfollowed != nil {
			out.UnfollowedP50Change = append(out.UnfollowedP50Change, change(p50s[blockUnfollowed], p50s[blockQuiet]))
			out.UnfollowedP99Change = append(out.UnfollowedP99Change, change(p99s[blockUnfollowed], p99s[blockQuiet]))
		}
		slog.Warn("bench fresh: round", "round", r+1, "of", n, "p50_ms", p50s, "p99_ms", p99s)
	}
	out.Quiet, out.Loaded = latencyOf(all[blockQuiet]), latencyOf(all[blockLoaded])
	out.QuietCPU, out.LoadedCPU = cpus[blockQuiet], cpus[blockLoaded]
	out.MedianP50Change, out.MedianP99Change = median(out.P50Change), median(out.P99Change)
	out.Pooled = pooledChangeOf(byRound[blockQuiet], byRound[blockLoaded], bootstrapResamples)
	out.QuietSides, out.LoadedSides = sides[blockQuiet].withPct(), sides[blockLoaded].withPct()
	if a := attributionOf(ctx); a != nil {
		out.Slow = a.report(time.Duration(math.Round(out.Quiet.P99*1000))*time.Microsecond, kinds)
	}
	if opt.unfollowed != nil {
		l, p50, p99 := latencyOf(all[blockUnfollowed]), median(out.UnfollowedP50Change), median(out.UnfollowedP99Change)
		out.Unfollowed, out.UnfollowedCPU, out.MedianUnfollowedP50Change, out.MedianUnfollowedP99Change = &l, &cpus[blockUnfollowed], &p50, &p99
		out.PooledUnfollowed = pooledChangeOf(byRound[blockQuiet], byRound[blockUnfollowed], bootstrapResamples)
	}
	if floor {
		l, p50, p99 := latencyOf(all[blockFloor]), median(out.FloorP50Change), median(out.FloorP99Change)
		out.Floor, out.FloorCPU, out.MedianFloorP50Change, out.MedianFloorP99Change = &l, &cpus[blockFloor], &p50, &p99
	}
	return out, nil
}

// searchBlock searches the API at base for d, under rate changes a
// second if writes.
func searchBlock(ctx context.Context, w *freshWriter, client *http.Client, base string, paths []string,
	clients, searchRate, rate int, d time.Duration, writes bool) ([]time.Duration, cpuUse, error) {
	writeCtx, stopWrites := context.WithCancel(ctx)
	defer stopWrites()
	cpu := cpuNow()
	writing := func() error { return nil }
	if writes {
		writing = w.start(writeCtx, rate)
	}
	lat, err := searchLatencies(ctx, client, base, paths, clients, searchRate, d)
	used := cpuNow().since(cpu)
	stopWrites()
	if err := errors.Join(err, writing()); err != nil {
		return nil, cpuUse{}, err
	}
	if len(lat) == 0 {
		return nil, cpuUse{}, fmt.Errorf("bench fresh: a block of %s answered no search", d)
	}
	return lat, used, nil
}

// change is how much larger a is than b, in percent.
func change(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * (a/b - 1)
}

// median is the middle of xs (the mean of the two middle ones for an even
// count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// sideCount is how many segments searches reached with their side kept,
// and how many they searched (search.Index.SegmentSides).
type sideCount struct {
	Kept     uint64  `json:"kept"`
	Searched uint64  `json:"searched"`
	KeptPct  float64 `json:"kept_pct"`
}

// sidesOf reads the counts of the generation lv serves (zero when none is
// open).
func sidesOf(lv *live.Live) sideCount {
	snap, err := lv.Acquire()
	if err != nil {
		return sideCount{}
	}
	defer snap.Release()
	kept, searched := snap.Index.SegmentSides()
	return sideCount{Kept: kept, Searched: searched}
}

func (a sideCount) plus(b sideCount) sideCount {
	return sideCount{Kept: a.Kept + b.Kept, Searched: a.Searched + b.Searched}
}

func (a sideCount) minus(b sideCount) sideCount {
	if a.Kept < b.Kept || a.Searched < b.Searched { // another generation: a bench never folds
		return sideCount{}
	}
	return sideCount{Kept: a.Kept - b.Kept, Searched: a.Searched - b.Searched}
}

// withPct is a with the part kept, in percent (0 with none reached).
func (a sideCount) withPct() sideCount {
	if n := a.Kept + a.Searched; n > 0 {
		a.KeptPct = 100 * float64(a.Kept) / float64(n)
	}
	return a
}
