package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/background"
	"github.com/jackc/pgx/v5/pgxpool"
)

// benchIDs is where the ids of the offers and posts 'bench fresh' inserts
// start, far above a generated catalogue's, so that it deletes only its own.
const benchIDs = 2_000_000_000

// freshWriter writes the mixed changes of 'bench fresh' and its probes.
type freshWriter struct {
	pool                 *pgxpool.Pool
	rateEvery            time.Duration
	offers, probeOffers  []int64 // offers whose prices change; USD offers the probes mark
	facilities           [2]int64
	treatments           [2]int64
	currencies           []string // currencies offers are priced in
	nextID               atomic.Int64
	written              atomic.Int64
	mu                   sync.Mutex
	benchOffers, benchPs []int64 // inserted and not yet deleted, oldest first
	marked               map[*freshProbe]bool
	probeN               atomic.Int64
	// sinceRate is the time under writes since the last rate change
	// (under mu); rateChanges counts them.
	sinceRate   time.Duration
	rateChanges atomic.Int64
	// lowered runs the writers as background work (--lower-writers).
	lowered bool
	// proc is the child process the writers run in (--writers-process,
	// spawnWriters); nil: they run here.
	proc *writerProc
}

func newFreshWriter(ctx context.Context, pool *pgxpool.Pool, rateEvery time.Duration) (*freshWriter, error) {
	w := &freshWriter{pool: pool, rateEvery: rateEvery, marked: map[*freshProbe]bool{}}
	rows, err := pool.Query(ctx, `SELECT id, currency = 'USD' AND price IS NOT NULL AND price_min IS NULL
		FROM offers TABLESAMPLE SYSTEM (2) WHERE id < $1 LIMIT 20000`, benchIDs)
	if err != nil {
		return nil, fmt.Errorf("bench fresh: sample offers: %w", err)
	}
	for rows.Next() {
		var id int64
		var usd bool
		if err := rows.Scan(&id, &usd); err != nil {
			return nil, err
		}
		if usd && len(w.probeOffers) < 1000 {
			w.probeOffers = append(w.probeOffers, id)
		} else {
			w.offers = append(w.offers, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bench fresh: sample offers: %w", err)
	}
	if len(w.offers) == 0 || len(w.probeOffers) == 0 {
		return nil, fmt.Errorf("bench fresh: the catalogue has too few offers (priced in dollars) to sample")
	}
	var next int64
	err = pool.QueryRow(ctx, `SELECT (SELECT min(id) FROM facilities), (SELECT max(id) FROM facilities),
			(SELECT min(id) FROM treatments), (SELECT max(id) FROM treatments),
			greatest((SELECT max(id) FROM offers WHERE id >= $1), (SELECT max(id) FROM posts WHERE id >= $1), $1)`,
		benchIDs).Scan(&w.facilities[0], &w.facilities[1], &w.treatments[0], &w.treatments[1], &next)
	if err != nil {
		return nil, fmt.Errorf("bench fresh: catalogue ranges: %w", err)
	}
	w.nextID.Store(next)
	if w.currencies, err = strings1(ctx, pool, `SELECT DISTINCT currency::text FROM offers WHERE currency <> 'USD'`); err != nil {
		return nil, fmt.Errorf("bench fresh: currencies: %w", err)
	}
	return w, nil
}

// kinds names the changes written, with their shares.
func (w *freshWriter) kinds() []string {
	out := []string{"55% offer prices", "12.5% offers inserted", "12.5% offers deleted",
		"15% facility review counts (shown on their offers and doctors)", "5% posts published or deleted"}
	if w.rateEvery > 0 {
		out = append(out, fmt.Sprintf("an exchange rate every %s (converts every offer priced in it)", w.rateEvery))
	}
	return out
}

// freshWriters is how many connections write the changes: enough that a
// slow commit on a busy machine does not hold the rate down.
const freshWriters = 16

// start writes rate changes a second, from a few connections, until ctx is
// done; the returned func waits for the writers and says whether one
// failed.
func (w *freshWriter) start(ctx context.Context, rate int) func() error {
	if w.proc != nil {
		return w.proc.start(ctx, rate)
	}
	ticks := make(chan struct{}, rate)
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	fail := func(err error) {
		if ctx.Err() == nil {
			failed.CompareAndSwap(nil, &err)
		}
	}
	wg.Go(func() {
		defer close(ticks)
		every := time.Second / time.Duration(rate)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				select {
				case ticks <- struct{}{}:
				default: // the writers are behind: the rate is not met, and the count says so
				}
			}
		}
	})
	for range freshWriters {
		write := func() {
			for range ticks {
				if err := w.one(ctx); err != nil {
					fail(err)
				}
			}
		}
		if !w.lowered {
			wg.Go(write)
			continue
		}
		wg.Add(1)
		background.Go(func() {
			defer wg.Done()
			write()
		})
	}
	if w.rateEvery > 0 && len(w.currencies) > 0 {
		wg.Go(func() {
			// The time under writes counts across starts: blocks shorter
			// than rateEvery (--rounds) still change a rate every
			// rateEvery of writing, as a phase a minute long does.
			for {
				w.mu.Lock()
				wait := max(0, w.rateEvery-w.sinceRate)
				w.mu.Unlock()
				began := time.Now()
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
					w.mu.Lock()
					w.sinceRate += time.Since(began)
					w.mu.Unlock()
					return
				case <-t.C:
				}
				w.mu.Lock()
				w.sinceRate = 0
				w.mu.Unlock()
				cur := w.currencies[rand.IntN(len(w.currencies))]
				if _, err := w.pool.Exec(ctx, `UPDATE exchange_rates SET rate = rate * $1 WHERE currency = $2`,
					0.995+0.01*rand.Float64(), cur); err != nil {
					fail(fmt.Errorf("change the %s rate: %w", cur, err))
					continue
				}
				w.written.Add(1)
				w.rateChanges.Add(1)
			}
		})
	}
	return func() error {
		wg.Wait()
		if err := failed.Load(); err != nil {
			return *err
		}
		return nil
	}
}

// one writes one change of a random kind.
func (w *freshWriter) one(ctx context.Context) error {
	var err error
	switch k := rand.Float64(); {
	case k < 0.55:
		_, err = w.pool.Exec(ctx, `UPDATE offers SET price = round(price * $1, 2) WHERE id = $2 AND price IS NOT NULL`,
			0.95+0.1*rand.Float64(), w.offers[rand.IntN(len(w.offers))])
	case k < 0.675:
		err = w.insertOffer(ctx)
	case k < 0.80:
		err = w.deleteOffer(ctx)
	case k < 0.95:
		_, err = w.pool.Exec(ctx, `UPDATE facilities SET review_count = coalesce(review_count, 0) + 1 WHERE id = $1`,
			w.between(w.facilities))
	default:
		err = w.post(ctx)
	}
	if err != nil {
		return fmt.Errorf("bench fresh: write a change: %w", err)
	}
	w.written.Add(1)
	return nil
}

// counts is how many changes were written so far (the writers' and the
// probes'), and how many of them changed an exchange rate.
func (w *freshWriter) counts() (written, rateChanges int64, err error) {
	written, rateChanges = w.written.Load(), w.rateChanges.Load()
	if w.proc != nil {
		r, err := w.proc.do(writerCommand{Op: "count"})
		if err != nil {
			return 0, 0, err
		}
		written, rateChanges = written+r.Written, rateChanges+r.RateChanges
	}
	return written, rateChanges, nil
}

// close ends the writers' process, if they run in one.
func (w *freshWriter) close() error {
	if w.proc == nil {
		return nil
	}
	return w.proc.close()
}

func (w *freshWriter) between(r [2]int64) int64 { return r[0] + rand.Int64N(r[1]-r[0]+1) }

func (w *freshWriter) insertOffer(ctx context.Context) error {
	id := w.nextID.Add(1)
	tag, err := w.pool.Exec(ctx, `INSERT INTO offers (id, facility_id, treatment_id, price, currency, source)
		SELECT $1, f.id, t.id, $4, 'USD', 'bench fresh' FROM facilities f, treatments t WHERE f.id = $2 AND t.id = $3
		ON CONFLICT DO NOTHING`, id, w.between(w.facilities), w.between(w.treatments), 1000+rand.IntN(20000))
	if err == nil && tag.RowsAffected() == 1 {
		w.mu.Lock()
		w.benchOffers = append(w.benchOffers, id)
		w.mu.Unlock()
	}
	return err
}

func (w *freshWriter) deleteOffer(ctx context.Context) error {
	w.mu.Lock()
	if len(w.benchOffers) == 0 {
		w.mu.Unlock()
		return w.insertOffer(ctx)
	}
	id := w.benchOffers[0]
	w.benchOffers = w.benchOffers[1:]
	w.mu.Unlock()
	_, err := w.pool.Exec(ctx, `DELETE FROM offers WHERE id = $1`, id)
	return err
}

// post publishes a post of a random facility, or deletes the oldest once
// twenty are out.
func (w *freshWriter) post(ctx context.Context) error {
	w.mu.Lock()
	if len(w.benchPs) >= 20 {
		id := w.benchPs[0]
		w.benchPs = w.benchPs[1:]
		w.mu.Unlock()
		_, err := w.pool.Exec(ctx, `DELETE FROM posts WHERE id = $1`, id)
		return err
	}
	w.mu.Unlock()
	id := w.nextID.Add(1)
	_, err := w.pool.Exec(ctx, `INSERT INTO posts (id, facility_id, title, body, published, starts_at, keywords)
		SELECT $1, id, 'Spring offer', 'A bench post.', true, now() - interval '1 day', '{checkup}'
		FROM facilities WHERE id = $2`, id, w.between(w.facilities))
	if err == nil {
		w.mu.Lock()
		w.benchPs = append(w.benchPs, id)
		w.mu.Unlock()
	}
	return err
}

// freshProbe is one marked offer: its price set to a value no other offer
// has, and the price it had.
type freshProbe struct {
	offer     int64
	marker    int
	was       *float64
	committed time.Time
}

// mark sets a probe offer's price to a unique marker and returns when the
// change was committed.
//
// The update is not cancelled with ctx: a cancel that reached the client
// after PostgreSQL had committed it returned an error for a change that
// was made, and the offer, never listed as marked, kept its marker price
// past the clean-up (the probes' ctx ends with each phase under writes).
func (w *freshWriter) mark(ctx context.Context) (*freshProbe, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	n := w.probeN.Add(1)
	p := &freshProbe{offer: w.probeOffers[int(n)%len(w.probeOffers)], marker: 900_000 + int(n)}
	err := w.pool.QueryRow(ctx, `WITH old AS (SELECT price FROM offers WHERE id = $1)
		UPDATE offers SET price = $2 WHERE id = $1 RETURNING (SELECT price FROM old)::float8`, p.offer, p.marker).Scan(&p.was)
	if err != nil {
		return nil, fmt.Errorf("bench fresh: mark offer %d: %w", p.offer, err)
	}
	p.committed = time.Now()
	w.written.Add(1)
	w.mu.Lock()
	w.marked[p] = true
	w.mu.Unlock()
	return p, nil
}

func (w *freshWriter) unmark(ctx context.Context, p *freshProbe) error {
	_, err := w.pool.Exec(ctx, `UPDATE offers SET price = $1 WHERE id = $2 AND price = $3`, p.was, p.offer, p.marker)
	if err != nil {
		return fmt.Errorf("bench fresh: put back offer %d: %w", p.offer, err)
	}
	w.written.Add(1)
	w.mu.Lock()
	delete(w.marked, p)
	w.mu.Unlock()
	return nil
}

// probePage is how many offers a probe's search lists at its marker price.
const probePage = 20

type probeHit struct {
	ID int64 `json:"id"`
}

// waitVisible polls a search for the probe's marker price until it finds
// the offer, and returns when it did.
func (w *freshWriter) waitVisible(ctx context.Context, client *http.Client, base string, p *freshProbe,
	timeout time.Duration) (time.Time, error) {
	// A page, not the first hit: an offer a killed run left at a marker
	// price may share it, and come first.
	u := fmt.Sprintf("%s/v1/search?type=offer&price_min=%d&price_max=%d&per_page=%d", base, p.marker, p.marker, probePage)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return time.Time{}, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return time.Time{}, err
		}
		var res struct {
			Hits []probeHit `json:"hits"`
		}
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if err != nil {
			return time.Time{}, fmt.Errorf("bench fresh: probe search: %w", err)
		}
		if slices.ContainsFunc(res.Hits, func(h probeHit) bool { return h.ID == p.offer }) {
			return time.Now(), nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("%w: offer %d at %d, after %s", errProbeLost, p.offer, p.marker, timeout)
}

// probe marks an offer, times how soon a search finds it at its new price,
// puts it back, and again, until ctx is done.
//
// Between probes it waits a tenth of a second and a random part of spread
// (the follower's gather): a fixed wait would commit each probe at the
// same point of the follower's cycle, a tenth of a second after the batch
// that showed the last one, so that every probe waited nearly the whole
// gather and none a little.
func (w *freshWriter) probe(ctx context.Context, client *http.Client, base string, spread time.Duration) []time.Duration {
	var out []time.Duration
	for ctx.Err() == nil {
		p, err := w.mark(ctx)
		if err != nil {
			break
		}
		seen, err := w.waitVisible(ctx, client, base, p, time.Minute)
		if err == nil {
			out = append(out, seen.Sub(p.committed))
		} else if ctx.Err() == nil {
			slog.Error("bench fresh: probe", "err", err)
		}
		if err := w.unmark(context.WithoutCancel(ctx), p); err != nil {
			slog.Error("bench fresh", "err", err)
		}
		sleep(ctx, 100*time.Millisecond+rand.N(spread+1))
	}
	return out
}

// cleanUp deletes the offers and posts the bench inserted and puts back
// the prices of the offers still marked.
func (w *freshWriter) cleanUp(ctx context.Context) {
	w.mu.Lock()
	marked := slices.Collect(maps.Keys(w.marked))
	w.mu.Unlock()
	for _, p := range marked {
		if err := w.unmark(ctx, p); err != nil {
			slog.Error("bench fresh: clean up", "err", err)
		}
	}
	for _, q := range []string{`DELETE FROM offers WHERE id > $1`, `DELETE FROM posts WHERE id > $1`} {
		if _, err := w.pool.Exec(ctx, q, benchIDs); err != nil {
			slog.Error("bench fresh: clean up", "err", err)
		}
	}
}
