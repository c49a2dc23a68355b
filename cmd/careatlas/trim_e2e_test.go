package main

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/search"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestTrimWaitsForTheSlowestServer: another server on the database still
// needs the log from before this one's generation, so this one's trims
// go no further than that; once the other has been quiet for longer than
// staleReader, they go up to this server's generation; and a server that
// stops forgets the position it needed.
func TestTrimWaitsForTheSlowestServer(t *testing.T) {
	ctx := context.Background()
	db, dir := indexedDB(t, miniCatalogue)
	pool, err := postgres.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	gen, err := search.Current(dir)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := indexer.ChangePosition(gen)
	if err != nil {
		t.Fatal(err)
	}
	served, err := postgres.ParsePosition(raw)
	if err != nil {
		t.Fatal(err)
	}
	// The other server serves a generation built before the catalogue was
	// loaded: it needs the load's changes, which this one's generation is
	// past.
	const other = "elsewhere:/var/lib/careatlas"
	old := postgres.Position{XID: 1}
	if err := postgres.NeedChanges(ctx, pool, other, old); err != nil {
		t.Fatal(err)
	}
	loadChanges := logged(t, pool, served)
	if loadChanges == 0 {
		t.Fatal("the load logged no changes before the generation's position")
	}

	base, stop := serveUntil(t, "--index-dir", dir, "--database-url", db, "--trim-grace", "200ms", "--fold-after", "0")
	waitReady(t, base, 30*time.Second)
	self := readerName(dir)
	waitFor(t, 30*time.Second, "this server among the log's readers, at its generation", func() (bool, string) {
		p, ok := readerAt(t, pool, self)
		return ok && p == served, fmt.Sprintf("%v %v, want %v", p, ok, served)
	})
	waitFor(t, 30*time.Second, "a trim up to the other server's position", func() (bool, string) {
		h, ok := horizon(t, pool)
		return ok && h == old, fmt.Sprintf("horizon %v %v", h, ok)
	})
	if n := logged(t, pool, served); n != loadChanges {
		t.Errorf("%d of the load's %d changes left after a trim the other server holds back", n, loadChanges)
	}

	// The other server goes quiet: after staleReader, only this one's
	// position holds the log.
	if _, err := pool.Exec(ctx, `UPDATE change_readers SET seen_at = now() - $1::interval WHERE reader = $2`,
		strconv.Itoa(int(2*staleReader/time.Second))+" seconds", other); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "a trim up to this server's generation", func() (bool, string) {
		h, ok := horizon(t, pool)
		return ok && h == served && logged(t, pool, served) == 0, fmt.Sprintf("horizon %v %v", h, ok)
	})

	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	if p, ok := readerAt(t, pool, self); ok {
		t.Errorf("a stopped server still needs the log from %v", p)
	}
}

// logged counts the changes in the log at or before p.
func logged(t *testing.T, pool *pgxpool.Pool, p postgres.Position) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM changes WHERE (xid, id) <= ($1::text::xid8, $2)`,
		strconv.FormatUint(p.XID, 10), p.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// horizon is the position the log was last trimmed up to (false: never).
func horizon(t *testing.T, pool *pgxpool.Pool) (postgres.Position, bool) {
	t.Helper()
	return positionIn(t, pool, `SELECT xid::text, id FROM changes_trimmed`)
}

// readerAt is the position reader said it needs (false: none).
func readerAt(t *testing.T, pool *pgxpool.Pool, reader string) (postgres.Position, bool) {
	t.Helper()
	return positionIn(t, pool, `SELECT xid::text, id FROM change_readers WHERE reader = $1`, reader)
}

func positionIn(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) (postgres.Position, bool) {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var p postgres.Position
	found := false
	for rows.Next() {
		var xid string
		if err := rows.Scan(&xid, &p.ID); err != nil {
			t.Fatal(err)
		}
		if p.XID, err = strconv.ParseUint(xid, 10, 64); err != nil {
			t.Fatal(err)
		}
		found = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return p, found
}

// TestStuckServerHoldsNoTrim: a server whose generation's position was
// trimmed already (and that does not fold) cannot read on from it, and
// so does not hold other servers' trims at it either.
func TestStuckServerHoldsNoTrim(t *testing.T) {
	ctx := context.Background()
	db, dir := indexedAndTrimmed(t)
	pool, err := postgres.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--fold-after", "0")
	waitReady(t, base, 30*time.Second)
	self := readerName(dir)
	waitFor(t, 30*time.Second, "a rebuild needed, and this server not among the log's readers", func() (bool, string) {
		var st struct {
			Freshness struct {
				RebuildNeeded bool `json:"rebuild_needed"`
			}
		}
		if code, err := getJSON(base+"/readyz", &st); err != nil || code != 200 {
			return false, fmt.Sprintf("readyz: %d %v", code, err)
		}
		p, ok := readerAt(t, pool, self)
		return st.Freshness.RebuildNeeded && !ok, fmt.Sprintf("rebuild needed %v, reader at %v %v", st.Freshness.RebuildNeeded, p, ok)
	})
}
