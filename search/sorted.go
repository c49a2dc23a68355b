package search

import (
	"cmp"
	"container/heap"
	"context"
	"log/slog"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/careatlas/careatlas/background"
)

// Sorted walks. A search sorted by price or rating wants the best k of its
// matches by a key every document carries in a column. Visiting every
// match to weigh its key costs a few column reads each: 6–9 ms for the
// 200,000 offers of "joint replacement" at a million. The index keeps its
// documents in each such order instead (made on first use), and a sorted
// search walks that order, keeping the matches it meets, until k are kept
// and the next key is worse than the k-th's: when the matches are a
// fraction f of the index, that is about k/f documents (of the parts
// of the order that hold matches: orderparts.go). The total and facets
// are counted on the matches' bitmap (collector.countAll).

// sortedWalks says when a sorted search walks its order: when that costs
// less than visiting every match, or (for a test that compares the two)
// never or always.
var sortedWalks = sortedByCost

const (
	sortedByCost = iota
	sortedNever
	sortedAlways
)

// keyOrder is the documents that have a key in one sort, best first. It
// is made in the background the first time a search asks for it (at a
// million offers a price order takes most of a second); until then,
// searches visit every match. The goroutine reads only columns in memory,
// so nothing waits for it: an index closed meanwhile loses nothing.
type keyOrder struct {
	start sync.Once
	ready chan struct{} // closed once made
	made  *madeOrder
	// from is the order this one replaced at other rates (next), while
	// this one is not made, and moved the documents whose keys those
	// rates changed: this one is remade from it (remadeOrder).
	from  atomic.Pointer[madeOrder]
	moved *roaring.Bitmap
}

type madeOrder struct {
	docs  []uint32
	keyed *roaring.Bitmap // docs, as a bitmap
	// parts split a price order's docs by category: the positions in docs
	// of each category's, by its ordinal (orderparts.go); nil: not split.
	parts [][]uint32
	// byTreatment is the trust order's: a list per treatment ordinal; and
	// rest its facilities and doctors, most trusted first.
	byTreatment [][]uint32
	rest        []uint32
	// lists are kept filter sets' documents in this order (orderlists.go).
	lists orderLists
}

// sortOrders are an index's orders. A copy of the columns at other rates
// gets new price orders (atOtherRates); one with other stars (withStars)
// shares them all, and lists the documents whose rating and trust changed
// since in starred: the rating and trust orders are made from the columns
// the index opened with.
type sortOrders struct {
	priceAsc, priceDesc *keyOrder
	rating              *keyOrder
	ratings             []float32 // what the rating order is made from
	// trust orders each treatment's offers by trust, most trusted first,
	// for relevance (matcher.runOffersTop): an offer matched through its
	// treatment scores the treatment's score times its trust.
	trust  *keyOrder
	trusts []float32 // what the trust order is made from
	// prev are the orders these replaced (withStars), walked while these
	// are made, with the documents whose stars changed since they were
	// (prevStarred) weighed apart: without them, every search sorted by
	// rating visited all its matches for the second or so a new order
	// takes. Nil: none.
	prev        *sortOrders
	prevStarred *starSet
}

func newSortOrders(ratings, trusts []float32) *sortOrders {
	return &sortOrders{priceAsc: newKeyOrder(), priceDesc: newKeyOrder(), rating: newKeyOrder(), ratings: ratings,
		trust: newKeyOrder(), trusts: trusts}
}

func newKeyOrder() *keyOrder { return &keyOrder{ready: make(chan struct{})} }

// withStars returns the orders of columns with these ratings and trusts
// (the orders' own: nothing may change them): new rating and trust
// orders, made from them, the same price orders. starred are the
// documents whose stars changed since o's were made.
func (o *sortOrders) withStars(ratings, trusts []float32, starred *starSet) *sortOrders {
	n := *o
	n.rating, n.ratings = newKeyOrder(), ratings
	n.trust, n.trusts = newKeyOrder(), trusts
	// One older set of orders is kept, the newest made.
	n.prev, n.prevStarred = o, starred
	if o.rating.madeYet() == nil && o.prev != nil {
		n.prev, n.prevStarred = o.prev, o.prevStarred.or(starred)
	}
	p := *n.prev
	p.prev, p.prevStarred = nil, nil
	n.prev = &p
	return &n
}

// orPrev returns made and the documents of cols starred since it was
// made; while it is not made yet, the same order of prev (of pick) if
// that is made, with everything starred since prev's. Nil when neither is
// made.
func (o *sortOrders) orPrev(made *madeOrder, cols *columns, pick func(*sortOrders) *keyOrder) (*madeOrder, *starSet) {
	if made != nil {
		return made, cols.starred
	}
	if o.prev != nil {
		if old := pick(o.prev).madeYet(); old != nil {
			return old, cols.sincePrev
		}
	}
	return nil, nil
}

// madeYet returns the order if it is made, without starting to make it.
func (ko *keyOrder) madeYet() *madeOrder {
	select {
	case <-ko.ready:
		return ko.made
	default:
		return nil
	}
}

// atOtherRates returns the orders of the columns at other rates, where
// moved are the documents whose price keys the rates changed: new price
// orders, remade from these (next), the same others.
func (o *sortOrders) atOtherRates(moved *roaring.Bitmap) *sortOrders {
	n := *o
	n.priceAsc, n.priceDesc = o.priceAsc.next(moved), o.priceDesc.next(moved)
	return &n
}

// next returns a new order of the same documents by keys that differ from
// ko's only on moved: remade from ko once made, or from what ko was to be
// remade from while it is not (a rate changed again meanwhile), or made
// anew when there is neither.
func (ko *keyOrder) next(moved *roaring.Bitmap) *keyOrder {
	n := newKeyOrder()
	from := ko.from.Load() // before madeYet: made, it is let go
	if made := ko.madeYet(); made != nil {
		n.from.Store(made)
		n.moved = moved
	} else if from != nil {
		n.from.Store(from)
		n.moved = roaring.Or(ko.moved, moved)
	}
	return n
}

// trustOrder returns the trust order (nil while it is being made): each
// treatment's offers, by ordinal, most trusted first, and the facilities
// and doctors most trusted first; and the documents whose trust changed
// since (nil: none).
func (ix *Index) trustOrder() (*madeOrder, *starSet) {
	o := ix.cols.orders
	if o == nil || sortedWalks == sortedNever {
		return nil, nil
	}
	made := o.trust.getWith(func() *madeOrder {
		cols := ix.cols
		if old, moved := o.prevMade(func(p *sortOrders) *keyOrder { return p.trust }); old != nil {
			return remadeTrust(old, moved, cols.keywords[fieldTreatmentID], o.trusts)
		}
		offers := cols.treatmentOffers
		byT := make([][]uint32, len(offers))
		for ord, b := range offers {
			docs := b.ToArray()
			slices.SortFunc(docs, func(a, b uint32) int {
				return cmp.Or(cmp.Compare(o.trusts[b], o.trusts[a]), cmp.Compare(a, b))
			})
			byT[ord] = docs
		}
		types := cols.keywords[fieldType]
		rest := roaring.Or(types.bitmap(TypeFacility), types.bitmap(TypeDoctor)).ToArray()
		slices.SortFunc(rest, func(a, b uint32) int {
			return cmp.Or(cmp.Compare(o.trusts[b], o.trusts[a]), cmp.Compare(a, b))
		})
		return &madeOrder{byTreatment: byT, rest: rest}
	})
	return o.orPrev(made, ix.cols, func(p *sortOrders) *keyOrder { return p.trust })
}

// sortOrder returns the order of sort, nil while it is being made or when
// the sort has none, and the documents whose key may differ from the
// order's (nil: none).
func (ix *Index) sortOrder(sort string) (*madeOrder, *starSet) {
	o := ix.cols.orders
	if o == nil {
		return nil, nil
	}
	switch sort {
	case SortPriceAsc, SortPriceDesc:
		desc := sort == SortPriceDesc
		ko := o.priceAsc
		if desc {
			ko = o.priceDesc
		}
		typical := ix.typicalUSD()
		key := func(doc uint32) float64 { return ix.priceKey(doc, desc, typical) }
		return ko.getWith(func() *madeOrder {
			var made *madeOrder
			if old := ko.from.Load(); old != nil {
				made = remadeOrder(old, ko.moved, key, desc)
			} else {
				made = makeOrder(ix.cols.docs, key, desc)
			}
			made.split(ix.cols.keywords[fieldCategory])
			return made
		}), nil
	case SortRating:
		key := func(doc uint32) float64 { return float64(o.ratings[doc]) }
		made := o.rating.getWith(func() *madeOrder {
			if old, moved := o.prevMade(func(p *sortOrders) *keyOrder { return p.rating }); old != nil {
				return remadeOrder(old, moved, key, true)
			}
			return makeOrder(ix.cols.docs, key, true)
		})
		return o.orPrev(made, ix.cols, func(p *sortOrders) *keyOrder { return p.rating })
	}
	return nil, nil
}

// orderMakers lets one order be made at a time. Each is made on one core
// (at a million offers, most of a second); two at once, as a change of
// stars or rates starts, took both cores from the searches, which waited
// behind them: the tail of the searches under writes.
var orderMakers = make(chan struct{}, 1)

// orderObserver is told when each order was made (ObserveOrders).
var orderObserver atomic.Pointer[func(start, end time.Time)]

// ObserveOrders has fn (nil: none) told, as each sort order is made, when
// its making began and ended: a remade order is a pass over every
// document, beside the searches ('careatlas bench fresh --attribute').
func ObserveOrders(fn func(start, end time.Time)) {
	if fn == nil {
		orderObserver.Store(nil)
		return
	}
	orderObserver.Store(&fn)
}

// holdOrders, when a test sets it, holds the orders started meanwhile
// until it is closed.
var holdOrders chan struct{}

// getWith returns the order make makes (makeOrder, remadeOrder), starting
// to make it on first use.
func (ko *keyOrder) getWith(make func() *madeOrder) *madeOrder {
	ko.start.Do(func() {
		hold := holdOrders
		// At background priority, as the follower's batches and merges:
		// a remade order is a pass over every document (tens of
		// milliseconds of a core at a million), after new stars every
		// few seconds under writes, and the searches beside it come
		// first. Until it is made, searches read the last one.
		background.Go(func() {
			if hold != nil {
				<-hold
			}
			orderMakers <- struct{}{}
			defer func() { <-orderMakers }()
			start := time.Now()
			ko.made = make()
			close(ko.ready)
			ko.from.Store(nil) // made: the order it was remade from may go
			end := time.Now()
			slog.Debug("sort order made", "ms", end.Sub(start).Milliseconds())
			if fn := orderObserver.Load(); fn != nil {
				(*fn)(start, end)
			}
		})
	})
	if sortedWalks == sortedAlways {
		<-ko.ready
	}
	return ko.madeYet()
}

func makeOrder(docs uint64, key func(uint32) float64, desc bool) *madeOrder {
	type kd struct {
		key float64
		doc uint32
	}
	all := make([]kd, 0, docs)
	for doc := range uint32(docs) {
		if k := key(doc); !math.IsNaN(k) {
			all = append(all, kd{k, doc})
		}
	}
	slices.SortFunc(all, func(a, b kd) int {
		c := cmp.Compare(a.key, b.key)
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a.doc, b.doc)
	})
	o := &madeOrder{docs: make([]uint32, len(all)), keyed: roaring.New()}
	for i, e := range all {
		o.docs[i] = e.doc
	}
	o.keyed.AddMany(slices.Sorted(slices.Values(o.docs)))
	o.keyed.RunOptimize()
	return o
}

// walksOrders reports whether the collector may walk its sort's order:
// the sort has one, and nothing asks to see every match.
func (c *collector) walksOrders() bool {
	if sortedWalks == sortedNever {
		return false
	}
	switch c.p.sort {
	case SortPriceAsc, SortPriceDesc, SortRating:
		return !c.p.priced && c.bands == nil
	case SortDistance:
		return c.p.facilityKM != nil && !c.p.priced && c.bands == nil
	}
	return false
}

// sortedTop feeds the collector the matches in walk, each scored by score,
// by walking the sort's order (see above). It returns false, having
// changed nothing in c, when the sort has no order, when the collector
// must see every match (price bounds or bands), or when walking the order
// would cost more than walking the matches.
func (c *collector) sortedTop(ctx context.Context, walk *roaring.Bitmap, score func(doc uint32) float64) (bool, error) {
	if !c.walksOrders() {
		return false, nil
	}
	n := walk.GetCardinality()
	if n == 0 {
		return false, nil
	}
	if c.p.sort == SortDistance {
		return c.distanceTop(ctx, walk, n, score)
	}
	order, changed := c.ix.sortOrder(c.p.sort)
	if order == nil {
		return false, nil
	}
	parts, size := order.partsOf(c.p.categories)
	if c.p.k == 0 {
		c.countAll(walk)
		return true, nil
	}
	// A kept filter set is read from its list in the order
	// (orderlists.go): every entry a match. Else membership in the walk
	// is a bit per document: a bitmap's Contains searches a container,
	// several times the cost of a step.
	var list []uint32
	if k := c.p.kept; k != nil && k.b == walk {
		var err error
		if list, err = order.listOf(ctx, k, parts, c.cols.docs); err != nil {
			return true, err
		}
	}
	var in *[]uint64
	seq := order.walk(parts)
	if list != nil {
		seq = slices.All(list)
		c.countListed(walk)
		// Their keys may not be where the order has them: each is weighed.
		if changed != nil {
			roaring.And(changed.b, walk).Iterate(func(doc uint32) bool {
				c.consider(doc, score(doc))
				return true
			})
		}
	} else {
		if sortedWalks == sortedByCost && uint64(c.p.k)*uint64(size) > 2*n*n {
			return false, nil
		}
		in = denseOf(walk, c.cols.docs)
		defer releaseDense(in)
		c.countAllIn(walk, in)
		changed.eachIn(*in, func(doc uint32) { c.consider(doc, score(doc)) })
	}
	asc := c.p.sort == SortPriceAsc
	for i, doc := range seq {
		if i%checkDoneEvery == checkDoneEvery-1 {
			if err := stopped(ctx); err != nil {
				return true, err
			}
		}
		if sortedWalks == sortedByCost && uint64(i) > 2*n {
			// The matches lie late in the order (offers priced on
			// request, past every quoted price): visit them instead.
			// (Never so for a list: it holds only matches.)
			c.best.items = c.best.items[:0]
			return true, c.considerEach(ctx, walk, score)
		}
		// Only a match is weighed: past the k-th key the walk stops at the
		// next match, every document after it having a key as bad or worse.
		if in != nil && (*in)[doc>>6]&(1<<(doc&63)) == 0 || changed.has(doc) {
			continue
		}
		if c.full() {
			key, worst := c.sortKey(doc), c.worst().key
			if asc && key > worst || !asc && key < worst {
				return true, nil
			}
		}
		c.consider(doc, score(doc))
	}
	if !c.full() {
		// Documents without a key rank after every one with.
		rest := roaring.AndNot(walk, order.keyed)
		if changed != nil {
			rest.AndNot(changed.b)
		}
		return true, c.considerEach(ctx, rest, score)
	}
	return true, nil
}

// priceRange feeds the collector the documents of filter (nil: all) whose
// price lies within the plan's bounds, read off the price order: they are
// a run of it, found by binary search, so a search for a price band (or
// the one price a freshness probe looks for) visits the offers priced in
// it, not every offer. It returns false, having changed nothing in c, when
// the order is not made yet or the run is not much smaller than filter.
func (c *collector) priceRange(ctx context.Context, filter *roaring.Bitmap) (bool, error) {
	if sortedWalks == sortedNever || c.p.priceMin > c.p.priceMax || c.p.priceMin >= typicalTier {
		return false, nil
	}
	order, _ := c.ix.sortOrder(SortPriceAsc)
	if order == nil {
		return false, nil
	}
	// Keys rise along the order: real prices, then the offers priced on
	// request by their typical prices, past typicalTier.
	typical := c.ix.typicalUSD()
	key := func(i int) float64 { return c.ix.priceKey(order.docs[i], false, typical) }
	lo := sort.Search(len(order.docs), func(i int) bool { return key(i) >= c.p.priceMin })
	top := min(c.p.priceMax, typicalTier/2)
	hi := lo + sort.Search(len(order.docs)-lo, func(i int) bool { return key(lo+i) > top })
	size := uint64(c.cols.docs)
	if filter != nil {
		size = filter.GetCardinality()
	}
	if sortedWalks == sortedByCost && 4*uint64(hi-lo) > size {
		return false, nil
	}
	for i, doc := range order.docs[lo:hi] {
		if i%checkDoneEvery == checkDoneEvery-1 {
			if err := stopped(ctx); err != nil {
				return true, err
			}
		}
		if filter == nil || filter.Contains(doc) {
			c.add(doc, 1)
		}
	}
	return true, nil
}

// denseOf returns b as a bit set of docs bits, from densePool (union.go);
// the caller gives it back with releaseDense. The pool's sets are clear,
// so roaring may write each container as it keeps it: a bitmap container
// is copied a word at a time, not read out document by document.
func denseOf(b *roaring.Bitmap, docs uint64) *[]uint64 {
	words := densePool.Get().(*[]uint64)
	n := int((docs + 63) / 64)
	if cap(*words) < n {
		*words = make([]uint64, n)
	}
	*words = (*words)[:n]
	b.WriteDenseTo(*words)
	return words
}

// distanceTop is sortedTop for a sort by distance within a radius, whose
// order is the query's own: the facilities the radius measured, nearest
// first, each with its offers. Only offers are walked so (a doctor may
// work at several facilities, and sorts by the first).
func (c *collector) distanceTop(ctx context.Context, walk *roaring.Bitmap, n uint64,
	score func(doc uint32) float64) (bool, error) {
	if walk.AndCardinality(c.cols.keywords[fieldType].bitmap(TypeOffer)) != n {
		return false, nil
	}
	km := c.p.facilityKM
	// The measured facilities, popped nearest first from a heap: a wide
	// radius measures tens of thousands, and a page needs the nearest few.
	near := &facilityHeap{items: make([]facilityKM, len(c.p.measured))}
	for i, ord := range c.p.measured {
		near.items[i] = facilityKM{km[ord], ord}
	}
	heap.Init(near)
	if c.p.k == 0 {
		c.countAll(walk)
		return true, nil
	}
	in := denseOf(walk, c.cols.docs)
	defer releaseDense(in)
	c.countAllIn(walk, in)
	seen := uint64(0)
	for i := 0; near.Len() > 0; i++ {
		ord := heap.Pop(near).(facilityKM).ord
		if i%1024 == 1023 {
			if err := stopped(ctx); err != nil {
				return true, err
			}
		}
		if c.full() && float64(km[ord]) > c.worst().key {
			return true, nil // every facility after it is farther
		}
		for _, doc := range c.cols.facilityOfferLists.of(ord) {
			if (*in)[doc>>6]&(1<<(doc&63)) != 0 {
				seen++
				c.consider(doc, score(doc))
			}
		}
	}
	if seen < n && !c.full() {
		// Some matches stand at no facility the radius measured: visit
		// them all.
		c.best.items = c.best.items[:0]
		return true, c.considerEach(ctx, walk, score)
	}
	return true, nil
}

type facilityKM struct {
	km  float32
	ord uint32
}

// facilityHeap holds facilities nearest first, ties by ordinal.
type facilityHeap struct{ items []facilityKM }

func (h *facilityHeap) Len() int { return len(h.items) }
func (h *facilityHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	return a.km < b.km || a.km == b.km && a.ord < b.ord
}
func (h *facilityHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *facilityHeap) Push(x any)    { h.items = append(h.items, x.(facilityKM)) }
func (h *facilityHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// releaseDense clears a bit set of denseOf and puts it back in densePool.
func releaseDense(words *[]uint64) {
	clear(*words)
	densePool.Put(words)
}

// considerEach offers the collector every document of b, scored by score.
func (c *collector) considerEach(ctx context.Context, b *roaring.Bitmap, score func(doc uint32) float64) error {
	return eachDoc(ctx, b, func(doc uint32) bool {
		c.consider(doc, score(doc))
		return true
	})
}

// prevMade returns the order pick chooses of the orders these replaced,
// if it is made, and the documents whose keys may differ from those it
// was made from (withStars); nil when there is none made.
func (o *sortOrders) prevMade(pick func(*sortOrders) *keyOrder) (*madeOrder, *roaring.Bitmap) {
	if o.prev == nil {
		return nil, nil
	}
	old := pick(o.prev).madeYet()
	if old == nil {
		return nil, nil
	}
	if o.prevStarred == nil {
		return old, roaring.New()
	}
	return old, o.prevStarred.b
}

// remadeOrder is old, an order makeOrder made, as makeOrder would make it
// with key, when only the documents of moved may have another key than
// old was made with: the others keep their order; the moved are taken
// out, sorted by key and merged back in. One pass over old, where making
// the order again sorts every document: at a million offers 20-50 ms of
// a core against 200-500 ms, each time a few thousand offers' stars have
// changed (withStars) or a currency's rate has (atOtherRates).
//
// The moved are taken in old's order, then those old lacked: a change of
// one rate scales each price in its currency alike, so that they come
// out already in order, and sorting them is a pass.
func remadeOrder(old *madeOrder, moved *roaring.Bitmap, key func(uint32) float64, desc bool) *madeOrder {
	keyed := old.keyed.Clone()
	keyed.AndNot(moved)
	set := newDocSet(moved)
	in := make([]uint32, 0, moved.GetCardinality())
	add := func(doc uint32) {
		if !math.IsNaN(key(doc)) {
			in = append(in, doc)
		}
	}
	for _, doc := range old.docs {
		if set.has(doc) {
			add(doc)
		}
	}
	roaring.AndNot(moved, old.keyed).Iterate(func(doc uint32) bool {
		add(doc)
		return true
	})
	keyed.AddMany(slices.Sorted(slices.Values(in)))
	keyed.RunOptimize()
	return &madeOrder{docs: mergeMoved(old.docs, set, in, key, desc), keyed: keyed}
}

// remadeTrust is old, a trust order, with the offers of moved weighed by
// trusts (remadeOrder, treatment by treatment: only the treatments of
// moved offers change). The facilities and doctors keep their order: a
// change of stars alone weighs only offers (withStars).
func remadeTrust(old *madeOrder, moved *roaring.Bitmap, treatment *keywordColumn, trusts []float32) *madeOrder {
	byT := slices.Clone(old.byTreatment)
	ofT := map[uint32][]uint32{}
	moved.Iterate(func(doc uint32) bool {
		if ord, ok := treatment.first(doc); ok && int(ord) < len(byT) {
			ofT[ord] = append(ofT[ord], doc)
		}
		return true
	})
	key := func(doc uint32) float64 { return float64(trusts[doc]) }
	set := newDocSet(moved) // a treatment's list holds only its offers
	for ord, in := range ofT {
		byT[ord] = mergeMoved(old.byTreatment[ord], set, in, key, true)
	}
	return &madeOrder{byTreatment: byT, rest: old.rest}
}

// docSet is a set of documents, a bit each: a bitmap's Contains costs a
// search each, where a pass over an order tests every document.
type docSet []uint64

func newDocSet(b *roaring.Bitmap) docSet {
	if b.IsEmpty() {
		return nil
	}
	s := make(docSet, b.Maximum()/64+1)
	b.Iterate(func(doc uint32) bool {
		s[doc/64] |= 1 << (doc % 64)
		return true
	})
	return s
}

func (s docSet) has(doc uint32) bool {
	return int(doc/64) < len(s) && s[doc/64]&(1<<(doc%64)) != 0
}

// mergeMoved returns docs, ordered by key (descending when desc, ties by
// document) but for the documents of moved, without those, merged with in
// (moved documents, in any order: in order costs a pass) sorted alike.
func mergeMoved(docs []uint32, moved docSet, in []uint32, key func(uint32) float64, desc bool) []uint32 {
	type kd struct {
		key float64
		doc uint32
	}
	compare := func(a, b kd) int {
		c := cmp.Compare(a.key, b.key)
		if desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.doc, b.doc))
	}
	add := make([]kd, len(in))
	for i, doc := range in {
		add[i] = kd{key(doc), doc}
	}
	if !slices.IsSortedFunc(add, compare) {
		slices.SortFunc(add, compare)
	}
	if moved == nil {
		return docs // orders are read, never written
	}
	out := make([]uint32, 0, len(docs)+len(add))
	j := 0
	for _, doc := range docs {
		if moved.has(doc) {
			continue
		}
		cur := kd{key(doc), doc}
		for ; j < len(add) && compare(add[j], cur) < 0; j++ {
			out = append(out, add[j].doc)
		}
		out = append(out, doc)
	}
	for ; j < len(add); j++ {
		out = append(out, add[j].doc)
	}
	return out
}

// starSet is a set of offers whose rating and trust changed since the
// rating and trust orders were made (Index.withStars), which a search
// walking those orders weighs apart, each where its key is now. It is
// kept three ways, made once with the set (by the follower) rather than
// by each search: a bitmap; a bit per document, tested at each step of a
// walk; and a list per treatment, for the trust walk of each treatment's
// offers. Intersecting the bitmap with a search's matches, or with each
// matched treatment's offers, took a tenth of a search at six thousand
// starred offers, as many as an overlay holds before the orders are made
// again (maxStarredPart).
//
// Only offers are starred: stars patch a facility's offers (withStars),
// so the walks of facilities and doctors by trust (runRestTop) read none
// of it.
type starSet struct {
	b    *roaring.Bitmap
	docs uint64
	bits ordSet
	tcol *keywordColumn
	// byTreatment are the documents of b by their treatment's ordinal in
	// tcol.
	byTreatment [][]uint32
}

// newStarSet returns the set of b among docs documents, whose treatments
// are in tcol; nil when b is empty.
func newStarSet(b *roaring.Bitmap, docs uint64, tcol *keywordColumn) *starSet {
	if b == nil || b.IsEmpty() {
		return nil
	}
	s := &starSet{b: b, docs: docs, bits: make(ordSet, (docs+63)/64), tcol: tcol}
	if tcol != nil {
		s.byTreatment = make([][]uint32, len(tcol.values))
	}
	b.Iterate(func(doc uint32) bool {
		s.bits.add(doc)
		if tcol != nil {
			if ord, ok := tcol.first(doc); ok {
				s.byTreatment[ord] = append(s.byTreatment[ord], doc)
			}
		}
		return true
	})
	return s
}

// has reports whether s holds doc.
func (s *starSet) has(doc uint32) bool { return s != nil && s.bits.has(doc) }

// ofTreatment lists the documents of s whose treatment is ord, in order.
func (s *starSet) ofTreatment(ord uint32) []uint32 {
	if s == nil || int(ord) >= len(s.byTreatment) {
		return nil
	}
	return s.byTreatment[ord]
}

// eachIn calls fn with each document of s whose bit is set in in (a
// search's matches, a bit per document), in order.
func (s *starSet) eachIn(in []uint64, fn func(doc uint32)) {
	if s == nil {
		return
	}
	it := s.b.ManyIterator()
	var buf [256]uint32
	for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
		for _, doc := range buf[:k] {
			if in[doc>>6]&(1<<(doc&63)) != 0 {
				fn(doc)
			}
		}
	}
}

// or is the set of the documents of s and t, either of which may be nil.
func (s *starSet) or(t *starSet) *starSet {
	switch {
	case s == nil:
		return t
	case t == nil:
		return s
	}
	return newStarSet(roaring.Or(s.b, t.b), s.docs, s.tcol)
}
