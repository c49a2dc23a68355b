package auth

import (
	"fmt"
	"testing"
)

func TestScopeApply(t *testing.T) {
	clinic := Scope{
		Filters:  Filters{FacilityIDs: []int64{12}, Countries: []string{"ES", "TR"}},
		Defaults: Defaults{Lang: "es", Currency: "EUR"},
	}
	cases := []struct {
		name  string
		scope Scope
		in    Query
		want  string
		ok    bool
	}{
		{"filters and defaults fill an empty request", clinic, Query{},
			"{FacilityIDs:[12] Countries:[ES TR] Categories:[] Types:[] Lang:es Currency:EUR From:}", true},
		{"another facility is never seen", clinic, Query{FacilityIDs: []int64{13}},
			"{FacilityIDs:[] Countries:[ES TR] Categories:[] Types:[] Lang:es Currency:EUR From:}", false},
		{"the request narrows within the key", clinic, Query{FacilityIDs: []int64{12, 13}, Countries: []string{"tr"}},
			"{FacilityIDs:[12] Countries:[TR] Categories:[] Types:[] Lang:es Currency:EUR From:}", true},
		{"a country outside the key's finds nothing", clinic, Query{Countries: []string{"US"}},
			"{FacilityIDs:[12] Countries:[] Categories:[] Types:[] Lang:es Currency:EUR From:}", false},
		{"the request's own values win over defaults", clinic, Query{Lang: "en", Currency: "GBP", From: "GB"},
			"{FacilityIDs:[12] Countries:[ES TR] Categories:[] Types:[] Lang:en Currency:GBP From:GB}", true},
		{"filters the key leaves open are the request's", clinic, Query{Categories: []string{"Dental"}, Types: []string{"offer"}},
			"{FacilityIDs:[12] Countries:[ES TR] Categories:[Dental] Types:[offer] Lang:es Currency:EUR From:}", true},
		{"an open scope changes nothing", Scope{}, Query{Countries: []string{"US"}, Lang: "en"},
			"{FacilityIDs:[] Countries:[US] Categories:[] Types:[] Lang:en Currency: From:}", true},
		{"empty lists in the request restrict nothing", clinic, Query{FacilityIDs: []int64{}, Countries: []string{}},
			"{FacilityIDs:[12] Countries:[ES TR] Categories:[] Types:[] Lang:es Currency:EUR From:}", true},
		{"a scope narrowed to nothing stays nothing", Scope{Filters: Filters{none: true}}, Query{},
			"{FacilityIDs:[] Countries:[] Categories:[] Types:[] Lang: Currency: From:}", false},
	}
	for _, c := range cases {
		got, ok := c.scope.Apply(c.in)
		if s := fmt.Sprintf("%+v", got); s != c.want || ok != c.ok {
			t.Errorf("%s:\n got %s ok=%v\nwant %s ok=%v", c.name, s, ok, c.want, c.ok)
		}
	}
}

func TestFiltersAllows(t *testing.T) {
	f := Filters{FacilityIDs: []int64{12}, Countries: []string{"ES"}, Types: []string{"offer", "facility", "treatment"}}
	cases := []struct {
		facility          int64
		country, cat, typ string
		want              bool
	}{
		{12, "ES", "Dental", "offer", true},
		{12, "es", "", "facility", true},
		{13, "ES", "", "facility", false},
		{12, "TR", "", "facility", false},
		{12, "ES", "", "doctor", false},
		{0, "", "Dental", "treatment", true}, // a treatment belongs to no facility
	}
	for _, c := range cases {
		if got := f.Allows(c.facility, c.country, c.cat, c.typ); got != c.want {
			t.Errorf("Allows(%d, %q, %q, %q) = %v", c.facility, c.country, c.cat, c.typ, got)
		}
	}
	if (Filters{none: true}).Allows(0, "", "", "") {
		t.Error("filters that match nothing allowed a record")
	}
}
