package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/careatlas/careatlas/background"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is what the change log's triggers NOTIFY, once per transaction
// that changed the catalogue. The notification carries nothing: it only
// says "read the log".
const Channel = "careatlas_changes"

// Defaults of FollowOptions, and the follower's other timings.
const (
	DefaultPoll = 2 * time.Second
	// DefaultBatch is large because a batch's cost is mostly per record,
	// and a record changed many times while the server was behind (a
	// treatment, re-read for each of its offers' changes) is read and
	// indexed once per batch: catching up after an outage goes as fast as
	// the distinct records allow. Up to date, a batch is what came since
	// the last one, a few hundred changes.
	DefaultBatch = 10000
	// retryMin is the first wait after a failed read or apply; waits double
	// up to the poll interval while failures go on.
	retryMin = 50 * time.Millisecond
	// heldMin is the first wait when committed changes wait behind an older
	// transaction still in flight: it is usually about to commit.
	heldMin = 20 * time.Millisecond
	// listenCheck is how long the listening connection may stay silent
	// before the follower pings it: a connection whose server vanished
	// without closing it would otherwise wait for notifications forever.
	listenCheck = 30 * time.Second
	pingTimeout = 5 * time.Second
)

// FollowOptions tune a Follower; the zero value gives the defaults.
type FollowOptions struct {
	// Poll is how often the log is read when no notification comes: the
	// most a change waits when its notification was lost. DefaultPoll if 0.
	Poll time.Duration
	// Batch is the most changes handed to apply at once. DefaultBatch if 0.
	Batch int
	// Gather is how long a notification waits before the log is read, so
	// that the changes committed meanwhile are applied as one batch (0:
	// none). It is the refresh interval of Lucene-based engines: a change
	// is visible up to Gather later, and a steady stream of changes is
	// applied in a few batches a second rather than one per commit, each
	// batch costing the server a segment to build and later merge.
	Gather time.Duration
}

// A Follower reads the change log as it grows and hands the changes to
// apply, in order, each exactly once as far as the log is concerned (an
// apply that fails is retried with the same changes, so apply must be
// idempotent, which re-reading the changed rows is).
//
// It LISTENs on a connection of its own and reads the log when woken, and
// every Poll in any case, so a lost notification or a dropped listening
// connection delays a change by at most Poll and loses nothing: the log,
// not the notification, is the truth. When PostgreSQL goes away, reads fail
// and are retried, the listening connection is made again, and the
// follower reads on from the last change it applied.
type Follower struct {
	pool    *pgxpool.Pool
	prepare Prepare
	opts    FollowOptions
	pos     Position // the run goroutine's own; status has the published copy

	mu     sync.Mutex
	status FollowStatus

	done chan struct{}
	err  error
}

// FollowStatus is how far along a Follower is, for /readyz and the logs.
type FollowStatus struct {
	// Position is where the follower stands: every change at or before it
	// has been applied.
	Position Position
	// Applied counts the changes applied since the follower started.
	Applied int64
	// Oldest is when the oldest change not yet applied was made, as of the
	// last read; zero when that read found the follower caught up.
	Oldest time.Time
	// Contact is when the follower last read the log.
	Contact time.Time
	// Err is why the last read or apply failed; empty if it did not.
	Err string
	// Listening says whether the follower's LISTEN connection is up. When
	// it is not, changes arrive only by polling.
	Listening bool
}

// Lag is how far behind the follower is at now: the age of the oldest
// change it has not applied; and when it cannot read the log, or would not
// hear of a change until its next poll, at least the time since it last
// read, since changes may have been made meanwhile.
func (s FollowStatus) Lag(now time.Time) time.Duration {
	var lag time.Duration
	if !s.Oldest.IsZero() {
		lag = now.Sub(s.Oldest)
	}
	if (s.Err != "" || !s.Listening) && !s.Contact.IsZero() {
		lag = max(lag, now.Sub(s.Contact))
	}
	return max(lag, 0)
}

// Prepare reads what a batch of changes needs to be applied and returns
// the func that applies it. The follower prepares a batch while the one
// before it is still being applied (reading from PostgreSQL beside
// indexing), and applies the batches one at a time, in order; a batch whose
// apply fails is prepared again.
type Prepare func(batch []Change) (apply func() error, err error)

// Follow starts following the log after position from, handing batches of
// changes to prepare and apply, until ctx is cancelled. Wait says when it
// has stopped.
func Follow(ctx context.Context, pool *pgxpool.Pool, from Position, prepare Prepare, opts FollowOptions) *Follower {
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	f := &Follower{pool: pool, prepare: prepare, opts: opts, pos: from,
		status: FollowStatus{Position: from}, done: make(chan struct{})}
	// Reading and preparing batches, and applying them, is background
	// work, each batch's on a goroutine of its own (catchUp): it yields the
	// cores to searches, and a batch that takes long is lifted out of idle
	// CPU time alone (background.LiftAfter), not the loop that waits here
	// for the next.
	go func() {
		defer close(f.done)
		f.err = f.run(ctx)
	}()
	return f
}

// Status returns how far along the follower is.
func (f *Follower) Status() FollowStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

// Wait waits until the follower has stopped: nil when ctx was cancelled,
// ErrTrimmed or ErrAhead when the log cannot be read on from its position
// (the server then needs a newer generation).
func (f *Follower) Wait() error {
	<-f.done
	return f.err
}

func (f *Follower) run(ctx context.Context) error {
	// The listener stops with the reader, whyever the reader stops.
	listenCtx, stopListening := context.WithCancel(ctx)
	wake := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.listen(listenCtx, wake)
	}()
	defer wg.Wait()
	defer stopListening()

	retry := backoff{min: retryMin, max: f.opts.Poll}
	held := backoff{min: heldMin, max: f.opts.Poll}
	for {
		wait := f.opts.Poll
		switch heldBack, err := f.catchUp(ctx); {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrTrimmed), errors.Is(err, ErrAhead):
			slog.Error("change log: cannot follow from here; a newer generation is needed", "err", err)
			f.mu.Lock()
			f.status.Err = err.Error()
			f.mu.Unlock()
			return err
		case err != nil:
			f.failed(err)
			wait = retry.next()
		case heldBack:
			// Committed changes wait behind an older transaction: look
			// again soon rather than a whole poll later.
			retry.reset()
			wait = held.next()
		default:
			retry.reset()
			held.reset()
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-wake:
			timer.Stop()
			if f.opts.Gather > 0 {
				gather := time.NewTimer(f.opts.Gather)
				select {
				case <-ctx.Done():
					gather.Stop()
					return nil
				case <-gather.C:
				}
			}
		case <-timer.C:
		}
	}
}

// catchUp reads and applies batches until the log holds nothing more to
// read now. It reports whether committed changes are held back behind a
// transaction still in flight. The next batch is read and prepared while
// the last one is applied; the position moves only once a batch is.
func (f *Follower) catchUp(ctx context.Context) (bool, error) {
	var applying *inFlight
	// settle waits for the batch being applied and moves on past it.
	settle := func() error {
		if applying == nil {
			return nil
		}
		err := <-applying.done
		if err != nil {
			err = fmt.Errorf("apply changes after %s: %w", f.pos, err)
		} else {
			f.pos = applying.r.next
			f.advanced(applying.r)
		}
		applying = nil
		return err
	}
	at := f.pos // where the next read starts
	for {
		var r read
		var apply func() error
		var err error
		background.Run(func() {
			r, err = readChanges(ctx, f.pool, at, f.opts.Batch)
			if err == nil && len(r.changes) > 0 {
				if apply, err = f.prepare(r.changes); err != nil {
					err = fmt.Errorf("prepare changes after %s: %w", at, err)
				}
			}
		})
		if serr := settle(); serr != nil {
			return false, serr
		}
		if err != nil {
			return false, err
		}
		at = r.next
		applying = &inFlight{r: r, done: make(chan error, 1)}
		if apply == nil {
			applying.done <- nil
		} else {
			done := applying.done
			background.Go(func() { done <- apply() })
		}
		if len(r.changes) < f.opts.Batch {
			return r.held > 0, settle()
		}
	}
}

// inFlight is a batch being applied.
type inFlight struct {
	r    read
	done chan error
}

func (f *Follower) advanced(r read) {
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.status.Err != "" {
		slog.Info("change log readable again", "position", r.next)
	}
	f.status.Position = r.next
	f.status.Applied += int64(len(r.changes))
	f.status.Contact = now
	f.status.Err = ""
	f.status.Oldest = time.Time{}
	if r.oldest > 0 {
		f.status.Oldest = now.Add(-r.oldest)
	}
}

func (f *Follower) failed(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.status.Err == "" {
		// Once per outage, not once per retry.
		slog.Warn("change log: cannot follow; retrying", "position", f.status.Position, "err", err)
	}
	f.status.Err = err.Error()
}

// listen keeps a LISTEN connection open, waking the reader on every
// notification and whenever it (re)connects, since notifications sent while
// it was not listening are gone.
func (f *Follower) listen(ctx context.Context, wake chan<- struct{}) {
	retry := backoff{min: retryMin, max: f.opts.Poll}
	for {
		err := f.listenOnce(ctx, wake, &retry)
		f.listening(false)
		if ctx.Err() != nil {
			return
		}
		// Whatever took the connection may take the database: have the
		// reader find out, so the status says so, rather than wait a poll.
		signal(wake)
		slog.Debug("change log: listening connection lost; polling meanwhile", "err", err)
		timer := time.NewTimer(retry.next())
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

func (f *Follower) listenOnce(ctx context.Context, wake chan<- struct{}, retry *backoff) error {
	conn, err := pgx.ConnectConfig(ctx, f.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	retry.reset()
	f.listening(true)
	signal(wake)
	for {
		wctx, cancel := context.WithTimeout(ctx, listenCheck)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			signal(wake)
		case ctx.Err() != nil:
			return ctx.Err()
		case pgconn.Timeout(err):
			pctx, cancel := context.WithTimeout(ctx, pingTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}

func (f *Follower) listening(up bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status.Listening = up
}

func signal(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}

// backoff is a wait that doubles from min to max while failures go on.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	b.cur = min(max(b.cur*2, b.min), b.max)
	return b.cur
}

func (b *backoff) reset() { b.cur = 0 }
