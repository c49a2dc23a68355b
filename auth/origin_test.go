package auth

import "testing"

func TestOriginAllowed(t *testing.T) {
	patterns := []string{"https://clinic.example", "https://*.clinic.example", "http://localhost:3000"}
	cases := []struct {
		origin string
		want   bool
	}{
		{"https://clinic.example", true},
		{"https://clinic.example:443", true},
		{"HTTPS://Clinic.Example", true},
		{"https://www.clinic.example", true},
		{"https://a.b.clinic.example", true},
		{"http://localhost:3000", true},
		{"http://clinic.example", false},       // scheme
		{"https://clinic.example:8443", false}, // port
		{"http://localhost:3001", false},       // port
		{"http://localhost", false},            // default port 80
		{"https://evilclinic.example", false},  // not a subdomain
		{"https://clinic.example.evil", false}, // suffix of another name
		{"https://www.clinic.example.", false}, // trailing dot
		{"https://*.clinic.example", false},    // a pattern is not an origin
		{"null", false},                        // sandboxed frames, file:
		{"https://clinic.example/path", false}, // browsers send no path
		{"https://user@clinic.example", false}, // nor a user
		{"ftp://clinic.example", false},
		{"", false},
	}
	for _, c := range cases {
		if got := OriginAllowed(patterns, c.origin); got != c.want {
			t.Errorf("OriginAllowed(%q) = %v, want %v", c.origin, got, c.want)
		}
	}
	if OriginAllowed(nil, "https://clinic.example") {
		t.Error("a key with no origins allowed one")
	}
	if !OriginAllowed([]string{"http://[::1]:8080"}, "http://[::1]:8080") {
		t.Error("an IPv6 origin not allowed")
	}
}

func TestOriginPatternParse(t *testing.T) {
	for in, want := range map[string]string{
		"https://Clinic.Example/":    "https://clinic.example",
		"https://clinic.example:443": "https://clinic.example",
		"http://clinic.example:80":   "http://clinic.example",
		"https://*.Clinic.example":   "https://*.clinic.example",
		"http://localhost:3000":      "http://localhost:3000",
	} {
		p, err := parseOriginPattern(in)
		if err != nil || p.String() != want {
			t.Errorf("parseOriginPattern(%q) = %q, %v; want %q", in, p.String(), err, want)
		}
	}
	for _, bad := range []string{"clinic.example", "https://", "https://clinic.example/x", "https://cl_inic.example",
		"https://*", "https://a.*.clinic.example", "https://clinic.example:0", "https://clinic.example:+80", "*"} {
		if _, err := parseOriginPattern(bad); err == nil {
			t.Errorf("parseOriginPattern(%q) accepted", bad)
		}
	}
}

func TestOriginsCover(t *testing.T) {
	parent := []string{"https://*.clinic.example", "https://partner.example"}
	for child, want := range map[string]bool{
		"https://a.clinic.example":   true,
		"https://*.a.clinic.example": true,
		"https://*.clinic.example":   true,
		"https://clinic.example":     false,
		"https://partner.example":    true,
		"https://*.partner.example":  false,
		"http://a.clinic.example":    false,
	} {
		if got := originsCover(parent, child); got != want {
			t.Errorf("originsCover(%q) = %v, want %v", child, got, want)
		}
	}
}
