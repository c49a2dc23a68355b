package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// applied collects what a follower hands over.
type applied struct {
	mu      sync.Mutex
	changes []postgres.Change
	batches int
	seen    chan struct{} // a non-blocking tick per batch
}

func newApplied() *applied { return &applied{seen: make(chan struct{}, 1)} }

func (a *applied) apply(cs []postgres.Change) error {
	a.mu.Lock()
	a.changes = append(a.changes, cs...)
	a.batches++
	a.mu.Unlock()
	select {
	case a.seen <- struct{}{}:
	default:
	}
	return nil
}

// prepare is a's apply as a postgres.Prepare that reads nothing ahead.
func (a *applied) prepare(batch []postgres.Change) (func() error, error) {
	return func() error { return a.apply(batch) }, nil
}

func (a *applied) all() []postgres.Change {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]postgres.Change(nil), a.changes...)
}

// waitFor waits until cond holds on what was applied, or fails t.
func (a *applied) waitFor(t *testing.T, within time.Duration, what string, cond func([]postgres.Change) bool) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for !cond(a.all()) {
		select {
		case <-a.seen:
		case <-time.After(10 * time.Millisecond):
		case <-deadline.C:
			t.Fatalf("%s: not within %v; applied %v", what, within, brief(a.all()))
		}
	}
	return time.Since(start)
}

func has(table, key string) func([]postgres.Change) bool {
	return func(cs []postgres.Change) bool {
		for _, c := range cs {
			if c.Table == table && len(c.Key) > 0 && c.Key[0] == key {
				return true
			}
		}
		return false
	}
}

// follow starts a follower that stops with the test.
func follow(t *testing.T, pool *pgxpool.Pool, from postgres.Position, a *applied, opts postgres.FollowOptions) *postgres.Follower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := postgres.Follow(ctx, pool, from, a.prepare, opts)
	t.Cleanup(func() {
		cancel()
		if err := f.Wait(); err != nil {
			t.Errorf("follower: %v", err)
		}
	})
	return f
}

// TestFollowerWakesOnNotify: with polling once a minute, only the
// notification can make a change arrive within a second.
func TestFollowerWakesOnNotify(t *testing.T) {
	pool, from := withMini(t)
	a := newApplied()
	f := follow(t, pool, from, a, postgres.FollowOptions{Poll: time.Minute})
	for i := range 5 {
		exec(t, pool, fmt.Sprintf(`UPDATE offers SET price = %d WHERE id = 1000`, 15000+i))
		took := a.waitFor(t, 10*time.Second, "update by notification", func(cs []postgres.Change) bool { return len(cs) == i+1 })
		if took > time.Second {
			t.Errorf("change %d arrived after %v, want under 1s", i, took)
		}
	}
	// The status is published just after apply returns.
	st := f.Status()
	for deadline := time.Now().Add(time.Second); st.Applied < 5 && time.Now().Before(deadline); st = f.Status() {
		time.Sleep(5 * time.Millisecond)
	}
	if st.Applied != 5 || st.Position.Compare(from) <= 0 || st.Err != "" || st.Lag(time.Now()) != 0 {
		t.Errorf("status %+v", st)
	}
}

// TestFollowerGathersAfterNotify: with Gather, the changes committed one
// after another, each with its notification, reach apply as one batch, no
// sooner than Gather after the first.
func TestFollowerGathersAfterNotify(t *testing.T) {
	pool, from := withMini(t)
	a := newApplied()
	const gather = time.Second
	follow(t, pool, from, a, postgres.FollowOptions{Poll: time.Minute, Gather: gather})
	// The follower reads the log once when it starts: past that read, it
	// waits for a notification.
	exec(t, pool, `UPDATE offers SET price = 15999 WHERE id = 1000`)
	a.waitFor(t, 10*time.Second, "the first update", func(cs []postgres.Change) bool { return len(cs) == 1 })
	// If that read took the update, its notification still wakes the
	// follower, which gathers once more for nothing: let that pass.
	time.Sleep(gather + 200*time.Millisecond)
	a.mu.Lock()
	a.changes, a.batches = nil, 0
	a.mu.Unlock()
	start := time.Now()
	for i := range 5 {
		exec(t, pool, fmt.Sprintf(`UPDATE offers SET price = %d WHERE id = 1000`, 16000+i))
	}
	a.waitFor(t, 10*time.Second, "five updates", func(cs []postgres.Change) bool { return len(cs) == 5 })
	if took := time.Since(start); took < gather {
		t.Errorf("the changes arrived after %v, before the %v they gather for", took, gather)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.batches != 1 {
		t.Errorf("five changes committed within the gathering came in %d batches, want 1", a.batches)
	}
}

// TestFollowersFollowOnTheirOwn: two servers on one database each follow
// the log from their own position and each gets every change, in order;
// one that stops loses the other nothing, and one that starts later reads
// what it missed.
func TestFollowersFollowOnTheirOwn(t *testing.T) {
	pool, from := withMini(t)
	a, b := newApplied(), newApplied()
	follow(t, pool, from, a, postgres.FollowOptions{Poll: time.Minute})
	ctx, stopB := context.WithCancel(context.Background())
	fb := postgres.Follow(ctx, pool, from, b.prepare, postgres.FollowOptions{Poll: time.Minute})
	for i := range 3 {
		exec(t, pool, fmt.Sprintf(`UPDATE offers SET price = %d WHERE id = 1000`, 17000+i))
	}
	a.waitFor(t, 10*time.Second, "three updates, first server", func(cs []postgres.Change) bool { return len(cs) == 3 })
	b.waitFor(t, 10*time.Second, "three updates, second server", func(cs []postgres.Change) bool { return len(cs) == 3 })
	stopB()
	if err := fb.Wait(); err != nil {
		t.Fatalf("second follower: %v", err)
	}
	for i := range 2 {
		exec(t, pool, fmt.Sprintf(`UPDATE offers SET price = %d WHERE id = 1001`, 18000+i))
	}
	a.waitFor(t, 10*time.Second, "two more, first server, the second stopped", func(cs []postgres.Change) bool { return len(cs) == 5 })
	// The second starts again from where it stopped and reads what it missed.
	c := newApplied()
	follow(t, pool, fb.Status().Position, c, postgres.FollowOptions{Poll: time.Minute})
	c.waitFor(t, 10*time.Second, "the two it missed", func(cs []postgres.Change) bool { return len(cs) == 2 })
	if got := brief(a.all()); len(a.all()) != 5 {
		t.Errorf("first server applied %v, want five changes once each", got)
	}
	if !slices.EqualFunc(b.all(), a.all()[:3], func(x, y postgres.Change) bool { return x.Table == y.Table && slices.Equal(x.Key, y.Key) }) {
		t.Errorf("the servers applied different changes: %v and %v", brief(b.all()), brief(a.all()[:3]))
	}
}

// TestFollowerPollsWhenNotWoken: a change that comes with no notification
// (written straight into the log here; in life, a notification lost with
// its connection) is read at the next poll.
func TestFollowerPollsWhenNotWoken(t *testing.T) {
	pool, from := withMini(t)
	a := newApplied()
	follow(t, pool, from, a, postgres.FollowOptions{Poll: 300 * time.Millisecond})
	exec(t, pool, `INSERT INTO changes (table_name, key, op) VALUES ('offers', '{1003}', 'update')`)
	a.waitFor(t, 5*time.Second, "change without notification", has("offers", "1003"))
}

// TestFollowerShowsHeldChangesAsLag: a committed change waiting behind an
// older transaction is not applied yet, and the status says it is behind.
func TestFollowerShowsHeldChangesAsLag(t *testing.T) {
	ctx := context.Background()
	pool, from := withMini(t)
	a := newApplied()
	f := follow(t, pool, from, a, postgres.FollowOptions{Poll: time.Minute})
	old := dial(t, pool.Config().ConnConfig.ConnString())
	tx, err := old.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `UPDATE offers SET price = 1 WHERE id = 1000`); err != nil {
		t.Fatal(err)
	}
	exec(t, pool, `UPDATE offers SET price = 2 WHERE id = 1001`)
	time.Sleep(300 * time.Millisecond)
	if got := a.all(); len(got) != 0 {
		t.Fatalf("applied %v past a transaction still in flight", brief(got))
	}
	if lag := f.Status().Lag(time.Now()); lag < 200*time.Millisecond {
		t.Errorf("lag %v with a change held back for 300ms", lag)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	a.waitFor(t, 5*time.Second, "both after the commit", func(cs []postgres.Change) bool { return len(cs) == 2 })
	if got := brief(a.all()); got[0] != "offers 1000 update" {
		t.Errorf("applied %v: the earlier transaction's change first", got)
	}
}

// TestFollowerSurvivesRestart: PostgreSQL restarts while changes are being
// written. The follower shows that it is behind, reconnects, and ends with
// every committed change applied exactly once.
func TestFollowerSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	pool, from := withMini(t)
	a := newApplied()
	// Polling once a minute: after the restart, only a listening connection
	// made again can bring changes within the deadlines below.
	f := follow(t, pool, from, a, postgres.FollowOptions{Poll: time.Minute})

	stop := make(chan struct{})
	var writes sync.WaitGroup
	writes.Add(1)
	go func() {
		defer writes.Done()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			// Failures during the restart are expected; the table says
			// afterwards which writes committed.
			_, _ = pool.Exec(ctx, `INSERT INTO synonyms VALUES ($1, 'x', 'curated')`, fmt.Sprintf("w %d", n))
			time.Sleep(5 * time.Millisecond)
		}
	}()
	time.Sleep(300 * time.Millisecond)

	sawBehind := make(chan bool, 1)
	restarting := make(chan struct{})
	go func() {
		behind := false
		for {
			select {
			case <-restarting:
				sawBehind <- behind
				return
			case <-time.After(50 * time.Millisecond):
				st := f.Status()
				behind = behind || (st.Err != "" && st.Lag(time.Now()) > 0)
			}
		}
	}()
	pgtest.Restart(t, pool.Config().ConnConfig.ConnString(), 1500*time.Millisecond)
	close(restarting)
	if !<-sawBehind {
		t.Error("the status never showed the follower behind while PostgreSQL was down")
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	writes.Wait()

	var want int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM synonyms WHERE term LIKE 'w %'`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	a.waitFor(t, 10*time.Second, "every committed write", func(cs []postgres.Change) bool { return count(cs, "synonyms") >= want })
	seen := map[string]int{}
	for _, c := range a.all() {
		if c.Table == "synonyms" {
			seen[c.Key[0]]++
		}
	}
	if len(seen) != want || count(a.all(), "synonyms") != want {
		t.Errorf("applied %d synonym changes over %d keys; %d committed", count(a.all(), "synonyms"), len(seen), want)
	}
	// And the listening connection is back: a change arrives at once.
	exec(t, pool, `UPDATE offers SET price = 1 WHERE id = 1000`)
	if took := a.waitFor(t, 10*time.Second, "a change after the restart", has("offers", "1000")); took > time.Second {
		t.Errorf("a change after the restart took %v, want under 1s", took)
	}
	if st := f.Status(); st.Err != "" {
		t.Errorf("status after recovery: %+v", st)
	}
}

func count(cs []postgres.Change, table string) int {
	n := 0
	for _, c := range cs {
		if c.Table == table {
			n++
		}
	}
	return n
}

// TestFollowerStopsWhenTrimmedPast: a follower whose position was trimmed
// away stops and says so, rather than read on over a hole.
func TestFollowerStopsWhenTrimmedPast(t *testing.T) {
	pool, from := withMini(t)
	exec(t, pool, `UPDATE offers SET price = 1 WHERE id = 1000`)
	if _, err := postgres.Trim(context.Background(), pool, position(t, pool)); err != nil {
		t.Fatal(err)
	}
	f := postgres.Follow(context.Background(), pool, from, newApplied().prepare, postgres.FollowOptions{})
	if err := f.Wait(); !errors.Is(err, postgres.ErrTrimmed) {
		t.Errorf("Wait = %v, want ErrTrimmed", err)
	}
}

// TestFollowerPreparesAheadAndAppliesInOrder: with a backlog, the next
// batch is prepared while the one before it is applied; batches are
// applied one at a time and in log order, each change once; a batch whose
// apply fails is prepared again and the position stays before it until
// it is applied.
func TestFollowerPreparesAheadAndAppliesInOrder(t *testing.T) {
	pool, from := withMini(t)
	for i := range 30 {
		exec(t, pool, fmt.Sprintf(`UPDATE offers SET price = %d WHERE id = 1000`, 20000+i))
	}
	want, _ := readAll(t, pool, from)
	var (
		mu                sync.Mutex
		applied           []postgres.Change
		prepared, applies int
		overlapped        bool // a batch was prepared while another was being applied
		applying          bool
		failed            bool
	)
	prepare := func(batch []postgres.Change) (func() error, error) {
		mu.Lock()
		prepared++
		overlapped = overlapped || applying
		mu.Unlock()
		return func() error {
			mu.Lock()
			if applying {
				mu.Unlock()
				return fmt.Errorf("two batches applied at once")
			}
			applying = true
			applies++
			fail := applies == 3 && !failed
			failed = failed || fail
			mu.Unlock()
			time.Sleep(50 * time.Millisecond) // long enough for the next read and prepare
			mu.Lock()
			defer mu.Unlock()
			applying = false
			if fail {
				return fmt.Errorf("the third apply fails once")
			}
			applied = append(applied, batch...)
			return nil
		}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := postgres.Follow(ctx, pool, from, prepare, postgres.FollowOptions{Batch: 4, Poll: 100 * time.Millisecond})
	defer func() {
		cancel()
		if err := f.Wait(); err != nil {
			t.Errorf("follower: %v", err)
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for f.Status().Applied < int64(len(want)) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.EqualFunc(applied, want, func(a, b postgres.Change) bool { return a.ID == b.ID }) {
		t.Errorf("applied %v, want each change once in log order: %v", brief(applied), brief(want))
	}
	if !failed || prepared <= (len(want)+3)/4 {
		t.Errorf("failed %v, %d batches prepared for %d changes: the failed batch was not prepared again", failed, prepared, len(want))
	}
	if !overlapped {
		t.Error("no batch was prepared while the one before it was applied")
	}
	if st := f.Status(); st.Applied != int64(len(want)) || st.Position.Compare(from) <= 0 {
		t.Errorf("status %+v after %d changes", st, len(want))
	}
}
