//go:build linux

package background

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkSearchesBesideBackground times CPU-bound "searches" (2.5 ms of
// work, 300 a second from 8 clients, each timed from when it was due)
// while two background goroutines each work 20 ms in every 100 (a batch
// being applied and a merge, both busier than a server's under 100
// changes a second), started as plain goroutines, as plain goroutines
// with Setup's extra Ps, and with Go at niceness 10. It reports the
// searches' p50 and p99 in milliseconds (go test -run '^$' -bench
// BesideBackground ./background).
func BenchmarkSearchesBesideBackground(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(procs)
	defer nice.Store(nice.Load())
	for _, tc := range []struct {
		name    string
		workers int // background goroutines
		procs   int
		nice    int32
	}{
		{"no_background", 0, procs, 0},
		{"goroutines", 2, procs, 0},
		{"more_procs", 2, procs + Threads, 0},
		{"lowered", 2, procs + Threads, 10},
	} {
		b.Run(tc.name, func(b *testing.B) {
			runtime.GOMAXPROCS(tc.procs)
			defer runtime.GOMAXPROCS(procs)
			nice.Store(tc.nice)
			var lat []time.Duration
			for b.Loop() {
				lat = append(lat, besideBackground(tc.workers, 3*time.Second)...)
			}
			slices.Sort(lat)
			at := func(q float64) float64 {
				return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond)
			}
			b.ReportMetric(at(0.5), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

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

// work keeps a core busy for d.
func work(d time.Duration) {
	x := uint64(1)
	for end := time.Now().Add(d); time.Now().Before(end); {
		for range 1000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink += x
}
