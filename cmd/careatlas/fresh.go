package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/background"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// Freshness in serve: with a database, the server follows the change log
// from the position the served generation was built at and applies each
// batch on top of it (live.Apply). A newly opened generation is brought up
// to date before it is served (replay, a live.Replayer): the changes after
// its position — those made while it was built — are applied to it, the
// last few with the served generation's updates held, so the swap never
// shows older data than before it. The follower then goes on from where
// the replay stopped, and nothing is applied twice to one generation.
//
// Trimming: once a generation has been served for trimGrace, and every
// trimGrace after, the log is trimmed up to its position, or to the
// oldest position another server still needs. Every server on the
// database reads on from the position of the generation it serves, and
// says so in the database every readerBeat (postgres.NeedChanges, as
// reader: its host and index directory); a trim goes no further than the
// oldest of the servers heard from within staleReader
// (postgres.OldestNeeded). Several servers with index directories of
// their own each fold on their own, so one may serve an older generation
// than another for a while. A server that still needs what was trimmed
// (it was down for longer than staleReader) finds its position trimmed
// and waits for a newer generation, which a fold builds, saying so on
// /readyz.

// changesGeneration is how often the follower checks that the generation it
// follows for is still the one served.
const changesGeneration = 250 * time.Millisecond

// readerBeat is how often a server records the position it needs, and
// staleReader how long a server not heard from is still waited for by
// other servers' trims: one that died without saying so holds the log
// that long at most.
const (
	readerBeat  = time.Minute
	staleReader = time.Hour
)

// changesGather is how long the follower lets changes gather after a
// notification before it reads them (postgres.FollowOptions.Gather; serve
// --refresh), as Elasticsearch refreshes every second by default. A change
// committed at a random moment waits half of it at p50, all of it at
// worst: visible 0.50 s after its commit at p50 and 1.04 s at p99 at a
// million offers under 100 changes a second, against the 1 s and
// 2 s. Half a second made twice the batches and merges for the same
// changes, and the server's CPU for them 1.4 to 1.9 times as much, for
// searches no faster under writes beyond the runs' spread (BENCHMARKS.md,
// twenty-eighth session, runs 311–321; a quarter second cost half as much
// again as half: fifteenth session).
const changesGather = time.Second

// minRefresh and maxRefresh bound --refresh: below, nearly every commit
// is a segment of its own; above, a change is no longer fresh.
const (
	minRefresh = 50 * time.Millisecond
	maxRefresh = 5 * time.Second
)

// defaultBackgroundNice is the niceness the follower's and the merges'
// threads run at when not on idle CPU time (serve --background-idle=false
// --background-nice): the kernel gives a search's thread about nine times
// their share of a core when both want one.
const defaultBackgroundNice = 10

// backgroundFlag is --background-nice, of serve, bench fresh and bench
// fold.
func backgroundFlag(fs *flag.FlagSet) *int {
	return fs.Int("background-nice", defaultBackgroundNice, fmt.Sprintf(
		"niceness (0–%d) of the threads that apply changes and merge the overlay when not idle (--background-idle=false), so that searches go first when both want a core; 0: the searches' own", background.MaxNice))
}

// backgroundIdleFlag is --background-idle, of serve and bench fresh.
func backgroundIdleFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("background-idle", true,
		"run the threads that apply changes and merge the overlay on idle CPU time only (Linux SCHED_IDLE): a search that wants a core takes it from them at once (false: at --background-nice)")
}

// checkBackgroundNice says what is wrong with --background-nice n.
func checkBackgroundNice(n int) error {
	if n < 0 || n > background.MaxNice {
		return fmt.Errorf("--background-nice %d: must be from 0 to %d", n, background.MaxNice)
	}
	return nil
}

// setupBackground lowers background work to idle CPU time, or to
// niceness n.
func setupBackground(n int, idle bool) {
	procs := background.Setup(n, idle)
	slog.Debug("background work", "idle", idle, "nice", n, "gomaxprocs", procs)
}

// lagWarning is how far behind the server must be for the logs to say so,
// and lagLogEvery how often they repeat it.
const (
	lagWarning  = 5 * time.Second
	lagLogEvery = 30 * time.Second
)

// changes follows the change log on behalf of serve.
type changes struct {
	pool   *pgxpool.Pool
	src    postgres.Source
	live   *live.Live
	synced func(context.Context) // reloads the synonym graph
	grace  time.Duration         // 0: never trim
	gather time.Duration         // 0: changesGather
	// reader names this server among the log's readers (host and index
	// directory; "": it records nothing, and trims up to its own
	// generation).
	reader string
	mu     sync.Mutex
	f      *postgres.Follower // the follower of the served generation
	// rebuild says why only a new generation brings the index back to
	// the database (nil: nothing does): a bulk load replaced a table, or
	// the log cannot be read on from the generation.
	rebuild atomic.Pointer[string]
}

// Freshness is what /readyz shows.
func (c *changes) Freshness() api.Freshness {
	c.mu.Lock()
	f := c.f
	c.mu.Unlock()
	lf := c.live.Freshness()
	out := api.Freshness{Changed: lf.Changed, Deleted: lf.Deleted, RebuildNeeded: c.rebuild.Load() != nil, Position: lf.Position}
	if f == nil {
		out.Error = "not following the change log"
		return out
	}
	st := f.Status()
	out.Position, out.Applied, out.Listening, out.Error = st.Position.String(), st.Applied, st.Listening, st.Err
	out.LagSeconds = st.Lag(time.Now()).Seconds()
	return out
}

// run follows the log for each generation served in turn until ctx is
// done, and brings each newly opened generation up to date before it is
// served.
func (c *changes) run(ctx context.Context) {
	c.live.SetReplayer(c.replay)
	defer c.live.SetReplayer(nil)
	for ctx.Err() == nil {
		gen := c.live.Path()
		if gen == "" {
			sleep(ctx, changesGeneration)
			continue
		}
		c.follow(ctx, gen)
	}
	c.forget(ctx) // stopped: it needs nothing more
}

// forget drops this server from the log's readers, so that other
// servers' trims need not wait an hour for a position it no longer reads
// on from.
func (c *changes) forget(ctx context.Context) {
	if c.reader == "" {
		return
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := postgres.ForgetReader(fctx, c.pool, c.reader); err != nil {
		slog.Warn("follow changes: forget this server's position", "err", err)
	}
}

// readerName names a server among the change log's readers: its host and
// index directory, the same across its restarts, so that a restarted
// server takes its own place.
func readerName(indexDir string) string {
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	if abs, err := filepath.Abs(indexDir); err == nil {
		indexDir = abs
	}
	return host + ":" + indexDir
}

// need records in the database that this server needs the log from
// position from on.
func (c *changes) need(ctx context.Context, from postgres.Position) {
	if c.reader == "" {
		return
	}
	if err := postgres.NeedChanges(ctx, c.pool, c.reader, from); err != nil {
		slog.Warn("follow changes: record the position this server needs", "err", err)
	}
}

// trim trims the log up to from, this server's position, or to the
// oldest position another server heard from lately needs; false when
// that cannot be told (the database is away): try again later.
func (c *changes) trim(ctx context.Context, from postgres.Position) bool {
	upTo := from
	if c.reader != "" {
		oldest, ok, err := postgres.OldestNeeded(ctx, c.pool, staleReader)
		if err != nil {
			slog.Warn("trim the change log", "err", err)
			return false
		}
		if ok {
			upTo = postgres.Oldest(upTo, oldest)
		}
	}
	n, err := postgres.Trim(ctx, c.pool, upTo)
	if err != nil {
		slog.Warn("trim the change log", "err", err)
		return false
	}
	slog.Info("change log trimmed", "up_to", upTo.String(), "changes", n, "served_from", from.String())
	return true
}

// follow follows the log for generation gen until another is served or
// ctx is done.
func (c *changes) follow(ctx context.Context, gen string) {
	still := func() bool { return ctx.Err() == nil && c.live.Path() == gen }
	raw, err := indexer.ChangePosition(gen)
	if lf := c.live.Freshness(); err == nil && lf.Generation == gen && lf.Position != "" {
		raw = lf.Position // replayed before it was served
	}
	var from postgres.Position
	if err == nil && raw != "" {
		from, err = postgres.ParsePosition(raw)
	}
	if err != nil || raw == "" {
		if err != nil {
			slog.Error("follow changes: no position for the generation", "generation", gen, "err", err)
		} else {
			slog.Warn("follow changes: the generation records no change-log position; serving it as it is", "generation", gen)
		}
		for still() {
			sleep(ctx, changesGeneration)
		}
		return
	}
	c.rebuild.Store(nil)
	genCtx, stop := context.WithCancel(ctx)
	defer stop()
	f := postgres.Follow(genCtx, c.pool, from, func(batch []postgres.Change) (func() error, error) {
		return c.prepare(genCtx, gen, batch)
	}, postgres.FollowOptions{Gather: cmp.Or(c.gather, changesGather)})
	c.mu.Lock()
	c.f = f
	c.mu.Unlock()
	slog.Info("following changes", "generation", gen, "from", from.String())
	c.need(ctx, from)
	needAt := time.Now().Add(readerBeat)
	stopped := make(chan error, 1)
	go func() { stopped <- f.Wait() }()
	trimAt := time.Now().Add(c.grace)
	t := time.NewTicker(changesGeneration)
	defer t.Stop()
	lastLog := time.Time{}
	for {
		select {
		case <-ctx.Done():
			<-stopped
			return
		case err := <-stopped:
			// The log cannot be read on from here (trimmed, or another
			// cluster's): only a newer generation helps, which a fold
			// builds (rebuild_needed), or an operator.
			why := "the change log cannot be read on from the generation"
			c.rebuild.Store(&why)
			slog.Error("follow changes: stopped; waiting for a newer generation", "generation", gen, "err", err)
			c.forget(ctx) // what it needed is gone: it holds no one's trim
			for still() {
				sleep(ctx, changesGeneration)
			}
			return
		case now := <-t.C:
			if !still() {
				stop()
				<-stopped
				return
			}
			st := f.Status()
			if lag := st.Lag(now); lag > lagWarning && now.Sub(lastLog) > lagLogEvery {
				slog.Warn("changes: behind the database", "position", st.Position.String(), "lag_s", lag.Seconds(),
					"listening", st.Listening, "err", st.Err)
				lastLog = now
			}
			if now.After(needAt) {
				c.need(ctx, from)
				needAt = now.Add(readerBeat)
			}
			if c.grace > 0 && now.After(trimAt) {
				trimAt = now.Add(c.grace)
				if !c.trim(ctx, from) {
					trimAt = now.Add(readerBeat)
				}
			}
		}
	}
}

// prepare reads what one batch of changes altered, for generation gen, and
// returns the func that applies it. The follower runs it while the batch
// before is still being applied: if that batch changed the exchange rates
// the records were read at, apply reads them again at the new ones.
func (c *changes) prepare(ctx context.Context, gen string, batch []postgres.Change) (func() error, error) {
	rates, converts, err := c.rates()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	ch, err := c.read(ctx, batch, rates, converts)
	if err != nil || ch == nil {
		return func() error { return nil }, err
	}
	read := time.Since(start)
	return func() error {
		now, _, err := c.rates()
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(now, rates) {
			if ch, err = c.read(ctx, batch, now, converts); err != nil || ch == nil {
				return err
			}
		}
		start := time.Now()
		err = c.live.Apply(ctx, gen, *ch, c.src.RecordsByID)
		if errors.Is(err, live.ErrStale) {
			return nil // a new generation is served: its own follower takes over
		}
		if err == nil {
			slog.Debug("changes applied", "changes", len(batch), "records", len(ch.Records), "patched", len(ch.Patched), "position", ch.Position,
				"read_ms", read.Milliseconds(), "apply_ms", time.Since(start).Milliseconds())
		}
		return err
	}, nil
}

// rates are the exchange rates of the served snapshot, and whether its
// generation converts prices at new rates itself.
func (c *changes) rates() (search.Rates, bool, error) {
	snap, err := c.live.Acquire()
	if err != nil {
		return search.Rates{}, false, err
	}
	defer snap.Release()
	return snap.Rates(), snap.Index.ConvertsRates(), nil
}

// applyWith reads what batch changed, at rates (the exchange rates of the
// snapshot it goes onto), and hands it to apply.
func (c *changes) applyWith(ctx context.Context, batch []postgres.Change, rates search.Rates, converts bool,
	apply func(live.Changes) error) error {
	ch, err := c.read(ctx, batch, rates, converts)
	if err != nil || ch == nil {
		return err
	}
	return apply(*ch)
}

// read reads what batch changed, at rates: nil when nothing the overlay
// holds changed (or a bulk load did, which it cannot follow). converts says
// the generation converts its offers' prices at new rates itself; when it
// does not, a rate change re-reads every offer priced in the currency.
//
// Each read is reported to live.Observe as WorkRead ('bench fresh
// --attribute').
func (c *changes) read(ctx context.Context, batch []postgres.Change, rates search.Rates, converts bool) (*live.Changes, error) {
	start := time.Now()
	ch, err := c.readBatch(ctx, batch, rates, converts)
	n := 0
	if ch != nil {
		n = len(ch.Records) + len(ch.Patched)
	}
	c.live.Report(live.Work{Kind: live.WorkRead, Start: start, End: time.Now(), Records: n})
	return ch, err
}

// readBatch is read, unreported.
func (c *changes) readBatch(ctx context.Context, batch []postgres.Change, rates search.Rates, converts bool) (*live.Changes, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	im, err := c.src.Impact(ctx, batch)
	if err != nil {
		return nil, err
	}
	if im.Rebuild() {
		// A bulk load replaced whole tables without logging their rows:
		// the overlay cannot follow it. Keep serving what we have and say
		// a generation is needed.
		why := "a bulk load replaced a table"
		if c.rebuild.Swap(&why) == nil {
			slog.Warn("changes: a bulk load replaced tables; a new generation is needed", "tables", im.Reload)
		}
		return nil, nil
	}
	if im.Synonyms {
		c.synced(ctx)
	}
	if len(im.Records)+len(im.Offers)+len(im.Facilities)+len(im.Counts) == 0 && !im.Rates && !im.Posts {
		return nil, nil // nothing the overlay holds (synonyms are the server's)
	}
	last := batch[len(batch)-1]
	ch := live.Changes{Position: postgres.Position{XID: last.XID, ID: last.ID}.String(), Records: map[string]*search.Record{},
		Backlog: len(batch) >= postgres.DefaultBatch}
	records := im.Records
	if len(im.Offers)+len(im.Facilities) > 0 {
		// A new price or review is patched into the record as the server
		// holds it: reading an offer whole joins its treatment, facility,
		// country, price reference and doctors, a facility its offers'
		// treatments and its doctors.
		ch.Patched = make(map[string]func(*search.Record) *search.Record, len(im.Offers)+len(im.Facilities))
		for _, row := range im.Offers {
			ch.Patched[search.DocID(search.TypeOffer, row.ID)] = func(held *search.Record) *search.Record {
				return indexer.PatchOffer(held, row)
			}
		}
		for _, row := range im.Facilities {
			ch.Patched[search.DocID(search.TypeFacility, row.ID)] = func(held *search.Record) *search.Record {
				return indexer.PatchFacility(held, row.Facility, row.CountryName)
			}
		}
	}
	if converts {
		// The overlay counts the treatments' offers and spans their
		// prices from the offers it holds: PostgreSQL would read every
		// offer of each (most of what following the log cost it).
		ch.Recount = im.Counts
	} else if len(im.Counts) > 0 {
		records = withIDs(records, search.TypeTreatment, im.Counts)
	}
	if im.Rates {
		if rates, err = c.src.Rates(ctx); err != nil {
			return nil, err
		}
		ch.Rates = &rates
		if converts {
			// The overlay converts its offers' prices and recounts the
			// spans of the treatments priced in the currencies itself:
			// reading those treatments cost PostgreSQL seconds a rate.
			ch.Repriced = im.Currencies
		} else {
			// The offers priced in a changed currency get new dollar
			// prices, and their treatments new spans: they are re-read
			// into the overlay, converted at the new rates.
			ids, err := c.src.OffersPricedIn(ctx, im.Currencies)
			if err != nil {
				return nil, err
			}
			records = withIDs(records, search.TypeOffer, ids)
			if ids, err = c.src.TreatmentsPricedIn(ctx, im.Currencies); err != nil {
				return nil, err
			}
			records = withIDs(records, search.TypeTreatment, ids)
		}
	}
	// The types are read at once, each on its own connection: the batch
	// waits for the slowest read, not for their sum.
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for typ, ids := range records {
		g.Go(func() error {
			err := c.src.RecordsByID(gctx, rates, typ, ids, func(id int64, r *search.Record) error {
				mu.Lock()
				ch.Records[search.DocID(typ, id)] = r
				mu.Unlock()
				return nil
			})
			if err != nil {
				return fmt.Errorf("read changed %s records: %w", typ, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if im.Posts || im.Rates {
		set, err := c.src.Posts(ctx)
		if err != nil {
			return nil, err
		}
		ch.Posts = &set
	}
	return &ch, nil
}

// replay brings a newly opened generation up to date before it is served
// (a live.Replayer): it applies every change after the generation's
// position, or after where an earlier pass stopped, until none is left.
func (c *changes) replay(ctx context.Context, p *live.Pending) error {
	raw := p.Position()
	if raw == "" {
		var err error
		if raw, err = indexer.ChangePosition(p.Path()); err != nil || raw == "" {
			return err // no position: it is served as it is, as follow says
		}
	}
	from, err := postgres.ParsePosition(raw)
	if err != nil {
		return err
	}
	start, n := time.Now(), 0
	for {
		batch, next, err := postgres.ReadChanges(ctx, c.pool, from, postgres.DefaultBatch)
		if err != nil {
			return fmt.Errorf("replay changes after %s: %w", from, err)
		}
		err = c.applyWith(ctx, batch, p.Rates(), p.ConvertsRates(), func(ch live.Changes) error {
			return p.Apply(ctx, ch, c.src.RecordsByID)
		})
		if err != nil {
			return fmt.Errorf("replay changes after %s: %w", from, err)
		}
		n += len(batch)
		from = next
		if len(batch) < postgres.DefaultBatch {
			break
		}
	}
	if p.Position() != from.String() {
		// Record where the replay stopped, for the follower to go on from.
		if err := p.Apply(ctx, live.Changes{Position: from.String()}, c.src.RecordsByID); err != nil {
			return err
		}
	}
	slog.Info("generation brought up to date", "generation", p.Path(), "changes", n, "position", from.String(),
		"ms", time.Since(start).Milliseconds())
	return nil
}

// withIDs adds ids of type typ to a copy of records.
func withIDs(records map[string][]int64, typ string, ids []int64) map[string][]int64 {
	out := make(map[string][]int64, len(records)+1)
	for k, v := range records {
		out[k] = v
	}
	out[typ] = append(append([]int64(nil), out[typ]...), ids...)
	return out
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// rebuildNeeded says why only a new generation brings the index back to
// the database ("": nothing does).
func (c *changes) rebuildNeeded() string {
	if why := c.rebuild.Load(); why != nil {
		return *why
	}
	return ""
}
