package search

import (
	"context"
	"testing"
)

// TestMergePolicy: runs of mergeFactor adjacent segments of one level are
// merged, the newest first, leaving sealed segments (more than sealedSize
// live records) out; beyond maxSegments, the adjacent pair with the fewest
// live records is merged.
func TestMergePolicy(t *testing.T) {
	defer func(s uint64, m int) { sealedSize, maxSegments = s, m }(sealedSize, maxSegments)
	sealedSize, maxSegments = 500, 5
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1}}
	o := overlayOn(t, rates, &Record{Type: TypeOffer, ID: 1})
	defer func() { o.Close() }()
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
	merge := func(want int) {
		t.Helper()
		m := o.PlanMerge()
		switch {
		case m == nil && want == 0:
			return
		case m == nil:
			t.Fatalf("no merge planned of %d segments; want one of %d records", o.Segments(), want)
		case want == 0 || m.Size() != want:
			m.Close()
			t.Fatalf("a merge of %d records planned; want %d", m.Size(), want)
		}
		m.Close()
		o2 := o
		o = mustMerge(t, o2)
		o2.Close()
	}
	for range 3 {
		push(30)
		merge(0) // fewer than four of level 0 (under 100 live records)
	}
	push(30)
	merge(120) // four of level 0
	push(150)
	push(200)
	merge(0) // 120, 150, 200: level 1 (100 to 399)
	push(100)
	merge(570) // four of level 1
	for range 3 {
		push(450)
		merge(0) // 570 is sealed: three of level 2 (400 to 1599) besides it
	}
	push(450)
	merge(1800) // four unsealed of level 2
	push(30)
	push(150)
	push(30)
	merge(0) // 570, 1800, 30, 150, 30: no run, five allowed
	push(150)
	merge(180) // six: the fewest between two adjacent is 30 + 150, the oldest such pair
	if got := o.Segments(); got != 5 {
		t.Fatalf("%d segments after the merges; want 5", got)
	}
	if got := o.segs[2].live(); got != 180 {
		t.Errorf("the third segment holds %d live records; want the merged 180", got)
	}
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
	apply := func(batch map[string]*Record) { applyOn(t, &o, rates, batch) }
	f1, f2 := facility(2, 50), facility(5, 400)
	apply(map[string]*Record{"facility:10": f1})         // A: the facility live, stars f1
	apply(map[string]*Record{"offer:1": offer(f1, 120)}) // B: the offer, the facility copied in dead
	apply(map[string]*Record{"facility:10": f2})         // C: the facility live again, stars f2
	m := o.planRun(0, 2)                                 // A and B: the facility dead in both
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

// applyOn applies batch to *o and closes the overlay it replaces.
func applyOn(t *testing.T, o **Overlay, rates Rates, batch map[string]*Record) {
	t.Helper()
	n, err := (*o).Apply(context.Background(), rates, batch)
	if err != nil {
		t.Fatal(err)
	}
	(*o).Close()
	*o = n
}

// overlayOn returns an empty overlay on an in-memory generation of records;
// the generation closes when the test ends, the overlay is the caller's.
func overlayOn(t *testing.T, rates Rates, records ...*Record) *Overlay {
	t.Helper()
	ctx := context.Background()
	gen, _, err := memIndexOf(ctx, records, nil, rates, nil, 1)
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
