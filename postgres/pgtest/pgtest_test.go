package pgtest_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careatlas/careatlas/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// TestMustDBIsolated checks the promise tests rely on: each MustDB call is a
// separate, empty, writable database, so one test's rows never leak into
// another's.
func TestMustDBIsolated(t *testing.T) {
	urlA, urlB := pgtest.MustDB(t), pgtest.MustDB(t)
	if urlA == urlB {
		t.Fatalf("two MustDB calls returned the same URL %s", urlA)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b := connect(ctx, t, urlA), connect(ctx, t, urlB)

	var nameA, nameB string
	if err := a.QueryRow(ctx, "SELECT current_database()").Scan(&nameA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(ctx, "SELECT current_database()").Scan(&nameB); err != nil {
		t.Fatal(err)
	}
	if nameA == nameB {
		t.Fatalf("both URLs lead to database %s", nameA)
	}
	if !strings.HasPrefix(nameA, "t_testmustdbisolated_") || len(nameA) > 63 {
		t.Errorf("database name %q: want t_<test name>_<random>, at most 63 bytes", nameA)
	}

	// The same table name in both, with different rows: each must see only
	// its own.
	for db, value := range map[*pgx.Conn]string{a: "in a", b: "in b"} {
		if _, err := db.Exec(ctx, "CREATE TABLE item (id int PRIMARY KEY, value text NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, "INSERT INTO item VALUES (1, $1)", value); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Exec(ctx, "INSERT INTO item VALUES (2, 'only in a')"); err != nil {
		t.Fatal(err)
	}
	for db, want := range map[*pgx.Conn][]string{a: {"in a", "only in a"}, b: {"in b"}} {
		rows, _ := db.Query(ctx, "SELECT value FROM item ORDER BY id")
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("database %s: rows %q, want %q", db.Config().Database, got, want)
		}
	}
}

// TestMustDBEmpty checks that a new database starts without tables, so tests
// need not clean up after one another.
func TestMustDBEmpty(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn := connect(ctx, t, pgtest.MustDB(t))
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("new database has %d tables in public, want 0", n)
	}
}

func connect(ctx context.Context, t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestRestart checks what Restart promises: connections are dropped, new
// ones are refused while the server is down, and afterwards the server
// answers with the committed rows in place.
func TestRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := pgtest.MustDB(t)
	before := connect(ctx, t, url)
	if _, err := before.Exec(ctx, "CREATE TABLE item (id int PRIMARY KEY); INSERT INTO item VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	refused := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		c, err := pgx.Connect(ctx, url)
		if err == nil {
			c.Close(ctx)
		}
		refused <- err
	}()
	pgtest.Restart(t, url, time.Second)
	if err := <-refused; err == nil {
		t.Error("a connection was accepted while the server was down")
	}
	if err := before.Ping(ctx); err == nil {
		t.Error("a connection from before the restart still works")
	}
	var n int
	if err := connect(ctx, t, url).QueryRow(ctx, "SELECT count(*) FROM item").Scan(&n); err != nil || n != 1 {
		t.Errorf("after the restart: %d rows (%v), want 1", n, err)
	}
}
