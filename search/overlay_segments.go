package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// Segments: an overlay keeps the records changed since its generation in a
// stack of small in-memory indexes, oldest first, as scorch keeps segments.
// Applying a batch indexes only the batch's records into a new segment and
// marks their older copies deleted (in the base and in older segments), so
// its cost follows the batch, not the changes since the generation. Merges
// keep the stack short, by levels as Lucene's log merge policy does: a
// segment's level is how many times mergeFactor its live records are
// mergeFloor, and once mergeFactor adjacent segments share a level they
// are merged into one of the next. A record is re-indexed once per level,
// O(log changes) times over its life, and a search visits at most
// mergeFactor-1 segments per level. (The policy before merged two
// adjacent segments once the newer held a third of the older's records:
// fewer segments, but the oldest was re-indexed each time the stack grew
// by a third, eight times the records applied in a minute of steady
// writes, where levels of four re-index three times.) Apply never merges,
// so a batch is visible once its own segment is built; merges are built
// apart (PlanMerge, Merge.Build, WithMerge) while batches keep flowing,
// from the documents the segments analysed already (overlay_analysis.go).

// The merge policy: segments of one level (live records from
// mergeFloor·mergeFactor^(level-1) up) are merged mergeFactor at a time.
const (
	mergeFactor = 4
	mergeFloor  = 100
)

// A segment holding more than sealedSize live records is sealed: the
// levels no longer merge it, since re-indexing it once more costs seconds
// of both cores. Sealed segments are merged only to keep a search's
// segments at most maxSegments: then the two adjacent segments with the
// fewest live records between them. The next generation folds them all.
// Variables only for the tests of the policy.
var (
	sealedSize  = uint64(50_000)
	maxSegments = MaxSegments
)

// parallelBatch is the size from which a batch's segment is analysed on
// every core (Apply): a backlog's batches, not a steady stream's.
const parallelBatch = 1000

// MaxSegments is how many segments the merge policy allows an overlay.
// Each costs every search a small one of its own: with bench fresh's
// writes the levels (mergeFactor-1 at each) filled twelve most of the
// time, and an overlay of 19,000 changed records cost a search +46% in
// twelve segments and +35% in eight ('careatlas bench overlay'), for
// merges that took 7.4 ms of CPU per second of writes instead of 5.7.
const MaxSegments = 8

// level is the merge level of a segment of n live records.
func level(n uint64) int {
	l := 0
	for bound := uint64(mergeFloor); n >= bound; bound *= mergeFactor {
		l++
	}
	return l
}

// segment is one in-memory index of changed records, shared by the
// overlays that hold it; it closes when the last one releases it.
type segment struct {
	ix       *Index
	analyzed map[string]*analyzed // the records it was built from and their documents, by DocID (for merges)
	docs     map[string]uint32    // each record's document number
	refs     atomic.Int32
}

// record is the record the segment indexed as key (nil: none).
func (s *segment) record(key string) *Record {
	if a := s.analyzed[key]; a != nil {
		return a.r
	}
	return nil
}

// segView is a segment as one overlay sees it.
type segView struct {
	*segment
	view    *Index          // ix at the overlay's rates
	deleted *roaring.Bitmap // the segment's documents the overlay leaves out; nil: none
	deadSet *deadDocs       // deleted, as searches test it (Overlay.seal)
	sides   *sideCache      // what searches found in view less deadSet (Overlay.seal)
}

// live is how many of the segment's documents the overlay keeps.
func (s segView) live() uint64 {
	n := uint64(len(s.docs))
	if s.deleted != nil {
		n -= s.deleted.GetCardinality()
	}
	return n
}

func (s segView) dead(doc uint32) bool { return s.deleted != nil && s.deleted.Contains(doc) }

func (s *segment) retain() { s.refs.Add(1) }

func (s *segment) release() error {
	if s.refs.Add(-1) == 0 {
		return s.ix.Close()
	}
	return nil
}

// newSegment indexes records (none nil) into a segment held by nobody yet;
// those whose DocIDs owner reports only to be joined through (memIndex).
// It reuses the documents prior holds (nil: none) where they still hold,
// and analyses the others on workers goroutines.
func newSegment(ctx context.Context, records map[string]*Record, owner func(key string) bool, rates Rates,
	prior func(key string, join bool) *analyzed, workers int) (*segment, error) {
	keys := slices.Sorted(maps.Keys(records))
	list := make([]*Record, len(keys))
	for i, k := range keys {
		list[i] = records[k]
	}
	ix, docs, err := memIndex(ctx, keys, list, owner, rates, prior, workers)
	if err != nil {
		return nil, err
	}
	s := &segment{ix: ix, analyzed: make(map[string]*analyzed, len(keys)), docs: make(map[string]uint32, len(keys))}
	for i, k := range keys {
		id, err := ix.reader.InternalID(k)
		if err != nil || len(id) == 0 {
			ix.Close()
			return nil, fmt.Errorf("overlay: segment lost %s: %w", k, err)
		}
		s.docs[k] = uint32(id.Value())
		s.analyzed[k] = docs[i]
	}
	return s, nil
}

// priorDocs looks a record's document of the kind asked for (an owner's,
// join, or a whole one) up in segs, newest first: a treatment a segment
// holds whole is an owner in most batches after.
func priorDocs(segs ...*segment) func(key string, join bool) *analyzed {
	return func(key string, join bool) *analyzed {
		for i := len(segs) - 1; i >= 0; i-- {
			if a := segs[i].analyzed[key]; a != nil && a.join == join {
				return a
			}
		}
		return nil
	}
}

// Apply returns a new overlay: o with records applied on top, by DocID, as
// they are now (nil: deleted), at rates, the exchange rates now. Records
// must hold what o.Needs lists. o is left as it was, for the searches
// still reading it; close each when done.
func (o *Overlay) Apply(ctx context.Context, rates Rates, records map[string]*Record) (*Overlay, error) {
	// Views at unchanged rates are kept: a view at new rates copies the
	// price column of every index whose offers are priced in a changed
	// currency.
	keep := sameRates(o.base.rates, rates)
	shown, err := o.shownChanges(ctx, records, TypeFacility) // only the stars
	if err != nil {
		return nil, err
	}
	changed := shown.starred
	n := &Overlay{gen: o.gen, base: o.base, deleted: o.deleted, deadSet: o.deadSet, segs: make([]segView, len(o.segs), len(o.segs)+1),
		stars: o.stars, patched: o.patched, clean: o.clean}
	n.patched.retain()
	if !keep {
		// From the view at the old rates: its columns hold the stars
		// patched so far (withStars).
		n.base = o.base.atRates(rates)
	}
	copy(n.segs, o.segs)
	baseCopied := false
	copied := make([]bool, len(n.segs))
	live := map[string]*Record{}
	for key, r := range records {
		doc, has, err := o.gen.baseDoc(key)
		if err != nil {
			return nil, fmt.Errorf("overlay: look up %s: %w", key, err)
		}
		if has {
			if !baseCopied {
				n.deleted, baseCopied = n.deleted.Clone(), true
			}
			n.deleted.Add(doc)
		}
		for i := range n.segs {
			doc, ok := n.segs[i].docs[key]
			if !ok {
				continue
			}
			if !copied[i] {
				n.segs[i].deleted, copied[i] = cloneOrNew(n.segs[i].deleted), true
			}
			n.segs[i].deleted.Add(doc)
		}
		if r != nil {
			live[key] = r
		}
	}
	if baseCopied {
		n.deleted.RunOptimize()
	}
	for i := range n.segs {
		if !keep {
			n.segs[i].view = n.segs[i].view.atRates(rates)
		}
	}
	patching := time.Now()
	if err := n.patchStars(ctx, records, changed); err != nil {
		return nil, err
	}
	if len(changed) > 0 {
		slog.Debug("overlay: facilities' stars patched", "facilities", len(changed), "ms", time.Since(patching).Milliseconds())
	}
	if len(live) > 0 {
		owners, err := o.owners(ctx, records, live)
		if err != nil {
			return nil, err
		}
		all := live
		if len(owners) > 0 {
			all = maps.Clone(live)
			maps.Copy(all, owners)
		}
		// The segment's documents agree with their facility's.
		restar(all, func(id int64) (stars, bool) {
			if f := all[DocID(TypeFacility, id)]; f != nil {
				return starsOf(f), true
			}
			return stars{}, false
		})
		// Owners recur from batch to batch (a treatment joins in most), so
		// their documents are looked up in the segments. The batch waits
		// for its segment: a backlog's is analysed on every core. A steady
		// stream's batch (a few dozen records every half second) is
		// analysed on one, so that it never takes every core from the
		// searches for the few milliseconds it costs.
		held := make([]*segment, len(o.segs))
		for i, s := range o.segs {
			held[i] = s.segment
		}
		workers := 1
		if len(all) >= parallelBatch {
			workers = runtime.GOMAXPROCS(0)
		}
		s, err := newSegment(ctx, all, func(key string) bool { _, ok := owners[key]; return ok }, rates,
			priorDocs(held...), workers)
		if err != nil {
			return nil, err
		}
		v := segView{segment: s, view: s.ix}
		if len(owners) > 0 {
			v.deleted = roaring.New()
			for key := range owners {
				v.deleted.Add(s.docs[key])
			}
		}
		n.segs = append(n.segs, v)
	}
	for _, s := range n.segs {
		s.retain()
	}
	n.seal()
	return n, nil
}

// owners returns, by DocID, the owners the live records join through
// (ownerKeys) that the batch leaves alone, as o holds them live: the new
// segment holds them deleted, so that its records join and inherit within
// it while the owners' live copies stay where they are. An owner o holds
// nowhere is left out (Needs lists it for the caller to read).
func (o *Overlay) owners(ctx context.Context, records, live map[string]*Record) (map[string]*Record, error) {
	out := map[string]*Record{}
	var err error
	for _, r := range live {
		ownerKeys(r, func(key string) {
			if err != nil {
				return
			}
			if _, ok := records[key]; ok {
				return
			}
			if _, ok := out[key]; ok {
				return
			}
			var owner *Record
			if owner, err = o.liveRecord(ctx, key); owner != nil {
				out[key] = owner
			}
		})
		if err != nil {
			return nil, fmt.Errorf("overlay: owners of %s: %w", DocID(r.Type, r.ID), err)
		}
	}
	return out, nil
}

func cloneOrNew(b *roaring.Bitmap) *roaring.Bitmap {
	if b == nil {
		return roaring.New()
	}
	return b.Clone()
}

// A Merge is the merge of a run of adjacent segments of an overlay,
// planned on one overlay, built apart from it, and applied to a later one
// (WithMerge). Close it when done.
type Merge struct {
	segs    []*segment         // the run, oldest first; held until Close
	records map[string]*Record // their live records when planned, and the owners they join
	dead    map[string]bool    // those owners, deleted in the merged segment
	rates   Rates
	stars   map[int64]stars // the overlay's when planned: the records hold them
	seg     *segment        // the merged segment once built; nil when it holds nothing
	built   bool
}

// PlanMerge returns the merge the policy wants, or nil when there is none:
// the newest run of mergeFactor or more adjacent unsealed segments of one
// level (all of the run), else, beyond maxSegments, the adjacent pair with the fewest live
// records. Apply never merges: a batch is visible as soon as its own
// segment is built, and the caller merges apart (Merge.Build beside the
// searches, then WithMerge).
func (o *Overlay) PlanMerge() *Merge {
	for j := len(o.segs); j > 0; {
		if o.segs[j-1].live() > sealedSize {
			j--
			continue
		}
		i := j - 1
		lv := level(o.segs[i].live())
		for i > 0 && o.segs[i-1].live() <= sealedSize && level(o.segs[i-1].live()) == lv {
			i--
		}
		if j-i >= mergeFactor {
			return o.planRun(i, j)
		}
		j = i
	}
	if len(o.segs) <= maxSegments {
		return nil
	}
	best := 0
	for i := 1; i < len(o.segs)-1; i++ {
		if o.segs[i].live()+o.segs[i+1].live() < o.segs[best].live()+o.segs[best+1].live() {
			best = i
		}
	}
	return o.planRun(best, best+2)
}

// planRun plans the merge of segments i to j-1: their live records, and
// the owners (treatment, facility) those join through that are no longer
// live there, so that the merged segment still joins them.
func (o *Overlay) planRun(i, j int) *Merge {
	m := &Merge{records: map[string]*Record{}, dead: map[string]bool{}, rates: o.base.rates, stars: o.stars}
	run := o.segs[i:j]
	for _, s := range run {
		s.retain()
		m.segs = append(m.segs, s.segment)
	}
	for _, s := range run {
		for key, doc := range s.docs {
			if !s.dead(doc) {
				m.records[key] = s.record(key)
			}
		}
	}
	for _, s := range run {
		for key, doc := range s.docs {
			if s.dead(doc) {
				continue
			}
			ownerKeys(s.record(key), func(owner string) {
				if _, ok := m.records[owner]; ok {
					return
				}
				if r := s.record(owner); r != nil {
					m.records[owner], m.dead[owner] = r, true
				}
			})
		}
	}
	// Offers and doctors of a facility whose stars changed since they
	// were indexed, and the facility's copy they join (which may be an
	// older one, dead in all), are indexed with its stars now.
	restar(m.records, func(id int64) (stars, bool) { st, ok := o.stars[id]; return st, ok })
	return m
}

// ownerKeys calls fn with the DocID of each record r joins through.
func ownerKeys(r *Record, fn func(key string)) {
	if f := facilityOf(r); f != nil && r.Type != TypeFacility && f.ID > 0 {
		fn(DocID(TypeFacility, f.ID))
	}
	if r.Treatment != nil && r.Treatment.ID > 0 {
		fn(DocID(TypeTreatment, r.Treatment.ID))
	}
	for _, t := range r.Treatments {
		fn(DocID(TypeTreatment, t.ID))
	}
}

// Size is how many records the merge indexes.
func (m *Merge) Size() int { return len(m.records) }

// Build indexes the merged segment. It reads only what the merge holds, so
// it runs beside searches and Apply.
func (m *Merge) Build(ctx context.Context) error {
	live := len(m.records) - len(m.dead)
	if live > 0 {
		// Merges run beside the searches: one goroutine analyses what the
		// segments merged do not hold already (records restarred or
		// repriced since), so that a merge never takes every core.
		s, err := newSegment(ctx, m.records, func(key string) bool { return m.dead[key] }, m.rates,
			priorDocs(m.segs...), 1)
		if err != nil {
			return fmt.Errorf("merge segments: %w", err)
		}
		s.retain()
		m.seg = s
	}
	m.built = true
	return nil
}

// ErrMergeStale says that an overlay no longer holds the segments a merge
// was planned on (another merge took them).
var ErrMergeStale = errors.New("overlay: the merged segments are no longer held")

// WithMerge returns a new overlay: o with the two segments m merged
// replaced by the merged one. A record deleted since the merge was planned
// is deleted in the merged segment too.
func (o *Overlay) WithMerge(ctx context.Context, m *Merge) (*Overlay, error) {
	if !m.built {
		return nil, errors.New("overlay: merge not built")
	}
	i := slices.IndexFunc(o.segs, func(s segView) bool { return s.segment == m.segs[0] })
	j := i + len(m.segs)
	if i < 0 || j > len(o.segs) || !slices.EqualFunc(o.segs[i:j], m.segs, func(v segView, s *segment) bool { return v.segment == s }) {
		return nil, ErrMergeStale
	}
	n := &Overlay{gen: o.gen, base: o.base, deleted: o.deleted, deadSet: o.deadSet, stars: o.stars, patched: o.patched, clean: o.clean}
	n.patched.retain()
	n.segs = append(n.segs, o.segs[:i]...)
	if m.seg != nil {
		v := segView{segment: m.seg, view: m.seg.ix.atRates(o.base.rates)}
		for key, doc := range m.seg.docs {
			if m.dead[key] || !slices.ContainsFunc(o.segs[i:j], func(s segView) bool { return s.holdsLive(key) }) {
				if v.deleted == nil {
					v.deleted = roaring.New()
				}
				v.deleted.Add(doc)
			}
		}
		// Stars that changed since the merge was planned.
		since := map[int64]stars{}
		for id, st := range o.stars {
			if was, ok := m.stars[id]; !ok || !was.equal(st) {
				since[id] = st
			}
		}
		if len(since) > 0 {
			var err error
			if v.view, err = v.view.withStars(ctx, since, v.deleted, false); err != nil {
				return nil, err
			}
		}
		n.segs = append(n.segs, v)
	}
	n.segs = append(n.segs, o.segs[j:]...)
	for _, s := range n.segs {
		s.retain()
	}
	n.seal()
	return n, nil
}

func (s segView) holdsLive(key string) bool {
	doc, ok := s.docs[key]
	return ok && !s.dead(doc)
}

// Close releases what the merge holds.
func (m *Merge) Close() error {
	var err error
	for _, s := range m.segs {
		err = errors.Join(err, s.release())
	}
	m.segs = nil
	if m.seg != nil {
		err = errors.Join(err, m.seg.release())
		m.seg = nil
	}
	return err
}
