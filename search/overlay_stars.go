package search

import (
	"context"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// Stars: a facility's rating and review count show on its offers and
// doctors (their FacilityRef), weigh in its offers' trust, and are the
// rating its offers inherit for sort=rating. A change to those alone (a
// new review: the commonest change a facility has) does not re-index the
// facility's offers and doctors. The overlay patches its offers' rating
// and trust columns where they are live (the generation and each older
// segment: withStars), builds new segments' offers and doctors with their
// facility's current figures (restar), and shows those figures on
// every hit and record it returns (showStars). Any other change to what
// offers and doctors show of a facility (its name, place, kind,
// accreditations or languages: facilityOf) re-indexes them: Needs lists
// them, as it lists a treatment's offers when its text changes.

// patchedColumns are the rating and trust columns of an overlay's view of
// its generation, copied to patch stars into (withStars): a column per
// document, 5 MB each at a million offers, copied whenever a batch changes
// a facility's stars (most batches). Fresh memory for each copy cost more
// in page faults than the copy itself, so they come from spareColumns and
// go back to it once no overlay reads them: each overlay whose view
// shares them holds a reference, dropped by Close. seq is their version
// (columns.starSeq).
type patchedColumns struct {
	rating, trust []float32
	seq           uint64
	refs          atomic.Int32
}

func (p *patchedColumns) retain() {
	if p != nil {
		p.refs.Add(1)
	}
}

func (p *patchedColumns) release() {
	if p != nil && p.refs.Add(-1) == 0 {
		spareColumns.put(p.rating, columnRating, p.seq)
		spareColumns.put(p.trust, columnTrust, p.seq)
	}
}

// spareColumns holds float32 columns no search reads any more, for the
// next batch to copy its patched stars into. A sync.Pool did, but the
// collector empties a pool every second cycle, and under writes a column
// was made afresh after every other one: 10 MB a time, a sixth of what the
// follower allocated (bench fresh --heapprofile, run 200), which made the
// collector run again sooner. Columns kept here are kept until used: a few
// overlays' worth (maxSpareColumns).
//
// A spare column holds a version of the column a few batches old, and
// is brought up to date by writing only the values patched since
// (starPatches), a few hundred offers a batch, instead of copying 1.3
// million: a copy of both columns wrote 10 MB a batch, which evicted the
// searches' data from the cache the two cores share (the first search
// after a batch took 12–58% longer than the one after it, most of it
// the same work done slower; BENCHMARKS.md, twenty-sixth session).
var spareColumns columnList

// maxSpareColumns is the most columns spareColumns keeps: two for each
// overlay that may still be searched beside the newest (whose own are in
// use), as a server holds while searches finish on the one before.
const maxSpareColumns = 4

// Which column a spare one was.
const (
	columnRating = iota + 1
	columnTrust
)

// columnList is a list of spare columns.
type columnList struct {
	mu   sync.Mutex
	cols []spareColumn
}

// spareColumn is a column no search reads any more: which it was (kind)
// at what version (seq; 0: unknown).
type spareColumn struct {
	col  []float32
	kind int
	seq  uint64
}

// get returns a column of n values (as its last user left them), of the
// kind asked for when one is kept, and its version (0 when it is of
// another kind, or new); a new one when the list holds none long enough.
// One too short (of another generation) is dropped.
func (l *columnList) get(n, kind int) ([]float32, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cols = slices.DeleteFunc(l.cols, func(s spareColumn) bool { return cap(s.col) < n })
	if len(l.cols) == 0 {
		return make([]float32, n), 0
	}
	i := slices.IndexFunc(l.cols, func(s spareColumn) bool { return s.kind == kind })
	if i < 0 {
		i = len(l.cols) - 1
	}
	s := l.cols[i]
	l.cols = slices.Delete(l.cols, i, i+1)
	if s.kind != kind {
		return s.col[:n], 0
	}
	return s.col[:n], s.seq
}

// put keeps col, the kind of column at version seq, which nothing reads
// any more, unless the list is full.
func (l *columnList) put(col []float32, kind int, seq uint64) {
	if col == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.cols) < maxSpareColumns {
		l.cols = append(l.cols, spareColumn{col: col, kind: kind, seq: seq})
	}
}

// len is how many columns the list keeps.
func (l *columnList) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.cols)
}

// pooledCopy returns a copy of col, the kind of column at version seq, in
// a spare column when there is one long enough: brought up to date with
// the values patched since its own version when starPatches knows them,
// else copied whole.
func pooledCopy(col []float32, kind int, seq uint64) []float32 {
	out, at := spareColumns.get(len(col), kind)
	if docs, ok := starPatches.since(at, seq); ok {
		for _, doc := range docs {
			out[doc] = col[doc]
		}
		return out
	}
	copy(out, col)
	return out
}

// starPatches are the latest versions of patched rating and trust
// columns: each made from another (its parent) by patching some
// documents.
var starPatches patchHistory

// maxPatchHistory is how many versions starPatches remembers: more than
// a spare column is ever behind the newest (a few batches).
const maxPatchHistory = 64

type patchHistory struct {
	mu   sync.Mutex
	last []starPatch // the newest last
	seq  uint64
}

// starPatch is a version of the columns: parent's with docs patched.
type starPatch struct {
	seq, parent uint64
	docs        []uint32
}

// add records a version made from parent by patching docs, and returns it.
func (h *patchHistory) add(parent uint64, docs []uint32) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	h.last = append(h.last, starPatch{seq: h.seq, parent: parent, docs: docs})
	if len(h.last) > maxPatchHistory {
		h.last = slices.Delete(h.last, 0, len(h.last)-maxPatchHistory)
	}
	return h.seq
}

// since returns the documents patched between version from and version
// to, when from is to or one of its ancestors that h still knows; false
// when not (from is 0, of another generation, or older).
func (h *patchHistory) since(from, to uint64) ([]uint32, bool) {
	if from == 0 {
		return nil, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var docs []uint32
	for at := to; at != from; {
		i := slices.IndexFunc(h.last, func(p starPatch) bool { return p.seq == at })
		if i < 0 {
			return nil, false
		}
		docs = append(docs, h.last[i].docs...)
		at = h.last[i].parent
	}
	return docs, true
}

// stars are a facility's rating and review count.
type stars struct {
	rating  *float64
	reviews *int
}

func starsOf(r *Record) stars { return stars{rating: r.Rating, reviews: r.ReviewCount} }

func (s stars) equal(t stars) bool {
	return eqPtr(s.rating, t.rating) && eqPtr(s.reviews, t.reviews)
}

func eqPtr[T comparable](a, b *T) bool { return a == b || a != nil && b != nil && *a == *b }

// on returns ref with the stars s, a copy when they differ.
func (s stars) on(ref *FacilityRef) *FacilityRef {
	if ref == nil || (stars{ref.Rating, ref.ReviewCount}).equal(s) {
		return ref
	}
	c := *ref
	c.Rating, c.ReviewCount = s.rating, s.reviews
	return &c
}

// shownAlike reports whether facility records a and b show alike on their
// offers and doctors, stars apart: the same name, place, kind,
// accreditations and languages (what facilityOf gives a facility).
func shownAlike(a, b *Record) bool { return reflect.DeepEqual(facilityOf(a), facilityOf(b)) }

// shown is what a batch changes of what other documents show of its
// records (Overlay.shownChanges).
type shown struct {
	// retexted are the treatments whose text changed: the documents
	// joined to them must be re-read.
	retexted []int64
	// restyled are the facilities that show otherwise on their offers and
	// doctors (shownAlike), which must be re-read.
	restyled []int64
	// starred are the new stars of the facilities whose stars alone
	// changed: patched into their offers (withStars).
	starred map[int64]stars
}

// shownChanges compares each live record in records of the given types
// (treatments, facilities) with the one o holds live. Every live document
// joined to a treatment joins a copy with its live text (a change of text
// re-reads them all), so comparing with the live copy alone says whether
// any must be re-read; and likewise for a facility's offers and doctors.
func (o *Overlay) shownChanges(ctx context.Context, records map[string]*Record, types ...string) (shown, error) {
	out := shown{starred: map[int64]stars{}}
	for key, r := range records {
		if r == nil || !slices.Contains(types, r.Type) {
			continue
		}
		old, err := o.liveRecord(ctx, key)
		if err != nil {
			return shown{}, err
		}
		switch {
		case old == nil:
		case r.Type == TypeTreatment:
			if !sameTreatmentText(old, r) {
				out.retexted = append(out.retexted, r.ID)
			}
		case !shownAlike(old, r):
			out.restyled = append(out.restyled, r.ID)
		case !starsOf(old).equal(starsOf(r)):
			out.starred[r.ID] = starsOf(r)
		}
	}
	slices.Sort(out.retexted)
	slices.Sort(out.restyled)
	return out, nil
}

// withStars returns ix seen with the stars of facilities changed: the
// rating and trust of their offers that are not dead patched in copies of
// those columns (and the trust bound of their treatments raised to match).
// Each patched offer's stored record is read for what else its trust
// weighs (its price, its facility's accreditations). ix itself when none
// of the facilities has an offer in it.
//
// With pool, the rating and trust copies come from spareColumns: the caller
// owns them (patchedColumns) and gives them back when no search reads them.
func (ix *Index) withStars(ctx context.Context, changed map[int64]stars, dead *roaring.Bitmap, pool bool) (*Index, error) {
	fcol, tcol := ix.cols.keywords[fieldFacilityID], ix.cols.keywords[fieldTreatmentID]
	if fcol == nil || tcol == nil {
		return ix, nil
	}
	var cols *columns
	var starred *roaring.Bitmap // cols' starred, and those now
	var patched []uint32        // the documents patched now
	for _, id := range slices.Sorted(maps.Keys(changed)) {
		ord, ok := fcol.ordinal[itoa(id)]
		if !ok || int(ord) >= len(ix.cols.facilityOfferLists.start)-1 {
			continue
		}
		docs := roaring.BitmapOf(ix.cols.facilityOfferLists.of(ord)...)
		if dead != nil && !dead.IsEmpty() {
			docs.AndNot(dead)
		}
		s := changed[id]
		var err error
		docs.Iterate(func(doc uint32) bool {
			var src []byte
			if src, err = ix.source(doc); err != nil {
				return false
			}
			var r Record
			if err = decodeRecord(src, &r); err != nil {
				return false
			}
			r.Facility = s.on(r.Facility)
			if cols == nil {
				c := *ix.cols
				if pool {
					c.rating = pooledCopy(c.rating, columnRating, ix.cols.starSeq)
					c.trust = pooledCopy(c.trust, columnTrust, ix.cols.starSeq)
				} else {
					c.rating, c.trust = slices.Clone(c.rating), slices.Clone(c.trust)
				}
				c.maxTrust = slices.Clone(c.maxTrust)
				starred = roaring.New()
				if ix.cols.starred != nil {
					starred = ix.cols.starred.b.Clone()
				}
				cols = &c
			}
			starred.Add(doc)
			patched = append(patched, doc)
			cols.rating[doc] = float32(math.NaN())
			if s.rating != nil {
				cols.rating[doc] = float32(*s.rating)
			}
			t := float32(trustOf(&r).Trust)
			cols.trust[doc] = t
			if tord, ok := tcol.first(doc); ok && int(tord) < len(cols.maxTrust) {
				cols.maxTrust[tord] = max(cols.maxTrust[tord], t)
			}
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("overlay: the offers of facility %d: %w", id, err)
		}
	}
	if cols == nil {
		return ix, nil
	}
	cols.starSeq = 0 // a segment's: never spare
	if pool {
		cols.starSeq = starPatches.add(ix.cols.starSeq, patched)
	}
	cols.starred = newStarSet(starred, cols.docs, tcol)
	if cols.orders != nil && starred.GetCardinality() > cols.docs/maxStarredPart {
		// Each search weighs the starred documents one by one: once they
		// are many, the rating and trust orders are made again from these
		// columns (copies of their own: the view's may go back to
		// spareColumns while the orders are still being made from them),
		// and none are starred.
		cols.orders = cols.orders.withStars(slices.Clone(cols.rating), slices.Clone(cols.trust), cols.starred)
		cols.starred = nil
	}
	cols.sincePrev = nil
	if cols.orders != nil && cols.orders.prev != nil {
		cols.sincePrev = cols.orders.prevStarred.or(cols.starred)
	}
	return ix.viewWith(cols, ix.rates, ix.typical), nil
}

// maxStarredPart bounds the starred documents, as a part of the index:
// past one in maxStarredPart, the orders are made again (withStars). A
// test sets it to see both ways.
var maxStarredPart uint64 = 200

// restar gives each facility, offer and doctor in records the stars now
// of its facility, where now knows them: a copy of the record when they
// differ.
func restar(records map[string]*Record, now func(facility int64) (stars, bool)) {
	for key, r := range records {
		if r == nil {
			continue
		}
		switch {
		case r.Type == TypeFacility:
			if st, ok := now(r.ID); ok && !starsOf(r).equal(st) {
				c := *r
				c.Rating, c.ReviewCount = st.rating, st.reviews
				records[key] = &c
			}
		case r.Facility != nil && (r.Type == TypeOffer || r.Type == TypeDoctor):
			if st, ok := now(r.Facility.ID); ok {
				if ref := st.on(r.Facility); ref != r.Facility {
					c := *r
					c.Facility = ref
					records[key] = &c
				}
			}
		}
	}
}

// showStars gives r, an offer or doctor the overlay returns, its
// facility's stars as they are now, when they changed without r being
// re-indexed.
func (o *Overlay) showStars(r *Record) {
	if r.Facility == nil || r.Type != TypeOffer && r.Type != TypeDoctor {
		return
	}
	if s, ok := o.stars[r.Facility.ID]; ok {
		r.Facility = s.on(r.Facility)
	}
}

// patchStars brings n, an overlay being made from records, to the stars
// changed (shownChanges): the offers of those facilities in its generation
// and segments, and the stars it shows of every facility records holds
// that it showed before or that changed now.
func (n *Overlay) patchStars(ctx context.Context, records map[string]*Record, changed map[int64]stars) error {
	if len(changed) > 0 {
		base, err := n.base.withStars(ctx, changed, n.deleted, true)
		if err != nil {
			return err
		}
		if base != n.base {
			n.patched.release() // the overlay n is made from holds it still
			n.patched = &patchedColumns{rating: base.cols.rating, trust: base.cols.trust, seq: base.cols.starSeq}
			n.patched.refs.Store(1)
			n.base = base
		}
		for i := range n.segs {
			if n.segs[i].view, err = n.segs[i].view.withStars(ctx, changed, n.segs[i].deleted, false); err != nil {
				return err
			}
		}
	}
	shown, copied := n.stars, false
	for key, r := range records {
		typ, id, err := ParseDocID(key)
		if err != nil {
			return fmt.Errorf("overlay: %w", err)
		}
		if typ != TypeFacility {
			continue
		}
		_, had := shown[id]
		_, now := changed[id]
		if !had && !now {
			continue
		}
		if !copied { // n shares the map with the overlay it was made from
			shown, copied = maps.Clone(n.stars), true
			if shown == nil {
				shown = map[int64]stars{}
			}
		}
		if r == nil {
			delete(shown, id)
		} else {
			// Its offers elsewhere may still hold older stars: it goes on
			// being shown as it is now.
			shown[id] = starsOf(r)
		}
	}
	n.stars = shown
	return nil
}
