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
	gen, err := memIndex(ctx, []*Record{{Type: TypeOffer, ID: 1}}, rates)
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	o, err := NewOverlay(ctx, gen, rates, nil)
	if err != nil {
		t.Fatal(err)
	}
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
