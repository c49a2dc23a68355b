package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// withMini returns a pool on a new database holding the mini catalogue, and
// the log position right after the load.
func withMini(t *testing.T) (*pgxpool.Pool, postgres.Position) {
	t.Helper()
	pool := loaded(t)
	return pool, position(t, pool)
}

func position(t *testing.T, pool *pgxpool.Pool) postgres.Position {
	t.Helper()
	p, err := postgres.CurrentPosition(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func exec(t *testing.T, pool *pgxpool.Pool, sqls ...string) {
	t.Helper()
	for _, sql := range sqls {
		if _, err := pool.Exec(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}

// readNow reads every change after p that can be read now, in small pages
// so that the paging is exercised too.
func readNow(t *testing.T, pool *pgxpool.Pool, p postgres.Position) ([]postgres.Change, postgres.Position) {
	t.Helper()
	var out []postgres.Change
	for {
		batch, next, err := postgres.ReadChanges(context.Background(), pool, p, 3)
		if err != nil {
			t.Fatal(err)
		}
		if next.Compare(p) < 0 {
			t.Fatalf("position went back from %s to %s", p, next)
		}
		out, p = append(out, batch...), next
		if len(batch) < 3 {
			return out, p
		}
	}
}

// readAll reads every change after p committed so far. A transaction in
// flight anywhere on the server (autovacuum's ANALYZE takes one) may hold
// back the changes committed after it for a moment, so it reads until its
// position is past the last transaction in the log.
func readAll(t *testing.T, pool *pgxpool.Pool, p postgres.Position) ([]postgres.Change, postgres.Position) {
	t.Helper()
	var last string
	if err := pool.QueryRow(context.Background(), `SELECT coalesce(max(xid)::text, '0') FROM changes`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	xid, _ := strconv.ParseUint(last, 10, 64)
	target := postgres.Position{XID: xid + 1}
	var out []postgres.Change
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		batch, next := readNow(t, pool, p)
		out, p = append(out, batch...), next
		if p.Compare(target) >= 0 {
			return out, p
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("the log is held back at %s, short of %s", p, target)
		}
	}
}

// brief is a change as the tests write it: "offers 1000 update".
func brief(cs []postgres.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s %s %s", c.Table, strings.Join(c.Key, ","), c.Op)
	}
	return out
}

// TestChangeLogRecordsEveryTable writes to every catalogue table and checks
// that each insert, update and delete is logged, once, with the row's key.
func TestChangeLogRecordsEveryTable(t *testing.T) {
	pool, from := withMini(t)
	cases := []struct {
		table               string
		insert, update, del string
		key                 string
	}{
		{"exchange_rates", `INSERT INTO exchange_rates VALUES ('CHF', 0.9, '2025-10-02')`,
			`UPDATE exchange_rates SET rate = 0.91 WHERE currency = 'CHF'`,
			`DELETE FROM exchange_rates WHERE currency = 'CHF'`, "CHF,2025-10-02"},
		{"countries", `INSERT INTO countries VALUES ('FR', 'France', 'EUR')`,
			`UPDATE countries SET name = 'République française' WHERE code = 'FR'`,
			`DELETE FROM countries WHERE code = 'FR'`, "FR"},
		{"treatments", `INSERT INTO treatments (id, name, category) VALUES (5, 'Cataract surgery', 'Ophthalmology')`,
			`UPDATE treatments SET lay_names = '{cataract}' WHERE id = 5`,
			`DELETE FROM treatments WHERE id = 5`, "5"},
		{"facilities", `INSERT INTO facilities (id, name, kind, country_code) VALUES (14, 'Clinique', 'clinic', 'DE')`,
			`UPDATE facilities SET accreditations = '{JCI}' WHERE id = 14`,
			`DELETE FROM facilities WHERE id = 14`, "14"},
		{"doctors", `INSERT INTO doctors (id, facility_id, name) VALUES (103, 13, 'Dr. Jo Weber')`,
			`UPDATE doctors SET languages = '{de}' WHERE id = 103`,
			`DELETE FROM doctors WHERE id = 103`, "103"},
		{"doctor_treatments", `INSERT INTO doctor_treatments (doctor_id, treatment_id) VALUES (100, 3)`,
			`UPDATE doctor_treatments SET updated_at = now() WHERE doctor_id = 100 AND treatment_id = 3`,
			`DELETE FROM doctor_treatments WHERE doctor_id = 100 AND treatment_id = 3`, "100,3"},
		{"offers", `INSERT INTO offers (id, facility_id, treatment_id, price, currency) VALUES (1007, 13, 1, 9000, 'EUR')`,
			`UPDATE offers SET price = 8500 WHERE id = 1007`,
			`DELETE FROM offers WHERE id = 1007`, "1007"},
		{"treatment_translations", `INSERT INTO treatment_translations (treatment_id, lang, name) VALUES (3, 'de', 'Herzinfarkt')`,
			`UPDATE treatment_translations SET lay_names = '{Infarkt}' WHERE treatment_id = 3 AND lang = 'de'`,
			`DELETE FROM treatment_translations WHERE treatment_id = 3 AND lang = 'de'`, "3,de"},
		{"synonyms", `INSERT INTO synonyms VALUES ('boob job', 'breast augmentation', 'curated')`,
			`UPDATE synonyms SET source = 'medquad' WHERE term = 'boob job'`,
			`DELETE FROM synonyms WHERE term = 'boob job'`, "boob job,breast augmentation"},
		{"price_references", `INSERT INTO price_references VALUES (1, 'DE', 9000, 'EUR', 'test')`,
			`UPDATE price_references SET amount = 9500 WHERE treatment_id = 1 AND country_code = 'DE'`,
			`DELETE FROM price_references WHERE treatment_id = 1 AND country_code = 'DE'`, "1,DE"},
		{"posts", `INSERT INTO posts (id, facility_id, title, body, starts_at, keywords) VALUES (7, 13, 'IVF', 'Cycles.', now(), '{ivf}')`,
			`UPDATE posts SET published = true WHERE id = 7`,
			`DELETE FROM posts WHERE id = 7`, "7"},
	}
	var want []string
	for _, c := range cases {
		exec(t, pool, c.insert, c.update, c.del)
		for _, op := range []string{"insert", "update", "delete"} {
			want = append(want, c.table+" "+c.key+" "+op)
		}
	}
	got, _ := readAll(t, pool, from)
	if !reflect.DeepEqual(brief(got), want) {
		t.Errorf("logged\n%s\nwant\n%s", strings.Join(brief(got), "\n"), strings.Join(want, "\n"))
	}
	for _, c := range got {
		if c.ID == 0 || c.XID == 0 || c.At.IsZero() {
			t.Errorf("change %+v lacks its id, transaction or time", c)
		}
		if c.Table == "offers" && c.Op != postgres.OpInsert &&
			!reflect.DeepEqual(c.Refs, map[string]int64{"facility_id": 13, "treatment_id": 1}) {
			t.Errorf("offer %s refs = %v", c.Op, c.Refs)
		}
	}
}

// TestChangeLogFollowsKeysAndCascades: an update that moves a primary key is
// a delete and an insert; a cascade logs every row it takes with it; one
// statement over many rows logs each of them.
func TestChangeLogFollowsKeysAndCascades(t *testing.T) {
	pool, from := withMini(t)
	exec(t, pool,
		`UPDATE offers SET id = 1010 WHERE id = 1005`,
		`UPDATE offers SET facility_id = 12 WHERE id = 1002`,
		`DELETE FROM facilities WHERE id = 13`,
		`UPDATE offers SET price = price + 1 WHERE facility_id = 11`)
	got, _ := readAll(t, pool, from)
	want := []string{
		"offers 1010 insert", "offers 1005 delete",
		"offers 1002 update",
		"facilities 13 delete", "offers 1010 delete", "posts 3 delete",
		"offers 1001 update", "offers 1003 update",
	}
	if !sameSet(brief(got), want) {
		t.Errorf("logged\n%s\nwant\n%s", strings.Join(brief(got), "\n"), strings.Join(want, "\n"))
	}
	if len(got) > 2 && got[2].Refs["facility_id"] != 10 {
		t.Errorf("the moved offer's old facility: %v, want 10", got[2].Refs)
	}
	if got[0].Int(0) != 1010 {
		t.Errorf("Int(0) = %d", got[0].Int(0))
	}
}

// TestLoadLogsOneTruncatePerTable: a bulk load does not log its rows, only
// that each table was replaced.
func TestLoadLogsOneTruncatePerTable(t *testing.T) {
	pool, first := withMini(t)
	if _, err := postgres.Load(context.Background(), pool, mini); err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, pool, first)
	var want []string
	for _, tbl := range catalog.Tables {
		want = append(want, tbl.Name+"  truncate")
	}
	if g := brief(got); !sameSet(g, want) {
		t.Errorf("a load logged\n%s\nwant one truncate per table", strings.Join(g, "\n"))
	}
	// The transaction after the load logs row by row again.
	p := position(t, pool)
	exec(t, pool, `UPDATE offers SET price = 1 WHERE id = 1000`)
	if got, _ := readAll(t, pool, p); !reflect.DeepEqual(brief(got), []string{"offers 1000 update"}) {
		t.Errorf("after the load: %v", brief(got))
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestLateCommitIsNotSkipped is the trap of sequence-keyed logs: A takes a
// log id, B takes a later one and commits, a reader reads, and only then
// does A commit. A's change must be read next time.
func TestLateCommitIsNotSkipped(t *testing.T) {
	ctx := context.Background()
	pool, from := withMini(t)
	url := pool.Config().ConnConfig.ConnString()
	a, b := dial(t, url), dial(t, url)

	txA, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback(ctx)
	if _, err := txA.Exec(ctx, `UPDATE offers SET price = 14000 WHERE id = 1000`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(ctx, `UPDATE offers SET price = 11500 WHERE id = 1001`); err != nil {
		t.Fatal(err)
	}
	var idA, idB int64
	if err := pool.QueryRow(ctx, `SELECT max(id) FROM changes`).Scan(&idB); err != nil {
		t.Fatal(err)
	}
	if err := txA.QueryRow(ctx, `SELECT max(id) FROM changes WHERE xid = pg_current_xact_id()`).Scan(&idA); err != nil || idA >= idB {
		t.Fatalf("A's change is %d, B's %d (%v): want A's first", idA, idB, err)
	}

	got, p := readNow(t, pool, from)
	if len(got) != 0 {
		t.Fatalf("read %v while A, which holds an earlier id, is in flight: reading on would skip it", brief(got))
	}
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got, p = readAll(t, pool, p)
	if want := []string{"offers 1000 update", "offers 1001 update"}; !reflect.DeepEqual(brief(got), want) {
		t.Fatalf("after A commits: %v, want %v", brief(got), want)
	}
	if again, _ := readAll(t, pool, p); len(again) != 0 {
		t.Errorf("read again: %v", brief(again))
	}
}

func dial(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestTrim: trimming to the oldest of two positions leaves both able to
// read on as before; a reader before the trim is told, not misled.
func TestTrim(t *testing.T) {
	ctx := context.Background()
	pool, p0 := withMini(t)
	exec(t, pool, `UPDATE offers SET price = 1 WHERE id = 1000`)
	p1 := position(t, pool)
	exec(t, pool, `UPDATE offers SET price = 2 WHERE id = 1001`)
	p2 := position(t, pool)
	exec(t, pool, `UPDATE offers SET price = 3 WHERE id = 1002`)

	before1, _ := readAll(t, pool, p1)
	before2, _ := readAll(t, pool, p2)
	n, err := postgres.Trim(ctx, pool, postgres.Oldest(p2, p1))
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(catalog.Tables) + 1); n != want { // the load's truncates and the first update
		t.Errorf("trimmed %d changes, want %d", n, want)
	}
	after1, _ := readAll(t, pool, p1)
	after2, _ := readAll(t, pool, p2)
	if !reflect.DeepEqual(before1, after1) || !reflect.DeepEqual(before2, after2) || len(after1) != 2 {
		t.Errorf("trim changed what a later position reads: %v → %v, %v → %v",
			brief(before1), brief(after1), brief(before2), brief(after2))
	}
	if _, _, err := postgres.ReadChanges(ctx, pool, p0, 10); !errors.Is(err, postgres.ErrTrimmed) {
		t.Errorf("reading from before the trim: %v, want ErrTrimmed", err)
	}
	// An older trim afterwards does not move the horizon back.
	if _, err := postgres.Trim(ctx, pool, p0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := postgres.ReadChanges(ctx, pool, p0, 10); !errors.Is(err, postgres.ErrTrimmed) {
		t.Errorf("after an older trim: %v, want ErrTrimmed", err)
	}
}

func TestPositionAheadOfDatabase(t *testing.T) {
	pool, p := withMini(t)
	p.XID += 1 << 32
	if _, _, err := postgres.ReadChanges(context.Background(), pool, p, 10); !errors.Is(err, postgres.ErrAhead) {
		t.Errorf("got %v, want ErrAhead", err)
	}
}

func TestPositionText(t *testing.T) {
	p := postgres.Position{XID: 4294968000, ID: 17}
	b, err := json.Marshal(map[string]postgres.Position{"changes": p})
	if err != nil || string(b) != `{"changes":"4294968000/17"}` {
		t.Fatalf("%s %v", b, err)
	}
	var back map[string]postgres.Position
	if err := json.Unmarshal(b, &back); err != nil || back["changes"] != p {
		t.Errorf("round trip: %v %v", back, err)
	}
	for _, bad := range []string{"", "12", "x/1", "1/-1", "1/y"} {
		if _, err := postgres.ParsePosition(bad); err == nil {
			t.Errorf("ParsePosition(%q) accepted", bad)
		}
	}
	if postgres.Oldest() != (postgres.Position{}) || postgres.Oldest(p, postgres.Position{XID: 5, ID: 99}).XID != 5 {
		t.Error("Oldest")
	}
}

// TestReadOrdersTransactionsAsNumbers: changes are read in transaction
// order, and transaction 1000 comes after 999 (as text it would not, and
// a reader would skip from 1000 over everything up to 999).
func TestReadOrdersTransactionsAsNumbers(t *testing.T) {
	pool, _ := withMini(t)
	exec(t, pool, `TRUNCATE changes`)
	for _, xid := range []string{"100", "99", "10", "9"} {
		exec(t, pool, `INSERT INTO changes (xid, table_name, key, op) VALUES ('`+xid+`', 'offers', '{`+xid+`}', 'update')`)
	}
	got, _ := readAll(t, pool, postgres.Position{})
	want := []string{"offers 9 update", "offers 10 update", "offers 99 update", "offers 100 update"}
	if !reflect.DeepEqual(brief(got), want) {
		t.Errorf("read %v, want %v", brief(got), want)
	}
}

// TestBuildRecordsItsPosition: a generation built from PostgreSQL records
// the log position it started reading at, so a server replays what was
// committed during and after the build; one built from files records none.
func TestBuildRecordsItsPosition(t *testing.T) {
	ctx := context.Background()
	pool, before := withMini(t)
	stats, err := indexer.Build(ctx, postgres.Source{Pool: pool}, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	after := position(t, pool)
	s, err := indexer.ChangePosition(stats.Path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := postgres.ParsePosition(s)
	if err != nil || p.Compare(before) < 0 || p.Compare(after) > 0 {
		t.Errorf("the generation records %q (%v), want a position between %s and %s", s, err, before, after)
	}
	stats, err = indexer.Build(ctx, &indexer.FileSource{Dir: mini}, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := indexer.ChangePosition(stats.Path); s != "" || err != nil {
		t.Errorf("a generation built from files records %q (%v)", s, err)
	}
}

// TestEveryCatalogueTableIsLogged: a catalogue table added later (in
// catalog.Tables) must be watched by the change log too, or its changes
// would reach search only with a rebuild. Its migration calls
// changes_watch.
func TestEveryCatalogueTableIsLogged(t *testing.T) {
	pool, _ := withMini(t)
	for _, tbl := range catalog.Tables {
		var n int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_trigger
			WHERE tgrelid = $1::regclass AND tgname LIKE '%\_log\_%'`, tbl.Name).Scan(&n)
		if err != nil || n != 4 {
			t.Errorf("%s has %d change log triggers (%v), want 4: call changes_watch in its migration", tbl.Name, n, err)
		}
	}
}

// TestChangeReaders: the oldest position a reader heard from lately
// needs is what a trim may go up to; a reader moves on, goes quiet or is
// forgotten.
func TestChangeReaders(t *testing.T) {
	ctx := context.Background()
	pool, p1 := withMini(t)
	exec(t, pool, `UPDATE offers SET price = 1 WHERE id = 1000`)
	p2 := position(t, pool)
	exec(t, pool, `UPDATE offers SET price = 2 WHERE id = 1001`)
	p3 := position(t, pool)
	oldest := func() (postgres.Position, bool) {
		t.Helper()
		p, ok, err := postgres.OldestNeeded(ctx, pool, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return p, ok
	}
	if _, ok := oldest(); ok {
		t.Fatal("a position needed before any reader said so")
	}
	for reader, p := range map[string]postgres.Position{"a": p1, "b": p2} {
		if err := postgres.NeedChanges(ctx, pool, reader, p); err != nil {
			t.Fatal(err)
		}
	}
	if p, ok := oldest(); !ok || p != p1 {
		t.Errorf("oldest needed: %v %v, want a's %v", p, ok, p1)
	}
	if err := postgres.NeedChanges(ctx, pool, "a", p3); err != nil { // a serves a newer generation
		t.Fatal(err)
	}
	if p, ok := oldest(); !ok || p != p2 {
		t.Errorf("after a moved on: %v %v, want b's %v", p, ok, p2)
	}
	exec(t, pool, `UPDATE change_readers SET seen_at = now() - interval '2 hours' WHERE reader = 'b'`)
	if p, ok := oldest(); !ok || p != p3 {
		t.Errorf("with b quiet for two hours: %v %v, want a's %v", p, ok, p3)
	}
	if err := postgres.ForgetReader(ctx, pool, "a"); err != nil {
		t.Fatal(err)
	}
	if p, ok := oldest(); ok {
		t.Errorf("with a forgotten and b quiet: %v, want none", p)
	}
}
