package auth

import (
	"fmt"
	"strconv"
	"strings"
)

// originPattern is an allowed browser origin: a scheme, a host, and a port,
// the host possibly standing for every subdomain of a domain
// (https://*.clinic.example).
type originPattern struct {
	scheme string
	host   string // for a wildcard, the domain without "*."
	port   int    // always explicit: 443 for https and 80 for http when absent
	// wildcard matches any host ending in "."+host, at any depth, but not
	// host itself: list https://clinic.example too to allow it.
	wildcard bool
}

// parseOriginPattern reads an origin as a key lists it. Only http and https
// pages have origins worth allowing; a path, query or user part is refused
// rather than ignored, so a mistaken entry is noticed when the key is made.
func parseOriginPattern(s string) (originPattern, error) {
	p, ok := parseOrigin(strings.TrimSuffix(strings.TrimSpace(s), "/"), true)
	if !ok {
		return p, fmt.Errorf("origin %q: want scheme://host[:port], such as https://clinic.example or https://*.clinic.example", s)
	}
	return p, nil
}

// parseOrigin reads the value of an Origin header (or, with wildcard, a
// pattern). It is strict and allocation-free: an Origin the browser sent is
// always in this form, and anything else is refused.
func parseOrigin(s string, wildcard bool) (originPattern, bool) {
	var p originPattern
	scheme, rest, ok := strings.Cut(s, "://")
	switch strings.ToLower(scheme) {
	case "https":
		p.scheme, p.port = "https", 443
	case "http":
		p.scheme, p.port = "http", 80
	default:
		return p, false
	}
	if !ok || rest == "" {
		return p, false
	}
	host := rest
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.HasSuffix(rest, "]") {
		port, err := strconv.Atoi(rest[i+1:])
		if err != nil || port <= 0 || port > 65535 || rest[i+1] == '+' {
			return p, false
		}
		host, p.port = rest[:i], port
	}
	if wildcard {
		if h, ok := strings.CutPrefix(host, "*."); ok {
			host, p.wildcard = h, true
		}
	}
	if !validHost(host) {
		return p, false
	}
	p.host = strings.ToLower(host)
	return p, true
}

// validHost accepts DNS names (letters, digits, '-', '.') and bracketed IPv6
// literals; that is all a browser puts in an Origin.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	if h[0] == '[' {
		return len(h) > 2 && h[len(h)-1] == ']' && !strings.ContainsAny(h[1:len(h)-1], "[]/")
	}
	for i := 0; i < len(h); i++ {
		c := h[i] | 0x20
		if !(c >= 'a' && c <= 'z' || h[i] >= '0' && h[i] <= '9' || h[i] == '-' || h[i] == '.') {
			return false
		}
	}
	return h[0] != '.' && h[len(h)-1] != '.'
}

// String writes the pattern canonically: lower case, default port left out.
func (p originPattern) String() string {
	var b strings.Builder
	b.WriteString(p.scheme)
	b.WriteString("://")
	if p.wildcard {
		b.WriteString("*.")
	}
	b.WriteString(p.host)
	if !(p.scheme == "https" && p.port == 443 || p.scheme == "http" && p.port == 80) {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.port))
	}
	return b.String()
}

// matches reports whether the pattern allows the concrete origin o.
func (p originPattern) matches(o originPattern) bool {
	if p.scheme != o.scheme || p.port != o.port || o.wildcard {
		return false
	}
	if !p.wildcard {
		return p.host == o.host
	}
	return len(o.host) > len(p.host)+1 && strings.HasSuffix(o.host, p.host) && o.host[len(o.host)-len(p.host)-1] == '.'
}

// covers reports whether every origin child allows is allowed by p, so that
// a derived key's origins never reach beyond its parent's.
func (p originPattern) covers(child originPattern) bool {
	if !child.wildcard {
		return p.matches(child)
	}
	if p.scheme != child.scheme || p.port != child.port || !p.wildcard {
		return false
	}
	return child.host == p.host || p.matches(originPattern{scheme: child.scheme, host: child.host, port: child.port})
}

// OriginAllowed reports whether origin, the value of a request's Origin
// header, is one of the patterns. Matching is exact on scheme, host and port
// (https://clinic.example does not allow http://clinic.example or
// https://clinic.example:8443); "null" and malformed origins match nothing.
func OriginAllowed(patterns []string, origin string) bool {
	o, ok := parseOrigin(origin, false)
	if !ok {
		return false
	}
	for _, s := range patterns {
		if p, ok := parseOrigin(s, true); ok && p.matches(o) {
			return true
		}
	}
	return false
}

// originsCover reports whether one of the parent patterns covers pattern.
func originsCover(parent []string, pattern string) bool {
	c, ok := parseOrigin(pattern, true)
	if !ok {
		return false
	}
	for _, s := range parent {
		if p, ok := parseOrigin(s, true); ok && p.covers(c) {
			return true
		}
	}
	return false
}
