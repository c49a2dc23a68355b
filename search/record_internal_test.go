package search

import (
	"encoding/json"
	"runtime/debug"
	"testing"
	"unsafe"
)

// TestInternSharesEveryRecurringString: two records decoded apart share
// each string Intern covers, and keep their values. (A collection between
// the two may drop unique's canonical copy, whose handle Intern does not
// keep: the records then hold two copies, as a collection may leave any
// two records; the test runs with the collector off, or fails one run in
// ten.)
func TestInternSharesEveryRecurringString(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	decode := func() *Record {
		var r Record
		src := `{"type":"offer","id":1,"name":"Knee replacement","category":"Orthopaedics","code":"KR",
			"treatment":{"id":2,"name":"Knee replacement","category":"Orthopaedics","code":"KR"},
			"facility":{"id":3,"name":"Clinic","kind":"hospital","city":"Izmir","country":"TR","country_name":"Turkey",
				"accreditations":["JCI"],"languages":["en","tr"]},
			"lay_names":["new knee"],"accreditations":["JCI"],"languages":["de"],"specialties":["knee"],"categories":["Orthopaedics"],
			"kind":"hospital","city":"Izmir","country":"TR","country_name":"Turkey","includes":"stay","price_source":"site",
			"price":{"amount":1,"currency":"EUR"},"price_range":{"min":1,"max":2,"currency":"EUR"},
			"typical_price":{"country":"TR","amount":1,"currency":"TRY","source":"table"},
			"doctors":[{"id":4,"name":"Ada"}],"treatments":[{"id":2,"name":"Knee replacement","category":"Orthopaedics"}]}`
		if err := json.Unmarshal([]byte(src), &r); err != nil {
			t.Fatal(err)
		}
		Intern(&r)
		return &r
	}
	a, b := decode(), decode()
	strs := func(r *Record) []*string {
		return []*string{&r.Type, &r.Name, &r.Category, &r.Code, &r.Kind, &r.City, &r.Country, &r.CountryName,
			&r.Includes, &r.PriceSource, &r.LayNames[0], &r.Accreditations[0], &r.Languages[0], &r.Specialties[0],
			&r.Categories[0], &r.Treatment.Name, &r.Treatment.Category, &r.Treatment.Code,
			&r.Facility.Name, &r.Facility.Kind, &r.Facility.City, &r.Facility.Country, &r.Facility.CountryName,
			&r.Facility.Accreditations[0], &r.Facility.Languages[1], &r.Price.Currency, &r.PriceRange.Currency,
			&r.TypicalPrice.Country, &r.TypicalPrice.Currency, &r.TypicalPrice.Source, &r.Doctors[0].Name,
			&r.Treatments[0].Name, &r.Treatments[0].Category}
	}
	as, bs := strs(a), strs(b)
	for i := range as {
		if *as[i] != *bs[i] || *as[i] == "" {
			t.Fatalf("string %d: %q and %q", i, *as[i], *bs[i])
		}
		if unsafe.StringData(*as[i]) != unsafe.StringData(*bs[i]) {
			t.Errorf("string %d (%q) is two copies", i, *as[i])
		}
	}
}

// TestParseDocIDUndoesDocID: a key made by DocID parses back; a key with
// no number does not.
func TestParseDocIDUndoesDocID(t *testing.T) {
	for _, c := range []struct {
		typ string
		id  int64
	}{{TypeOffer, 1}, {TypeFacility, 1234567}, {TypeTreatment, 0}} {
		typ, id, err := ParseDocID(DocID(c.typ, c.id))
		if err != nil || typ != c.typ || id != c.id {
			t.Errorf("ParseDocID(DocID(%q, %d)) = %q, %d, %v", c.typ, c.id, typ, id, err)
		}
	}
	for _, key := range []string{"offer", "offer:", "offer:x1"} {
		if _, _, err := ParseDocID(key); err == nil {
			t.Errorf("ParseDocID(%q) took a key with no number", key)
		}
	}
}
