package search

import (
	"context"
	"testing"
)

// TestMergePolicy: the newest pair the ratio wants is merged unless the
// older is sealed (more than sealedSize live records); sealed segments are
// merged only when there are more than maxSegments, the adjacent pair with
// the fewest live records first.
func TestMergePolicy(t *testing.T) {
	defer func(s uint64, m int) { sealedSize, maxSegments = s, m }(sealedSize, maxSegments)
	sealedSize, maxSegments = 10, 3
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1}}
	o := overlayOn(t, rates, &Record{Type: TypeOffer, ID: 1})
	next := int64(100)
	push := func(n int) {
		t.Helper()
		batch := map[string]*Record{}
		for range n {
			batch[DocID(TypeOffer, next)] = &Record{Type: TypeOffer, ID: next}
			next++
		}
		n2, err := o.Apply(ctx, rates, batch)
		if err != nil {
			t.Fatal(err)
		}
		o.Close()
		o = n2
	}
	plan := func(want int) {
		t.Helper()
		m := o.PlanMerge()
		switch {
		case m == nil && want == 0:
		case m == nil:
			t.Fatalf("no merge planned; want one of %d records", want)
		default:
			defer m.Close()
			if want == 0 || m.Size() != want {
				t.Fatalf("a merge of %d records planned; want %d", m.Size(), want)
			}
		}
	}
	push(12)
	push(5)
	plan(0) // 5 is over a third of 12, but 12 is sealed
	push(2)
	plan(7) // 2 is over a third of 5
	defer func() { o.Close() }()
	o2 := o
	o = mustMerge(t, o2)
	o2.Close()
	push(20)
	plan(27) // 7 is not sealed, and 20 is over a third of it
	o2 = o
	o = mustMerge(t, o2)
	o2.Close()
	push(11)
	plan(0) // 12, 27, 11: the older of each pair is sealed, and three are allowed
	push(13)
	plan(24) // four: the fewest between two adjacent is 11 + 13
}

func mustMerge(t *testing.T, o *Overlay) *Overlay {
	t.Helper()
	m := o.PlanMerge()
	if m == nil {
		t.Fatal("no merge planned")
	}
	defer m.Close()
	if err := m.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, err := o.WithMerge(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMergedSegmentsJoinTheStarsNow: a merged segment's offers inherit
// their facility's rating from its copy in the segment, which may be an
// older one, dead in both merged segments, while the live one is
// elsewhere: the merge indexes it with the facility's stars now.
func TestMergedSegmentsJoinTheStarsNow(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1}}
	rating := func(v float64) *float64 { return &v }
	count := func(n int) *int { return &n }
	facility := func(r float64, n int) *Record {
		return &Record{Type: TypeFacility, ID: 10, Name: "Clinic", Country: "TR", Rating: rating(r), ReviewCount: count(n)}
	}
	offer := func(f *Record, price float64) *Record {
		return &Record{Type: TypeOffer, ID: 1, Name: "Rhinoplasty", Treatment: &TreatmentRef{ID: 1, Name: "Rhinoplasty"},
			Facility: &FacilityRef{ID: 10, Name: "Clinic", Country: "TR", Rating: f.Rating, ReviewCount: f.ReviewCount},
			Price:    &Money{Amount: price, Currency: "USD"}}
	}
	f0 := facility(4, 10)
	o := overlayOn(t, rates, f0, offer(f0, 100), &Record{Type: TypeTreatment, ID: 1, Name: "Rhinoplasty"})
	defer func() { o.Close() }()
	apply := func(batch map[string]*Record) {
		t.Helper()
		n, err := o.Apply(ctx, rates, batch)
		if err != nil {
			t.Fatal(err)
		}
		o.Close()
		o = n
	}
	f1, f2 := facility(2, 50), facility(5, 400)
	apply(map[string]*Record{"facility:10": f1})         // A: the facility live, stars f1
	apply(map[string]*Record{"offer:1": offer(f1, 120)}) // B: the offer, the facility copied in dead
	apply(map[string]*Record{"facility:10": f2})         // C: the facility live again, stars f2
	m := o.planPair(0)                                   // A and B: the facility dead in both
	defer m.Close()
	if err := m.Build(ctx); err != nil {
		t.Fatal(err)
	}
	merged, err := o.WithMerge(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	o = merged
	for _, s := range o.segs {
		if doc, ok := s.docs["offer:1"]; ok && !s.dead(doc) {
			if got := s.view.cols.rating[doc]; got != 5 {
				t.Errorf("the merged offer sorts by rating %v, want its facility's 5 now", got)
			}
			want := float32(trustOf(offer(f2, 120)).Trust)
			if got := s.view.cols.trust[doc]; got != want {
				t.Errorf("the merged offer's trust is %v, want %v", got, want)
			}
			return
		}
	}
	t.Fatal("no segment holds the offer live")
}

// overlayOn returns an empty overlay on an in-memory generation of records;
// the generation closes when the test ends, the overlay is the caller's.
func overlayOn(t *testing.T, rates Rates, records ...*Record) *Overlay {
	t.Helper()
	ctx := context.Background()
	gen, err := memIndex(ctx, records, nil, rates)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gen.Close() })
	o, err := NewOverlay(ctx, gen, rates, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
