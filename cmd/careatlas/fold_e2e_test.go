package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// readyState is what the fold tests read of /readyz.
type readyState struct {
	Index     struct{ Generation string }
	Freshness struct {
		Changed, Deleted uint64
		RebuildNeeded    bool `json:"rebuild_needed"`
		Fold             *struct {
			After       uint64
			Running     bool
			Folds       int
			LastSeconds float64 `json:"last_seconds"`
			LastError   string  `json:"last_error"`
			Failures    int
		}
	}
}

func readyzState(t *testing.T, base string) readyState {
	t.Helper()
	var st readyState
	if code, err := getJSON(base+"/readyz", &st); err != nil || code != 200 {
		t.Fatalf("readyz: %d %v", code, err)
	}
	if st.Freshness.Fold == nil {
		t.Fatalf("readyz says nothing of folds: %+v", st)
	}
	return st
}

// waitFor polls cond every 50 ms until it holds or within passes, failing
// the test then with what the last poll said.
func waitFor(t *testing.T, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	last := ""
	for start := time.Now(); time.Since(start) < within; time.Sleep(50 * time.Millisecond) {
		ok, got := cond()
		if ok {
			t.Logf("%s after %v", what, time.Since(start).Round(time.Millisecond))
			return
		}
		last = got
	}
	t.Fatalf("%s: not within %v; last: %s", what, within, last)
}

// usPrices are the US offers' prices as the API shows them, by id.
func usPrices(t *testing.T, base string) map[int64]float64 {
	t.Helper()
	out := map[int64]float64{}
	for _, h := range searchAPI(t, base, url.Values{"type": {"offer"}, "country": {"US"}, "per_page": {"100"}}).Hits {
		if h.Price != nil {
			out[h.ID] = h.Price.Amount
		}
	}
	return out
}

// TestFoldReplacesTheOverlay serves the mini catalogue from PostgreSQL
// with --fold-after 4: two changed offers (and the treatment whose price
// span they move) are served on top of the generation and start nothing;
// a third (and its treatment) starts a build of a new generation, which the server serves with an empty overlay and the
// database's prices; it then follows the log from the new generation.
func TestFoldReplacesTheOverlay(t *testing.T) {
	ctx := context.Background()
	db, dir := indexedDB(t, miniCatalogue)
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--fold-after", "4")
	first := waitReady(t, base, 30*time.Second)
	conn := conn(t, db)
	setPrice := func(id int64, price float64) {
		t.Helper()
		if _, err := conn.Exec(ctx, `UPDATE offers SET price = $1, currency = 'USD' WHERE id = $2`, price, id); err != nil {
			t.Fatal(err)
		}
	}
	if st := readyzState(t, base); st.Freshness.Fold.After != 4 || st.Freshness.Fold.Folds != 0 || st.Freshness.Fold.Running {
		t.Fatalf("before any change: %+v", *st.Freshness.Fold)
	}

	setPrice(1000, 9000)
	setPrice(1001, 9100)
	waitFor(t, freshDeadline, "two prices served", func() (bool, string) {
		p := usPrices(t, base)
		return p[1000] == 9000 && p[1001] == 9100, fmt.Sprint(p)
	})
	// /metrics says as much as /readyz does.
	if st := readyzState(t, base); scrapeMetric(t, base, "careatlas_overlay_records") != float64(st.Freshness.Changed) ||
		scrapeMetric(t, base, "careatlas_rebuild_needed") != 0 || scrapeMetric(t, base, "careatlas_changes_applied") < 2 {
		t.Errorf("/metrics: overlay records %v (readyz %d), rebuild needed %v, applied %v",
			scrapeMetric(t, base, "careatlas_overlay_records"), st.Freshness.Changed,
			scrapeMetric(t, base, "careatlas_rebuild_needed"), scrapeMetric(t, base, "careatlas_changes_applied"))
	}
	// Background work lifted out of idle CPU time is counted (scrapeMetric
	// fails the test when a series is missing).
	if lifted := scrapeMetric(t, base, "careatlas_background_lifted_total"); lifted < 0 {
		t.Errorf("careatlas_background_lifted_total %v", lifted)
	}
	// The same search again finds the segments' sides kept, and
	// /metrics counts them.
	sides := func(found string) float64 {
		return scrapeMetric(t, base, `careatlas_overlay_segment_sides_total{found="`+found+`"}`)
	}
	kept := sides("kept")
	usPrices(t, base)
	usPrices(t, base)
	if sides("kept") <= kept || sides("searched") == 0 {
		t.Errorf("/metrics: segment sides kept %v, then %v after the same search twice; searched %v",
			kept, sides("kept"), sides("searched"))
	}
	// Below --fold-after, nothing is built: the folder looks every
	// foldCheckEvery.
	time.Sleep(2*foldCheckEvery + time.Second)
	if st := readyzState(t, base); st.Index.Generation != first || st.Freshness.Changed < 2 || st.Freshness.Changed >= 4 ||
		st.Freshness.Fold.Folds != 0 || st.Freshness.Fold.Running {
		t.Fatalf("two changed offers, fold after 4: generation %s (was %s), changed %d, fold %+v",
			st.Index.Generation, first, st.Freshness.Changed, *st.Freshness.Fold)
	}

	setPrice(1002, 9200)
	var folded readyState
	waitFor(t, time.Minute, "the fold's generation served", func() (bool, string) {
		folded = readyzState(t, base)
		f := folded.Freshness
		return folded.Index.Generation != first && f.Fold.Folds == 1 && f.Changed == 0 && f.Deleted == 0,
			fmt.Sprintf("generation %s changed %d deleted %d fold %+v", folded.Index.Generation, f.Changed, f.Deleted, *f.Fold)
	})
	if f := folded.Freshness.Fold; f.Running || f.LastSeconds <= 0 || f.LastError != "" || f.Failures != 0 {
		t.Errorf("after the fold: %+v", *f)
	}
	for series, want := range map[string]float64{"careatlas_folds_total": 1, "careatlas_fold_failures_total": 0, "careatlas_fold_running": 0} {
		if got := scrapeMetric(t, base, series); got != want {
			t.Errorf("%s after the fold: %v, want %v", series, got, want)
		}
	}
	if cur, err := os.Readlink(filepath.Join(dir, "current")); err != nil || filepath.Base(cur) != folded.Index.Generation {
		t.Errorf("current -> %q (%v), want the served generation %s", cur, err, folded.Index.Generation)
	}
	if p := usPrices(t, base); p[1000] != 9000 || p[1001] != 9100 || p[1002] != 9200 {
		t.Errorf("prices served from the folded generation: %v", p)
	}

	// The new generation is followed: a change after it is served, and
	// one changed offer starts no fold.
	setPrice(1003, 9300)
	waitFor(t, freshDeadline, "a change after the fold served", func() (bool, string) {
		p := usPrices(t, base)
		return p[1003] == 9300, fmt.Sprint(p)
	})
	time.Sleep(2*foldCheckEvery + time.Second)
	if st := readyzState(t, base); st.Index.Generation != folded.Index.Generation || st.Freshness.Fold.Folds != 1 {
		t.Errorf("one change after the fold: generation %s (folded %s), fold %+v",
			st.Index.Generation, folded.Index.Generation, *st.Freshness.Fold)
	}
	got := []int64{}
	for _, h := range searchAPI(t, base, url.Values{"type": {"offer"}, "country": {"US"}, "sort": {"price_desc"}}).Hits {
		got = append(got, h.ID)
	}
	if want := []int64{1003, 1002, 1001, 1000}; !slices.Equal(got, want) {
		t.Errorf("US offers by price, highest first: %v, want %v", got, want)
	}
}

// TestFoldThatFailsKeepsServing holds the index directory's build lock,
// as a build of the operator's would, when the overlay calls for a fold:
// the fold's build fails, /readyz says why, and the server goes on
// serving the generation and the changes on top of it.
func TestFoldThatFailsKeepsServing(t *testing.T) {
	ctx := context.Background()
	db, dir := indexedDB(t, miniCatalogue)
	lock, err := os.OpenFile(filepath.Join(dir, "build.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--fold-after", "1")
	first := waitReady(t, base, 30*time.Second)
	if _, err := conn(t, db).Exec(ctx, `UPDATE offers SET price = 9000 WHERE id = 1000`); err != nil {
		t.Fatal(err)
	}
	var st readyState
	waitFor(t, 30*time.Second, "the failed fold reported", func() (bool, string) {
		st = readyzState(t, base)
		f := st.Freshness.Fold
		return f.LastError != "" && !f.Running, fmt.Sprintf("%+v", *f)
	})
	if f := st.Freshness.Fold; !strings.Contains(f.LastError, "another build is running") || f.Folds != 0 || f.Failures != 1 {
		t.Errorf("fold with the build lock held: %+v", *f)
	}
	if got := scrapeMetric(t, base, "careatlas_fold_failures_total"); got != 1 {
		t.Errorf("careatlas_fold_failures_total after the failed fold: %v, want 1", got)
	}
	if st.Index.Generation != first || st.Freshness.Changed == 0 {
		t.Errorf("after the failed fold: generation %s (was %s), changed %d", st.Index.Generation, first, st.Freshness.Changed)
	}
	if p := usPrices(t, base); p[1000] != 9000 {
		t.Errorf("offer 1000 after the failed fold: %v, want 9000", p[1000])
	}
}

// TestFoldAfterABulkLoad reloads the catalogue into the database, which
// the change log does not carry (a truncate): the server says a rebuild
// is needed, and its fold is that rebuild, however few the changes.
func TestFoldAfterABulkLoad(t *testing.T) {
	db, dir := indexedDB(t, miniCatalogue)
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--fold-after", "1000")
	first := waitReady(t, base, 30*time.Second)

	// The same catalogue, offer 1000 at another price.
	reload := t.TempDir()
	if err := os.CopyFS(reload, os.DirFS(miniCatalogue)); err != nil {
		t.Fatal(err)
	}
	offers := filepath.Join(reload, "offers.csv")
	b, err := os.ReadFile(offers)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "\n1000,10,1,15000.00,") {
		t.Fatalf("offers.csv of the mini catalogue no longer prices offer 1000 at 15000.00:\n%s", b)
	}
	if err := os.WriteFile(offers, []byte(strings.Replace(string(b), "\n1000,10,1,15000.00,", "\n1000,10,1,15500.00,", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cli(t, "load", "--database-url", db, reload)

	waitRebuiltByFold(t, base, first, "the rebuild served")
	if p := usPrices(t, base); p[1000] != 15500 {
		t.Errorf("offer 1000 after the rebuild: %v, want 15500", p[1000])
	}
}

// TestFoldAfterTheLogWasTrimmed starts a server on a generation whose
// change-log position was trimmed since (another server's generation was
// newer): the log cannot be read on from it, the server says a rebuild
// is needed, and its fold builds the generation that can.
func TestFoldAfterTheLogWasTrimmed(t *testing.T) {
	ctx := context.Background()
	db, dir := indexedAndTrimmed(t)
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--fold-after", "1000")
	first := waitReady(t, base, 30*time.Second)
	waitRebuiltByFold(t, base, first, "a generation the log can be read on from")
	if p := usPrices(t, base); p[1000] != 9000 {
		t.Errorf("offer 1000 after the rebuild: %v, want 9000", p[1000])
	}
	// And it is followed: a change after it is served.
	if _, err := conn(t, db).Exec(ctx, `UPDATE offers SET price = 9100 WHERE id = 1000`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, freshDeadline, "a change after the rebuild", func() (bool, string) {
		p := usPrices(t, base)
		return p[1000] == 9100, fmt.Sprint(p)
	})
}

// TestBulkLoadWithoutFolds: with --fold-after 0 a bulk load is left to
// the operator, and /readyz and /metrics say a rebuild is needed.
func TestBulkLoadWithoutFolds(t *testing.T) {
	db, dir := indexedDB(t, miniCatalogue)
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--fold-after", "0")
	first := waitReady(t, base, 30*time.Second)
	cli(t, "load", "--database-url", db, miniCatalogue)
	var body struct {
		Index     struct{ Generation string }
		Freshness map[string]any
	}
	waitFor(t, 30*time.Second, "a rebuild needed", func() (bool, string) {
		code, err := getJSON(base+"/readyz", &body)
		return err == nil && code == 200 && body.Freshness["rebuild_needed"] == true, fmt.Sprintf("%d %v %+v", code, err, body)
	})
	if _, ok := body.Freshness["fold"]; ok || body.Index.Generation != first {
		t.Errorf("--fold-after 0: freshness %v, generation %s (was %s)", body.Freshness, body.Index.Generation, first)
	}
	if got := scrapeMetric(t, base, "careatlas_rebuild_needed"); got != 1 {
		t.Errorf("careatlas_rebuild_needed: %v, want 1", got)
	}
}

// indexedDB loads catalogue into a database of the test's own and builds
// an index of it, for a server to serve.
func indexedDB(t *testing.T, catalogue string) (db, dir string) {
	t.Helper()
	db, dir = pgtest.MustDB(t), t.TempDir()
	cli(t, "load", "--database-url", db, catalogue)
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	return db, dir
}

// waitRebuiltByFold waits for the server at base to serve a generation
// other than first that its one fold built, no rebuild needed any more.
func waitRebuiltByFold(t *testing.T, base, first, what string) {
	t.Helper()
	waitFor(t, time.Minute, what, func() (bool, string) {
		st := readyzState(t, base)
		return st.Index.Generation != first && st.Freshness.Fold.Folds == 1 && !st.Freshness.RebuildNeeded,
			fmt.Sprintf("generation %s rebuild needed %v fold %+v", st.Index.Generation, st.Freshness.RebuildNeeded, *st.Freshness.Fold)
	})
}

// indexedAndTrimmed is indexedDB of the mini catalogue, then a price
// change, then the log trimmed past it: a server on the generation can no
// longer read on from its position (another server's trim did it).
func indexedAndTrimmed(t *testing.T) (db, dir string) {
	t.Helper()
	ctx := context.Background()
	db, dir = indexedDB(t, miniCatalogue)
	if _, err := conn(t, db).Exec(ctx, `UPDATE offers SET price = 9000 WHERE id = 1000`); err != nil {
		t.Fatal(err)
	}
	pool, err := postgres.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	now, err := postgres.CurrentPosition(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := postgres.Trim(ctx, pool, now); err != nil || n == 0 {
		t.Fatalf("trim the log past the price change: %d changes, %v", n, err)
	}
	return db, dir
}

// conn connects to db until the test ends.
func conn(t *testing.T, db string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestServeStopsDuringAFold stops serve gracefully while its fold builds
// the bundled catalogue: serve exits cleanly and soon, its build is asked
// to stop and removes what it had written, and no build process is left.
func TestServeStopsDuringAFold(t *testing.T) {
	ctx := context.Background()
	db, dir := indexedDB(t, bundled)
	first, err := os.Readlink(filepath.Join(dir, "current"))
	if err != nil {
		t.Fatal(err)
	}
	base, stop := serveUntil(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--fold-after", "1")
	waitReady(t, base, 30*time.Second)
	if _, err := conn(t, db).Exec(ctx, `UPDATE offers SET price = price + 1 WHERE id = (SELECT min(id) FROM offers WHERE price IS NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the fold running", func() (bool, string) {
		st := readyzState(t, base)
		return st.Freshness.Fold.Running, fmt.Sprintf("%+v", *st.Freshness.Fold)
	})
	time.Sleep(500 * time.Millisecond) // the build under way
	start := time.Now()
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	took := time.Since(start)
	t.Logf("serve stopped %v after it was asked to, during a fold", took.Round(time.Millisecond))
	if took > 20*time.Second {
		t.Errorf("serve took %v to stop during a fold", took)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".building") {
			t.Errorf("the fold's build left %s", e.Name())
		}
	}
	if cur, err := os.Readlink(filepath.Join(dir, "current")); err != nil || cur != first {
		t.Logf("current -> %s (%v): the build had finished when serve stopped", cur, err)
	}
	// No build is left running: no process names the index directory.
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), dir) {
			t.Errorf("a process is left with the index directory on its command line: %s %q", p, b)
		}
	}
}
