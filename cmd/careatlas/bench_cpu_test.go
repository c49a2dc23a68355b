package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestPostgresCPUCountsClosedConnections checks that the CPU a backend
// used stays counted once its connection is closed: the bench stops its
// follower between blocks, and its backends' work must not vanish from
// the block (or make it negative).
func TestPostgresCPUCountsClosedConnections(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	before := cpuNow()
	if before.Postgres == 0 {
		t.Fatalf("no CPU read for PostgreSQL's processes: the test reads them from /proc, so it needs a server on this machine (unset %s to let the tests start one)", pgtest.EnvURL)
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	// About half a second of one backend's CPU on this machine.
	if _, err := conn.Exec(ctx, `SELECT count(*) FROM generate_series(1, 5000000) g WHERE g % 7 = 3`); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// The backend exits, and the postmaster reaps it.
	gone := false
	for range 250 {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); errors.Is(err, fs.ErrNotExist) {
			gone = true
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !gone {
		t.Fatalf("backend %d still there 5 s after its connection closed", pid)
	}
	if used := cpuNow().since(before).Postgres; used < 0.1 {
		t.Errorf("PostgreSQL CPU over a closed connection's query: %.2f s, want at least 0.1 s", used)
	}
}

// TestCPUUseNamesTheWritersOnlyApart: the text report names the writers'
// process only when its CPU was counted apart (--writers-process); writers
// in this process are part of its figure.
func TestCPUUseNamesTheWritersOnlyApart(t *testing.T) {
	tests := []struct {
		u    cpuUse
		want string
	}{
		{cpuUse{Process: 60.4, Postgres: 9.7}, "this process 60.4 s, local PostgreSQL 9.7 s"},
		{cpuUse{Process: 69.2, Children: 3.8, Postgres: 9.7}, "this process 69.2 s, the writers' process 3.8 s, local PostgreSQL 9.7 s"},
	}
	for _, tt := range tests {
		if got := tt.u.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.u, got, tt.want)
		}
	}
}
