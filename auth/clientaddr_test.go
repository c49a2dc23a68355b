package auth

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.1", "fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		peer string
		xff  []string
		want string
	}{
		{"no proxy", "203.0.113.7:5000", nil, "203.0.113.7"},
		{"an untrusted peer's header is ignored", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"a trusted proxy's header is read", "10.1.2.3:80", []string{"198.51.100.1"}, "198.51.100.1"},
		{"right-most untrusted wins over what the client wrote", "10.1.2.3:80", []string{"6.6.6.6, 198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"across several header lines", "192.168.1.1:80", []string{"6.6.6.6", "198.51.100.1", "10.0.0.2"}, "198.51.100.1"},
		{"every hop trusted: the left-most", "10.1.2.3:80", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"garbage stops the walk", "10.1.2.3:80", []string{"6.6.6.6, nonsense, 10.0.0.7"}, "10.0.0.7"},
		{"no header behind a proxy: the proxy", "10.1.2.3:80", nil, "10.1.2.3"},
		{"IPv6 peer and hops", "[fd00::1]:80", []string{"2001:db8::5, fd00::2"}, "2001:db8::5"},
		{"IPv4 in IPv6 is unmapped", "[::ffff:203.0.113.9]:80", nil, "203.0.113.9"},
		{"ports in the header", "10.1.2.3:80", []string{"198.51.100.1:4711"}, "198.51.100.1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := ClientAddr(r, trusted).String(); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad CIDR accepted")
	}
	if _, err := ParseTrustedProxies("proxy.internal"); err == nil {
		t.Error("a host name accepted")
	}
}

func TestClientBucketIPv6Prefix(t *testing.T) {
	a := parseAddr("2001:db8:1:2:aaaa::1")
	b := parseAddr("2001:db8:1:2:bbbb::9")
	c := parseAddr("2001:db8:1:3::1")
	if clientBucket(a) != clientBucket(b) || clientBucket(a) == clientBucket(c) {
		t.Errorf("IPv6 buckets: %s %s %s; want one per /64", clientBucket(a), clientBucket(b), clientBucket(c))
	}
	if clientBucket(parseAddr("203.0.113.7")) != "203.0.113.7" {
		t.Error("an IPv4 address is its own bucket")
	}
}
