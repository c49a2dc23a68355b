package search

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestColumnsFileRoundTrip: the columns a generation stores are exactly
// those its postings give, so a served index answers the same whichever
// way it opened; a damaged file is refused, not believed.
func TestColumnsFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gen")
	rates := Rates{Rates: map[string]float64{"USD": 1, "EUR": 0.9}}
	b, err := NewBuilder(path, rates)
	if err != nil {
		t.Fatal(err)
	}
	rating, reviews := 4.5, 120
	istanbul := &GeoPoint{Lat: 41.01, Lon: 28.97}
	fac := &FacilityRef{ID: 7, Name: "Anadolu Clinic", Country: "TR", City: "Istanbul", Kind: "clinic", Location: istanbul}
	for _, r := range []*Record{
		{Type: TypeTreatment, ID: 1, Name: "Knee replacement", Category: "Orthopaedics", LayNames: []string{"new knee"}},
		{Type: TypeFacility, ID: 7, Name: "Anadolu Clinic", Country: "TR", City: "Istanbul", Kind: "clinic",
			Location: istanbul, Accreditations: []string{"JCI"}, Languages: []string{"tr", "en"}, Rating: &rating,
			ReviewCount: &reviews, Treatments: []TreatmentRef{{ID: 1, Name: "Knee replacement", Category: "Orthopaedics"}},
			Categories: []string{"Orthopaedics"}},
		{Type: TypeDoctor, ID: 3, Name: "Dr. Ayşe Kaya", Facility: fac, Languages: []string{"tr"},
			Treatments: []TreatmentRef{{ID: 1}}},
		{Type: TypeOffer, ID: 100, Name: "Knee replacement", Treatment: &TreatmentRef{ID: 1}, Facility: fac,
			Price: &Money{Amount: 9000, Currency: "EUR"}},
		{Type: TypeOffer, ID: 101, Name: "Knee replacement", Treatment: &TreatmentRef{ID: 1}, Facility: fac},
	} {
		if err := b.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	stored, err := openWith(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer stored.Close()
	built, err := openWith(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer built.Close()
	if _, ok, err := readColumns(path); !ok || err != nil {
		t.Fatalf("the build wrote no columns file: %v", err)
	}
	sameColumns(t, stored.cols, built.cols)
	if len(built.cols.keywords[fieldCountry].values) == 0 || built.cols.facilityDoc == nil {
		t.Fatal("the test index has no countries or facilities: it checks nothing")
	}

	// A damaged file is refused: Open fails rather than serve wrong columns.
	file := filepath.Join(path, columnsFile)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, raw[:len(raw)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if ix, err := Open(path); err == nil {
		ix.Close()
		t.Error("a truncated columns file was accepted")
	}
}

func sameColumns(t *testing.T, a, b *columns) {
	t.Helper()
	if a.docs != b.docs {
		t.Fatalf("docs %d and %d", a.docs, b.docs)
	}
	for _, f := range Filters {
		ka, kb := a.keywords[f.Field], b.keywords[f.Field]
		if !slices.Equal(ka.values, kb.values) || !slices.Equal(ka.start, kb.start) || !slices.Equal(ka.ords, kb.ords) {
			t.Errorf("column %s differs", f.Field)
		}
		for i := range ka.values {
			if !ka.valueBitmap(uint32(i)).Equals(kb.valueBitmap(uint32(i))) || ka.ordinal[ka.values[i]] != kb.ordinal[kb.values[i]] {
				t.Errorf("column %s, value %q differs", f.Field, ka.values[i])
			}
		}
	}
	sameBits := func(name string, x, y []float64) {
		if len(x) != len(y) {
			t.Errorf("%s: %d and %d values", name, len(x), len(y))
			return
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				t.Errorf("%s[%d]: %v and %v", name, i, x[i], y[i])
			}
		}
	}
	sameBits("price", a.price, b.price)
	widen := func(v []float32) []float64 {
		out := make([]float64, len(v))
		for i, f := range v {
			out[i] = float64(f)
		}
		return out
	}
	sameBits("rating", widen(a.rating), widen(b.rating))
	sameBits("trust", widen(a.trust), widen(b.trust))
	sameBits("lat", widen(a.lat), widen(b.lat))
	sameBits("lon", widen(a.lon), widen(b.lon))
	if !slices.Equal(a.treatmentDoc, b.treatmentDoc) || !slices.Equal(a.facilityDoc, b.facilityDoc) {
		t.Error("owner documents differ")
	}
}
