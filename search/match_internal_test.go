package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestOfferScoreCache checks that the cached scores of offers matched only
// through their treatment equal the full computation, for offers matched
// through their treatment, their facility's name and a doctor's name.
func TestOfferScoreCache(t *testing.T) {
	knee := &FacilityRef{ID: 1, Name: "Knee Centre", Country: "US", City: "Austin"}
	other := &FacilityRef{ID: 2, Name: "General Hospital", Country: "US", City: "Dallas"}
	recs := []*Record{
		{Type: TypeTreatment, ID: 10, Name: "Knee replacement", Category: "Orthopaedics", LayNames: []string{"new knee"}},
		{Type: TypeTreatment, ID: 11, Name: "Hip replacement", Category: "Orthopaedics"},
		{Type: TypeTreatment, ID: 12, Name: "Knee arthroscopy", Category: "Orthopaedics"},
		{Type: TypeFacility, ID: 1, Name: knee.Name, Country: "US", City: "Austin"},
		{Type: TypeFacility, ID: 2, Name: other.Name, Country: "US", City: "Dallas"},
	}
	id := int64(100)
	for _, tr := range []int64{10, 11, 12} {
		for _, f := range []*FacilityRef{knee, other} {
			for _, docs := range [][]Ref{nil, {{ID: 5, Name: "Dr. Replacement Knee"}}} {
				recs = append(recs, &Record{Type: TypeOffer, ID: id, Treatment: &TreatmentRef{ID: tr}, Facility: f, Doctors: docs})
				id++
			}
		}
	}
	ix := indexRecords(t, Rates{Rates: map[string]float64{"USD": 1}}, recs)
	for _, q := range []string{"knee", "knee replacement", "replacement", "knee centre", "hip"} {
		r, err := Request{Query: q}.MustWhere(FilterType, TypeOffer).Validate(ix.rates)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ix.compile(context.Background(), &r, nil)
		if err != nil {
			t.Fatal(err)
		}
		matched := 0
		err = p.m.runOffers(context.Background(), nil, func(doc uint32, score float64) {
			matched++
			tord, hasT := p.m.tcol.first(doc)
			ford, hasF := p.m.fcol.first(doc)
			if want := p.m.scoreOfferUncached(doc, tord, ford, hasT, hasF); score != want {
				t.Errorf("%q, doc %d: cached score %v, computed %v", q, doc, score, want)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if matched == 0 {
			t.Errorf("%q matched no offer: the test checks nothing", q)
		}
	}
}

// TestRestScoreThroughTreatments checks scoreRest, which finds each term's
// best treatment weight in one pass over a document's treatments, against
// the plain definition: for each term, the highest weight among the
// document's treatments.
func TestRestScoreThroughTreatments(t *testing.T) {
	ts := []TreatmentRef{
		{ID: 10, Name: "Knee replacement", Category: "Orthopaedics"},
		{ID: 11, Name: "Hip replacement", Category: "Orthopaedics"},
		{ID: 12, Name: "Knee arthroscopy surgery", Category: "Orthopaedics"},
		{ID: 13, Name: "Weight loss surgery", Category: "Bariatrics"},
	}
	var recs []*Record
	for _, tr := range ts {
		recs = append(recs, &Record{Type: TypeTreatment, ID: tr.ID, Name: tr.Name, Category: tr.Category,
			LayNames: []string{tr.Name + " operation"}})
	}
	for i := range 12 {
		f := &FacilityRef{ID: int64(100 + i), Name: "Clinic " + string(rune('A'+i)), Country: "US"}
		var mine []TreatmentRef
		for j, tr := range ts {
			if (i>>j)&1 == 1 {
				mine = append(mine, tr)
			}
		}
		recs = append(recs, &Record{Type: TypeFacility, ID: f.ID, Name: f.Name, Country: "US", Treatments: mine},
			&Record{Type: TypeDoctor, ID: int64(200 + i), Name: "Dr. " + f.Name, Facility: f, Treatments: mine})
	}
	// Facilities with the same treatments share a cached score unless a
	// term matches their own text: one named for a query word, and its
	// doctor (whose text holds the facility's name).
	named := &FacilityRef{ID: 150, Name: "Knee Surgery Centre", Country: "US"}
	recs = append(recs,
		&Record{Type: TypeFacility, ID: named.ID, Name: named.Name, Country: "US", Treatments: ts[2:]},
		&Record{Type: TypeDoctor, ID: 250, Name: "Dr. Plain", Facility: named, Treatments: ts[2:]})
	ix := indexRecords(t, Rates{Rates: map[string]float64{"USD": 1}}, recs)
	best := func(m *matcher, h *termHits, doc uint32) float64 {
		v := 0.0
		for _, ord := range m.tcol.ords[m.tcol.start[doc]:m.tcol.start[doc+1]] {
			v = max(v, h.treat[ord])
		}
		return v
	}
	for _, q := range []string{"knee", "replacement surgery", "weight loss surgery", "knee replacement operation"} {
		r, err := Request{Query: q}.Validate(ix.rates)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ix.compile(context.Background(), &r, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := p.m
		scored := 0
		err = m.run(context.Background(), nil, func(doc uint32, score float64) {
			if m.offers.Contains(doc) {
				return
			}
			scored++
			treatment := m.treatments.Contains(doc)
			want := m.score(func(a *matchAlt) bool { return a.rest.Contains(doc) }, func(h *termHits) float64 {
				s := h.other.get(doc)
				if h.viaTreatments && !treatment {
					s += treatmentJoinWeight * best(m, h, doc)
				}
				return s
			})
			if math.Abs(score-want) > 1e-12 {
				t.Errorf("%q, doc %d: %v, want %v", q, doc, score, want)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if scored == 0 {
			t.Errorf("%q scored no facility or doctor: the test checks nothing", q)
		}
	}
}

// TestRestHasEqualsContains checks the forward-moving membership test
// scoring uses against the bitmap's own, on runs of ascending documents
// that start over, as scoreRest is asked by one walk and then another.
func TestRestHasEqualsContains(t *testing.T) {
	b := roaring.New()
	for d := uint32(0); d < 300000; d += 7 {
		b.Add(d)
	}
	b.AddRange(100000, 140000) // a run container among arrays and bitmaps
	a := &matchAlt{rest: b}
	runs := [][2]uint32{{0, 1000}, {500, 200000}, {3, 10}, {139990, 300100}, {0, 70}}
	for _, r := range runs {
		for d := r[0]; d < r[1]; d += 1 + d%5 {
			if got, want := a.restHas(d), b.Contains(d); got != want {
				t.Fatalf("run %v: restHas(%d) = %v, Contains %v", r, d, got, want)
			}
		}
	}
}

// TestTopValuesKeepsTheBestN checks topValues against listing every value
// and sorting: the n most frequent, ties by value, none of count zero.
func TestTopValuesKeepsTheBestN(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 200 {
		size := rng.IntN(300)
		values := make([]string, size)
		counts := make([]int, size)
		for i := range size {
			values[i] = fmt.Sprintf("v%03d", rng.IntN(1000))
			counts[i] = rng.IntN(6) // many ties and zeros
		}
		n := rng.IntN(40)
		var want []FacetValue
		for i, c := range counts {
			if c > 0 {
				want = append(want, FacetValue{Value: values[i], Count: c})
			}
		}
		slices.SortStableFunc(want, func(a, b FacetValue) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Value, b.Value)
		})
		want = want[:min(n, len(want))]
		got := topValues(values, counts, n)
		if got == nil {
			t.Fatalf("trial %d: nil, want an empty list at least", trial)
		}
		if len(want) == 0 && len(got) == 0 {
			continue
		}
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d (n %d): got %v, want %v", trial, n, got, want)
		}
	}
}
