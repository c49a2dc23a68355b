package auth

import (
	"encoding/base64"
	"slices"
	"testing"
	"time"
)

// FuzzDerivedPayload mints, around any payload, a derived key whose MAC is
// right — the only way a fuzzer reaches the payload's decoding, which a
// wrong MAC stops first — and holds what authentication makes of it to
// the rule of derived keys: refused, or never wider than the parent.
//
//	go test -run - -fuzz FuzzDerivedPayload -fuzztime 30s ./auth
func FuzzDerivedPayload(f *testing.F) {
	for _, s := range []string{
		`{"facility_ids":[12],"countries":["ES"],"lang":"es","currency":"EUR","expires":1798761600}`,
		`{"facility_ids":[99],"types":["facility"]}`,
		`{"countries":["de"],"origins":["https://a.clinic.example","https://evil.example"],"rate_per_minute":10000,"burst":9999}`,
		`{"categories":["Cardiology",""],"from":"gb"}`,
		`{"expires":-1}`, `{"expires":1e30}`, `{"unknown":1}`, `{}`, `null`, `[]`, `{"facility_ids":[-1]}`,
		`{"facility_ids":[12]}{"facility_ids":[13]}`, `{"origins":["https://*.clinic.example"],"rate_per_minute":-5}`,
	} {
		f.Add([]byte(s))
	}
	parentText := "ca_search_0123456789ab_" + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	p, _ := parsePlain(parentText)
	parent := &Key{ID: p.id, Kind: Search, Name: "parent", Hash: sha256Sum(parentText),
		Scope: Scope{Filters: Filters{FacilityIDs: []int64{12, 13}, Countries: []string{"ES"}},
			Origins: []string{"https://*.clinic.example"}, RatePerMinute: 600, Burst: 50}.normalized()}
	cfg := Config{}
	cfg.setDefaults()
	au := authenticator{keys: StaticKeys{parent.ID: parent}, cfg: &cfg}
	now := time.Unix(1790000000, 0)
	f.Fuzz(func(t *testing.T, payload []byte) {
		head := derivedPrefix + parent.ID + "." + base64.RawURLEncoding.EncodeToString(payload)
		text := head + "." + derivedMAC(parent.Hash[:], head)
		a, err := au.authenticate(text, now)
		if err != nil {
			if err.Status != 401 {
				t.Fatalf("%q: refused with %d, want 401", payload, err.Status)
			}
			return
		}
		s := a.Scope
		if a.Kind != Search || !a.Derived || a.KeyID != parent.ID {
			t.Fatalf("%q: access %+v", payload, a)
		}
		if s.MatchesNothing() {
			return
		}
		within := func(got, allowed []string) bool {
			return len(got) > 0 && !slices.ContainsFunc(got, func(v string) bool { return !slices.Contains(allowed, v) })
		}
		switch {
		case len(s.FacilityIDs) == 0 || slices.ContainsFunc(s.FacilityIDs, func(id int64) bool { return id != 12 && id != 13 }):
			t.Fatalf("%q widened the facilities to %v", payload, s.FacilityIDs)
		case !within(s.Countries, []string{"ES"}):
			t.Fatalf("%q widened the countries to %v", payload, s.Countries)
		case slices.ContainsFunc(s.Origins, func(o string) bool { return !originsCover(parent.Scope.Origins, o) }):
			t.Fatalf("%q widened the origins to %v", payload, s.Origins)
		case s.RatePerMinute <= 0 || s.RatePerMinute > 600 || s.Burst <= 0 || s.Burst > 50:
			t.Fatalf("%q: rate %d/min, burst %d, above the parent's 600, 50", payload, s.RatePerMinute, s.Burst)
		}
	})
}
