package postgres

// Analytics events are written off the request path by an EventWriter that
// batches them with COPY; Close writes whatever is left, so a graceful
// shutdown loses nothing. While PostgreSQL is away, batches go to a spill
// file (EventOptions.SpillDir) and are written when it returns, so an
// outage loses nothing either, up to EventOptions.SpillMax; what is lost
// beyond is counted (Lost) and logged. A kill -9 loses at most the events
// in memory: the buffer and the batch being filled.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/search/posts"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrEventsClosed is returned for events sent after Close.
var ErrEventsClosed = errors.New("analytics writer is closed")

// EventOptions tune a EventWriter.
type EventOptions struct {
	// Buffer is how many events may wait to be written; when it is full,
	// senders wait (backpressure) rather than events being dropped.
	Buffer int
	// BatchSize events are written together; FlushEvery bounds how long an
	// event waits for its batch to fill.
	BatchSize  int
	FlushEvery time.Duration
	// Retries is how many more times a failed batch is tried before it is
	// spilled, or without a spill given up (and counted and logged as lost).
	Retries int
	// SpillDir, when set, is where batches that PostgreSQL did not take
	// wait for it, in SpillFile (serve uses the index directory). A writer
	// started on a directory holding a spill file writes its events first:
	// those of a process that died or was shut down during an outage.
	SpillDir string
	// SpillMax bounds the spill file in bytes (DefaultSpillMax when 0).
	SpillMax int64
}

func (o *EventOptions) defaults() {
	if o.Buffer <= 0 {
		o.Buffer = 10000
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = time.Second
	}
	if o.Retries <= 0 {
		o.Retries = 3
	}
	if o.SpillMax <= 0 {
		o.SpillMax = DefaultSpillMax
	}
}

// EventWriter writes search, post and page-view events to PostgreSQL in
// batches.
type EventWriter struct {
	pool *pgxpool.Pool
	opts EventOptions
	in   chan event

	mu     sync.RWMutex // held for reading while sending, for writing by Close
	closed bool
	done   chan struct{}

	written atomic.Int64
	lost    atomic.Int64

	// Owned by run: the spill (nil without SpillDir), and whether the
	// database failed last time, so that batches go straight to the spill
	// instead of each waiting out the retries.
	spill      *spill
	down       bool
	spilled    atomic.Int64 // events in the spill file, for Spilled
	lostLogged time.Time    // when a loss to a full spill was last logged
}

type event struct {
	search *posts.SearchEvent
	post   *posts.PostEvent
	view   *posts.ViewEvent
}

// NewEventWriter starts a writer; Close it to write what remains.
func NewEventWriter(pool *pgxpool.Pool, opts EventOptions) *EventWriter {
	opts.defaults()
	w := &EventWriter{pool: pool, opts: opts, in: make(chan event, opts.Buffer), done: make(chan struct{})}
	if opts.SpillDir != "" {
		w.spill = startSpill(opts.SpillDir, opts.SpillMax)
		w.spilled.Store(w.spill.n)
		w.down = w.spill.n > 0 // write the old events before new ones
	}
	go w.run()
	return w
}

// startSpill opens the spill in dir. A spill file that cannot be read is
// set aside (renamed, never deleted: its events may be recovered by hand)
// and logged, and a new one started, so that analytics never stop serve.
func startSpill(dir string, max int64) *spill {
	s, err := openSpill(dir, max)
	if err == nil {
		if s.n > 0 {
			slog.Info("analytics spill found: writing it when the database answers", "path", s.path, "events", s.n)
		}
		return s
	}
	aside := filepath.Join(dir, SpillFile+".unreadable-"+time.Now().UTC().Format("20060102T150405"))
	slog.Error("analytics spill unreadable: set aside", "err", err, "moved_to", aside)
	os.Rename(filepath.Join(dir, SpillFile), aside)
	return &spill{path: filepath.Join(dir, SpillFile), max: max}
}

// RecordSearch queues a search event. It returns at once unless the buffer
// is full, in which case it waits for room or for ctx.
func (w *EventWriter) RecordSearch(ctx context.Context, e posts.SearchEvent) error {
	return w.send(ctx, event{search: &e})
}

// RecordPost queues a post impression or click, like RecordSearch.
func (w *EventWriter) RecordPost(ctx context.Context, e posts.PostEvent) error {
	return w.send(ctx, event{post: &e})
}

// RecordView queues a view of a provider's page, like RecordSearch.
func (w *EventWriter) RecordView(ctx context.Context, e posts.ViewEvent) error {
	return w.send(ctx, event{view: &e})
}

func (w *EventWriter) send(ctx context.Context, e event) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.lost.Add(1)
		return ErrEventsClosed
	}
	select {
	case w.in <- e:
		return nil
	default:
	}
	select {
	case w.in <- e:
		return nil
	case <-ctx.Done():
		w.lost.Add(1)
		return fmt.Errorf("record analytics event: %w", ctx.Err())
	}
}

// Written and Lost count the events written, and those given up (sent after
// Close, abandoned by their sender while waiting, in a batch that kept
// failing with no spill, or past the spill's bound).
func (w *EventWriter) Written() int64 { return w.written.Load() }

// Spilled is how many events wait in the spill file for PostgreSQL.
func (w *EventWriter) Spilled() int64 { return w.spilled.Load() }

// Lost counts events that were not written; see Written.
func (w *EventWriter) Lost() int64 { return w.lost.Load() }

// Close stops taking events, writes every queued one (to the spill when the
// database is away: the next writer on the same SpillDir writes them), and
// returns when done or when ctx ends (then what is still queued is lost,
// and counted).
// Closing again waits for the first Close's work and reports the same.
func (w *EventWriter) Close(ctx context.Context) error {
	w.mu.Lock()
	first := !w.closed
	if first {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
	case <-ctx.Done():
		return fmt.Errorf("close analytics writer: %w", ctx.Err())
	}
	if first {
		slog.Info("analytics writer closed", "written", w.written.Load(), "lost", w.lost.Load(),
			"spilled_for_next_start", w.spilled.Load())
	}
	if n := w.lost.Load(); n > 0 {
		return fmt.Errorf("close analytics writer: %d events lost", n)
	}
	return nil
}

func (w *EventWriter) run() {
	defer close(w.done)
	t := time.NewTicker(w.opts.FlushEvery)
	defer t.Stop()
	var batch []event
	for {
		select {
		case e, ok := <-w.in:
			if !ok {
				if w.down {
					w.drainSpill()
				}
				w.flush(batch)
				return
			}
			batch = append(batch, e)
			if len(batch) >= w.opts.BatchSize {
				w.flush(batch)
				batch = batch[:0]
			}
		case <-t.C:
			if w.down {
				w.drainSpill()
			}
			if len(batch) > 0 {
				w.flush(batch)
				batch = batch[:0]
			}
		}
	}
}

// drainSpill writes the spilled events if the database answers again.
func (w *EventWriter) drainSpill() {
	// A short probe first: with the network hung rather than the server
	// down, a write would hold this goroutine, and the buffer behind it,
	// for its whole timeout at every tick.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	err := w.pool.Ping(ctx)
	cancel()
	if err != nil {
		return
	}
	before := w.spill.n
	err = w.spill.drain(w.opts.BatchSize, func(b []event) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := w.write(ctx, b); err != nil {
			return err
		}
		w.written.Add(int64(len(b)))
		return nil
	})
	w.spilled.Store(w.spill.n)
	if err != nil {
		if before != w.spill.n {
			slog.Info("analytics spill partly written", "written", before-w.spill.n, "left", w.spill.n, "err", err)
		}
		return
	}
	w.down = false
	if before > 0 {
		slog.Info("database back: analytics spill written", "events", before)
	}
}

// flush writes a batch in one transaction, retrying with a growing pause.
// A batch still failing after the retries goes to the spill, or without
// one is logged and counted as lost: holding it would block every later
// event. While the database is known to be away (down), a batch goes to
// the spill at once, and the spill is written first when it is back, so
// the buffer keeps moving and senders do not wait on the outage.
func (w *EventWriter) flush(batch []event) {
	if len(batch) == 0 {
		return
	}
	if w.down && w.spill != nil {
		w.toSpill(batch, nil)
		return
	}
	var err error
	for attempt := 0; attempt <= w.opts.Retries; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = w.write(ctx, batch)
		cancel()
		if err == nil {
			w.written.Add(int64(len(batch)))
			return
		}
		slog.Warn("write analytics batch", "events", len(batch), "attempt", attempt+1, "err", err)
	}
	if w.spill != nil {
		w.down = true
		w.toSpill(batch, err)
		return
	}
	w.lost.Add(int64(len(batch)))
	slog.Error("analytics batch lost", "events", len(batch), "err", err)
}

// toSpill appends a batch the database did not take to the spill file;
// what does not fit is lost, counted and logged.
func (w *EventWriter) toSpill(batch []event, cause error) {
	dropped, err := w.spill.add(batch)
	w.spilled.Store(w.spill.n)
	if cause != nil {
		slog.Warn("database away: spilling analytics to disk until it returns", "path", w.spill.path, "err", cause)
	}
	if dropped > 0 {
		lost := w.lost.Add(int64(dropped))
		// Once a minute at most: a full spill would otherwise log every batch.
		if time.Since(w.lostLogged) >= time.Minute {
			w.lostLogged = time.Now()
			slog.Error("analytics events lost: the spill file is full or failing", "events", dropped,
				"lost_in_all", lost, "spilled", w.spill.n, "max_bytes", w.spill.max, "err", err)
		}
	}
}

func (w *EventWriter) write(ctx context.Context, batch []event) error {
	var searches, postEvents, views [][]any
	for _, e := range batch {
		switch {
		case e.search != nil:
			s := e.search
			searches = append(searches, []any{s.At, nonNil(s.Keywords), nullString(s.PatientCountry),
				nonNil(s.Categories), nonNilIDs(s.FacilityIDs), nonNilIDs(s.PostIDs), s.Total})
		case e.post != nil:
			p := e.post
			postEvents = append(postEvents, []any{p.At, p.PostID, p.FacilityID, p.Kind})
		case e.view != nil:
			v := e.view
			views = append(views, []any{v.At, v.FacilityID, nonNil(v.Keywords), nullString(v.PatientCountry)})
		}
	}
	return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		if len(searches) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"search_events"},
				[]string{"at", "keywords", "patient_country", "categories", "facility_ids", "post_ids", "total"},
				pgx.CopyFromRows(searches)); err != nil {
				return fmt.Errorf("copy search events: %w", err)
			}
		}
		if len(postEvents) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"post_events"},
				[]string{"at", "post_id", "facility_id", "kind"}, pgx.CopyFromRows(postEvents)); err != nil {
				return fmt.Errorf("copy post events: %w", err)
			}
		}
		if len(views) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"facility_views"},
				[]string{"at", "facility_id", "keywords", "patient_country"}, pgx.CopyFromRows(views)); err != nil {
				return fmt.Errorf("copy facility views: %w", err)
			}
		}
		return nil
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilIDs(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Queued is how many events wait to be written, and Capacity how many may
// (EventOptions.Buffer): what /metrics and /readyz report of the queue. A
// full queue makes requests wait for room.
func (w *EventWriter) Queued() int { return len(w.in) }

// Capacity is how many events may wait to be written; see Queued.
func (w *EventWriter) Capacity() int { return cap(w.in) }
