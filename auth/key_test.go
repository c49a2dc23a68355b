package auth

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestNewKeyShape(t *testing.T) {
	for _, kind := range Kinds {
		scope := Scope{}
		if kind == Provider {
			scope.FacilityIDs = []int64{12}
		}
		k, secret, err := NewKey(kind, "clinic", scope, time.Time{}, now)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`^ca_` + string(kind) + `_([0-9a-f]{12})_[0-9a-f]{64}$`)
		m := re.FindStringSubmatch(secret.Reveal())
		if m == nil || m[1] != k.ID {
			t.Fatalf("%s key %q: want ca_%s_<12 hex id>_<64 hex>", kind, secret.Reveal(), kind)
		}
		if !verify(k, secret.Reveal()) {
			t.Errorf("%s key does not verify against its own hash", kind)
		}
		wrong := secret.Reveal()[:len(secret)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", secret.Reveal()[len(secret)-1])+1)%16])
		if verify(k, wrong) {
			t.Errorf("%s key verifies with its last character changed", kind)
		}
	}
}

func TestNewKeysDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		k, s, err := NewKey(Search, "x", Scope{}, time.Time{}, now)
		if err != nil {
			t.Fatal(err)
		}
		if seen[k.ID] || seen[s.Reveal()] {
			t.Fatal("two keys share an id or a secret")
		}
		seen[k.ID], seen[s.Reveal()] = true, true
	}
}

// A secret printed or logged by mistake shows its kind and id, never the
// secret itself.
func TestSecretRedacted(t *testing.T) {
	_, s, err := NewKey(Search, "x", Scope{}, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Derive(s.Reveal(), Derivation{Scope: Scope{Filters: Filters{FacilityIDs: []int64{12}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range []Secret{s, d} {
		secretPart := sec.Reveal()[len(sec.Reveal())-40:]
		var logged bytes.Buffer
		slog.New(slog.NewJSONHandler(&logged, nil)).Info("made", "key", sec)
		slog.New(slog.NewTextHandler(&logged, nil)).Info("made", "key", sec)
		for _, out := range []string{fmt.Sprint(sec), fmt.Sprintf("%s %v %q %#v", sec, sec, sec, sec),
			fmt.Sprintf("%+v", struct{ K Secret }{sec}), logged.String()} {
			if strings.Contains(out, secretPart) {
				t.Errorf("secret shown in %q", out)
			}
		}
		if want := sec.Reveal()[:len("ca_xxxxxx_")+12]; !strings.HasPrefix(fmt.Sprint(sec), want[:len(want)-1]) {
			t.Errorf("redacted form %q does not name the key (%q)", fmt.Sprint(sec), want)
		}
	}
	for _, junk := range []string{"", "ca_", "secret", "ca_search_" + strings.Repeat("ab", 32), "ca_derived_zz.x.y"} {
		if got := Secret(junk).String(); got != "ca_…" {
			t.Errorf("Secret(%q).String() = %q, want ca_…", junk, got)
		}
	}
}

func TestParsePlain(t *testing.T) {
	good := "ca_search_0123456789ab_" + strings.Repeat("0f", 32)
	if _, ok := parsePlain(good); !ok {
		t.Fatalf("%q refused", good)
	}
	for _, bad := range []string{
		"", "ca_search_0123456789ab", good[:len(good)-1], good + "0", strings.Replace(good, "search", "root", 1),
		strings.Replace(good, "ca_", "cb_", 1), strings.Replace(good, "0123456789ab", "0123456789AB", 1),
		strings.Replace(good, "0f0f", "0g0f", 1), good + "_00",
	} {
		if _, ok := parsePlain(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestUsable(t *testing.T) {
	k := &Key{}
	if err := k.Usable(now); err != nil {
		t.Errorf("a key without expiry or revocation: %v", err)
	}
	k.ExpiresAt = now.Add(time.Second)
	if err := k.Usable(now); err != nil {
		t.Errorf("before its expiry: %v", err)
	}
	if err := k.Usable(now.Add(time.Second)); err == nil || !strings.Contains(err.Message, "expired") {
		t.Errorf("at its expiry: %v", err)
	}
	k.RevokedAt = now
	if err := k.Usable(now); err == nil || !strings.Contains(err.Message, "revoked") {
		t.Errorf("revoked: %v", err)
	}
}

func TestNewKeyRefusesBadScope(t *testing.T) {
	cases := []struct {
		kind  Kind
		scope Scope
	}{
		{Admin, Scope{Filters: Filters{Countries: []string{"ES"}}}},
		{Provider, Scope{}},
		{Provider, Scope{Filters: Filters{FacilityIDs: []int64{1}, Countries: []string{"ES"}}}},
		{Search, Scope{Filters: Filters{Countries: []string{"Spain"}}}},
		{Search, Scope{Filters: Filters{Types: []string{"hotel"}}}},
		{Search, Scope{Filters: Filters{FacilityIDs: []int64{0}}}},
		{Search, Scope{Defaults: Defaults{Lang: "ja"}}},
		{Search, Scope{Defaults: Defaults{Currency: "EURO"}}},
		{Search, Scope{Origins: []string{"clinic.example"}}},
		{Search, Scope{Origins: []string{"https://clinic.example/page"}}},
		{Search, Scope{RatePerMinute: -1}},
		{"root", Scope{}},
	}
	for _, c := range cases {
		if _, _, err := NewKey(c.kind, "x", c.scope, time.Time{}, now); err == nil {
			t.Errorf("%s key with %+v accepted", c.kind, c.scope)
		}
	}
}

func TestScopeNormalized(t *testing.T) {
	k, _, err := NewKey(Search, "x", Scope{
		Filters:  Filters{FacilityIDs: []int64{13, 12, 13}, Countries: []string{"es", "TR", "ES"}, Types: []string{"Offer"}},
		Defaults: Defaults{Lang: "ES", Currency: "eur", From: "gb"},
		Origins:  []string{"HTTPS://Clinic.Example:443/", "https://*.clinic.example"},
	}, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%+v", k.Scope)
	want := "{Filters:{FacilityIDs:[12 13] Countries:[ES TR] Categories:[] Types:[offer] none:false} " +
		"Defaults:{Lang:es Currency:EUR From:GB} Origins:[https://*.clinic.example https://clinic.example] RatePerMinute:0 Burst:0}"
	if got != want {
		t.Errorf("normalized scope\n got %s\nwant %s", got, want)
	}
}

// fmtScope prints a scope for comparison in tests.
func fmtScope(s Scope) string { return fmt.Sprintf("%+v", s) }

func TestKeyPrintsNoHash(t *testing.T) {
	k, _, err := NewKey(Search, "clinic", Scope{}, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprint(k), fmt.Sprintf("%v %s", *k, k)} {
		if strings.Contains(out, fmt.Sprint(k.Hash[0], k.Hash[1])) || !strings.Contains(out, k.ID) {
			t.Errorf("printed key %q", out)
		}
	}
}
