//go:build linux

package background

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSearchesBesideBackground times CPU-bound "searches" (2.5 ms of
// work, 300 a second from 8 clients, each timed from when it was due)
// while two background goroutines each work 20 ms in every 100 (a batch
// being applied and a merge, both busier than a server's under 100
// changes a second), started as plain goroutines, as plain goroutines
// with Setup's extra Ps, with Go at niceness 10, and with Go on idle CPU
// time only. Each case runs twice:
// as pure CPU work, and "collecting": everything allocates as it works
// (about 100 MB a second in all) beside a live heap of two million
// objects, so that the collector runs every second or so, stops the
// world and marks, as a server's does. It reports the searches' p50 and
// p99 in milliseconds (go test -run '^$' -bench BesideBackground
// ./background).
func BenchmarkSearchesBesideBackground(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(procs)
	defer nice.Store(nice.Load())
	defer idle.Store(idle.Load())
	for _, collecting := range []bool{false, true} {
		for _, tc := range []struct {
			name    string
			workers int // background goroutines
			procs   int
			nice    int32
			idle    bool
		}{
			{"no_background", 0, procs, 0, false},
			{"goroutines", 2, procs, 0, false},
			{"more_procs", 2, procs + Threads, 0, false},
			{"lowered", 2, procs + Threads, 10, false},
			{"lowered_same_procs", 2, procs, 10, false},
			{"idle", 2, procs + Threads, 0, true},
		} {
			name := tc.name
			if collecting {
				name += "_collecting"
			}
			b.Run(name, func(b *testing.B) {
				runtime.GOMAXPROCS(tc.procs)
				defer runtime.GOMAXPROCS(procs)
				nice.Store(tc.nice)
				idle.Store(tc.idle)
				var live []*node
				if collecting {
					live = make([]*node, 2_000_000)
					for i := range live {
						live[i] = &node{}
						if i > 0 {
							live[i].next = live[i-1]
						}
					}
				}
				allocating.Store(collecting)
				defer allocating.Store(false)
				var lat []time.Duration
				for b.Loop() {
					lat = append(lat, besideBackground(tc.workers, 3*time.Second)...)
				}
				runtime.KeepAlive(live)
				report(b, lat)
			})
		}
	}
}

// report reports the p50 and p99 of lat in milliseconds.
func report(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// node is an object of the live heap and the garbage of a collecting
// case: a pointer for the collector to follow, and some bytes.
type node struct {
	next *node
	pad  [56]byte
}

// allocating has work allocate as it goes.
var allocating atomic.Bool

// besideBackground runs the searches of BenchmarkSearchesBesideBackground
// for d beside workers background goroutines and returns how long each
// search took.
func besideBackground(workers int, d time.Duration) []time.Duration {
	stop := make(chan struct{})
	var bg sync.WaitGroup
	for range workers {
		bg.Add(1)
		Go(func() {
			defer bg.Done()
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					work(20 * time.Millisecond)
				}
			}
		})
	}
	const clients, rate = 8, 300
	every := clients * time.Second / rate
	begin := time.Now()
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			var mine []time.Duration
			for due := begin.Add(time.Duration(i) * every / clients); due.Before(begin.Add(d)); due = due.Add(every) {
				time.Sleep(time.Until(due))
				work(2500 * time.Microsecond)
				mine = append(mine, time.Since(due))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	close(stop)
	bg.Wait()
	return lat
}

var sink uint64

// work does d's worth of CPU work, as timed on an idle core: a search
// that loses its core takes longer, as a real one does (one that stopped
// at a time on the clock would not).
func work(d time.Duration) {
	x := uint64(1)
	alloc := allocating.Load()
	var ring [1024]*node // garbage kept a little while, as a batch's is
	for i := range int64(d) * roundsPerMS() / int64(time.Millisecond) {
		for range 1000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if alloc && i%2 == 0 {
			ring[i/2%int64(len(ring))] = &node{next: ring[(i/2+1)%int64(len(ring))]}
		}
	}
	runtime.KeepAlive(&ring)
	sink += x
}

// roundsPerMS is how many of work's rounds of 1000 take a millisecond: the
// fastest of five timings of 1,000 rounds.
var roundsPerMS = sync.OnceValue(func() int64 {
	x := uint64(1)
	best := time.Duration(math.MaxInt64)
	for range 5 {
		start := time.Now()
		for range 1000 {
			for range 1000 {
				x = x*6364136223846793005 + 1442695040888963407
			}
		}
		best = min(best, time.Since(start))
	}
	sink += x
	return int64(1000 * time.Millisecond / best)
})
