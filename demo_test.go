package careatlas_test

import (
	"io/fs"
	"os"
	"testing"

	"github.com/careatlas/careatlas"
	"github.com/careatlas/careatlas/indexer/catalog"
)

// TestDemoCatalogHoldsEveryFile checks that the embed patterns take every
// file of testdata/catalog, so a file added there (of a kind the patterns
// know) ships in the binary without an edit, and one of a new kind fails
// here instead of going missing in production.
func TestDemoCatalogHoldsEveryFile(t *testing.T) {
	onDisk, err := os.ReadDir("testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	demo := careatlas.DemoCatalog()
	for _, e := range onDisk {
		want, err := os.ReadFile("testdata/catalog/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		got, err := fs.ReadFile(demo, e.Name())
		if err != nil {
			t.Errorf("%s is not embedded: %v (add its pattern to demo.go)", e.Name(), err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s: the embedded copy differs from the file", e.Name())
		}
	}
	for _, tbl := range catalog.Tables {
		if _, err := fs.Stat(demo, tbl.File); err != nil {
			t.Errorf("the demo catalogue has no %s: %v", tbl.File, err)
		}
	}
}

// TestDemoCatalogReads reads every table of the embedded catalogue with
// the validating reader, as serve and load do.
func TestDemoCatalogReads(t *testing.T) {
	r, err := catalog.OpenFS(careatlas.DemoCatalog(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range r.ExchangeRates() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	for _, err := range r.Countries() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	for _, err := range r.Treatments() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 100 {
		t.Errorf("read %d rows from the first three tables of the demo catalogue", n)
	}
}
