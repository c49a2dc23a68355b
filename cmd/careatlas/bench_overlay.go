package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
)

// bench overlay: what an overlay of changes costs a search that reads it
// (issue 12: "the overlay must not make an unchanged query measurably
// slower"), without PostgreSQL, writers or a follower beside it. It opens
// a generation, applies changes to it in batches as the follower does
// (the same Apply, Needs, PlanMerge and WithMerge), in bench fresh's mix,
// and then searches the same queries on the generation alone and on the
// overlay, in blocks that take turns, one client. In a minute it answers
// what bench fresh's --floor blocks answer in ten, with the machine quiet.
//
// The changed records are read from the overlay itself (a price scaled, a
// review counted), not from a database: what the follower would read
// after the same writes.

// overlayReport is bench overlay's --json.
type overlayReport struct {
	Command string      `json:"command"`
	Machine machineInfo `json:"machine"`
	Docs    uint64      `json:"generation_docs"`
	// Changes applied, in Batches; Rates is how many changed an exchange
	// rate (every offer priced in it converted again).
	Changes    int     `json:"changes"`
	Batches    int     `json:"batches"`
	Rates      int     `json:"rate_changes"`
	ApplyP50   float64 `json:"apply_p50_ms"`
	ApplyP99   float64 `json:"apply_p99_ms"`
	Merges     int     `json:"merges"`
	MergeMs    float64 `json:"merge_ms"`
	Segments   int     `json:"segments"`
	Changed    uint64  `json:"overlay_records"`
	Deleted    uint64  `json:"generation_docs_left_out"`
	Queries    int     `json:"queries"`
	Rounds     int     `json:"rounds"`
	Generation latency `json:"search_generation"`
	Overlay    latency `json:"search_overlay"`
	// The medians of each round's change, overlay against generation:
	// of the mean, and of the p50, of the searches timed in that round.
	MeanChange float64 `json:"median_round_mean_change_pct"`
	P50Change  float64 `json:"median_round_p50_change_pct"`
	// Unchanged is how many queries the overlay answers exactly as the
	// generation does (the same total, hits, prices and facets): the
	// changes touched nothing they find. UnchangedMeanChange is the
	// median round's change of the mean of those alone.
	Unchanged           int     `json:"unchanged_queries"`
	UnchangedMeanChange float64 `json:"median_round_unchanged_mean_change_pct"`
	// Untouched is how many of the unchanged queries the changes did not
	// touch at all: none of their matches is a document changed
	// (search.Overlay.Untouched). The others match a changed document
	// that stays off their page (a repriced offer past the tenth), which
	// the overlay must find and weigh. UntouchedMeanChange is the median
	// round's change of the mean of the untouched alone.
	Untouched           int     `json:"untouched_queries"`
	UntouchedMeanChange float64 `json:"median_round_untouched_mean_change_pct"`
	// CPU time the process used per search, every pass of each side's
	// blocks counted (the warm-up too), and the median round's change of
	// it: what the searches cost, beside how long they took. The two
	// differ where a search uses more than one core, or the collector
	// runs on the other.
	GenerationCPU float64 `json:"generation_cpu_us_per_search"`
	OverlayCPU    float64 `json:"overlay_cpu_us_per_search"`
	CPUChange     float64 `json:"median_round_cpu_change_pct"`
	// Heap bytes allocated per search, every pass counted: what sets how
	// often the collector marks, on the other core or in the searches'
	// own time.
	GenerationAlloc float64 `json:"generation_alloc_bytes_per_search"`
	OverlayAlloc    float64 `json:"overlay_alloc_bytes_per_search"`
	// By query, the change of its median over every round.
	ByQuery []queryChange `json:"by_query"`
	// Kind is the changes applied (--kind): mix, or one kind alone.
	Kind string `json:"kind"`
	// Control: both sides searched the generation (--control).
	Control bool `json:"control,omitempty"`
	// Searched is --queries when not all: only the unchanged queries, or
	// only the changed, were searched (Queries counts those).
	Searched string `json:"queries_searched,omitempty"`
}

// keepQueries keeps the queries whose keep[i] is true, with their paths
// and classes.
func keepQueries(reqs []search.Request, paths []string, unchanged, untouched, keep []bool) ([]search.Request, []string, []bool, []bool) {
	var r []search.Request
	var p []string
	var u, t []bool
	for i := range reqs {
		if keep[i] {
			r, p, u, t = append(r, reqs[i]), append(p, paths[i]), append(u, unchanged[i]), append(t, untouched[i])
		}
	}
	return r, p, u, t
}

type queryChange struct {
	Path       string  `json:"query"`
	Unchanged  bool    `json:"unchanged"`
	Untouched  bool    `json:"untouched"`
	Generation float64 `json:"generation_p50_ms"`
	Overlay    float64 `json:"overlay_p50_ms"`
	Change     float64 `json:"change_pct"`
}

func benchOverlayCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench overlay", "bench overlay --index-dir DIR [--changes N] [--rounds N] [--json]", stderr)
	dir := fs.String("index-dir", defaultIndexDir, "directory holding the index generations (careatlas index)")
	changes := fs.Int("changes", 16000, "changes to apply on top of the generation (bench fresh leaves about 16,000 after its rounds), in whole batches")
	segments := fs.Int("segments", search.MaxSegments, "then apply batches until the overlay has this many segments, or twice --changes (bench fresh's searches met the most the merge policy allows most of the time)")
	batch := fs.Int("batch", 100, "changes per batch applied (the follower applies a second of writes at a time: 100 at 100 a second)")
	rateEvery := fs.Int("rate-every", 6000, "change an exchange rate once per this many changes (0: never)")
	rounds := fs.Int("rounds", 10, "rounds of searching, each a block on the generation and one on the overlay, in turns")
	passes := fs.Int("passes", 4, "passes over the queries in each block; the first is a warm-up, not timed")
	seed := fs.Uint64("seed", 1, "seed of the changes chosen")
	asJSON := fs.Bool("json", false, "print one JSON object with every figure")
	kind := fs.String("kind", "mix", "the changes applied: mix (bench fresh's shares), or all of one kind: price, insert, delete or reviews (an overlay of segments alone, of deleted documents alone, or of patched stars)")
	control := fs.Bool("control", false, "search the generation on both sides (an A/A run: its changes are the rounds' own noise, what a change must exceed to be measured)")
	searched := fs.String("queries", "all", "the queries searched: all, or only those the overlay answers as the generation does (unchanged), or those the changes touch none of whose matches (untouched), or those it answers differently (changed): an unchanged query timed with no changed query beside it")
	match := fs.String("match", "", "search only the queries whose path holds this text (with --queries): one query timed alone, as for a profile of it")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the searches to this file, labelled by side (side=generation, side=overlay) and by side and query (search=overlay q=ivf): go tool pprof -tagfocus")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains([]string{"all", "unchanged", "untouched", "changed"}, *searched) {
		return fmt.Errorf("--queries %q: want all, unchanged, untouched or changed", *searched)
	}
	only, ok := changeKinds[*kind]
	if !ok {
		return fmt.Errorf("--kind %q: want mix, price, insert, delete or reviews", *kind)
	}
	if *changes < 1 || *batch < 1 || *rounds < 1 || *passes < 2 || *rateEvery < 0 || *segments < 0 || *segments > search.MaxSegments {
		return fmt.Errorf("--changes, --batch and --rounds must be positive, --passes at least 2, --rate-every not negative, --segments 0 to %d", search.MaxSegments)
	}
	path, err := search.Current(*dir)
	if err != nil {
		return fmt.Errorf("bench overlay: %w", err)
	}
	gen, err := search.Open(path)
	if err != nil {
		return err
	}
	defer gen.Close()
	rep := &overlayReport{Command: "careatlas bench overlay " + strings.Join(args, " "), Machine: machine(ctx, nil),
		Rounds: *rounds, Kind: *kind}
	if rep.Docs, err = gen.DocCount(); err != nil {
		return fmt.Errorf("bench overlay: count documents: %w", err)
	}
	reqs, paths, err := overlayQueries(ctx, gen)
	if err != nil {
		return err
	}
	rep.Queries = len(reqs)

	o, err := buildOverlay(ctx, gen, rep, overlayPlan{changes: *changes, batch: *batch, rateEvery: *rateEvery, segments: *segments, seed: *seed, only: only}, stderr)
	if err != nil {
		return err
	}
	defer o.Close()
	rep.Segments, rep.Changed, rep.Deleted = o.Segments(), o.Changed(), o.Deleted()

	unchanged, untouched, err := unchangedQueries(ctx, gen, o, reqs)
	if err != nil {
		return err
	}
	if *searched != "all" || *match != "" {
		keep := make([]bool, len(reqs))
		for i := range keep {
			switch *searched {
			case "all":
				keep[i] = true
			case "unchanged":
				keep[i] = unchanged[i]
			case "untouched":
				keep[i] = untouched[i]
			case "changed":
				keep[i] = !unchanged[i]
			}
			keep[i] = keep[i] && strings.Contains(paths[i], *match)
		}
		reqs, paths, unchanged, untouched = keepQueries(reqs, paths, unchanged, untouched, keep)
		if len(reqs) == 0 {
			return fmt.Errorf("bench overlay: no %s queries to search (--queries %s) holding %q (--match)", *searched, *searched, *match)
		}
		rep.Queries, rep.Searched = len(reqs), *searched
	}
	for i := range unchanged {
		if unchanged[i] {
			rep.Unchanged++
		}
		if untouched[i] {
			rep.Untouched++
		}
	}

	stop, err := profileTo(*cpuProfile)
	if err != nil {
		return err
	}
	sides := []func(search.Request) (*search.Result, error){
		func(r search.Request) (*search.Result, error) { return gen.Search(ctx, r, nil) },
		func(r search.Request) (*search.Result, error) { return o.Search(ctx, r, nil) },
	}
	if *control {
		sides[1], rep.Control = sides[0], true
	}
	// The profile tells the sides and queries apart by label: go tool
	// pprof -tagfocus=side=overlay (or generation), or for one query on
	// one side -tagfocus='search=overlay q=ivf$'.
	labels := [2][]pprof.LabelSet{}
	for side, name := range []string{"generation", "overlay"} {
		for _, path := range paths {
			labels[side] = append(labels[side], pprof.Labels("side", name, "search", name+" "+path))
		}
	}
	var all [2][]time.Duration
	byQuery := [2][][]time.Duration{make([][]time.Duration, len(reqs)), make([][]time.Duration, len(reqs))}
	var meanChanges, p50Changes, unchangedChanges, untouchedChanges, cpuChanges []float64
	var cpuSum [2]float64 // seconds
	var allocSum [2]uint64
	var timed [2]int
	for round := range *rounds {
		var took, tookUnchanged, tookUntouched [2][]time.Duration
		var cpu [2]float64
		// The side searched first alternates, so neither always follows
		// the other's use of the caches.
		for k := range 2 {
			side := (round + k) % 2
			before, allocBefore := cpuNow().Process, heapAllocated()
			for pass := range *passes {
				for qi, r := range reqs {
					start := time.Now()
					var err error
					pprof.Do(ctx, labels[side][qi], func(context.Context) { _, err = sides[side](r) })
					if err != nil {
						stop()
						return fmt.Errorf("bench overlay: %s: %w", paths[qi], err)
					}
					if pass == 0 {
						continue // warm-up
					}
					d := time.Since(start)
					took[side] = append(took[side], d)
					if unchanged[qi] {
						tookUnchanged[side] = append(tookUnchanged[side], d)
					}
					if untouched[qi] {
						tookUntouched[side] = append(tookUntouched[side], d)
					}
					byQuery[side][qi] = append(byQuery[side][qi], d)
				}
			}
			cpu[side] = cpuNow().Process - before
			allocSum[side] += heapAllocated() - allocBefore
			cpuSum[side] += cpu[side]
			timed[side] += *passes * len(reqs)
		}
		cpuChanges = append(cpuChanges, pctChange(cpu[0], cpu[1]))
		meanChanges = append(meanChanges, pctChange(mean(took[0]), mean(took[1])))
		p50Changes = append(p50Changes, pctChange(percentile(took[0], 0.5), percentile(took[1], 0.5)))
		if rep.Unchanged > 0 {
			unchangedChanges = append(unchangedChanges, pctChange(mean(tookUnchanged[0]), mean(tookUnchanged[1])))
		}
		if rep.Untouched > 0 {
			untouchedChanges = append(untouchedChanges, pctChange(mean(tookUntouched[0]), mean(tookUntouched[1])))
		}
		all[0], all[1] = append(all[0], took[0]...), append(all[1], took[1]...)
	}
	stop()
	rep.Generation, rep.Overlay = latencyOf(all[0]), latencyOf(all[1])
	rep.MeanChange, rep.P50Change = median(meanChanges), median(p50Changes)
	rep.GenerationCPU, rep.OverlayCPU = 1e6*cpuSum[0]/float64(timed[0]), 1e6*cpuSum[1]/float64(timed[1])
	rep.CPUChange = median(cpuChanges)
	rep.GenerationAlloc, rep.OverlayAlloc = float64(allocSum[0])/float64(timed[0]), float64(allocSum[1])/float64(timed[1])
	if rep.Unchanged > 0 {
		rep.UnchangedMeanChange = median(unchangedChanges)
	}
	if rep.Untouched > 0 {
		rep.UntouchedMeanChange = median(untouchedChanges)
	}
	for qi := range reqs {
		g, v := percentile(byQuery[0][qi], 0.5), percentile(byQuery[1][qi], 0.5)
		rep.ByQuery = append(rep.ByQuery, queryChange{Path: paths[qi], Unchanged: unchanged[qi], Untouched: untouched[qi], Generation: g, Overlay: v, Change: pctChange(g, v)})
	}
	return writeReport(stdout, *asJSON, rep, func(w io.Writer) { printOverlayReport(w, rep) })
}

// overlayPlan is what buildOverlay applies.
type overlayPlan struct {
	changes, batch, rateEvery, segments int
	seed                                uint64
	// only is the kind of every change (a point in overlayChange's
	// shares); negative: bench fresh's mix.
	only float64
}

// changeKinds are --kind's values, as a point in overlayChange's shares
// of [0, 1) (negative: each change drawn from the mix). One kind alone
// tells apart what an overlay's parts cost a search: inserted offers are
// segments with nothing left out of the generation, deletions leave
// documents out with no segment, review counts patch stars.
var changeKinds = map[string]float64{"mix": -1, "price": 0.25, "insert": 0.6, "delete": 0.7, "reviews": 0.9}

// buildOverlay applies plan's changes to gen in batches, merging as the
// overlay's policy wants after each, as the follower does (one at a time,
// here, where the follower builds merges beside the batches).
func buildOverlay(ctx context.Context, gen *search.Index, rep *overlayReport, plan overlayPlan, stderr io.Writer) (*search.Overlay, error) {
	byType := gen.DocsByType()
	offers, facilities := int64(byType[search.TypeOffer]), int64(byType[search.TypeFacility])
	if offers == 0 || facilities == 0 {
		return nil, fmt.Errorf("bench overlay: the generation holds %d offers and %d facilities: nothing to change", offers, facilities)
	}
	rates := gen.Rates()
	o, err := search.NewOverlay(ctx, gen, rates, nil)
	if err != nil {
		return nil, err
	}
	replace := func(n *search.Overlay) {
		o.Close()
		o = n
	}
	fail := func(err error) (*search.Overlay, error) {
		o.Close()
		return nil, err
	}
	rng := rand.New(rand.NewPCG(plan.seed, 1))
	// Offers the changes insert are numbered past the generation's.
	inserted := offers + 1_000_000_000
	var applies []time.Duration
	misses := 0
	bar := newProgressBar(stderr, "bench overlay: changes applied")
	// After the changes asked for, whole batches more until the overlay
	// has the segments asked for (at most as many changes again): its
	// segments come and go as they merge, and bench fresh's searches
	// met the most the policy allows (search.MaxSegments) most of the
	// time.
	for done := 0; done < plan.changes || o.Segments() < plan.segments && done < 2*plan.changes; {
		records := map[string]*search.Record{}
		for range plan.batch {
			done++
			if plan.rateEvery > 0 && done%plan.rateEvery == 0 {
				rates = scaledRate(rates, "EUR", 1.01)
				rep.Rates++
			}
			// A document the generation skips, or an offer priced on
			// request for a price change, is chosen again, for a change
			// of the same kind.
			kind := rng.Float64()
			if plan.only >= 0 {
				kind = plan.only
			}
			for try := 0; ; try++ {
				r, key, err := overlayChange(ctx, o, rng, kind, offers, facilities, &inserted)
				if err != nil {
					return fail(err)
				}
				if key != "" {
					records[key] = r
					break
				}
				if try == 10 {
					misses++
					break
				}
			}
		}
		if misses > plan.changes/10+10 {
			return fail(errors.New("bench overlay: a tenth of the documents chosen were not in the generation or had no price: are its ids numbered from 1?"))
		}
		start := time.Now()
		if err := live.ReadNeeds(ctx, o, rates, records, fromOverlay(o)); err != nil {
			return fail(fmt.Errorf("bench overlay: %w", err))
		}
		n, err := o.Apply(ctx, rates, records)
		if err != nil {
			return fail(fmt.Errorf("bench overlay: apply a batch: %w", err))
		}
		replace(n)
		applies = append(applies, time.Since(start))
		rep.Batches++
		rep.Changes += len(records)
		for m := o.PlanMerge(); m != nil; m = o.PlanMerge() {
			start := time.Now()
			if err := m.Build(ctx); err != nil {
				m.Close()
				return fail(fmt.Errorf("bench overlay: merge: %w", err))
			}
			n, err := o.WithMerge(ctx, m)
			m.Close()
			if err != nil {
				return fail(fmt.Errorf("bench overlay: merge: %w", err))
			}
			replace(n)
			rep.Merges++
			rep.MergeMs += float64(time.Since(start).Microseconds()) / 1000
		}
		bar.Update(min(done, plan.changes), plan.changes)
	}
	bar.Finish()
	rep.ApplyP50, rep.ApplyP99 = percentile(applies, 0.5), percentile(applies, 0.99)
	slog.Info("bench overlay: overlay built", "changes", rep.Changes, "segments", o.Segments(), "records", o.Changed())
	return o, nil
}

// overlayChange is one change of bench fresh's mix, of the kind k (in
// [0, 1): its shares), as the record the follower would read after it
// (nil: deleted) and its DocID; "" when the document chosen is not there
// (an id the generation skips) or has no price to change.
func overlayChange(ctx context.Context, o *search.Overlay, rng *rand.Rand, k float64, offers, facilities int64, inserted *int64) (*search.Record, string, error) {
	get := func(typ string, id int64) (*search.Record, error) {
		r, err := o.Get(ctx, typ, id)
		if notFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("bench overlay: read %s %d: %w", typ, id, err)
		}
		return r, nil
	}
	switch {
	case k < 0.55: // an offer's price
		id := 1 + rng.Int64N(offers)
		r, err := get(search.TypeOffer, id)
		if r == nil || r.Price == nil {
			return nil, "", err
		}
		p := *r.Price
		p.Amount = float64(int64(p.Amount*(0.95+0.1*rng.Float64())*100)) / 100
		r.Price = &p
		return r, search.DocID(search.TypeOffer, id), nil
	case k < 0.675: // an offer inserted: a copy of one, at the same facility
		r, err := get(search.TypeOffer, 1+rng.Int64N(offers))
		if r == nil {
			return nil, "", err
		}
		*inserted++
		r.ID = *inserted
		return r, search.DocID(search.TypeOffer, r.ID), nil
	case k < 0.80: // an offer deleted
		id := 1 + rng.Int64N(offers)
		r, err := get(search.TypeOffer, id)
		if r == nil {
			return nil, "", err
		}
		return nil, search.DocID(search.TypeOffer, id), nil
	default: // a facility's review count
		id := 1 + rng.Int64N(facilities)
		r, err := get(search.TypeFacility, id)
		if r == nil {
			return nil, "", err
		}
		n := 1
		if r.ReviewCount != nil {
			n = *r.ReviewCount + 1
		}
		r.ReviewCount = &n
		return r, search.DocID(search.TypeFacility, id), nil
	}
}

// fromOverlay is a live.RecordReader that reads the records from o, as
// the follower reads them from the database.
func fromOverlay(o *search.Overlay) live.RecordReader {
	return func(ctx context.Context, _ search.Rates, typ string, ids []int64, yield func(int64, *search.Record) error) error {
		for _, id := range ids {
			r, err := o.Get(ctx, typ, id)
			if notFound(err) {
				continue // gone
			}
			if err != nil {
				return fmt.Errorf("bench overlay: read %s %d: %w", typ, id, err)
			}
			if err := yield(id, r); err != nil {
				return err
			}
		}
		return nil
	}
}

// notFound reports whether err says the document is not there.
func notFound(err error) bool {
	var e *search.Error
	return errors.As(err, &e) && e.Code == search.NotFound
}

func scaledRate(r search.Rates, currency string, by float64) search.Rates {
	out := search.Rates{AsOf: r.AsOf, Rates: maps.Clone(r.Rates)}
	if v, ok := out.Rates[currency]; ok {
		out.Rates[currency] = v * by
	}
	return out
}

// overlayQueries are bench fresh's kinds of search: lay names as text,
// with facets, and sorted by price in euros; a country and category
// sorted by price, and a category's broad facets sorted by rating. Those
// that match nothing in the generation are left out.
func overlayQueries(ctx context.Context, gen *search.Index) ([]search.Request, []string, error) {
	offer := func(r search.Request) search.Request { return r.MustWhere(search.FilterType, search.TypeOffer) }
	var reqs []search.Request
	var paths []string
	add := func(path string, r search.Request) {
		reqs, paths = append(reqs, r), append(paths, path)
	}
	for _, q := range []string{"knee replacement", "nose job", "heart attack", "ivf", "cataract surgery"} {
		add("q="+q, offer(search.Request{Query: q}))
		add("q="+q+"&facets=country,category,kind", offer(search.Request{Query: q, Facets: []string{"country", "category", "kind"}}))
		add("q="+q+"&sort=price_asc&currency=EUR", offer(search.Request{Query: q, Sort: search.SortPriceAsc, Currency: "EUR"}))
	}
	for _, c := range []struct{ country, category string }{{"US", "Cardiology"}, {"GB", "Orthopaedics"}, {"TR", "Cosmetic surgery"}} {
		add("country="+c.country+"&category="+c.category+"&sort=price_asc",
			offer(search.Request{Sort: search.SortPriceAsc}).MustWhere(search.FilterCountry, c.country).MustWhere(search.FilterCategory, c.category))
		add("category="+c.category+"&sort=rating&facets=country,kind,city",
			offer(search.Request{Sort: search.SortRating, Facets: []string{"country", "kind", "city"}}).MustWhere(search.FilterCategory, c.category))
	}
	var keptReqs []search.Request
	var keptPaths []string
	for i, r := range reqs {
		res, err := gen.Search(ctx, r, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("bench overlay: %s: %w", paths[i], err)
		}
		if res.Total > 0 {
			keptReqs, keptPaths = append(keptReqs, r), append(keptPaths, paths[i])
		}
	}
	if len(keptReqs) == 0 {
		return nil, nil, errors.New("bench overlay: none of the queries matches anything in the generation")
	}
	return keptReqs, keptPaths, nil
}

// unchangedQueries reports, for each of reqs, whether o answers it exactly
// as gen does: what the issue calls an unchanged query, one the changes
// did not touch. Took aside, the two results' JSON must be equal.
func unchangedQueries(ctx context.Context, gen *search.Index, o *search.Overlay, reqs []search.Request) (unchanged, untouched []bool, err error) {
	unchanged, untouched = make([]bool, len(reqs)), make([]bool, len(reqs))
	fail := func(err error) ([]bool, []bool, error) {
		return nil, nil, fmt.Errorf("bench overlay: compare answers: %w", err)
	}
	for i, r := range reqs {
		g, err := gen.Search(ctx, r, nil)
		if err != nil {
			return fail(err)
		}
		v, err := o.Search(ctx, r, nil)
		if err != nil {
			return fail(err)
		}
		g.Took, v.Took = 0, 0
		gj, err := json.Marshal(g)
		if err != nil {
			return fail(err)
		}
		vj, err := json.Marshal(v)
		if err != nil {
			return fail(err)
		}
		unchanged[i] = bytes.Equal(gj, vj)
		// The overlay learns on a query's second search whether the
		// generation's matches hold a document it left out: the third
		// tells.
		if _, err := o.Search(ctx, r, nil); err != nil {
			return fail(err)
		}
		before := o.Untouched()
		if _, err := o.Search(ctx, r, nil); err != nil {
			return fail(err)
		}
		untouched[i] = unchanged[i] && o.Untouched() > before
	}
	return unchanged, untouched, nil
}

func mean(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return float64(sum.Microseconds()) / 1000 / float64(len(ds))
}

func pctChange(from, to float64) float64 {
	if from == 0 {
		return 0
	}
	return 100 * (to/from - 1)
}

func printOverlayReport(w io.Writer, r *overlayReport) {
	fmt.Fprintf(w, "machine: %d × %s, %.0f GiB, %s\n", r.Machine.CPUs, r.Machine.CPUModel, r.Machine.MemGiB, r.Machine.Go)
	fmt.Fprintf(w, "generation: %d documents\n", r.Docs)
	fmt.Fprintf(w, "overlay: %d changes in %d batches (%d exchange rates), apply p50 %.1f ms, p99 %.1f ms; %d merges, %.0f ms\n",
		r.Changes, r.Batches, r.Rates, r.ApplyP50, r.ApplyP99, r.Merges, r.MergeMs)
	fmt.Fprintf(w, "         %d records in %d segments, %d of the generation's documents left out\n", r.Changed, r.Segments, r.Deleted)
	fmt.Fprintf(w, "searches (%d queries, %d rounds, one client): generation p50 %.2f ms, p99 %.2f ms; overlay p50 %.2f ms, p99 %.2f ms\n",
		r.Queries, r.Rounds, r.Generation.P50, r.Generation.P99, r.Overlay.P50, r.Overlay.P99)
	if r.Control {
		fmt.Fprintf(w, "control: the generation searched on both sides\n")
	}
	if r.Searched != "" {
		fmt.Fprintf(w, "searched: only the %s queries\n", r.Searched)
	}
	fmt.Fprintf(w, "the overlay's cost, median round: %+.1f%% mean, %+.1f%% p50\n", r.MeanChange, r.P50Change)
	fmt.Fprintf(w, "CPU per search: generation %.0f µs, overlay %.0f µs; median round %+.1f%%\n", r.GenerationCPU, r.OverlayCPU, r.CPUChange)
	fmt.Fprintf(w, "heap allocated per search: generation %.0f B, overlay %.0f B\n", r.GenerationAlloc, r.OverlayAlloc)
	if r.Unchanged > 0 {
		fmt.Fprintf(w, "  on the %d queries it answers as the generation does: %+.1f%% mean\n", r.Unchanged, r.UnchangedMeanChange)
		if r.Untouched > 0 {
			fmt.Fprintf(w, "  on the %d of them none of whose matches changed: %+.1f%% mean\n", r.Untouched, r.UntouchedMeanChange)
		}
	} else {
		fmt.Fprintf(w, "  it changes the answer of every query\n")
	}
	for _, q := range r.ByQuery {
		mark := " "
		switch {
		case !q.Unchanged:
			mark = "*"
		case !q.Untouched:
			mark = "~"
		}
		fmt.Fprintf(w, "%s %-60s %7.3f → %7.3f ms  %+6.1f%%\n", mark, q.Path, q.Generation, q.Overlay, q.Change)
	}
	fmt.Fprintf(w, "(* the overlay changes its answer; ~ it answers as the generation does, but some of the matches changed)\n")
}
