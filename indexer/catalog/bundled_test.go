package catalog

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// These tests hold the bundled demo catalogue (testdata/catalog) to what
// it promises: hospitals of many countries from named public lists, prices
// only where a source gives a facility's own price, and countries' typical
// prices as references. The figures are pinned: a regenerated catalogue
// that changes them must change them here too, on purpose.

// bundledCatalogue reads every table of the bundled catalogue.
type bundledCatalogue struct {
	countries  map[string]Country
	treatments map[int64]Treatment
	facilities []Facility
	offers     []Offer
	references []PriceReference
}

func readBundled(t *testing.T) *bundledCatalogue {
	t.Helper()
	r, err := Open(bundled)
	if err != nil {
		t.Fatal(err)
	}
	c := &bundledCatalogue{countries: map[string]Country{}, treatments: map[int64]Treatment{}}
	check := func(err error) {
		if err != nil {
			t.Fatalf("read bundled catalogue: %v", err)
		}
	}
	for _, err := range r.ExchangeRates() {
		check(err)
	}
	for x, err := range r.Countries() {
		check(err)
		c.countries[x.Code] = x
	}
	for x, err := range r.Treatments() {
		check(err)
		c.treatments[x.ID] = x
	}
	for x, err := range r.Facilities() {
		check(err)
		c.facilities = append(c.facilities, x)
	}
	for _, err := range r.Doctors() {
		check(err)
	}
	for _, err := range r.DoctorTreatments() {
		check(err)
	}
	for x, err := range r.Offers() {
		check(err)
		c.offers = append(c.offers, x)
	}
	for _, err := range r.TreatmentTranslations() {
		check(err)
	}
	for _, err := range r.Synonyms() {
		check(err)
	}
	for _, err := range r.Posts() {
		check(err)
	}
	for x, err := range r.PriceReferences() {
		check(err)
		c.references = append(c.references, x)
	}
	return c
}

func TestBundledCountries(t *testing.T) {
	c := readBundled(t)
	per := map[string]int{}
	for _, f := range c.facilities {
		per[f.CountryCode]++
	}
	wellCovered := 0
	for _, n := range per {
		if n >= 25 {
			wellCovered++
		}
	}
	if len(per) != 126 || wellCovered != 72 || len(c.facilities) != 6014 {
		t.Errorf("%d facilities in %d countries, %d with 25 or more; want 6,014 in 126, 72 with 25+",
			len(c.facilities), len(per), wellCovered)
	}
	// The destinations patients travel to. Costa Rica and Colombia have
	// fewer than 25: no open list here has more of their hospitals.
	tests := []struct {
		country string
		want    int
	}{
		{"TR", 171}, {"IN", 114}, {"TH", 93}, {"MX", 102}, {"KR", 94}, {"MY", 89}, {"SG", 38}, {"AE", 33},
		{"DE", 91}, {"ES", 95}, {"PL", 93}, {"HU", 93}, {"CZ", 92}, {"IL", 79}, {"CR", 18}, {"CO", 19},
		{"BR", 93}, {"US", 1292}, {"GB", 1166},
	}
	for _, tc := range tests {
		if per[tc.country] != tc.want {
			t.Errorf("%s: %d facilities, want %d", tc.country, per[tc.country], tc.want)
		}
	}
}

// facilitySource is one value of the source column: a list and, where the
// list has one, the record's id there.
var facilitySource = regexp.MustCompile(`^(cms:\d{6}|nhs:[A-Z0-9]+|wikidata:Q\d+|eurostat:[A-Z]{2}_\S+|medtourism-listing|tr-moh-private|tr-moh-public)$`)

// TestBundledFacilitiesHaveSources: every facility says where it comes
// from, and no source record is in two facilities (a hospital two lists
// share is one facility with two sources).
func TestBundledFacilitiesHaveSources(t *testing.T) {
	c := readBundled(t)
	owner := map[string]int64{}
	for _, f := range c.facilities {
		if len(f.Source) == 0 {
			t.Errorf("facility %d (%s) has no source", f.ID, f.Name)
		}
		for _, s := range f.Source {
			if !facilitySource.MatchString(s) {
				t.Errorf("facility %d: source %q", f.ID, s)
			}
			if !strings.Contains(s, ":") {
				continue // a list without record ids
			}
			if other, dup := owner[s]; dup {
				t.Errorf("%s is the source of facilities %d and %d", s, other, f.ID)
			}
			owner[s] = f.ID
		}
	}
}

// TestBundledMergesHospitalsInTwoLists pins hospitals that two lists have:
// each is one facility with both records as its sources.
func TestBundledMergesHospitalsInTwoLists(t *testing.T) {
	c := readBundled(t)
	tests := []struct {
		name, country string
		sources       []string
	}{
		{"Institut klinické a experimentální medicíny", "CZ", []string{"eurostat:CZ_00023001000000", "wikidata:Q12021666"}},
		{"Bezirkskrankenhaus Reutte", "AT", []string{"eurostat:AT_K717", "wikidata:Q106824954"}},
		{"Ankara Bilkent Şehir Hastanesi", "TR", []string{"tr-moh-public", "wikidata:Q12812072"}},
	}
	for _, tc := range tests {
		var found []Facility
		for _, f := range c.facilities {
			if f.Name == tc.name {
				found = append(found, f)
			}
		}
		if len(found) != 1 || found[0].CountryCode != tc.country || !slices.Equal(found[0].Source, tc.sources) {
			t.Errorf("%s: %+v, want one facility in %s with sources %v", tc.name, found, tc.country, tc.sources)
			continue
		}
		if found[0].Latitude == nil {
			t.Errorf("%s has no coordinates, though Wikidata gives them", tc.name)
		}
	}
	merged := 0
	for _, f := range c.facilities {
		if len(f.Source) > 1 {
			merged++
		}
	}
	if merged < 500 {
		t.Errorf("%d facilities from two lists, want 500 or more", merged)
	}
}

// TestBundledTurkishNames: the Ministry's upper-case names are in proper
// Turkish case (İ/i and I/ı), and none is left in capitals.
func TestBundledTurkishNames(t *testing.T) {
	c := readBundled(t)
	pinned := map[string]bool{
		"Özel Ankara Umut Hastanesi":        false,
		"Özel Bayındır İçerenköy Hastanesi": false,
		"Özel Dora Hospital Hastanesi":      false,
		"Özel Çağsu Hastanesi":              false,
	}
	shouting := regexp.MustCompile(`\p{Lu}{2,}\p{Ll}|\p{Ll}\p{Lu}|[A-ZÇĞİÖŞÜ]{5,}`)
	n := 0
	for _, f := range c.facilities {
		if !slices.Contains(f.Source, "tr-moh-private") && !slices.Contains(f.Source, "tr-moh-public") {
			continue
		}
		n++
		if _, ok := pinned[f.Name]; ok {
			pinned[f.Name] = true
		}
		if shouting.MatchString(f.Name) || strings.ContainsRune(f.Name, '\u0307') || strings.Contains(f.Name, "Hospıtal") {
			t.Errorf("facility %d: %q is not in proper case", f.ID, f.Name)
		}
		if f.City == "" || f.CountryCode != "TR" {
			t.Errorf("facility %d: %q in %q, %s", f.ID, f.Name, f.City, f.CountryCode)
		}
	}
	for name, seen := range pinned {
		if !seen {
			t.Errorf("no facility %q", name)
		}
	}
	if n != 150 {
		t.Errorf("%d facilities from the Ministry's lists, want 150", n)
	}
}

// pricedSources are the sources that give a facility's own price.
var pricedSources = []string{"CMS IPPS FY2013 average total payments", "CMS IPPS FY2011 average total payments"}

// TestBundledPricesComeFromSources: an offer has a price only when its
// source is a hospital's own CMS payment; every other offer is price on
// request, and no offer carries a country-level figure.
func TestBundledPricesComeFromSources(t *testing.T) {
	c := readBundled(t)
	fac := map[int64]Facility{}
	for _, f := range c.facilities {
		fac[f.ID] = f
	}
	priced, onRequest := 0, 0
	for _, o := range c.offers {
		if strings.Contains(o.Includes, "country average") {
			t.Errorf("offer %d: %q", o.ID, o.Includes)
		}
		if o.Price == nil && o.PriceMin == nil {
			onRequest++
			continue
		}
		priced++
		f := fac[o.FacilityID]
		if !slices.Contains(pricedSources, o.Source) || o.Currency != "USD" || f.CountryCode != "US" ||
			len(f.Source) != 1 || !strings.HasPrefix(f.Source[0], "cms:") {
			t.Errorf("offer %d (%s at %s): a price from %q", o.ID, o.Currency, f.Name, o.Source)
		}
	}
	if priced != 20082 || onRequest != 23640 {
		t.Errorf("%d priced offers and %d on request, want 20,082 and 23,640", priced, onRequest)
	}
}

// TestBundledPriceReferences: the cross-country table as references, one
// per treatment and country (the reader checks the form), with known rows.
func TestBundledPriceReferences(t *testing.T) {
	c := readBundled(t)
	if len(c.references) != 288 {
		t.Errorf("%d price references, want 288 (21 treatments in about 14 countries)", len(c.references))
	}
	amount := map[string]float64{}
	for _, p := range c.references {
		if p.Currency != "USD" || !strings.HasPrefix(p.Source, "Medical-tourism cost comparison table") {
			t.Errorf("reference %+v", p)
		}
		amount[c.treatments[p.TreatmentID].Name+"/"+p.CountryCode] = p.Amount
	}
	tests := []struct {
		key  string
		want float64
	}{
		{"Knee replacement/US", 35000}, {"Knee replacement/IN", 6600}, {"Knee replacement/TR", 10400},
		{"Liposuction/PL", 2150}, // the table lists Poland twice, 2,500 and 1,800
	}
	for _, tc := range tests {
		if amount[tc.key] != tc.want {
			t.Errorf("%s: %v, want %v", tc.key, amount[tc.key], tc.want)
		}
	}
}
