package search

import (
	"slices"
	"testing"
)

func TestOrdSet(t *testing.T) {
	const size = 200 // more than three words
	s, n := newOrdSet(size, []uint32{130, 0, 63, 64, 130, 199})
	if want := []uint32{0, 63, 64, 130, 199}; n != len(want) || !slices.Equal(s.ords(n), want) || s.count() != n {
		t.Fatalf("marked %v (%d, count %d), want %v", s.ords(n), n, s.count(), want)
	}
	for ord := range uint32(size) {
		if want := slices.Contains([]uint32{0, 63, 64, 130, 199}, ord); s.has(ord) != want {
			t.Errorf("has(%d) = %v", ord, !want)
		}
	}
	if none, n := newOrdSet(size, nil); none != nil || n != 0 {
		t.Errorf("an empty list marks %v, %d", none, n)
	}
	other, m := newOrdSet(size, []uint32{1, 64, 198})
	union, k := orOrdSets(slices.Clone(s), other, m)
	if want := []uint32{0, 1, 63, 64, 130, 198, 199}; k != len(want) || !slices.Equal(union.ords(k), want) {
		t.Errorf("union %v (%d), want %v", union.ords(k), k, want)
	}
	fresh, k := orOrdSets(nil, other, m)
	if k != m || !slices.Equal(fresh.ords(k), other.ords(m)) {
		t.Errorf("union into nothing: %v (%d)", fresh.ords(k), k)
	}
	fresh[65>>6] |= 1 << (65 & 63)
	if other.has(65) {
		t.Error("a union into nothing shares its words with the set it copied")
	}
	if same, k := orOrdSets(s, nil, 0); k != n || !slices.Equal(same.ords(k), s.ords(n)) {
		t.Errorf("adding nothing: %v (%d)", same.ords(k), k)
	}
}
