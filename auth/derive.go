package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Derived keys let the holder of a search key mint, without calling the
// server, a key that narrows it: for one facility, one visitor, one hour.
// The text is
//
//	ca_derived_<parent id>.<payload>.<mac>
//
// where payload is the base64url (no padding) of a JSON object of the
// derivation's parameters and mac the base64url (no padding) of
//
//	HMAC-SHA-256(key = SHA-256(parent key text), message = "ca_derived_<parent id>.<payload>")
//
// The HMAC is keyed with SHA-256 of the parent key rather than the key
// itself because the server stores only that hash (Key.Hash): it must be
// able to check the MAC without holding the secret. The minter computes the
// same hash from the key it holds. The consequence: whoever reads the
// api_keys table can mint derived keys. Such keys can never be wider than
// their parent, and the parent is a search key, read-only and already
// published in web pages, so a database leak gains an attacker nothing a
// page's source did not give; admin and provider keys cannot be derived
// from, and their hashes mint nothing.
//
// The MAC covers the payload exactly as sent, so the server never has to
// re-encode JSON the way the minter did; the canonical encoding (Derive's)
// only makes test vectors reproducible.
const (
	derivedKind   = "derived"
	derivedPrefix = keyPrefix + derivedKind + "_"
	// maxDerivedLen bounds the work a forged key can cost: a MAC over a few
	// kilobytes at most, and no JSON is read before the MAC checks.
	maxDerivedLen = 4096
)

// Derivation is what a derived key embeds: filters that are added to the
// parent's (lists set in both are intersected), defaults that replace the
// parent's, origins that must be allowed by the parent's too, a rate that
// can only be lower, and an expiry.
type Derivation struct {
	Scope
	// ExpiresAt, when set, ends the key; the parent's expiry and
	// revocation end it too.
	ExpiresAt time.Time
}

// derivedPayload is the JSON of a Derivation, in its canonical field order.
type derivedPayload struct {
	Scope
	Expires int64 `json:"expires,omitempty"` // Unix seconds
}

// Derive mints a derived key from the text of a search key. It needs no
// server: a clinic's backend can do the same in any language by following
// the steps in the README.
func Derive(parent string, d Derivation) (Secret, error) {
	p, ok := parsePlain(parent)
	if !ok {
		return "", errors.New("derive: the parent is not a key (want ca_search_<id>_<secret>)")
	}
	if p.kind != Search {
		return "", fmt.Errorf("derive: only search keys can be derived from, not %s keys", p.kind)
	}
	if err := d.Scope.Validate(Search); err != nil {
		return "", fmt.Errorf("derive: %w", err)
	}
	payload, err := encodeDerivation(d)
	if err != nil {
		return "", err
	}
	head := derivedPrefix + p.id + "." + payload
	hash := sha256.Sum256([]byte(parent))
	return Secret(head + "." + derivedMAC(hash[:], head)), nil
}

// encodeDerivation writes the canonical payload: the normalized scope as
// compact JSON in struct field order, HTML characters left unescaped, then
// base64url without padding.
func encodeDerivation(d Derivation) (string, error) {
	p := derivedPayload{Scope: d.Scope.normalized()}
	if !d.ExpiresAt.IsZero() {
		p.Expires = d.ExpiresAt.Unix()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return "", fmt.Errorf("derive: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

func derivedMAC(key []byte, head string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(head))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// parsedDerived is a derived key split into its parts, not yet checked.
type parsedDerived struct {
	parentID, head, payload, mac string
}

func parseDerived(text string) (parsedDerived, bool) {
	if len(text) > maxDerivedLen || !strings.HasPrefix(text, derivedPrefix) {
		return parsedDerived{}, false
	}
	head, mac, ok := strings.Cut(text, ".")
	if !ok {
		return parsedDerived{}, false
	}
	payload, mac, ok := strings.Cut(mac, ".")
	if !ok || strings.Contains(mac, ".") || len(mac) != base64.RawURLEncoding.EncodedLen(sha256.Size) {
		return parsedDerived{}, false
	}
	id := head[len(derivedPrefix):]
	if !ValidID(id) {
		return parsedDerived{}, false
	}
	return parsedDerived{parentID: id, head: head + "." + payload, payload: payload, mac: mac}, true
}

// verifyDerived checks a derived key's MAC against its parent and only then
// reads its payload. A payload field this server does not know is refused,
// not ignored: it may be a restriction a newer minter meant, and ignoring it
// would widen the key.
func verifyDerived(d parsedDerived, parent *Key) (Derivation, bool) {
	want := derivedMAC(parent.Hash[:], d.head)
	if !hmac.Equal([]byte(want), []byte(d.mac)) {
		return Derivation{}, false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(d.payload)
	if err != nil {
		return Derivation{}, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var p derivedPayload
	if err := dec.Decode(&p); err != nil || dec.More() {
		return Derivation{}, false
	}
	if p.Scope.Validate(Search) != nil {
		return Derivation{}, false
	}
	out := Derivation{Scope: p.Scope.normalized()}
	if p.Expires != 0 {
		out.ExpiresAt = time.Unix(p.Expires, 0).UTC()
	}
	return out, true
}
