package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestSortedWalkSeesNewStars checks that a search sorted by rating, or by
// relevance, which walk the rating and trust orders the generation made
// when it opened, rank an offer by its facility's rating now: new reviews
// that lift a facility from last to first put its offer first, on a page
// of one; both while those documents are weighed one by one (starred) and
// once the orders are made again from the new stars, and while those are
// being made (the old orders walked, the new stars weighed apart).
func TestSortedWalkSeesNewStars(t *testing.T) {
	restore := sortedWalks
	sortedWalks = sortedAlways
	defer func() { sortedWalks = restore }()
	for _, c := range []struct {
		name string
		part uint64
		hold bool
	}{{"the new stars weighed one by one", 1, false}, {"the orders made again", 1 << 62, false},
		{"the old orders walked while the new are made", 1 << 62, true}} {
		for _, generation := range []bool{false, true} {
			name := c.name
			if generation {
				// A generation keeps its filter sets and lists them in its
				// orders (orderlists.go).
				name += ", on a generation"
			}
			t.Run(name, func(t *testing.T) {
				restore := maxStarredPart
				maxStarredPart = c.part
				defer func() { maxStarredPart = restore }()
				testSortedWalkSeesNewStars(t, c.hold, generation)
			})
		}
	}
}

func testSortedWalkSeesNewStars(t *testing.T, hold, generation bool) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1}}
	rating := func(v float64) *float64 { return &v }
	count := func(n int) *int { return &n }
	facility := func(id int64, r float64) *Record {
		return &Record{Type: TypeFacility, ID: id, Name: "Clinic", Country: "TR", Rating: rating(r), ReviewCount: count(20)}
	}
	offer := func(id int64, f *Record) *Record {
		return &Record{Type: TypeOffer, ID: id, Name: "Rhinoplasty", Treatment: &TreatmentRef{ID: 1, Name: "Rhinoplasty"},
			Facility: &FacilityRef{ID: f.ID, Name: "Clinic", Country: "TR", Rating: f.Rating, ReviewCount: f.ReviewCount}}
	}
	records := []*Record{{Type: TypeTreatment, ID: 1, Name: "Rhinoplasty"}}
	for i := range int64(5) {
		f := facility(10+i, 4+float64(i)/10) // facility 10 rates lowest
		records = append(records, f, offer(100+i, f))
	}
	var o *Overlay
	if generation {
		var err error
		if o, err = NewOverlay(ctx, indexRecords(t, rates, records), rates, nil); err != nil {
			t.Fatal(err)
		}
	} else {
		o = overlayOn(t, rates, records...)
	}
	defer func() { o.Close() }()
	first := func(r Request) int64 {
		t.Helper()
		res, err := o.Search(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 1 || res.Total != 5 {
			t.Fatalf("%d hits of %d, want 1 of 5", len(res.Hits), res.Total)
		}
		return res.Hits[0].ID
	}
	byRating := Request{Sort: SortRating, PerPage: 1}.MustWhere(FilterType, TypeOffer)
	// Two clauses: on a generation, a kept filter set, read from its list
	// in the order, the starred weighed apart.
	byRatingKept := Request{Sort: SortRating, PerPage: 5}.MustWhere(FilterType, TypeOffer).MustWhere(FilterCountry, "TR")
	all := func(r Request) string {
		t.Helper()
		res, err := o.Search(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return fmt.Sprint(ids)
	}
	// By relevance, offers matched through their treatment score alike
	// but for their trust, which the facility's rating raises: the walk
	// takes each treatment's offers most trusted first.
	byTrust := Request{Query: "rhinoplasty", PerPage: 1}.MustWhere(FilterType, TypeOffer)
	if got := first(byRating); got != 104 {
		t.Fatalf("best rated offer %d, want 104 (its facility rates 4.4)", got)
	}
	if got := all(byRatingKept); got != "[104 103 102 101 100]" {
		t.Fatalf("offers in TR by rating %s, want [104 103 102 101 100]", got)
	}
	if got := first(byTrust); got != 104 {
		t.Fatalf("most trusted rhinoplasty %d, want 104 (its facility rates 4.4)", got)
	}
	if hold {
		// The new orders are not made until the end: searches may not
		// wait for them.
		holdOrders, sortedWalks = make(chan struct{}), sortedByCost
		defer func() { close(holdOrders); holdOrders, sortedWalks = nil, sortedAlways }()
	}
	n, err := o.Apply(ctx, rates, map[string]*Record{"facility:10": facility(10, 4.9)})
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	o = n
	if hold {
		for _, sort := range []string{SortRating, SortRelevance} {
			var order *madeOrder
			var changed *starSet
			if sort == SortRating {
				order, changed = o.base.sortOrder(sort)
			} else {
				order, changed = o.base.trustOrder()
			}
			if order == nil || changed == nil || changed.b.GetCardinality() == 0 {
				t.Fatalf("sort %s while the new orders are made: order %v, changed %v; want the old order and facility 10's offer",
					sort, order != nil, changed)
			}
		}
	}
	if got := first(byRating); got != 100 {
		t.Errorf("best rated offer %d after facility 10's new reviews (4.9), want its offer 100", got)
	}
	if got := all(byRatingKept); got != "[100 104 103 102 101]" {
		t.Errorf("offers in TR by rating %s after facility 10's new reviews (4.9), want [100 104 103 102 101]", got)
	}
	if got := first(byTrust); got != 100 {
		t.Errorf("most trusted rhinoplasty %d after facility 10's new reviews (4.9), want its offer 100", got)
	}
}

// TestRemadeOrderIsTheOrderMadeAgain checks that an order remade from an
// older one, when some documents' keys changed (remadeOrder), is the one
// makeOrder makes from the new keys: the same documents (those with a
// key), in the same order, ties by document, both ways.
func TestRemadeOrderIsTheOrderMadeAgain(t *testing.T) {
	const docs = 3000
	rnd := rand.New(rand.NewPCG(1, 2))
	keyOf := func() float64 {
		if rnd.IntN(10) == 0 {
			return math.NaN() // no key: left out of the order
		}
		return float64(rnd.IntN(50)) / 10 // many ties
	}
	before := make([]float64, docs)
	for i := range before {
		before[i] = keyOf()
	}
	for _, c := range []struct {
		name  string
		moved int
		desc  bool
		scale float64 // the moved keys times this (a rate's change), else new
	}{{"none moved", 0, true, 0}, {"one moved", 1, false, 0}, {"a few moved, descending", 40, true, 0},
		{"a few moved, ascending", 40, false, 0}, {"most moved", 2500, true, 0},
		{"a third scaled up, ascending", 1000, false, 2.5}, {"a third scaled down, descending", 1000, true, 0.3}} {
		t.Run(c.name, func(t *testing.T) {
			after := slices.Clone(before)
			moved := roaring.New()
			for range c.moved {
				doc := uint32(rnd.IntN(docs))
				moved.Add(doc)
				after[doc] = keyOf()
				if c.scale != 0 {
					after[doc] = before[doc] * c.scale
				}
			}
			old := makeOrder(docs, func(d uint32) float64 { return before[d] }, c.desc)
			key := func(d uint32) float64 { return after[d] }
			got, want := remadeOrder(old, moved, key, c.desc), makeOrder(docs, key, c.desc)
			if !slices.Equal(got.docs, want.docs) {
				t.Errorf("remade order differs from the order made again: %d documents, want %d", len(got.docs), len(want.docs))
			}
			if !got.keyed.Equals(want.keyed) {
				t.Errorf("remade order keys %d documents, the order made again %d", got.keyed.GetCardinality(), want.keyed.GetCardinality())
			}
		})
	}
}
