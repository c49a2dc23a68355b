package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
)

// Freshness: the changes made in the catalogue since a generation was built
// are applied on top of it (search.Overlay), one batch at a time. Each
// applied batch publishes a new snapshot: the same generation with a new
// overlay, built from every record changed since the generation and the
// batch's, swapped in as a whole. Requests in flight keep the overlay they
// acquired; a replaced overlay is closed once they release it. A new
// generation starts with none: whoever follows the change log starts again
// from the new generation's position.

// Changes are what one batch of the change log altered, read as a full
// build reads it.
type Changes struct {
	// Position is where the change log was read up to, for Status.
	Position string
	// Records holds each changed record as it is now, by search.DocID; nil
	// when it was deleted.
	Records map[string]*search.Record
	// Rates are the exchange rates now, when they changed. The offers
	// priced in a currency whose rate changed must be in Records: their
	// dollar prices are converted again in the delta.
	Rates *search.Rates
	// Posts are the posts now, when they (or the rates, which convert
	// their price ceilings) changed.
	Posts *posts.Set
}

// RecordReader reads the records of one type with the given ids as they
// are now, yielding nil for one that is gone (postgres.Source.RecordsByID).
type RecordReader func(ctx context.Context, rates search.Rates, typ string, ids []int64,
	yield func(id int64, r *search.Record) error) error

// ErrStale says that changes were read for a generation no longer served.
var ErrStale = errors.New("the generation is no longer served")

// fresh is one overlay on a generation and what made it. Immutable once
// published; inUse counts the snapshots holding it.
type fresh struct {
	overlay  *search.Overlay
	posts    *posts.Index              // nil: the generation's
	rates    *search.Rates             // nil: the generation's
	records  map[string]*search.Record // every record changed since the generation
	position string
	applied  time.Time
	inUse    sync.WaitGroup
}

// Apply publishes a snapshot of the generation at gen with ch applied on
// top of the changes applied before. It returns ErrStale when gen is no
// longer the open generation. The records a delta needs besides the
// changed ones (search.Index.Needs) are read with read.
func (l *Live) Apply(ctx context.Context, gen string, ch Changes, read RecordReader) error {
	l.applyMu.Lock()
	defer l.applyMu.Unlock()
	l.mu.RLock()
	g := l.cur
	l.mu.RUnlock()
	if g == nil || g.ix.Path() != gen {
		return ErrStale
	}
	prev := g.fresh // only Apply writes it, and Apply holds applyMu
	next := &fresh{records: map[string]*search.Record{}, position: ch.Position, applied: time.Now()}
	if prev != nil {
		maps.Copy(next.records, prev.records)
		next.rates, next.posts = prev.rates, prev.posts
	}
	maps.Copy(next.records, ch.Records)
	if ch.Rates != nil {
		next.rates = ch.Rates
	}
	rates := g.ix.Rates()
	if next.rates != nil {
		rates = *next.rates
	}
	if ch.Posts != nil {
		next.posts = posts.NewIndex(ch.Posts.Posts, ch.Posts.Countries, time.Now()).WithRates(rates)
	}
	if err := needs(ctx, g.ix, rates, next.records, read); err != nil {
		return fmt.Errorf("apply changes: %w", err)
	}
	var err error
	if next.overlay, err = search.NewOverlay(ctx, g.ix, rates, next.records); err != nil {
		return fmt.Errorf("apply changes: %w", err)
	}
	l.mu.Lock()
	if l.cur != g {
		l.mu.Unlock()
		next.overlay.Close()
		return ErrStale
	}
	g.fresh = next
	l.mu.Unlock()
	if prev != nil {
		l.retireFresh(prev)
	}
	return nil
}

// needs reads into records what a delta holding them needs too.
func needs(ctx context.Context, gen *search.Index, rates search.Rates, records map[string]*search.Record, read RecordReader) error {
	for {
		need, err := gen.Needs(ctx, records)
		if err != nil || len(need) == 0 {
			return err
		}
		for typ, ids := range need {
			err := read(ctx, rates, typ, ids, func(id int64, r *search.Record) error {
				records[search.DocID(typ, id)] = r
				return nil
			})
			if err != nil {
				return fmt.Errorf("read %d %s records: %w", len(ids), typ, err)
			}
			for _, id := range ids { // a record read as gone must not be asked for again
				if _, ok := records[search.DocID(typ, id)]; !ok {
					records[search.DocID(typ, id)] = nil
				}
			}
		}
	}
}

// retireFresh closes a replaced overlay once its last snapshot is released.
func (l *Live) retireFresh(f *fresh) {
	l.closing.Add(1)
	go func() {
		defer l.closing.Done()
		f.inUse.Wait()
		if err := f.overlay.Close(); err != nil {
			slog.Error("close old overlay", "err", err)
		}
	}()
}

// Freshness is what the open generation has applied of the change log.
type Freshness struct {
	// Generation is the open generation's path, "" when none is open.
	Generation string
	// Position is the change-log position the last applied batch reached,
	// "" when none was applied to this generation.
	Position string
	// Applied is when the last batch was applied.
	Applied time.Time
	// Changed is how many records the overlay holds, Deleted how many of
	// the generation's documents it leaves out.
	Changed, Deleted uint64
}

// Freshness says what the open generation has applied.
func (l *Live) Freshness() Freshness {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur == nil {
		return Freshness{}
	}
	out := Freshness{Generation: l.cur.ix.Path()}
	if f := l.cur.fresh; f != nil {
		out.Position, out.Applied = f.position, f.applied
		out.Changed, out.Deleted = f.overlay.Changed(), f.overlay.Deleted()
	}
	return out
}
