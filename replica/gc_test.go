package replica_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/replica"
	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"
)

// TestGC sets up every case garbage collection tells apart, with times
// moved back in the database and the store, and checks that only the
// generations no live replica serves, replaced more than the grace period
// ago, and abandoned uploads go.
func TestGC(t *testing.T) {
	ctx := context.Background()
	srv, st := newStore(t)
	pool := connect(t)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	// gen 0..3 published 4 h, 3 h, 2 h and 10 min ago; each is replaced
	// when the next is published.
	for i, age := range []string{"4 hours", "3 hours", "2 hours", "10 minutes"} {
		record(t, pool, st, publish(t, st, genName(i)))
		exec(`UPDATE generations SET published_at = now() - $1::interval WHERE name = $2`, age, genName(i))
	}
	heartbeat := func(id, gen, age string) {
		t.Helper()
		if err := postgres.Heartbeat(ctx, pool, postgres.ReplicaState{ID: id, Prefix: st.URL(), Generation: gen}); err != nil {
			t.Fatal(err)
		}
		exec(`UPDATE replicas SET heartbeat_at = now() - $1::interval WHERE id = $2`, age, id)
	}
	heartbeat("live", genName(0), "5 seconds")  // holds gen 0, replaced 3 h ago
	heartbeat("stale", genName(1), "2 hours")   // died: holds nothing
	heartbeat("ancient", genName(1), "2 days")  // died long ago: its row goes too
	heartbeat("other", genName(1), "5 seconds") // serves another store's gen 1
	exec(`UPDATE replicas SET prefix = 's3://elsewhere/x' WHERE id = 'other'`)

	// Two uploads that never got a manifest: one abandoned two hours
	// ago, one perhaps still under way.
	cl := srv.Client()
	for i, age := range map[int]time.Duration{4: 2 * time.Hour, 5: 0} {
		key := "catalogue/main/" + genName(i) + "/files/store/x.zap"
		if _, err := cl.PutObject(ctx, "idx", key, bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		if err := os.Chtimes(filepath.Join(srv.Dir, "idx", key), old, old); err != nil {
			t.Fatal(err)
		}
	}

	opts := replica.GCOptions{Grace: 30 * time.Minute, Live: time.Minute}
	deleted, err := replica.GC(ctx, st, pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{genName(1), genName(4)}; !slices.Equal(deleted, want) {
		t.Errorf("deleted %v, want %v", deleted, want)
	}
	inStore := func() []string {
		t.Helper()
		var names []string
		for obj := range cl.ListObjects(ctx, "idx", minio.ListObjectsOptions{Prefix: "catalogue/main/"}) {
			if obj.Err != nil {
				t.Fatal(obj.Err)
			}
			names = append(names, filepath.Base(obj.Key))
		}
		return names
	}
	if got, want := inStore(), []string{genName(0), genName(2), genName(3), genName(5)}; !slices.Equal(got, want) {
		t.Errorf("left in the store: %v, want %v", got, want)
	}
	rows, _ := pool.Query(ctx, `SELECT name FROM generations ORDER BY name`)
	if got, _ := pgx.CollectRows(rows, pgx.RowTo[string]); !slices.Equal(got, []string{genName(0), genName(2), genName(3)}) {
		t.Errorf("left in the generations table: %v", got)
	}
	rows, _ = pool.Query(ctx, `SELECT id FROM replicas ORDER BY id`)
	if got, _ := pgx.CollectRows(rows, pgx.RowTo[string]); !slices.Equal(got, []string{"live", "other", "stale"}) {
		t.Errorf("replica rows left: %v", got)
	}
	// What is kept is whole: it still downloads.
	for _, i := range []int{0, 2, 3} {
		m, err := replica.FetchManifest(ctx, st, genName(i))
		if err == nil {
			_, err = replica.Download(ctx, st, m, t.TempDir())
		}
		if err != nil {
			t.Errorf("%s after GC: %v", genName(i), err)
		}
	}

	// Once the last replica on gen 0 goes quiet, gen 0 goes too; the
	// newest never does, however old.
	exec(`UPDATE replicas SET heartbeat_at = now() - interval '5 minutes' WHERE id = 'live'`)
	exec(`UPDATE generations SET published_at = published_at - interval '1 day'`)
	deleted, err = replica.GC(ctx, st, pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{genName(0), genName(2)}; !slices.Equal(deleted, want) {
		t.Errorf("second run deleted %v, want %v", deleted, want)
	}
	if got, want := inStore(), []string{genName(3), genName(5)}; !slices.Equal(got, want) {
		t.Errorf("left in the store: %v, want %v", got, want)
	}
}
