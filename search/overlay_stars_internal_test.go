package search

import (
	"runtime"
	"testing"
)

// TestSpareColumnsOutliveCollections: a patched column no overlay reads
// any more is copied into by the next batch even after the collector has
// run (a sync.Pool would have been emptied), the list keeps no more than
// maxSpareColumns, and a column too short for the generation is not
// handed out.
func TestSpareColumnsOutliveCollections(t *testing.T) {
	var l columnList
	const n = 1000
	a, b := make([]float32, n), make([]float32, n)
	l.put(a)
	l.put(b)
	runtime.GC()
	runtime.GC()
	got := map[*float32]bool{}
	for range 2 {
		col := l.get(n)
		if len(col) != n {
			t.Fatalf("a spare column of %d values, want %d", len(col), n)
		}
		got[&col[0]] = true
	}
	if !got[&a[0]] || !got[&b[0]] {
		t.Errorf("the columns put back were not handed out again after two collections")
	}
	if l.len() != 0 {
		t.Errorf("%d columns kept after both were taken", l.len())
	}
	for range maxSpareColumns + 3 {
		l.put(make([]float32, n))
	}
	if l.len() != maxSpareColumns {
		t.Errorf("%d columns kept, want at most %d", l.len(), maxSpareColumns)
	}
	short := make([]float32, n/2)
	var m columnList
	m.put(short)
	if col := m.get(n); len(col) != n || &col[0] == &short[0] {
		t.Errorf("a column too short was handed out for %d values", n)
	}
	if m.len() != 0 {
		t.Errorf("a column too short was kept")
	}

	// Through patchedColumns: released by its last overlay, its columns
	// are the next copy's.
	p := &patchedColumns{rating: make([]float32, n), trust: make([]float32, n)}
	p.refs.Store(2)
	p.release()
	before := spareColumns.len()
	p.release()
	if spareColumns.len() != min(before+2, maxSpareColumns) {
		t.Errorf("released columns: %d spare, want %d", spareColumns.len(), min(before+2, maxSpareColumns))
	}
	runtime.GC()
	runtime.GC()
	src := make([]float32, n)
	src[7] = 4.5
	c := pooledCopy(src)
	if c[7] != 4.5 || len(c) != n {
		t.Errorf("pooledCopy did not copy the column")
	}
}
