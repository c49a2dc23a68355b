package search

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestSideKeys: a segment's kept side is found only by a search that
// would find the same in it: every input of its side changes the key,
// and strings cannot run together.
func TestSideKeys(t *testing.T) {
	words := func(terms ...string) *understood {
		var alts []alternative
		for _, term := range terms {
			alts = append(alts, alternative{terms: []langTerm{{lang: LangEnglish, term: term}}, weight: weightExact})
		}
		return &understood{groups: []group{{alts: alts, known: true}}}
	}
	f := func(v float64) *float64 { return &v }
	base := Request{Page: 1, PerPage: 10}.MustWhere(FilterType, TypeOffer)
	knee := words("knee")
	cases := []struct {
		name string
		r    Request
		u    *understood
	}{
		{"another page", func() Request { r := base; r.Page = 2; return r }(), knee},
		// Page 2 of 10 and page 1 of 20 keep the same 20 candidates.
		{"a longer page", func() Request { r := base; r.PerPage = 30; return r }(), knee},
		{"a sort", func() Request { r := base; r.Sort = SortPriceAsc; return r }(), knee},
		{"a currency", func() Request { r := base; r.Currency = "EUR"; return r }(), knee},
		{"a least price", func() Request { r := base; r.PriceMin = f(100); return r }(), knee},
		{"a most price", func() Request { r := base; r.PriceMax = f(100); return r }(), knee},
		{"a place", func() Request { r := base; r.Near = &GeoPoint{Lat: 1, Lon: 2}; return r }(), knee},
		{"a radius", func() Request { r := base; r.Near, r.RadiusKM = &GeoPoint{Lat: 1, Lon: 2}, 50; return r }(), knee},
		{"a facet", func() Request { r := base; r.Facets = []string{"country"}; return r }(), knee},
		{"a filter", base.MustWhere(FilterCountry, "TR"), knee},
		{"another value", base.MustWhere(FilterCountry, "DE"), knee},
		{"two values", base.MustWhere(FilterCountry, "TR", "DE"), knee},
		{"one value holding the other's separator", base.MustWhere("city", "a=b"), knee},
		{"two values that would run together", base.MustWhere("city", "a", "b"), knee},
		{"no words", base, nil},
		{"another word", base, words("hip")},
		{"another alternative", base, words("knee", "knees")},
		{"an alternative weighed less", base, func() *understood {
			u := words("knee")
			u.groups[0].alts[0].weight /= 2
			return u
		}()},
		{"a word only typos can match", base, func() *understood {
			u := words("knee")
			u.groups[0].known = false
			return u
		}()},
	}
	seen := map[string]string{string(sideKey(nil, &base, knee)): "the base request"}
	for _, c := range cases {
		k := string(sideKey(nil, &c.r, c.u))
		if other, ok := seen[k]; ok {
			t.Errorf("%s: the same key as %s: %q", c.name, other, k)
		}
		seen[k] = c.name
		if again := c.r; string(sideKey(nil, &again, c.u)) != k {
			t.Errorf("%s: the same search again has another key", c.name)
		}
	}
	explain := base
	explain.Explain = true
	if k := sideKey(nil, &explain, knee); k != nil {
		t.Errorf("a search that explains its scores is kept as %q: it reads each side's plan", k)
	}
}

// TestDeadTreatments: deadTreatments finds a treatment dead by its own
// document alone: an offer of it left out (which holds its id too) is not
// the treatment.
func TestDeadTreatments(t *testing.T) {
	fac := &FacilityRef{ID: 1, Name: "Clinic", Country: "TR", City: "Istanbul"}
	ix := indexRecords(t, Rates{Rates: map[string]float64{"USD": 1}}, []*Record{
		{Type: TypeFacility, ID: 1, Name: fac.Name, Country: "TR", City: "Istanbul"},
		{Type: TypeTreatment, ID: 10, Name: "Rhinoplasty", Category: "Cosmetic surgery"},
		{Type: TypeTreatment, ID: 11, Name: "Dental implant", Category: "Dental"},
		{Type: TypeOffer, ID: 100, Treatment: &TreatmentRef{ID: 10}, Facility: fac},
		{Type: TypeOffer, ID: 101, Treatment: &TreatmentRef{ID: 11}, Facility: fac},
	})
	dead := roaring.New()
	for _, key := range []string{DocID(TypeTreatment, 10), DocID(TypeOffer, 101)} {
		id, err := ix.reader.InternalID(key)
		if err != nil || len(id) == 0 {
			t.Fatalf("%s: %v", key, err)
		}
		dead.Add(uint32(id.Value()))
	}
	d := newDeadDocs(dead, ix.cols.docs)
	for id, want := range map[int64]bool{10: true, 11: false, 12: false} {
		if got := d.deadTreatments(ix.cols)[id]; got != want {
			t.Errorf("treatment %d dead: %v, want %v", id, got, want)
		}
	}
}

// indexRecords builds a generation of recs at rates and opens it; it is
// closed when the test ends.
func indexRecords(t *testing.T, rates Rates, recs []*Record) *Index {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gen")
	b, err := NewBuilder(path, rates)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := b.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// TestPageOfMergesSidesInOrder checks pageOf against the sort it saves:
// every side's candidates in one list, stably sorted by the request's
// order with doc numbers ignored (those of two indexes do not compare),
// then cut to the page. Keys and scores tie often, across sides and
// within them; kept sides (a segment's cache's) keep their candidates.
func TestPageOfMergesSidesInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sort := range Sorts {
		for round := range 50 {
			r := &Request{Sort: sort, Page: 1 + rng.IntN(3), PerPage: 1 + rng.IntN(10)}
			to := r.Page * r.PerPage
			var sides []*side
			var all []ranked
			for i := range 1 + rng.IntN(4) {
				s := &side{c: &collector{best: candidates{sort: sort}}, kept: i > 0 && rng.IntN(2) == 0}
				for doc := range uint32(rng.IntN(2 * to)) {
					c := candidate{doc: doc, score: float64(rng.IntN(3)), key: float64(rng.IntN(4))}
					if rng.IntN(8) == 0 {
						c.key = math.NaN()
					}
					s.c.best.keep(c, to)
				}
				for _, c := range s.c.best.ranked() {
					all = append(all, ranked{c, s})
				}
				sides = append(sides, s)
			}
			order := candidates{sort: sort}
			slices.SortStableFunc(all, func(a, b ranked) int {
				a.doc, b.doc = 0, 0
				switch {
				case order.better(a.candidate, b.candidate):
					return -1
				case order.better(b.candidate, a.candidate):
					return 1
				}
				return 0
			})
			want := all[:min(len(all), to)]
			want = want[min((r.Page-1)*r.PerPage, len(want)):]
			var keptBefore [][]candidate
			for _, s := range sides[1:] {
				keptBefore = append(keptBefore, slices.Clone(s.c.best.items))
			}
			got := pageOf(r, sides)
			if !slices.EqualFunc(got, want, func(a, b ranked) bool { return a.s == b.s && sameCandidate(a.candidate, b.candidate) }) {
				t.Fatalf("by %s, round %d, page %d of %d: got %v, want %v", sort, round, r.Page, r.PerPage, got, want)
			}
			for i, s := range sides[1:] {
				if s.kept && !slices.EqualFunc(s.c.best.items, keptBefore[i], sameCandidate) {
					t.Fatalf("by %s, round %d: pageOf changed a kept side's candidates", sort, round)
				}
			}
		}
	}
}
