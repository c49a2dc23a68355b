// Package auth decides who may call CareAtlas and with what reach: API keys
// and their kinds, the scope a search key imposes on every search, keys
// derived offline from a search key, browser origins (CORS), and rate limits.
//
// It knows nothing of SQL: keys come from a KeySource (the Cache, which a
// store such as package postgres fills). It knows Echo only at its edge
// (middleware.go, handlers.go), so the rules themselves are plain Go and
// tested as such.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Kind is what a key is for. Kinds do not nest except that an admin key may
// do everything.
type Kind string

// The kinds of key.
const (
	// Admin keys manage keys and read every provider's analytics.
	Admin Kind = "admin"
	// Provider keys read the analytics of their own facilities only.
	Provider Kind = "provider"
	// Search keys are read-only and meant to sit in a web page's source:
	// search, suggest, entity pages, post matching and clicks.
	Search Kind = "search"
)

// Kinds lists every kind, for validation and help text.
var Kinds = []Kind{Admin, Provider, Search}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return k == Admin || k == Provider || k == Search }

// Lengths of a key's parts. The id is public (it names the key in lists, in
// revocation and inside derived keys); the secret is 256 random bits.
const (
	idBytes     = 6  // 12 hex characters
	secretBytes = 32 // 64 hex characters
	keyPrefix   = "ca_"
)

// Key is a stored API key: everything about it except its secret, of which
// only a verifier is kept.
type Key struct {
	// ID is the public part of the key, 12 lowercase hex characters.
	ID   string
	Kind Kind
	Name string
	// Hash is SHA-256 of the whole key text (ca_<kind>_<id>_<secret>). A
	// secret of 256 random bits cannot be guessed or brute-forced from its
	// hash, so a fast hash is enough; a slow password hash (bcrypt, argon2)
	// protects low-entropy human passwords and would only cost every request.
	// Hashing the whole text rather than the secret alone binds kind and id
	// to it, and lets code minting derived keys use the key as written,
	// without parsing it. It is also the HMAC key of derived keys (derive.go).
	Hash      [sha256.Size]byte
	Scope     Scope
	CreatedAt time.Time
	// ExpiresAt and RevokedAt are zero when not set.
	ExpiresAt time.Time
	RevokedAt time.Time
}

// String names a key by kind, id and name, so that printing one with %v
// shows neither its hash nor its scope's details.
func (k Key) String() string { return string(k.Kind) + " key " + k.ID + " (" + k.Name + ")" }

// LogValue logs a key by id, kind and name: it holds no secret, but its
// hash is the HMAC key of derived keys and has no place in logs either.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", k.ID), slog.String("kind", string(k.Kind)), slog.String("name", k.Name))
}

// Usable says why a key may not be used at t, or nil when it may.
func (k *Key) Usable(t time.Time) *Error {
	if !k.RevokedAt.IsZero() && !t.Before(k.RevokedAt) {
		return errUnauthorized("this API key was revoked")
	}
	if !k.ExpiresAt.IsZero() && !t.Before(k.ExpiresAt) {
		return errUnauthorized("this API key expired")
	}
	return nil
}

// Secret is the text of a key as a client sends it. Its String and LogValue
// redact the secret part, so printing or logging one by mistake leaks
// nothing; Reveal is the one way to get the text, for showing it once when
// the key is made.
type Secret string

// Reveal returns the full key text.
func (s Secret) Reveal() string { return string(s) }

// String returns the key with its secret part replaced: enough to tell keys
// apart, never enough to use one.
func (s Secret) String() string { return redact(string(s)) }

// LogValue redacts like String.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redact(string(s))) }

// GoString redacts too, so %#v does not bypass String.
func (s Secret) GoString() string { return redact(string(s)) }

// redact keeps the kind and id of a key (or the parent id of a derived key)
// and drops everything after. Text of any other shape is dropped whole: it
// may be a secret pasted on its own.
func redact(text string) string {
	if rest, ok := strings.CutPrefix(text, derivedPrefix); ok {
		if id, _, ok := strings.Cut(rest, "."); ok && ValidID(id) {
			return derivedPrefix + id + ".…"
		}
		return "ca_…"
	}
	parts := strings.SplitN(text, "_", 4)
	if len(parts) == 4 && parts[0] == "ca" && Kind(parts[1]).Valid() && ValidID(parts[2]) {
		return "ca_" + parts[1] + "_" + parts[2] + "_…"
	}
	return "ca_…"
}

// NewKey makes a key of the given kind with a fresh random id and secret, and
// returns it with its secret text, which is never stored and cannot be
// recovered: show it once.
func NewKey(kind Kind, name string, scope Scope, expires time.Time, now time.Time) (*Key, Secret, error) {
	if !kind.Valid() {
		return nil, "", fmt.Errorf("unknown key kind %q", kind)
	}
	if err := scope.Validate(kind); err != nil {
		return nil, "", err
	}
	var id [idBytes]byte
	var secret [secretBytes]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, "", fmt.Errorf("new key: %w", err)
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return nil, "", fmt.Errorf("new key: %w", err)
	}
	text := keyPrefix + string(kind) + "_" + hex.EncodeToString(id[:]) + "_" + hex.EncodeToString(secret[:])
	k := &Key{ID: hex.EncodeToString(id[:]), Kind: kind, Name: name, Hash: sha256.Sum256([]byte(text)),
		Scope: scope.normalized(), CreatedAt: now.UTC(), ExpiresAt: expires}
	return k, Secret(text), nil
}

// plainKey is a parsed ca_<kind>_<id>_<secret> key.
type plainKey struct {
	kind Kind
	id   string
	text string
}

// parsePlain splits a key's text, checking its shape but not its secret.
func parsePlain(text string) (plainKey, bool) {
	parts := strings.Split(text, "_")
	if len(parts) != 4 || parts[0] != "ca" {
		return plainKey{}, false
	}
	kind := Kind(parts[1])
	if !kind.Valid() || !isHex(parts[2], 2*idBytes) || !isHex(parts[3], 2*secretBytes) {
		return plainKey{}, false
	}
	return plainKey{kind: kind, id: parts[2], text: text}, true
}

// verify reports whether text is the key k was made with, in time that does
// not depend on how much of it matches.
func verify(k *Key, text string) bool {
	sum := sha256.Sum256([]byte(text))
	return subtle.ConstantTimeCompare(sum[:], k.Hash[:]) == 1
}

// ValidID reports whether id has the shape of a key id, so that a malformed
// one is refused before any lookup.
func ValidID(id string) bool { return isHex(id, 2*idBytes) }

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func sha256Sum(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }
