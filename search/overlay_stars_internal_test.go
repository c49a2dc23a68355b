package search

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
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
	l.put(a, columnRating, 0)
	l.put(b, columnRating, 0)
	runtime.GC()
	runtime.GC()
	got := map[*float32]bool{}
	for range 2 {
		col, _ := l.get(n, columnRating)
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
		l.put(make([]float32, n), columnTrust, 0)
	}
	if l.len() != maxSpareColumns {
		t.Errorf("%d columns kept, want at most %d", l.len(), maxSpareColumns)
	}
	short := make([]float32, n/2)
	var m columnList
	m.put(short, columnRating, 0)
	if col, _ := m.get(n, columnRating); len(col) != n || &col[0] == &short[0] {
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
	c := pooledCopy(src, columnRating, 0)
	if c[7] != 4.5 || len(c) != n {
		t.Errorf("pooledCopy did not copy the column")
	}
}

// TestSpareColumnsComeBackUpToDate: a spare column a few versions behind
// is brought up to the version copied by writing the values patched
// since, and equals a whole copy; one of the other kind, of another
// lineage, or older than the history is copied whole.
func TestSpareColumnsComeBackUpToDate(t *testing.T) {
	const n = 5000
	rnd := rand.New(rand.NewPCG(3, 4))
	type version struct {
		col, want []float32 // the column, and what a whole copy makes
		seq       uint64
	}
	gen := make([]float32, n)
	for i := range gen {
		gen[i] = rnd.Float32()
	}
	// Each version copies the newest and patches a few documents, as
	// withStars does; a version is let go two versions later, as an
	// overlay is once searches have left it, and its column is the next
	// copy's.
	held := []version{{gen, slices.Clone(gen), 0}}
	reused := 0
	for step := range 40 {
		from := held[len(held)-1]
		col := pooledCopy(from.col, columnTrust, from.seq)
		for _, v := range held[:len(held)-1] {
			if &v.col[0] == &col[0] {
				t.Fatalf("step %d: a column still held was handed out", step)
			}
		}
		if step > 0 && &col[0] != &from.col[0] && !slices.Equal(col, from.col) {
			t.Fatalf("step %d: the copy differs from the version it copies", step)
		}
		want := slices.Clone(from.want)
		var docs []uint32
		for range 1 + rnd.IntN(20) {
			doc, val := uint32(rnd.IntN(n)), rnd.Float32()
			col[doc], want[doc] = val, val
			docs = append(docs, doc)
		}
		v := version{col, want, starPatches.add(from.seq, docs)}
		if !slices.Equal(v.col, v.want) {
			t.Fatalf("step %d: the column differs from a whole copy patched alike", step)
		}
		held = append(held, v)
		if len(held) > 3 {
			old := held[1]
			spareColumns.put(old.col, columnTrust, old.seq)
			held = slices.Delete(held, 1, 2)
			reused++
		}
	}
	if reused == 0 {
		t.Fatal("no spare column was brought up to date")
	}
	// Only what was patched since is written: a spare of the very
	// version copied comes back as it was put.
	src := held[len(held)-1]
	spareColumns = columnList{}
	marked := slices.Clone(src.col)
	marked[0] = -1
	spareColumns.put(marked, columnTrust, src.seq)
	if got := pooledCopy(src.col, columnTrust, src.seq); got[0] != -1 {
		t.Errorf("a spare of the version copied was copied into whole")
	}
	// A spare of another kind, or of another lineage, is copied whole.
	spareColumns.put(make([]float32, n), columnRating, src.seq)
	if got := pooledCopy(src.col, columnTrust, src.seq); !slices.Equal(got, src.col) {
		t.Errorf("a rating column handed out for trust was not copied whole")
	}
	other := starPatches.add(0, nil)
	spareColumns.put(make([]float32, n), columnTrust, other)
	if got := pooledCopy(src.col, columnTrust, src.seq); !slices.Equal(got, src.col) {
		t.Errorf("a column of another lineage was not copied whole")
	}
	for range maxPatchHistory + 1 {
		starPatches.add(0, nil)
	}
	if _, ok := starPatches.since(held[1].seq, src.seq); ok {
		t.Errorf("a version older than the history was found")
	}
}

// TestPatchedColumnsEqualAWholeCopy: after many batches of new stars,
// each overlay closed once the next is made (its columns then spare, and
// brought up to date for a later batch), the overlay's rating and trust
// columns are those of an overlay that applied every final figure at once
// to whole copies of the generation's.
func TestPatchedColumnsEqualAWholeCopy(t *testing.T) {
	ctx := context.Background()
	rates := Rates{Rates: map[string]float64{"USD": 1}}
	rnd := rand.New(rand.NewPCG(5, 6))
	facility := func(id int64, r float64, reviews int) *Record {
		return &Record{Type: TypeFacility, ID: id, Name: "Clinic", Country: "TR", Rating: &r, ReviewCount: &reviews}
	}
	records := []*Record{{Type: TypeTreatment, ID: 1, Name: "Rhinoplasty"}}
	for f := range int64(30) {
		fr := facility(10+f, 3+rnd.Float64()*2, 1+rnd.IntN(100))
		records = append(records, fr)
		for k := range int64(3) {
			records = append(records, &Record{Type: TypeOffer, ID: 100 + 3*f + k, Name: "Rhinoplasty",
				Treatment: &TreatmentRef{ID: 1, Name: "Rhinoplasty"},
				Price:     &Money{Amount: float64(1000 + rnd.IntN(5000)), Currency: "USD"},
				Facility:  &FacilityRef{ID: fr.ID, Name: "Clinic", Country: "TR", Rating: fr.Rating, ReviewCount: fr.ReviewCount}})
		}
	}
	o := overlayOn(t, rates, records...)
	gen := o.gen
	final := map[string]*Record{}
	for range 40 {
		batch := map[string]*Record{}
		for range 1 + rnd.IntN(4) {
			id := 10 + rnd.Int64N(30)
			f := facility(id, 3+rnd.Float64()*2, 1+rnd.IntN(500))
			batch[DocID(TypeFacility, id)] = f
			final[DocID(TypeFacility, id)] = f
		}
		n, err := o.Apply(ctx, rates, batch)
		if err != nil {
			t.Fatal(err)
		}
		o.Close()
		o = n
	}
	defer o.Close()
	ref, err := NewOverlay(ctx, gen, rates, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	spareColumns = columnList{} // the reference copies whole
	all, err := ref.Apply(ctx, rates, final)
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	for name, cols := range map[string][2][]float32{
		"rating": {o.base.cols.rating, all.base.cols.rating},
		"trust":  {o.base.cols.trust, all.base.cols.trust},
	} {
		got, want := cols[0], cols[1]
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
		}
		for doc := range got {
			if math.Float32bits(got[doc]) != math.Float32bits(want[doc]) {
				t.Errorf("%s of document %d: %v after 40 batches, %v applied at once", name, doc, got[doc], want[doc])
			}
		}
	}
}
