package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestBenchFresh runs 'careatlas bench fresh' for seconds on the bundled
// catalogue: every part of it (the searches with and without writes, the
// probes, the searches with the follower stopped and on the generation
// alone, the rounds of blocks that take turns, the disconnected
// catch-up, the clean-up) must run and report
// figures, and the catalogue must be left without the bench's rows. The
// searches are paced (--search-rate): no more are sent than scheduled.
func TestBenchFresh(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	dir, traced := t.TempDir(), filepath.Join(t.TempDir(), "slowest.trace")
	heap, waits := filepath.Join(t.TempDir(), "heap.prof"), filepath.Join(t.TempDir(), "mutex.prof")
	allocs := filepath.Join(t.TempDir(), "allocs.prof")
	cli(t, "load", "--database-url", db, bundled)
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// Offers a killed run left at the first probes' marker prices: each
	// probe must still find its own offer among them.
	leftover, err := conn.Query(ctx, `UPDATE offers o SET price = 900001 + l.n
		FROM (SELECT id, price, row_number() OVER (ORDER BY id) - 1 AS n FROM (SELECT id, price FROM offers
			WHERE currency = 'USD' AND price IS NOT NULL ORDER BY id DESC LIMIT 10) last) l
		WHERE o.id = l.id RETURNING o.id, l.price::float8`)
	if err != nil {
		t.Fatal(err)
	}
	was, err := pgx.CollectRows(leftover, pgx.RowToStructByPos[struct {
		ID    int64
		Price float64
	}])
	if err != nil || len(was) != 10 {
		t.Fatalf("leave offers at marker prices: %d, %v", len(was), err)
	}
	var out, errOut bytes.Buffer
	args := []string{"bench", "fresh", "--database-url", db, "--index-dir", dir, "--json", "--rate", "50",
		"--clients", "2", "--search-rate", "40", "--duration", "2s", "--disconnected", "2s", "--rate-every", "1s", "--refresh", "100ms",
		"--unfollowed", "--floor", "--rounds", "2", "--block", "1s", "--warm-up", "1s",
		"--slow-trace", traced, "--slow-trace-over", "1us", "--attribute", "--heapprofile", heap, "--mutexprofile", waits, "--allocprofile", allocs, "--writers-process"}
	if code := run(ctx, args, &out, &errOut); code != 0 {
		t.Fatalf("careatlas %v: exit %d\n%s", args, code, errOut.String())
	}
	var rep freshReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	if rep.Quiet.N == 0 || rep.Loaded.N == 0 || rep.Visible.N == 0 || rep.Written < 50 {
		t.Errorf("report without figures: %+v", rep)
	}
	if rep.SearchRate != 40 || rep.Quiet.N > 40*2+2 || rep.Loaded.N > 40*2+2 {
		t.Errorf("paced at 40 a second for 2 s: %d searches without writes, %d under writes; want at most 82 each",
			rep.Quiet.N, rep.Loaded.N)
	}
	// As serve does by default, the background work ran on idle CPU time
	// (the tests run as root, which may lift it out again).
	if !rep.BackgroundIdle || rep.Lifted < 0 {
		t.Errorf("background work idle %v, %d lifted: want idle by default", rep.BackgroundIdle, rep.Lifted)
	}
	if rep.QuietWait.N == 0 || rep.LoadedWait.N == 0 || rep.LoadedWait.P99 < rep.LoadedWait.P50 || rep.Refresh != "100ms" {
		t.Errorf("goroutines' waits or the refresh not reported: %+v %+v %q", rep.QuietWait, rep.LoadedWait, rep.Refresh)
	}
	if u := rep.Unfollowed; u == nil || u.Search.N == 0 || u.Search.N > 40*2+2 || u.Wait.N == 0 {
		t.Errorf("searches under writes with the follower stopped not measured: %+v", u)
	}
	if f := rep.Floor; f == nil || f.Search.N == 0 || f.Search.N > 40*2+2 || f.Wait.N == 0 {
		t.Errorf("searches under writes on the generation alone not measured: %+v", f)
	}
	if f := rep.FloorUnfollowed; f == nil || f.Search.N == 0 || f.Search.N > 40*2+2 || f.Wait.N == 0 {
		t.Errorf("searches under writes on the generation alone, the follower stopped, not measured: %+v", f)
	}
	if rs := rep.Rounds; rs == nil || rs.Rounds != 2 || rs.Quiet.N == 0 || rs.Loaded.N == 0 || rs.Floor == nil || rs.Floor.N == 0 ||
		rs.Quiet.N > 2*(40+2) || len(rs.P50Change) != 2 || len(rs.FloorP99Change) != 2 || rs.MedianFloorP50Change == nil ||
		rs.MedianP50Change != (rs.P50Change[0]+rs.P50Change[1])/2 {
		t.Errorf("rounds of blocks that take turns not measured: %+v", rs)
	}
	// The searches under writes reach the segments the writes made, and
	// the bench counts how they found each (its side kept or searched).
	if rs := rep.Rounds; rs == nil || rs.LoadedSides.Kept+rs.LoadedSides.Searched == 0 {
		t.Errorf("rounds' searches under writes reached no segment: %+v", rs)
	}
	if rs := rep.Rounds; rs == nil || rs.Unfollowed == nil || rs.Unfollowed.N == 0 || rs.Unfollowed.N > 2*(40+2) ||
		len(rs.UnfollowedP99Change) != 2 || rs.MedianUnfollowedP99Change == nil || rs.UnfollowedCPU == nil {
		t.Errorf("rounds' blocks under writes with the follower stopped not measured: %+v", rs)
	}
	// Every round pooled, with the interval the target is judged by.
	if rs := rep.Rounds; rs != nil {
		for _, pc := range []*pooledChange{rs.Pooled, rs.PooledUnfollowed} {
			if pc == nil || pc.Resamples != bootstrapResamples || !slices.Contains([]string{"yes", "no", "undecided"}, pc.Within10Pct) ||
				!(pc.P50.Low <= pc.P50.Change && pc.P50.Change <= pc.P50.High) || !(pc.P99.Low <= pc.P99.Change && pc.P99.Change <= pc.P99.High) {
				t.Errorf("rounds pooled: %+v", pc)
			}
		}
	}
	// --attribute: every search of the rounds is lined up, in the blocks
	// of its kind, and the batches applied under writes are seen.
	if rs := rep.Rounds; rs != nil {
		s := rs.Slow
		if s == nil || s.Quiet == nil || s.Loaded == nil || s.Floor == nil || s.Unfollowed == nil || s.OverMS != rs.Quiet.P99 {
			t.Fatalf("slow searches not counted by what ran beside them: %+v", s)
		}
		for _, b := range []struct {
			name string
			w    *blockWork
			n    int
		}{{"without writes", s.Quiet, rs.Quiet.N}, {"under writes", s.Loaded, rs.Loaded.N}, {"generation alone", s.Floor, rs.Floor.N},
			{"follower stopped", s.Unfollowed, rs.Unfollowed.N}} {
			w := b.w
			if w.Searches != b.n || w.Slow > w.Searches || w.DuringNone > w.Slow || w.DuringGC > w.Slow ||
				w.DuringMerge > w.Slow || w.DuringApply > w.Slow || w.DuringRead > w.Slow || w.Seconds < 1.5 || w.Seconds > 4 {
				t.Errorf("searches %s: %+v, want %d searches in two blocks of 1 s", b.name, w, b.n)
			}
		}
		if s.Loaded.Applies == 0 || s.Floor.Applies == 0 {
			t.Errorf("no batch applied seen in the blocks under writes: %+v %+v", s.Loaded, s.Floor)
		}
		if s.Loaded.Reads == 0 || s.Floor.Reads == 0 {
			t.Errorf("no batch read seen in the blocks under writes: %+v %+v", s.Loaded, s.Floor)
		}
		if s.Unfollowed.Applies != 0 || s.Unfollowed.Reads != 0 {
			t.Errorf("batches read or applied in the blocks with the follower stopped: %+v", s.Unfollowed)
		}
		if s.Quiet.Slow == 0 {
			t.Errorf("no search without writes at or over their own p99 (%.3f ms): %+v", s.OverMS, s.Quiet)
		}
		// Each shape of search has its own p50 and p99, over as many
		// searches as it counts.
		for class, c := range s.Loaded.ByClass {
			if l := s.Loaded.LatencyByClass[class]; l.N != c.Searches || l.P50 <= 0 || l.P99 < l.P50 {
				t.Errorf("searches %s under writes: %+v, latency %+v", class, c, l)
			}
		}
	}
	// A profile is gzipped protocol buffers naming its sample types (and
	// the functions its stacks pass through: what was allocated by the
	// end of the writes includes the follower's batches).
	for _, p := range []struct{ path, kind, sample string }{
		{heap, "heap", "inuse_space"}, {waits, "mutex", "contentions"},
		{allocs + ".base", "allocs", "alloc_space"}, {allocs, "allocs", "live.(*Live).applyTo"},
	} {
		f, err := os.Open(p.path)
		if err != nil {
			t.Errorf("no %s profile: %v", p.kind, err)
			continue
		}
		zr, err := gzip.NewReader(f)
		var b []byte
		if err == nil {
			b, err = io.ReadAll(zr)
		}
		f.Close()
		if err != nil || !bytes.Contains(b, []byte(p.sample)) {
			t.Errorf("no %s profile in %s (%d bytes unzipped): %v", p.kind, p.path, len(b), err)
		}
	}
	if b, err := os.ReadFile(traced); err != nil || !bytes.HasPrefix(b, []byte("go 1.")) {
		t.Errorf("no execution trace of the slowest search in %s (%d bytes): %v", traced, len(b), err)
	}
	if rep.Catchup == nil || rep.Catchup.Changes == 0 || rep.Catchup.Seconds <= 0 {
		t.Errorf("catch-up not measured: %+v", rep.Catchup)
	}
	// --writers-process: the writers ran in a process of their own, its
	// CPU counted apart from this one's.
	if rep.Catchup != nil && rep.Rounds != nil {
		if n := rep.LoadedCPU.Children + rep.Rounds.LoadedCPU.Children + rep.Catchup.WritesCPU.Children; n <= 0 {
			t.Errorf("no CPU counted for the writers' process under writes (%.2f s): did they run in this one?", n)
		}
	}
	for _, o := range was {
		if _, err := conn.Exec(ctx, `UPDATE offers SET price = $1 WHERE id = $2`, o.Price, o.ID); err != nil {
			t.Fatal(err)
		}
	}
	// What is left is named, so that a failure says which kind of row
	// the clean-up missed.
	rows, err := conn.Query(ctx, `SELECT 'inserted offer ' || id FROM offers WHERE id > $1
		UNION ALL SELECT 'inserted post ' || id FROM posts WHERE id > $1
		UNION ALL SELECT 'offer ' || id || ' at marker price ' || price FROM offers
			WHERE currency = 'USD' AND price > 900000 AND price < 901000 AND price = trunc(price)`, benchIDs)
	if err != nil {
		t.Fatal(err)
	}
	left, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("the bench left %d of its rows in the catalogue: %v", len(left), left)
	}
}

// TestFreshWriterChangesRatesAcrossBlocks checks that the exchange rate
// the writers change every --rate-every is changed by time under writes,
// not by each start: three blocks of 600 ms with a rate every second
// change one (--rounds writes in blocks shorter than a minute).
func TestFreshWriterChangesRatesAcrossBlocks(t *testing.T) {
	ctx := context.Background()
	_, pool := bundledPool(t)
	rates := func() string {
		var s string
		if err := pool.QueryRow(ctx, `SELECT string_agg(currency || '=' || rate, ',' ORDER BY currency) FROM exchange_rates`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// The writers change the rates of the currencies offers are priced
	// in; the bundled catalogue's real prices are all in dollars.
	if _, err := pool.Exec(ctx, `UPDATE offers SET currency = 'EUR'
		WHERE id IN (SELECT id FROM offers WHERE currency = 'USD' ORDER BY id LIMIT 5)`); err != nil {
		t.Fatal(err)
	}
	before := rates()
	w, err := newFreshWriter(ctx, pool, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer w.cleanUp(ctx)
	for range 3 {
		blockCtx, stop := context.WithTimeout(ctx, 600*time.Millisecond)
		writing := w.start(blockCtx, 5)
		<-blockCtx.Done()
		stop()
		if err := writing(); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.rateChanges.Load(); n < 1 {
		t.Errorf("%d exchange rates changed in 1.8 s of writing in blocks of 600 ms, a rate a second; want at least 1", n)
	}
	if rates() == before {
		t.Errorf("no exchange rate in the database changed")
	}
}

// TestFreshWriterProcess runs the writers in their own process, as 'bench
// fresh' does: they write while started and not once stopped, count what
// they wrote, refuse a second start, and exit when the bench closes them.
func TestFreshWriterProcess(t *testing.T) {
	ctx := context.Background()
	db, pool := bundledPool(t)
	w, err := newFreshWriter(ctx, pool, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.cleanUp(ctx)
	if err := w.spawnWriters(ctx, db); err != nil {
		t.Fatal(err)
	}
	pid := w.proc.cmd.Process.Pid
	var before int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM changes`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	blockCtx, stop := context.WithTimeout(ctx, time.Second)
	writing := w.start(blockCtx, 50)
	if _, err := w.proc.do(writerCommand{Op: "start", Rate: 1}); err == nil || !strings.Contains(err.Error(), "already writing") {
		t.Errorf("a second start while writing: %v, want already writing", err)
	}
	<-blockCtx.Done()
	stop()
	if err := writing(); err != nil {
		t.Fatal(err)
	}
	written, _, err := w.counts()
	if err != nil {
		t.Fatal(err)
	}
	if written < 25 || written > 55 {
		t.Errorf("%d changes written in a second at 50 a second; want 25 to 55", written)
	}
	// It inserted offers, under the bench's ids. The change log says so:
	// the writers delete the offers they inserted first, so the table
	// may hold none of them by the end.
	var inserted int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM changes
		WHERE id > $1 AND table_name = 'offers' AND op = 'insert' AND key[1]::bigint > $2`, before, benchIDs).Scan(&inserted); err != nil {
		t.Fatal(err)
	}
	if inserted == 0 {
		t.Errorf("no offer inserted by the writers' process in %d changes", written)
	}
	time.Sleep(300 * time.Millisecond)
	again, _, err := w.counts()
	if err != nil || again != written {
		t.Errorf("stopped, the writers went on: %d changes, then %d (%v)", written, again, err)
	}
	if err := w.close(); err != nil {
		t.Errorf("close the writers' process: %v", err)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		t.Errorf("the writers' process %d is still there once closed", pid)
	}
}

// bundledPool loads the bundled catalogue into a fresh database and
// returns its URL and a pool on it, closed when the test ends.
func bundledPool(t *testing.T) (string, *pgxpool.Pool) {
	t.Helper()
	db := pgtest.MustDB(t)
	cli(t, "load", "--database-url", db, bundled)
	pool, err := pgxpool.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return db, pool
}
