package catalog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const mini = "../../testdata/mini"

// copyMini copies the mini catalogue to a temp dir, applying edits: file →
// (old line → new line), or a whole new content when old is "*".
func copyMini(t *testing.T, edits map[string][2]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, tbl := range Tables {
		b, err := os.ReadFile(filepath.Join(mini, tbl.File))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if e, ok := edits[tbl.File]; ok {
			if e[0] == "*" {
				s = e[1]
			} else {
				if !strings.Contains(s, e[0]) {
					t.Fatalf("%s has no line %q", tbl.File, e[0])
				}
				s = strings.Replace(s, e[0], e[1], 1)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, tbl.File), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readAll reads every table in order, returning the first error.
func readAll(dir string) (map[string]int, error) {
	r, err := Open(dir)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	count := func(name string, seq func(func(any, error) bool)) error {
		for _, err := range seq {
			if err != nil {
				return err
			}
			counts[name]++
		}
		return nil
	}
	steps := []struct {
		name string
		seq  func(func(any, error) bool)
	}{
		{"exchange_rates", erase(r.ExchangeRates())},
		{"countries", erase(r.Countries())},
		{"treatments", erase(r.Treatments())},
		{"facilities", erase(r.Facilities())},
		{"doctors", erase(r.Doctors())},
		{"doctor_treatments", erase(r.DoctorTreatments())},
		{"offers", erase(r.Offers())},
		{"treatment_translations", erase(r.TreatmentTranslations())},
		{"synonyms", erase(r.Synonyms())},
		{"posts", erase(r.Posts())},
		{"price_references", erase(r.PriceReferences())},
	}
	for _, s := range steps {
		if err := count(s.name, s.seq); err != nil {
			return counts, err
		}
	}
	return counts, nil
}

func erase[T any](seq func(func(T, error) bool)) func(func(any, error) bool) {
	return func(yield func(any, error) bool) {
		for v, err := range seq {
			if !yield(v, err) {
				return
			}
		}
	}
}

func TestReadMini(t *testing.T) {
	counts, err := readAll(mini)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"exchange_rates": 5, "countries": 4, "treatments": 4, "facilities": 4,
		"doctors": 3, "doctor_treatments": 4, "offers": 7, "treatment_translations": 5, "synonyms": 5, "posts": 6,
		"price_references": 3}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("%s: read %d rows, want %d", k, counts[k], v)
		}
	}
}

func TestReadRejectsBadRows(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		old, new  string
		wantFile  string
		wantLine  int
		wantField string
		wantText  string
	}{
		{"price not a number", "offers.csv", "1001,11,1,12000.50", "1001,11,1,twelve", "offers.csv", 3, "price", "not a number"},
		{"negative price", "offers.csv", "1001,11,1,12000.50", "1001,11,1,-5", "offers.csv", 3, "price", "out of range"},
		{"unknown facility", "offers.csv", "1002,10,3", "1002,99,3", "offers.csv", 4, "facility_id", "unknown facility 99"},
		{"price without currency", "offers.csv", "1005,13,4,4000,,,EUR", "1005,13,4,4000,,,", "offers.csv", 7, "currency", "required"},
		{"currency without rate", "offers.csv", "1005,13,4,4000,,,EUR", "1005,13,4,4000,,,CHF", "offers.csv", 7, "currency", "no exchange rate"},
		{"range upside down", "offers.csv", "80000,120000", "120000,80000", "offers.csv", 8, "price_max", "below price_min"},
		{"duplicate offer pair", "offers.csv", "1001,11,1,", "1001,10,1,", "offers.csv", 3, "treatment_id", "already has an offer"},
		{"bad country code", "facilities.csv", "11,Mayo Clinic Hospital,hospital,US", "11,Mayo Clinic Hospital,hospital,USA", "facilities.csv", 3, "country_code", "not an ISO 3166-1"},
		{"unknown country", "facilities.csv", "11,Mayo Clinic Hospital,hospital,US", "11,Mayo Clinic Hospital,hospital,FR", "facilities.csv", 3, "country_code", "unknown country FR"},
		{"latitude out of range", "facilities.csv", "44.02,-92.48", "144.02,-92.48", "facilities.csv", 3, "latitude", "out of range"},
		{"latitude alone", "facilities.csv", "44.02,-92.48", "44.02,", "facilities.csv", 3, "longitude", "go together"},
		{"rating above 5", "doctors.csv", "4.8,210", "9.8,210", "doctors.csv", 3, "rating", "out of range"},
		{"duplicate treatment id", "treatments.csv", "3,Acute", "2,Acute", "treatments.csv", 4, "id", "duplicate id 2"},
		{"missing name", "treatments.csv", "4,In vitro fertilisation (IVF)", "4,", "treatments.csv", 5, "name", "required"},
		{"bad date", "exchange_rates.csv", "TRY,40,2025-10-01", "TRY,40,01/10/2025", "exchange_rates.csv", 5, "as_of", "not a date"},
		{"unknown doctor", "doctor_treatments.csv", "102,3", "109,3", "doctor_treatments.csv", 4, "doctor_id", "unknown doctor 109"},
		{"post of an unknown facility", "posts.csv", "2,12,,Nose", "2,99,,Nose", "posts.csv", 3, "facility_id", "unknown facility 99"},
		{"post by another facility's doctor", "posts.csv", "1,11,102,", "1,10,102,", "posts.csv", 2, "doctor_id", "works at facility 11"},
		{"post of an unknown treatment", "posts.csv", "true,2025-01-01,,2,Cosmetic", "true,2025-01-01,,2|77,Cosmetic", "posts.csv", 3, "treatment_ids", "unknown treatment 77"},
		{"post of an unknown category", "posts.csv", ",2,Cosmetic surgery,", ",2,Cosmetics,", "posts.csv", 3, "categories", "no treatment has the category"},
		{"post ending before it starts", "posts.csv", "2025-01-01,2099-01-01,4", "2025-01-01,2024-01-01,4", "posts.csv", 4, "ends_at", "not after starts_at"},
		{"post with a bad date", "posts.csv", "true,2025-01-01,,2,Cosmetic", "true,1 Jan 2025,,2,Cosmetic", "posts.csv", 3, "starts_at", "not a date"},
		{"post neither true nor false", "posts.csv", "false,2025-01-01", "no,2025-01-01", "posts.csv", 7, "published", "not true or false"},
		{"post with no subject", "posts.csv", "true,2025-01-01,,2,Cosmetic surgery,DE|GB,TR,,nose job|rhinoplasty", "true,2025-01-01,,,,DE|GB,TR,,", "posts.csv", 3, "treatment_ids", "at least one treatment"},
		{"post for a country name", "posts.csv", "DE|GB,TR", "Germany,TR", "posts.csv", 3, "patient_countries", "not an ISO 3166-1"},
		{"post in an unknown language", "posts.csv", "kinderwunsch,5000,de", "kinderwunsch,5000,nl", "posts.csv", 4, "lang", "not one of"},
		{"unknown column", "countries.csv", "code,name,currency", "code,name,currency,flag", "countries.csv", 1, "", "unknown column"},
		{"missing column", "countries.csv", "code,name,currency", "code,name", "countries.csv", 1, "", "missing column"},
		{"unknown language", "treatment_translations.csv", "2,fr,Rhinoplastie", "2,nl,Rinoplastiek", "treatment_translations.csv", 5, "lang", "not one of es, fr, de, tr, ru, ar, it, pt, pl"},
		{"translation of unknown treatment", "treatment_translations.csv", "2,fr,Rhinoplastie", "9,fr,Rhinoplastie", "treatment_translations.csv", 5, "treatment_id", "unknown treatment 9"},
		{"translation without name", "treatment_translations.csv", "2,fr,Rhinoplastie", "2,fr,", "treatment_translations.csv", 5, "name", "required"},
		{"two translations in one language", "treatment_translations.csv", "2,fr,Rhinoplastie", "2,tr,Rhinoplastie", "treatment_translations.csv", 5, "lang", "already has a tr translation"},
		{"synonym of itself", "synonyms.csv", "new knee,knee replacement", "New  Knee,new knee", "synonyms.csv", 6, "synonym", "the term itself"},
		{"duplicate edge once normalised", "synonyms.csv", "new knee,knee replacement", "Nose Job,Rhinoplasty", "synonyms.csv", 6, "synonym", "duplicate edge"},
		{"unknown synonym source", "synonyms.csv", "new knee,knee replacement,curated", "new knee,knee replacement,forum", "synonyms.csv", 6, "source", "not one of"},
		{"empty synonym", "synonyms.csv", "new knee,knee replacement", "new knee,  ", "synonyms.csv", 6, "synonym", "required"},
		{"reference of an unknown treatment", "price_references.csv", "4,TR,3500", "9,TR,3500", "price_references.csv", 4, "treatment_id", "unknown treatment 9"},
		{"reference in an unknown country", "price_references.csv", "4,TR,3500", "4,FR,3500", "price_references.csv", 4, "country_code", "unknown country FR"},
		{"reference of nothing", "price_references.csv", "4,TR,3500", "4,TR,0", "price_references.csv", 4, "amount", "more than 0"},
		{"reference without an amount", "price_references.csv", "4,TR,3500", "4,TR,", "price_references.csv", 4, "amount", "required"},
		{"reference in a currency without rate", "price_references.csv", "4,TR,3500,USD", "4,TR,3500,CHF", "price_references.csv", 4, "currency", "no exchange rate"},
		{"two references in one country", "price_references.csv", "4,TR,3500", "2,TR,3500", "price_references.csv", 4, "country_code", "already has a reference in TR"},
		{"reference without a source", "price_references.csv", "4,TR,3500,USD,Medical-tourism cost comparison table (one typical price per country)", "4,TR,3500,USD,", "price_references.csv", 4, "source", "required"},
		{"unbalanced quote", "facilities.csv", `"Cosmetic surgery clinic, nose and face."`, `"Cosmetic surgery clinic`, "facilities.csv", 4, "", "quote"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyMini(t, map[string][2]string{tc.file: {tc.old, tc.new}})
			_, err := readAll(dir)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FieldError", err)
			}
			if fe.File != tc.wantFile || fe.Line != tc.wantLine || fe.Field != tc.wantField {
				t.Errorf("error at %s line %d field %q, want %s line %d field %q (%v)",
					fe.File, fe.Line, fe.Field, tc.wantFile, tc.wantLine, tc.wantField, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not say %q", err, tc.wantText)
			}
		})
	}
}

// TestFacilitySources reads the source column, a list, and reads a file
// written before the column existed (the mini catalogue's) with none.
func TestFacilitySources(t *testing.T) {
	tests := []struct {
		name string
		edit map[string][2]string
		want [][]string // per facility, in file order
	}{
		{"file without the column", nil, [][]string{nil, nil, nil, nil}},
		{"column, one facility in two lists", map[string][2]string{"facilities.csv": {"*", `id,name,kind,country_code,city,address,latitude,longitude,accreditations,languages,rating,review_count,description,website,source
10,Houston Methodist Hospital,hospital,US,Houston,,29.71,-95.4,,,,,,,cms:450358
11,Mayo Clinic Hospital,hospital,US,Rochester,,44.02,-92.48,,,,,,,cms:240010|wikidata:Q1130172
12,Istanbul Aesthetic Clinic,clinic,TR,İstanbul,,41.04,29,,,,,,,tr-moh-private
13,Berlin Fertility Centre,fertility_centre,DE,Berlin,,,,,,,,,,
`}}, [][]string{{"cms:450358"}, {"cms:240010", "wikidata:Q1130172"}, {"tr-moh-private"}, nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(copyMini(t, tc.edit))
			if err != nil {
				t.Fatal(err)
			}
			for range r.ExchangeRates() {
			}
			for range r.Countries() {
			}
			var got [][]string
			for f, err := range r.Facilities() {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, f.Source)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("sources %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPriceReferencesAreOptional(t *testing.T) {
	dir := copyMini(t, nil)
	os.Remove(filepath.Join(dir, "price_references.csv"))
	counts, err := readAll(dir)
	if err != nil || counts["price_references"] != 0 || counts["offers"] != 7 {
		t.Fatalf("catalogue without price_references.csv: %v, counts %v", err, counts)
	}
}

func TestPostsAreOptional(t *testing.T) {
	dir := copyMini(t, nil)
	os.Remove(filepath.Join(dir, "posts.csv"))
	counts, err := readAll(dir)
	if err != nil || counts["posts"] != 0 || counts["offers"] != 7 {
		t.Fatalf("catalogue without posts.csv: %v, counts %v", err, counts)
	}
}

func TestOptionalFilesMayBeMissing(t *testing.T) {
	dir := copyMini(t, nil)
	for _, f := range []string{"treatment_translations.csv", "synonyms.csv"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	counts, err := readAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	if counts["offers"] != 7 || counts["treatment_translations"] != 0 || counts["synonyms"] != 0 {
		t.Errorf("read %v", counts)
	}
}

func TestSynonymsAreNormalised(t *testing.T) {
	dir := copyMini(t, map[string][2]string{"synonyms.csv": {"new knee,knee replacement", "\tNew   Knee ,Knee Replacement"}})
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []Synonym
	for s, err := range r.Synonyms() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if last := got[len(got)-1]; last != (Synonym{"new knee", "knee replacement", "curated"}) {
		t.Errorf("read %+v", last)
	}
}

func TestOpenNamesMissingFiles(t *testing.T) {
	dir := copyMini(t, nil)
	os.Remove(filepath.Join(dir, "offers.csv"))
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), "offers.csv") {
		t.Fatalf("got %v, want an error naming offers.csv", err)
	}
}
