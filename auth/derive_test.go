package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// The test vector of the README's section for clinic developers: a fixed
// parent key and parameters give exactly this derived key, in any language.
const (
	vectorParent  = "ca_search_0123456789ab_000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	vectorPayload = `{"facility_ids":[12],"countries":["ES"],"lang":"es","currency":"EUR","expires":1798761600}`
	vectorDerived = "ca_derived_0123456789ab.eyJmYWNpbGl0eV9pZHMiOlsxMl0sImNvdW50cmllcyI6WyJFUyJdLCJsYW5nIjoiZXMiLCJjdXJyZW5jeSI6IkVVUiIsImV4cGlyZXMiOjE3OTg3NjE2MDB9.IMwcyN25nhbtqCoKeSWDCuLx3jOBjkXC6x7GKOHur24"
)

var vectorDerivation = Derivation{
	Scope: Scope{
		Filters:  Filters{FacilityIDs: []int64{12}, Countries: []string{"ES"}},
		Defaults: Defaults{Lang: "es", Currency: "EUR"},
	},
	ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
}

func TestDeriveVector(t *testing.T) {
	got, err := Derive(vectorParent, vectorDerivation)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reveal() != vectorDerived {
		t.Errorf("derived key\n got %s\nwant %s", got.Reveal(), vectorDerived)
	}
	// The same steps as the README gives them, spelled out.
	payload := base64.RawURLEncoding.EncodeToString([]byte(vectorPayload))
	head := "ca_derived_0123456789ab." + payload
	hmacKey := sha256.Sum256([]byte(vectorParent))
	m := hmac.New(sha256.New, hmacKey[:])
	m.Write([]byte(head))
	if want := head + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)); got.Reveal() != want {
		t.Errorf("Derive and the README's steps disagree:\n%s\n%s", got.Reveal(), want)
	}
}

// keyFromText makes the stored Key of a key whose text is fixed, as the
// test vectors need.
func keyFromText(text string, scope Scope) *Key {
	p, ok := parsePlain(text)
	if !ok {
		panic("bad key text " + text)
	}
	return &Key{ID: p.id, Kind: p.kind, Name: "test", Hash: sha256.Sum256([]byte(text)), Scope: scope.normalized()}
}

func testAuthenticator(keys ...*Key) *authenticator {
	src := StaticKeys{}
	for _, k := range keys {
		src[k.ID] = k
	}
	cfg := &Config{}
	cfg.setDefaults()
	return &authenticator{keys: src, cfg: cfg}
}

func mustDerive(t *testing.T, parent string, d Derivation) string {
	t.Helper()
	s, err := Derive(parent, d)
	if err != nil {
		t.Fatal(err)
	}
	return s.Reveal()
}

func TestDerivedNarrows(t *testing.T) {
	parent := keyFromText(vectorParent, Scope{
		Filters:       Filters{Countries: []string{"ES", "TR"}, Types: []string{"offer", "facility"}},
		Defaults:      Defaults{Lang: "en", Currency: "USD"},
		Origins:       []string{"https://*.clinic.example"},
		RatePerMinute: 600,
	})
	au := testAuthenticator(parent)
	cases := []struct {
		name string
		d    Scope
		want string // the effective scope
	}{
		{"adds a filter", Scope{Filters: Filters{FacilityIDs: []int64{12}}},
			"{Filters:{FacilityIDs:[12] Countries:[ES TR] Categories:[] Types:[facility offer] none:false} Defaults:{Lang:en Currency:USD From:} Origins:[https://*.clinic.example] RatePerMinute:600 Burst:0}"},
		{"intersects a list", Scope{Filters: Filters{Countries: []string{"ES", "DE"}}},
			"{Filters:{FacilityIDs:[] Countries:[ES] Categories:[] Types:[facility offer] none:false} Defaults:{Lang:en Currency:USD From:} Origins:[https://*.clinic.example] RatePerMinute:600 Burst:0}"},
		{"cannot widen: outside the parent is nothing", Scope{Filters: Filters{Countries: []string{"DE"}}},
			"{Filters:{FacilityIDs:[] Countries:[] Categories:[] Types:[facility offer] none:true} Defaults:{Lang:en Currency:USD From:} Origins:[https://*.clinic.example] RatePerMinute:600 Burst:0}"},
		{"other defaults", Scope{Defaults: Defaults{Lang: "es", From: "GB"}},
			"{Filters:{FacilityIDs:[] Countries:[ES TR] Categories:[] Types:[facility offer] none:false} Defaults:{Lang:es Currency:USD From:GB} Origins:[https://*.clinic.example] RatePerMinute:600 Burst:0}"},
		{"origins within the parent's only", Scope{Origins: []string{"https://a.clinic.example", "https://evil.example"}},
			"{Filters:{FacilityIDs:[] Countries:[ES TR] Categories:[] Types:[facility offer] none:false} Defaults:{Lang:en Currency:USD From:} Origins:[https://a.clinic.example] RatePerMinute:600 Burst:0}"},
		{"a lower rate only", Scope{RatePerMinute: 6000},
			"{Filters:{FacilityIDs:[] Countries:[ES TR] Categories:[] Types:[facility offer] none:false} Defaults:{Lang:en Currency:USD From:} Origins:[https://*.clinic.example] RatePerMinute:600 Burst:0}"},
		{"a lower rate", Scope{RatePerMinute: 60},
			"{Filters:{FacilityIDs:[] Countries:[ES TR] Categories:[] Types:[facility offer] none:false} Defaults:{Lang:en Currency:USD From:} Origins:[https://*.clinic.example] RatePerMinute:60 Burst:0}"},
	}
	for _, c := range cases {
		a, err := au.authenticate(mustDerive(t, vectorParent, Derivation{Scope: c.d}), now)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := fmtScope(a.Scope); got != c.want || a.Kind != Search || !a.Derived || a.KeyID != parent.ID {
			t.Errorf("%s: kind %s derived %v id %s scope\n got %s\nwant %s", c.name, a.Kind, a.Derived, a.KeyID, got, c.want)
		}
	}
}

func TestDerivedRefused(t *testing.T) {
	parent := keyFromText(vectorParent, Scope{})
	au := testAuthenticator(parent)
	good := mustDerive(t, vectorParent, Derivation{Scope: Scope{Filters: Filters{FacilityIDs: []int64{12}}}})
	if _, err := au.authenticate(good, now); err != nil {
		t.Fatalf("the untampered key: %v", err)
	}
	head, mac, _ := strings.Cut(good, ".")
	payload, mac, _ := strings.Cut(mac, ".")
	widened := base64.RawURLEncoding.EncodeToString([]byte(`{"facility_ids":[13]}`))
	flip := func(s string, i int) string {
		b := []byte(s)
		b[i] ^= 1
		return string(b)
	}
	for name, key := range map[string]string{
		"payload replaced":       head + "." + widened + "." + mac,
		"payload byte changed":   head + "." + flip(payload, 3) + "." + mac,
		"mac byte changed":       head + "." + payload + "." + flip(mac, 5),
		"truncated by one":       good[:len(good)-1],
		"truncated to the mac":   head + "." + payload + ".",
		"truncated to payload":   head + "." + payload,
		"no payload":             head + ".." + mac,
		"other parent id":        strings.Replace(good, "0123456789ab", "0123456789ac", 1),
		"padded mac":             good + "=",
		"extra part":             good + ".x",
		"prefix only":            "ca_derived_0123456789ab",
		"mac of a wrong message": head + "." + payload + "." + derivedMAC(parent.Hash[:], head),
	} {
		if _, err := au.authenticate(key, now); err == nil {
			t.Errorf("%s: accepted %q", name, key)
		}
	}
}

// A payload with a field this server does not know is refused even with a
// valid MAC: it may be a restriction, and ignoring it would widen the key.
func TestDerivedUnknownFieldRefused(t *testing.T) {
	parent := keyFromText(vectorParent, Scope{})
	au := testAuthenticator(parent)
	for _, body := range []string{`{"facility_ids":[12],"max_price":100}`, `{"facility_ids":[12]} {}`, `[]`, `{"countries":["Spain"]}`} {
		head := "ca_derived_0123456789ab." + base64.RawURLEncoding.EncodeToString([]byte(body))
		key := head + "." + derivedMAC(parent.Hash[:], head)
		if _, err := au.authenticate(key, now); err == nil {
			t.Errorf("payload %s accepted", body)
		}
	}
}

func TestDeriveOnlyFromSearchKeys(t *testing.T) {
	for _, kind := range []Kind{Admin, Provider} {
		text := "ca_" + string(kind) + "_0123456789ab_" + strings.Repeat("00", 32)
		if _, err := Derive(text, Derivation{}); err == nil {
			t.Errorf("derived from a %s key", kind)
		}
		// Minted by hand from the key's hash, the server refuses it too.
		k := keyFromText(text, Scope{Filters: Filters{FacilityIDs: []int64{1}}})
		head := "ca_derived_0123456789ab." + base64.RawURLEncoding.EncodeToString([]byte(`{}`))
		if _, err := testAuthenticator(k).authenticate(head+"."+derivedMAC(k.Hash[:], head), now); err == nil {
			t.Errorf("a key derived from a %s key accepted", kind)
		}
	}
	if _, err := Derive("not a key", Derivation{}); err == nil {
		t.Error("derived from garbage")
	}
}

func TestDerivedExpiry(t *testing.T) {
	parent := keyFromText(vectorParent, Scope{})
	au := testAuthenticator(parent)
	key := mustDerive(t, vectorParent, Derivation{ExpiresAt: now.Add(time.Hour)})
	if _, err := au.authenticate(key, now.Add(time.Hour-time.Second)); err != nil {
		t.Errorf("before its expiry: %v", err)
	}
	if _, err := au.authenticate(key, now.Add(time.Hour)); err == nil || !strings.Contains(err.Message, "expired") {
		t.Errorf("at its expiry: %v", err)
	}
	// The parent's expiry and revocation end every key derived from it.
	parent.ExpiresAt = now.Add(time.Minute)
	if _, err := au.authenticate(key, now.Add(time.Minute)); err == nil {
		t.Error("accepted after its parent expired")
	}
	parent.ExpiresAt, parent.RevokedAt = time.Time{}, now
	if _, err := au.authenticate(key, now); err == nil || !strings.Contains(err.Message, "revoked") {
		t.Errorf("after its parent was revoked: %v", err)
	}
}
