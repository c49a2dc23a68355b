package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/netip"
	"slices"
	"time"
)

// KeySource finds keys by id. The middleware asks it on every request, so it
// must answer from memory; Cache is the one that refreshes from a store.
type KeySource interface {
	// Key returns the key with this id, or nil. The key is not modified
	// after it is returned.
	Key(id string) *Key
}

// loader is a KeySource that may not have read its keys yet (Cache).
type loader interface{ Loaded() bool }

// StaticKeys is a fixed set of keys by id, for tests and tools.
type StaticKeys map[string]*Key

// Key returns the key with this id, or nil.
func (s StaticKeys) Key(id string) *Key { return s[id] }

// BootstrapID names the operator's --admin-key in Access and in logs; it is
// not the id of any stored key.
const BootstrapID = "bootstrap"

// Access is what one request may do, resolved from the key it sent (or its
// absence). Handlers read it with FromContext.
type Access struct {
	// Kind is the key's kind, empty for a request without a key.
	Kind Kind
	// KeyID is the id of the key sent, or of the parent of a derived key;
	// BootstrapID for the operator's admin key; empty without a key.
	KeyID   string
	KeyName string
	// Derived is set when the key sent was derived from KeyID.
	Derived bool
	// Scope is the effective scope: the key's, narrowed by a derived key's.
	Scope Scope
	// Client is the caller's address (see ClientAddr).
	Client netip.Addr
	// publicSearch says whether a request without a key may search.
	publicSearch bool
	// limits are the buckets this request draws from.
	limits []bucketSpec
}

// bucketSpec is one token bucket a request draws from: its name in a
// limiter, its rate, and its policy name in the RateLimit headers.
type bucketSpec struct {
	perKey bool // in the key limiter, else the client one
	name   string
	rate   Rate
	policy string
}

// Keyless reports whether the request sent no key.
func (a *Access) Keyless() bool { return a.Kind == "" }

// Can reports whether the request may use endpoints meant for keys of kind
// k: an admin key may use everything, and a request without a key may
// search when the server allows public search.
func (a *Access) Can(k Kind) bool {
	return a.Kind == Admin || a.Kind == k || (a.Kind == "" && k == Search && a.publicSearch)
}

// CanReadAnalytics reports whether the request may read the analytics of a
// facility: admin keys any, provider keys their own.
func (a *Access) CanReadAnalytics(facilityID int64) bool {
	return a.Kind == Admin || a.Kind == Provider && slices.Contains(a.Scope.FacilityIDs, facilityID)
}

// Apply merges a search request with the request's scope (Scope.Apply);
// requests without a scope, keyless or admin, are returned unchanged. ok
// false means the answer must be empty.
func (a *Access) Apply(q Query) (Query, bool) {
	if a.Kind != Search {
		return q, true
	}
	return a.Scope.Apply(q)
}

// Allows reports whether the request may see a record with these
// attributes (Filters.Allows); for entity pages, which are not searches.
func (a *Access) Allows(facilityID int64, country, category, typ string) bool {
	if a.Kind != Search {
		return true
	}
	return a.Scope.Allows(facilityID, country, category, typ)
}

// authenticator turns a key's text into an Access.
type authenticator struct {
	keys      KeySource
	bootstrap [sha256.Size]byte // SHA-256 of the operator's admin key
	hasAdmin  bool
	cfg       *Config
}

var errBadKey = errUnauthorized("this API key is not valid; send it as Authorization: Bearer <key>, X-CareAtlas-Key, or key=")

// authenticate resolves text at now. Every failure of the secret itself
// gives the same answer, so a caller learns nothing of which part was wrong;
// revocation and expiry are said only to holders of the real key.
func (au *authenticator) authenticate(text string, now time.Time) (*Access, *Error) {
	if p, ok := parsePlain(text); ok {
		if k := au.lookup(p.id); k != nil && k.Kind == p.kind && verify(k, text) {
			if err := k.Usable(now); err != nil {
				return nil, err
			}
			return au.access(k, k.Scope, false), nil
		}
	} else if d, ok := parseDerived(text); ok {
		return au.authenticateDerived(d, now)
	}
	// Last, the operator's key, whatever its shape: it may even look like
	// a stored key (one made with 'keys create' and never stored).
	if au.hasAdmin {
		sum := sha256.Sum256([]byte(text))
		if subtle.ConstantTimeCompare(sum[:], au.bootstrap[:]) == 1 {
			return &Access{Kind: Admin, KeyID: BootstrapID, KeyName: "--admin-key"}, nil
		}
	}
	if l, ok := au.keys.(loader); ok && !l.Loaded() {
		return nil, errKeysUnavailable
	}
	return nil, errBadKey
}

func (au *authenticator) authenticateDerived(d parsedDerived, now time.Time) (*Access, *Error) {
	parent := au.lookup(d.parentID)
	if parent == nil || parent.Kind != Search {
		return nil, errBadKey
	}
	der, ok := verifyDerived(d, parent)
	if !ok {
		return nil, errBadKey
	}
	if err := parent.Usable(now); err != nil {
		return nil, errUnauthorized("the key this one was derived from is no longer valid: " + err.Message)
	}
	if !der.ExpiresAt.IsZero() && !now.Before(der.ExpiresAt) {
		return nil, errUnauthorized("this derived API key expired")
	}
	a := au.access(parent, parent.Scope.narrowBy(der.Scope), true)
	if der.RatePerMinute > 0 {
		// Its own bucket, named by its MAC: at its own rate and burst, never
		// above the parent's.
		burst := der.Burst
		if parent.Scope.Burst > 0 && burst > parent.Scope.Burst {
			burst = parent.Scope.Burst
		}
		a.limits = append(a.limits, bucketSpec{name: "d|" + d.mac, policy: "derived",
			rate: Rate{PerMinute: a.Scope.RatePerMinute, Burst: burst}})
	}
	return a, nil
}

func (au *authenticator) lookup(id string) *Key {
	if au.keys == nil {
		return nil
	}
	return au.keys.Key(id)
}

// access builds the Access of key k with the effective scope s, and the
// buckets it draws from: a key's own (at the parent's rate, shared by every
// key derived from it), and for search keys one per client address within
// the key, so that one visitor cannot spend a clinic's whole quota.
func (au *authenticator) access(k *Key, s Scope, derived bool) *Access {
	a := &Access{Kind: k.Kind, KeyID: k.ID, KeyName: k.Name, Derived: derived, Scope: s}
	if k.Kind == Admin {
		return a
	}
	rate := au.cfg.KeyRate
	if k.Scope.RatePerMinute > 0 {
		rate = Rate{PerMinute: k.Scope.RatePerMinute, Burst: k.Scope.Burst}
	}
	a.limits = append(a.limits, bucketSpec{perKey: true, name: k.ID, rate: rate, policy: "key"})
	if k.Kind == Search {
		a.limits = append(a.limits, bucketSpec{name: "c|" + k.ID + "|", rate: au.cfg.ClientRate, policy: "client"})
	}
	return a
}
