package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/careatlas/careatlas/background"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
)

// Freshness: the changes made in the catalogue since a generation was built
// are applied on top of it (search.Overlay), one batch at a time. Each
// applied batch publishes a new snapshot: the same generation with a new
// overlay, made from the previous one and the batch alone (the batch's
// records go into a new segment; their older copies are marked deleted in
// copies of the bitmaps that held them), swapped in as a whole. Requests in
// flight keep the overlay they acquired; a replaced overlay is closed once
// they release it. A merge of segments too large for Apply to do inline is
// built in the background and swapped in the same way. A newly opened
// generation has the changes after its position replayed onto it before it
// is served (Replayer), so it never shows older data than the one it
// replaces.

// Changes are what one batch of the change log altered, read as a full
// build reads it.
type Changes struct {
	// Position is where the change log was read up to, for Status.
	Position string
	// Records holds each changed record as it is now, by search.DocID; nil
	// when it was deleted.
	Records map[string]*search.Record
	// Patched are records of which only their own row changed (an
	// offer's price, a facility's review count), by search.DocID: each
	// patch makes the record as it is now from the record the overlay
	// holds live, or returns nil when it cannot (the held record shows
	// another facility or treatment); then, or when the overlay holds
	// none, the record is read whole (RecordReader). A record in Records
	// is taken from there.
	Patched map[string]func(held *search.Record) *search.Record
	// Rates are the exchange rates now, when they changed. The offers
	// priced in a currency whose rate changed must be in Records: their
	// dollar prices are converted again in the delta.
	Rates *search.Rates
	// Posts are the posts now, when they (or the rates, which convert
	// their price ceilings) changed.
	Posts *posts.Set
	// Recount lists treatments whose offers changed and that Records does
	// not hold: the overlay counts their offers and spans their prices
	// itself (search.Overlay.Recount).
	Recount []int64
	// Repriced lists the currencies whose rates changed: the overlay
	// recounts the treatments priced in them too, whose price spans in
	// dollars move with the rates (search.Overlay.TreatmentsPricedIn).
	Repriced []string
	// Backlog says more changes wait after these (the batch was as large
	// as the follower reads): the follower is catching up.
	Backlog bool
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
	posts    *posts.Index  // nil: the generation's
	rates    *search.Rates // nil: the generation's
	position string
	applied  time.Time
	inUse    sync.WaitGroup
}

// Apply publishes a snapshot of the generation at gen with ch applied on
// top of the changes applied before. It returns ErrStale when gen is no
// longer the open generation. The records a segment needs besides the
// changed ones (search.Overlay.Needs) are read with read.
func (l *Live) Apply(ctx context.Context, gen string, ch Changes, read RecordReader) error {
	l.applyMu.Lock()
	defer l.applyMu.Unlock()
	l.mu.RLock()
	g := l.cur
	l.mu.RUnlock()
	if g == nil || g.ix.Path() != gen {
		return ErrStale
	}
	start := time.Now()
	err := l.applyTo(ctx, g, ch, read)
	l.observed(Work{Kind: WorkApply, Start: start, End: time.Now(), Records: len(ch.Records) + len(ch.Patched)})
	return err
}

// Work is a span of the follower's work beside the searches: a batch of
// changes read from the database (Report), a batch applied, or overlay
// segments merged (built, before the merged segment is published); or
// the moment a new overlay was published.
type Work struct {
	Kind       string // WorkRead, WorkApply, WorkMerge or WorkPublish
	Start, End time.Time
	Records    int // the records the batch read or changed, or the merge indexed
}

// The kinds of Work.
const (
	WorkRead  = "read"
	WorkApply = "apply"
	WorkMerge = "merge"
	// WorkPublish is the moment a new overlay (a batch's, a merge's) took
	// the place of the last: Start and End are that moment. The searches
	// just after it are the first on the new overlay.
	WorkPublish = "publish"
)

// Observe has fn told of each span of work once it ends, on the goroutine
// that did it (fn must be quick and safe for concurrent use); nil stops
// it. 'careatlas bench fresh' lines the slow searches up against them.
func (l *Live) Observe(fn func(Work)) {
	if fn == nil {
		l.observe.Store(nil)
		return
	}
	l.observe.Store(&fn)
}

// Report tells Observe's fn of work done for l outside it: the follower
// reading a batch of changes from the database.
func (l *Live) Report(w Work) { l.observed(w) }

func (l *Live) observed(w Work) {
	if fn := l.observe.Load(); fn != nil {
		(*fn)(w)
	}
}

// applyTo applies ch to generation g, current or about to be; the caller
// holds applyMu.
func (l *Live) applyTo(ctx context.Context, g *generation, ch Changes, read RecordReader) error {
	prev, ok := l.hold(g) // only applyTo and merges write g.fresh, under applyMu
	if !ok {
		return ErrStale
	}
	if prev != nil {
		defer prev.inUse.Done()
	}
	next := &fresh{position: ch.Position, applied: time.Now()}
	if prev != nil {
		next.rates, next.posts = prev.rates, prev.posts
	}
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
	on := prev
	if on == nil {
		empty, err := search.NewOverlay(ctx, g.ix, rates, nil)
		if err != nil {
			return fmt.Errorf("apply changes: %w", err)
		}
		defer empty.Close()
		on = &fresh{overlay: empty}
	}
	records := maps.Clone(ch.Records)
	if records == nil {
		records = map[string]*search.Record{}
	}
	if err := patch(ctx, on.overlay, rates, records, ch.Patched, read); err != nil {
		return fmt.Errorf("apply changes: %w", err)
	}
	start := time.Now()
	recount := ch.Recount
	if len(ch.Repriced) > 0 {
		recount = append(slices.Clone(recount), on.overlay.TreatmentsPricedIn(ch.Repriced)...)
	}
	if err := on.overlay.Recount(ctx, rates, records, recount); err != nil {
		return fmt.Errorf("apply changes: %w", err)
	}
	counted := time.Since(start)
	if err := ReadNeeds(ctx, on.overlay, rates, records, read); err != nil {
		return fmt.Errorf("apply changes: %w", err)
	}
	needed := time.Now()
	var err error
	if next.overlay, err = on.overlay.Apply(ctx, rates, records); err != nil {
		return fmt.Errorf("apply changes: %w", err)
	}
	slog.Debug("overlay applied", "records", len(records), "needed", len(records)-len(ch.Records)-len(ch.Patched),
		"recount_ms", counted.Milliseconds(), "needs_ms", (needed.Sub(start) - counted).Milliseconds(),
		"index_ms", time.Since(needed).Milliseconds())
	if !l.publish(g, prev, next) {
		return ErrStale
	}
	// While a backlog is applied, merges wait (unless the overlay holds
	// twice the segments the policy allows): on two cores a merge takes
	// the CPU the next batches need, and only makes searches faster. A
	// backlog's batches are large, so the policy's levels would merge
	// four of them (tens of thousands of records) in the middle of it.
	// The last batch of the backlog starts the merges the policy wants.
	l.backlog.Store(ch.Backlog)
	if mergeNow(ch.Backlog, next.overlay.Segments()) {
		l.mergeLater(g, next)
	}
	return nil
}

// mergeNow says whether merges go on after a batch: always, but during a
// backlog, when the overlay holds more than twice the segments the policy
// allows.
func mergeNow(backlog bool, segments int) bool {
	return !backlog || segments > 2*search.MaxSegments
}

// hold returns g's overlay (nil: none) held like a snapshot's, so that
// retiring g does not close it under the caller; false when g is retired.
func (l *Live) hold(g *generation) (*fresh, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if g.retired {
		return nil, false
	}
	if g.fresh != nil {
		g.fresh.inUse.Add(1)
	}
	return g.fresh, true
}

// publish makes next g's overlay in place of prev, unless g was retired
// (then it closes next and returns false).
func (l *Live) publish(g *generation, prev, next *fresh) bool {
	l.mu.Lock()
	if g.retired {
		l.mu.Unlock()
		next.overlay.Close()
		return false
	}
	g.fresh = next
	l.mu.Unlock()
	now := time.Now()
	l.observed(Work{Kind: WorkPublish, Start: now, End: now})
	if prev != nil {
		l.retireFresh(prev)
	}
	return true
}

// mergeLater starts merging f's segments as the overlay's policy wants,
// unless a merger runs for g already: each merge is built in the
// background and published over whatever overlay g has then, and the
// merger goes on with the next merge the policy wants until none is.
// Apply never merges, so a batch is visible once its own segment is built.
func (l *Live) mergeLater(g *generation, f *fresh) {
	if !l.merging.CompareAndSwap(false, true) {
		return
	}
	m := f.overlay.PlanMerge()
	if m == nil {
		l.merging.Store(false)
		return
	}
	l.closing.Add(1)
	background.Go(func() {
		defer l.closing.Done()
		defer l.merging.Store(false)
		for m != nil {
			m = l.merge(g, m)
		}
	})
}

// Merging says whether overlay segments are being merged in the background.
func (l *Live) Merging() bool { return l.merging.Load() }

// merge builds m, publishes it over g's overlay, closes it, and returns
// the next merge the policy wants (nil: none, or g is retired).
func (l *Live) merge(g *generation, m *search.Merge) *search.Merge {
	defer m.Close()
	start := time.Now()
	if err := m.Build(context.Background()); err != nil {
		slog.Error("merge overlay segments", "err", err)
		return nil
	}
	l.observed(Work{Kind: WorkMerge, Start: start, End: time.Now(), Records: m.Size()})
	l.applyMu.Lock()
	defer l.applyMu.Unlock()
	prev, ok := l.hold(g)
	if !ok || prev == nil {
		return nil
	}
	defer prev.inUse.Done()
	o, err := prev.overlay.WithMerge(context.Background(), m)
	if errors.Is(err, search.ErrMergeStale) {
		return l.nextMerge(prev.overlay)
	}
	if err != nil {
		slog.Error("merge overlay segments", "err", err)
		return nil
	}
	next := &fresh{overlay: o, posts: prev.posts, rates: prev.rates, position: prev.position, applied: prev.applied}
	if !l.publish(g, prev, next) {
		return nil
	}
	slog.Debug("overlay segments merged", "records", m.Size(), "segments", o.Segments(),
		"ms", time.Since(start).Milliseconds())
	return l.nextMerge(o)
}

// nextMerge is the merge the policy wants next on o, unless a backlog
// started meanwhile (its last batch merges).
func (l *Live) nextMerge(o *search.Overlay) *search.Merge {
	if !mergeNow(l.backlog.Load(), o.Segments()) {
		return nil
	}
	return o.PlanMerge()
}

// ReadNeeds reads into records, with read, what a segment holding them
// needs too (search.Overlay.Needs), until it needs nothing more; a record
// read finds gone is set to nil.
func ReadNeeds(ctx context.Context, o *search.Overlay, rates search.Rates, records map[string]*search.Record, read RecordReader) error {
	for {
		need, err := o.Needs(ctx, records)
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

// patch adds to records the records patched makes from those o holds
// live (Changes.Patched), and reads whole those it cannot make.
func patch(ctx context.Context, o *search.Overlay, rates search.Rates, records map[string]*search.Record,
	patched map[string]func(*search.Record) *search.Record, read RecordReader) error {
	whole := map[string][]int64{}
	for key, fn := range patched {
		if _, ok := records[key]; ok {
			continue
		}
		typ, id, err := search.ParseDocID(key)
		if err != nil {
			return fmt.Errorf("patch: %w", err)
		}
		held, err := o.Held(ctx, typ, id)
		if err != nil {
			return err
		}
		if r := fn(held); r != nil {
			records[key] = r
		} else {
			whole[typ] = append(whole[typ], id)
		}
	}
	for typ, ids := range whole {
		slices.Sort(ids)
		err := read(ctx, rates, typ, ids, func(id int64, r *search.Record) error {
			records[search.DocID(typ, id)] = r
			return nil
		})
		if err != nil {
			return fmt.Errorf("read %d %s records: %w", len(ids), typ, err)
		}
	}
	return nil
}

// retireFresh closes a replaced overlay once its last snapshot is released.
func (l *Live) retireFresh(f *fresh) {
	l.closing.Add(1)
	background.Go(func() {
		defer l.closing.Done()
		f.inUse.Wait()
		if err := f.overlay.Close(); err != nil {
			slog.Error("close old overlay", "err", err)
		}
	})
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
	// Segments is how many in-memory indexes hold the changed records.
	Segments int
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
		out.Segments = f.overlay.Segments()
	}
	return out
}

// A Replayer brings a newly opened generation up to date before it is
// served: it reads the changes after the generation's position (or after
// Pending.Position, once some were applied) and applies them with
// Pending.Apply until it has read all there is. Reload calls it twice: once
// while the served generation is still being updated, and once more, for
// what came meanwhile, with the served generation's updates held until the
// swap.
type Replayer func(ctx context.Context, p *Pending) error

// SetReplayer sets the Replayer of the generations opened from now on.
func (l *Live) SetReplayer(r Replayer) {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	l.replay = r
}

// Pending is a generation opened but not yet served.
type Pending struct {
	l      *Live
	g      *generation
	locked bool // the caller holds applyMu
}

// Path is the generation's path.
func (p *Pending) Path() string { return p.g.ix.Path() }

// Position is the change-log position the changes applied to it reach, ""
// when none were.
func (p *Pending) Position() string {
	p.l.mu.RLock()
	defer p.l.mu.RUnlock()
	if p.g.fresh == nil {
		return ""
	}
	return p.g.fresh.position
}

// Rates are the exchange rates it converts with now.
func (p *Pending) Rates() search.Rates {
	p.l.mu.RLock()
	defer p.l.mu.RUnlock()
	if f := p.g.fresh; f != nil {
		return f.overlay.Rates()
	}
	return p.g.ix.Rates()
}

// ConvertsRates says whether the pending generation converts its offers'
// prices at new exchange rates itself (search.Index.ConvertsRates).
func (p *Pending) ConvertsRates() bool { return p.g.ix.ConvertsRates() }

// Apply applies one batch of changes to the pending generation, as
// Live.Apply does to the served one.
func (p *Pending) Apply(ctx context.Context, ch Changes, read RecordReader) error {
	if !p.locked {
		p.l.applyMu.Lock()
		defer p.l.applyMu.Unlock()
	}
	return p.l.applyTo(ctx, p.g, ch, read)
}
