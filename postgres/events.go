// Package analytics records what searches and posts show, in PostgreSQL, and
// reports it to providers. Events are written off the request path by a
// EventWriter that batches them with COPY; Close writes whatever is left, so a
// graceful shutdown loses nothing.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// given up (and counted and logged as lost).
	Retries int
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
}

// EventWriter writes search and post events to PostgreSQL in batches.
type EventWriter struct {
	pool *pgxpool.Pool
	opts EventOptions
	in   chan event

	mu     sync.RWMutex // held for reading while sending, for writing by Close
	closed bool
	done   chan struct{}

	written atomic.Int64
	lost    atomic.Int64
}

type event struct {
	search *posts.SearchEvent
	post   *posts.PostEvent
}

// NewEventWriter starts a writer; Close it to write what remains.
func NewEventWriter(pool *pgxpool.Pool, opts EventOptions) *EventWriter {
	opts.defaults()
	w := &EventWriter{pool: pool, opts: opts, in: make(chan event, opts.Buffer), done: make(chan struct{})}
	go w.run()
	return w
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
// Close, abandoned by their sender while waiting, or in a batch that kept
// failing).
func (w *EventWriter) Written() int64 { return w.written.Load() }

// Lost counts events that were not written; see Written.
func (w *EventWriter) Lost() int64 { return w.lost.Load() }

// Close stops taking events, writes every queued one, and returns when done
// or when ctx ends (then what is still queued is lost, and counted).
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
		slog.Info("analytics writer closed", "written", w.written.Load(), "lost", w.lost.Load())
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
				w.flush(batch)
				return
			}
			batch = append(batch, e)
			if len(batch) >= w.opts.BatchSize {
				w.flush(batch)
				batch = batch[:0]
			}
		case <-t.C:
			if len(batch) > 0 {
				w.flush(batch)
				batch = batch[:0]
			}
		}
	}
}

// flush writes a batch in one transaction, retrying with a growing pause.
// A batch still failing after the retries is logged and counted as lost:
// holding it would block every later event.
func (w *EventWriter) flush(batch []event) {
	if len(batch) == 0 {
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
	w.lost.Add(int64(len(batch)))
	slog.Error("analytics batch lost", "events", len(batch), "err", err)
}

func (w *EventWriter) write(ctx context.Context, batch []event) error {
	var searches, postEvents [][]any
	for _, e := range batch {
		switch {
		case e.search != nil:
			s := e.search
			searches = append(searches, []any{s.At, nonNil(s.Keywords), nullString(s.PatientCountry),
				nonNil(s.Categories), nonNilIDs(s.FacilityIDs), nonNilIDs(s.PostIDs), s.Total})
		case e.post != nil:
			p := e.post
			postEvents = append(postEvents, []any{p.At, p.PostID, p.FacilityID, p.Kind})
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
