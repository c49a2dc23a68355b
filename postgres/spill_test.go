package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ownCluster starts a PostgreSQL of the test's own, with the mini
// catalogue loaded (post events refer to posts), and returns it with a
// pool on it.
func ownCluster(t *testing.T) (*pgtest.Cluster, *pgxpool.Pool) {
	t.Helper()
	c := pgtest.NewCluster(t)
	pool, err := postgres.Connect(context.Background(), c.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := postgres.Load(context.Background(), pool, "../testdata/mini"); err != nil {
		t.Fatal(err)
	}
	return c, pool
}

// record sends n searches, n post views and n page views, failing the test if one is
// refused. During an outage, record runs before the test starts the
// database again: a sender that waited for the database would wait for
// ever, so each call has a deadline (a guard against hanging, far above
// any wait for room in the buffer, not a measure of speed).
func record(t *testing.T, w *postgres.EventWriter, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i := range n {
		if err := w.RecordSearch(ctx, posts.SearchEvent{At: time.Now(), Keywords: []string{"knee"}, Total: i}); err != nil {
			t.Fatalf("event %d: %v (did the sender wait for the database?)", i, err)
		}
		if err := w.RecordPost(ctx, posts.PostEvent{At: time.Now(), PostID: 1, FacilityID: 1, Kind: posts.View}); err != nil {
			t.Fatalf("event %d: %v (did the sender wait for the database?)", i, err)
		}
		if err := w.RecordView(ctx, posts.ViewEvent{At: time.Now(), FacilityID: 1, Keywords: []string{"knee"}, PatientCountry: "DE"}); err != nil {
			t.Fatalf("event %d: %v (did the sender wait for the database?)", i, err)
		}
	}
}

func countEvents(t *testing.T, pool *pgxpool.Pool) int64 {
	t.Helper()
	var n int64
	if err := pool.QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM search_events) + (SELECT count(*) FROM post_events) + (SELECT count(*) FROM facility_views)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEventsSurviveDatabaseOutage stops PostgreSQL while events keep
// coming, far more than the buffer holds, and starts it again: every event
// is in PostgreSQL, none lost, and senders never waited on the outage.
func TestEventsSurviveDatabaseOutage(t *testing.T) {
	c, pool := ownCluster(t)
	spillDir := t.TempDir()
	w := postgres.NewEventWriter(pool, postgres.EventOptions{Buffer: 100, BatchSize: 50,
		FlushEvery: 20 * time.Millisecond, SpillDir: spillDir})

	record(t, w, 100)
	waitFor(t, "the first events written", func() bool { return w.Written() == 300 })

	c.Stop(t)
	record(t, w, 2000) // 6,000 events through a buffer of 100
	waitFor(t, "events spilled", func() bool { return w.Spilled() == 6000 })
	if _, err := os.Stat(filepath.Join(spillDir, postgres.SpillFile)); err != nil {
		t.Fatalf("no spill file: %v", err)
	}

	c.Start(t)
	record(t, w, 100)
	waitFor(t, "the spill written", func() bool { return w.Spilled() == 0 && w.Written() == 6600 })
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, pool); n != 6600 || w.Lost() != 0 {
		t.Errorf("%d events in PostgreSQL, %d lost; want 6600 and none", n, w.Lost())
	}
	if _, err := os.Stat(filepath.Join(spillDir, postgres.SpillFile)); !os.IsNotExist(err) {
		t.Errorf("the spill file is still there after it was written: %v", err)
	}
}

// TestEventsSpilledAtShutdownAreWrittenByTheNextWriter shuts a writer down
// while PostgreSQL is away (as serve stops during an outage, or dies), and
// checks that the next writer on the same directory writes its events,
// even with the last line torn as a crash while appending leaves it.
func TestEventsSpilledAtShutdownAreWrittenByTheNextWriter(t *testing.T) {
	c, pool := ownCluster(t)
	spillDir := t.TempDir()
	opts := postgres.EventOptions{Buffer: 100, BatchSize: 50, FlushEvery: 20 * time.Millisecond, SpillDir: spillDir}
	c.Stop(t)
	w := postgres.NewEventWriter(pool, opts)
	record(t, w, 300)
	if err := w.Close(context.Background()); err != nil {
		t.Fatalf("close during the outage: %v (spilled events are not lost)", err)
	}
	if w.Spilled() != 900 || w.Lost() != 0 {
		t.Fatalf("spilled %d, lost %d; want 900 and none", w.Spilled(), w.Lost())
	}
	f, err := os.OpenFile(filepath.Join(spillDir, postgres.SpillFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"search":{"At":"2026-`) // torn
	f.Close()

	c.Start(t)
	w2 := postgres.NewEventWriter(pool, opts)
	if w2.Spilled() != 900 {
		t.Errorf("the next writer found %d spilled events, want 900", w2.Spilled())
	}
	record(t, w2, 10)
	if err := w2.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, pool); n != 930 {
		t.Errorf("%d events in PostgreSQL, want 930", n)
	}
}

// TestEventsBeyondTheSpillBoundAreCounted fills a small spill during an
// outage: what does not fit is counted as lost, and everything else
// arrives.
func TestEventsBeyondTheSpillBoundAreCounted(t *testing.T) {
	c, pool := ownCluster(t)
	w := postgres.NewEventWriter(pool, postgres.EventOptions{Buffer: 100, BatchSize: 50,
		FlushEvery: 20 * time.Millisecond, SpillDir: t.TempDir(), SpillMax: 20 << 10})
	c.Stop(t)
	record(t, w, 500)
	waitFor(t, "the buffer drained", func() bool { return w.Spilled()+w.Lost() == 1500 })
	if w.Lost() == 0 || w.Spilled() == 0 {
		t.Fatalf("spilled %d, lost %d: a 20 KiB spill holds some of 1,500 events, not all", w.Spilled(), w.Lost())
	}
	spilled := w.Spilled()
	c.Start(t)
	err := w.Close(context.Background())
	if err == nil {
		t.Error("Close reported no loss")
	}
	if n := countEvents(t, pool); n != spilled {
		t.Errorf("%d events in PostgreSQL; %d were spilled", n, spilled)
	}
	t.Logf("a 20 KiB spill kept %d events; %d counted as lost", spilled, w.Lost())
}
