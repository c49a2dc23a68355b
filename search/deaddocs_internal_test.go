package search

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestDeadDocsGrowAsMadeAnew: the documents an overlay leaves out grow
// batch by batch, and each set is made from the last (deadDocs.next),
// carrying over what searches made of it (the dead offers by treatment,
// their facet values, the dead treatments). Each must equal the set made
// from nothing, whether the last had made those parts or not, and the
// last must be left as it was: searches in flight still read it.
func TestDeadDocsGrowAsMadeAnew(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	countries := []string{"TR", "DE", "MX", "TH"}
	var recs []*Record
	var facs []*FacilityRef
	for i := range 12 {
		f := &FacilityRef{ID: int64(1 + i), Name: fmt.Sprintf("Clinic %d", i), Country: countries[i%len(countries)],
			City: "City " + countries[i%len(countries)], Accreditations: []string{"JCI", "ISO", "TEMOS"}[:i%4]}
		facs = append(facs, f)
		recs = append(recs, &Record{Type: TypeFacility, ID: f.ID, Name: f.Name, Country: f.Country, City: f.City,
			Accreditations: f.Accreditations})
	}
	categories := []string{"Cosmetic surgery", "Dental", "Orthopedics"}
	const treatments = 150 // lists by treatment of three chunks (cowList)
	for i := range treatments {
		recs = append(recs, &Record{Type: TypeTreatment, ID: int64(100 + i), Name: fmt.Sprintf("Treatment %d", i),
			Category: categories[i%len(categories)]})
	}
	for i := range 400 {
		recs = append(recs, &Record{Type: TypeOffer, ID: int64(1000 + i),
			Treatment: &TreatmentRef{ID: int64(100 + rng.IntN(treatments))}, Facility: facs[rng.IntN(len(facs))]})
	}
	ix := indexRecords(t, Rates{Rates: map[string]float64{"USD": 1}}, recs)
	docs := uint32(ix.cols.docs)
	tcol, offers := ix.cols.keywords[fieldTreatmentID], ix.cols.keywords[fieldType].bitmap(TypeOffer)
	facets := []*keywordColumn{ix.cols.keywords[fieldCountry], ix.cols.keywords[fieldCategory],
		ix.cols.keywords[fieldAccreditation]}

	// made is every part of d as searches read it, in an order that
	// compares.
	made := func(d *deadDocs) string {
		dbyT := d.ofTreatments(tcol, offers)
		byT := make([][]uint32, dbyT.len())
		for i := range byT {
			byT[i] = slices.Sorted(slices.Values(dbyT.at(i)))
		}
		var fs [][][]ordCount
		for _, col := range facets {
			df := d.facetsOfTreatments(col, dbyT)
			f := make([][]ordCount, df.len())
			for i := range f {
				f[i] = slices.SortedFunc(slices.Values(df.at(i)), func(a, b ordCount) int { return cmp.Compare(a.ord, b.ord) })
			}
			fs = append(fs, f)
		}
		var dead []int64
		for id := int64(100); id < 100+treatments; id++ {
			if d.deadTreatments(ix.cols)[id] {
				dead = append(dead, id)
			}
		}
		var has []uint32
		for doc := range docs {
			if d.has(doc) {
				has = append(has, doc)
			}
		}
		if list := d.b.ToArray(); !slices.Equal(has, list) {
			t.Fatalf("has finds %v, the dead are %v", has, list)
		}
		var vals [][]uint32 // the dense columns' values of the dead, by rank
		for _, col := range facets {
			vals = append(vals, d.rankedValues(col))
		}
		// Every dead document is met once, with its place among them, and
		// its values there are the columns'.
		list := d.b.ToArray()
		met := 0
		d.eachInRanked(slices.Repeat([]uint64{^uint64(0)}, len(d.bits)), func(doc uint32, rank int) {
			met++
			if rank >= len(list) || list[rank] != doc {
				t.Fatalf("dead document %d ranked %d among %v", doc, rank, list)
			}
			for i, col := range facets {
				if want := col.dense(); (vals[i] != nil) != want {
					t.Fatalf("%s: values kept %v, want %v", col.values, vals[i] != nil, want)
				}
				if vals[i] != nil && vals[i][rank] != col.one(doc) {
					t.Fatalf("dead document %d: value %d, the column says %d", doc, vals[i][rank], col.one(doc))
				}
			}
		})
		if met != len(list) {
			t.Fatalf("%d of %d dead documents met", met, len(list))
		}
		var holding [][]uint32 // the dead holding each value, a multi-valued column's too
		for _, col := range facets {
			for ord := range col.values {
				holding = append(holding, slices.Sorted(slices.Values(d.holdingValue(col, uint32(ord)))))
			}
		}
		return fmt.Sprint(has, d.words, byT, fs, dead, vals, holding)
	}

	b := roaring.New()
	var d *deadDocs
	for step := range 8 {
		next := b.Clone()
		for range 1 + rng.IntN(30) { // offers mostly, now and then a facility
			next.Add(uint32(rng.IntN(int(docs))))
		}
		if step%2 == 1 { // and a treatment's own document
			id, err := ix.reader.InternalID(DocID(TypeTreatment, int64(100+step/2)))
			if err != nil || len(id) == 0 {
				t.Fatalf("treatment %d: %v", 100+step/2, err)
			}
			next.Add(uint32(id.Value()))
		}
		was := ""
		if d != nil && step%3 != 2 { // the last set's parts made, but every third time
			was = made(d)
		}
		n := d.next(next, ix.cols)
		if n == nil || n.b != next {
			t.Fatalf("step %d: next made %v of %d documents", step, n, next.GetCardinality())
		}
		if got, want := made(n), made(newDeadDocs(next, ix.cols.docs)); got != want {
			t.Errorf("step %d: made from the last set\n%s\nwant\n%s", step, got, want)
		}
		if was != "" && made(d) != was {
			t.Errorf("step %d: making the next set changed the last", step)
		}
		b, d = next, n
	}

	// A set that does not hold all of the last (a new generation's) is
	// made anew, as is one that is empty.
	fewer := roaring.BitmapOf(b.Minimum())
	if n := d.next(fewer, ix.cols); made(n) != made(newDeadDocs(fewer, ix.cols.docs)) {
		t.Errorf("a smaller set made from the last:\n%s", made(n))
	}
	if n := d.next(roaring.New(), ix.cols); n != nil {
		t.Errorf("an empty set made from the last: %v", n)
	}
}

// TestDeadDocsHasEveryDeadDocument: over many words (200,000 documents),
// sparse and dense, and grown by next, has finds exactly the dead.
func TestDeadDocsHasEveryDeadDocument(t *testing.T) {
	const docs = 200_000
	rng := rand.New(rand.NewPCG(3, 4))
	cols := &columns{docs: docs}
	b := roaring.New()
	var d *deadDocs
	for _, add := range []int{1, 80, 5_000, 60_000} {
		next := b.Clone()
		for range add {
			next.Add(uint32(rng.IntN(docs)))
		}
		next.Add(docs - 1) // the last word of the last summary word
		d, b = d.next(next, cols), next
		for doc := range uint32(docs) {
			if got, want := d.has(doc), b.Contains(doc); got != want {
				t.Fatalf("%d dead: has(%d) = %v, want %v", b.GetCardinality(), doc, got, want)
			}
		}
		if fresh := newDeadDocs(b, docs); !slices.Equal(fresh.bits, d.bits) || !slices.Equal(fresh.words, d.words) {
			t.Fatalf("%d dead: the set grown by next differs from one made anew", b.GetCardinality())
		}
	}
}
