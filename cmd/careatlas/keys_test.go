package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres/pgtest"
)

// runCLI runs careatlas with args and returns its exit code, stdout, stderr.
func runCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestKeysCLI(t *testing.T) {
	db := pgtest.MustDB(t)
	code, secret, info := runCLI("keys", "create", "--database-url", db, "--kind", "search", "--name", "Clinic Barcelona",
		"--facility", "12", "--facility", "14,15", "--country", "es", "--category", "Dental", "--origin", "https://*.clinic.example",
		"--rate", "10/s", "--lang", "es", "--expires", "30d")
	if code != 0 {
		t.Fatalf("create: exit %d: %s", code, info)
	}
	secret = strings.TrimSpace(secret)
	m := regexp.MustCompile(`^ca_search_([0-9a-f]{12})_[0-9a-f]{64}$`).FindStringSubmatch(secret)
	if m == nil {
		t.Fatalf("create printed %q on stdout; want the key and nothing else", secret)
	}
	id := m[1]
	for _, want := range []string{id, "facilities 12,14,15", "countries ES", "origins https://*.clinic.example", "rate 600/min", "expires 20"} {
		if !strings.Contains(info, want) {
			t.Errorf("create's summary %q lacks %q", info, want)
		}
	}

	list := cli(t, "keys", "list", "--database-url", db)
	if !strings.Contains(list, id) || !strings.Contains(list, "Clinic Barcelona") || !strings.Contains(list, "active") ||
		strings.Contains(list, secret[len(secret)-64:]) {
		t.Errorf("list:\n%s", list)
	}
	js := cli(t, "keys", "list", "--database-url", db, "--json")
	if !strings.Contains(js, `"id": "`+id+`"`) || strings.Contains(js, secret[len(secret)-64:]) {
		t.Errorf("list --json:\n%s", js)
	}

	derived := strings.TrimSpace(cli(t, "keys", "derive", secret, "--facility", "12", "--expires", "1h"))
	if !strings.HasPrefix(derived, "ca_derived_"+id+".") {
		t.Errorf("derive printed %q", derived)
	}

	out := cli(t, "keys", "revoke", id, "--database-url", db)
	if !strings.Contains(out, "revoked search key "+id) {
		t.Errorf("revoke: %s", out)
	}
	if list := cli(t, "keys", "list", "--database-url", db); !strings.Contains(list, "revoked") {
		t.Errorf("list after revoke:\n%s", list)
	}
}

// The CLI mints the README's test vector.
func TestKeysDeriveVector(t *testing.T) {
	const parent = "ca_search_0123456789ab_000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	const want = "ca_derived_0123456789ab.eyJmYWNpbGl0eV9pZHMiOlsxMl0sImNvdW50cmllcyI6WyJFUyJdLCJsYW5nIjoiZXMiLCJjdXJyZW5jeSI6IkVVUiIsImV4cGlyZXMiOjE3OTg3NjE2MDB9.IMwcyN25nhbtqCoKeSWDCuLx3jOBjkXC6x7GKOHur24"
	got := strings.TrimSpace(cli(t, "keys", "derive", parent, "--facility", "12", "--country", "ES", "--lang", "es",
		"--currency", "EUR", "--expires", "2027-01-01T00:00:00Z"))
	if got != want {
		t.Errorf("derive\n got %s\nwant %s", got, want)
	}
}

func TestKeysCLIErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"keys"}, 2, "Usage"},
		{[]string{"keys", "rotate"}, 2, "unknown subcommand"},
		{[]string{"keys", "create", "--name", "x"}, 2, "Usage"},
		{[]string{"keys", "create", "--kind", "root", "--name", "x"}, 1, "unknown key kind"},
		{[]string{"keys", "create", "--kind", "search", "--name", "x", "--rate", "fast"}, 1, "--rate"},
		{[]string{"keys", "create", "--kind", "search", "--name", "x", "--expires", "yesterday"}, 1, "--expires"},
		{[]string{"keys", "create", "--kind", "search", "--name", "x", "--country", "Spain"}, 1, "country"},
		{[]string{"keys", "create", "--kind", "provider", "--name", "x"}, 1, "facilities"},
		{[]string{"keys", "revoke", "nope"}, 1, "not a key id"},
		{[]string{"keys", "derive", "ca_admin_0123456789ab_" + strings.Repeat("00", 32)}, 1, "only search keys"},
		{[]string{"keys", "derive"}, 2, "Usage"},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.msg) {
			t.Errorf("careatlas %v: exit %d, %q; want exit %d mentioning %q", c.args, code, out+errOut, c.code, c.msg)
		}
	}
}

func TestParseRateAndExpiry(t *testing.T) {
	for in, want := range map[string]int{"600": 600, "600/min": 600, "10/s": 600, "120/h": 2} {
		if got, err := parseRate(in); err != nil || got != want {
			t.Errorf("parseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-5/min", "1/h", "5/day", "x"} {
		if _, err := parseRate(bad); err == nil {
			t.Errorf("parseRate(%q) accepted", bad)
		}
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"90m": now.Add(90 * time.Minute), "30d": now.AddDate(0, 0, 30),
		"2027-01-01": time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2027-01-01T12:00:00+01:00": time.Date(2027, 1, 1, 11, 0, 0, 0, time.UTC),
	} {
		if got, err := parseExpiry(in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseExpiry(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"2020-01-01", "-1h", "0d", "soon"} {
		if _, err := parseExpiry(bad, now); err == nil {
			t.Errorf("parseExpiry(%q) accepted", bad)
		}
	}
}
