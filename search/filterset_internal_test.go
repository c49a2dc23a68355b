package search

import (
	"fmt"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

func TestClausesKey(t *testing.T) {
	cl := func(param string, values ...string) clause { return clause{filter: mustFilter(param), values: values} }
	for _, tc := range []struct {
		name string
		a, b []clause
		same bool
	}{
		{"clauses in another order", []clause{cl(FilterCountry, "TR"), cl(FilterCategory, "Dental")},
			[]clause{cl(FilterCategory, "Dental"), cl(FilterCountry, "TR")}, true},
		{"values in another order", []clause{cl(FilterCountry, "TR", "DE"), cl(FilterType, "offer")},
			[]clause{cl(FilterType, "offer"), cl(FilterCountry, "DE", "TR")}, true},
		{"a value given twice", []clause{cl(FilterCountry, "TR", "TR"), cl(FilterType, "offer")},
			[]clause{cl(FilterCountry, "TR"), cl(FilterType, "offer")}, true},
		{"another value", []clause{cl(FilterCountry, "TR"), cl(FilterType, "offer")},
			[]clause{cl(FilterCountry, "DE"), cl(FilterType, "offer")}, false},
		{"a value of another field", []clause{cl(FilterCountry, "TR"), cl(FilterLanguage, "DE")},
			[]clause{cl(FilterCountry, "DE"), cl(FilterLanguage, "TR")}, false},
		{"one clause of two values against two clauses", []clause{cl(FilterCountry, "TR", "DE")},
			[]clause{cl(FilterCountry, "TR"), cl(FilterCountry, "DE")}, false},
		{"a clause more", []clause{cl(FilterCountry, "TR"), cl(FilterType, "offer")},
			[]clause{cl(FilterCountry, "TR"), cl(FilterType, "offer"), cl(FilterCategory, "Dental")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ka, kb := clausesKey(tc.a), clausesKey(tc.b)
			if (ka == kb) != tc.same {
				t.Errorf("keys %q and %q: same %v, want %v", ka, kb, ka == kb, tc.same)
			}
		})
	}
}

func TestFilterSetsAreKeptAndBounded(t *testing.T) {
	fs := &filterSets{}
	built := 0
	build := func(doc uint32) func() *roaring.Bitmap {
		return func() *roaring.Bitmap { built++; return roaring.BitmapOf(doc) }
	}
	two := func(country string) []clause {
		return []clause{{filter: mustFilter(FilterCountry), values: []string{country}},
			{filter: mustFilter(FilterType), values: []string{TypeOffer}}}
	}
	first := fs.of(two("TR"), build(1))
	if again := fs.of(two("TR"), build(2)); again != first || built != 1 {
		t.Fatalf("asked again: built %d times, the same set %v", built, again == first)
	}
	for i := range filterSetsMax * 2 {
		fs.of(two(fmt.Sprint("C", i)), build(uint32(i)))
		if len(fs.sets) > filterSetsMax {
			t.Fatalf("%d sets kept, the most is %d", len(fs.sets), filterSetsMax)
		}
	}
	if built != 1+filterSetsMax*2 {
		t.Errorf("built %d sets for %d different clauses", built, 1+filterSetsMax*2)
	}
}
