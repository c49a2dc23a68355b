package auth

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Store keeps keys; package postgres has the one CareAtlas uses. Keys are
// never deleted, only revoked, so that a list shows what was once valid.
type Store interface {
	// CreateKey stores a new key (made by NewKey).
	CreateKey(ctx context.Context, k *Key) error
	// ListKeys returns every key, revoked ones too, newest first.
	ListKeys(ctx context.Context) ([]*Key, error)
	// GetKey returns the key with this id, or an error wrapping
	// ErrKeyNotFound.
	GetKey(ctx context.Context, id string) (*Key, error)
	// RevokeKey revokes a key at the given time (or keeps the earlier time
	// of a key already revoked) and returns it; ErrKeyNotFound when no key
	// has this id.
	RevokeKey(ctx context.Context, id string, at time.Time) (*Key, error)
	// KeysVersion returns a stamp that changes whenever any key does, so a
	// Cache can poll it cheaply and reload only on change.
	KeysVersion(ctx context.Context) (string, error)
}

// ErrKeyNotFound is returned by a Store for an unknown key id.
var ErrKeyNotFound = errors.New("no such key")

// keyJSON is a key as the API and the CLI show it: never its secret, and
// not its hash either (which can mint keys derived from a search key).
type keyJSON struct {
	ID        string     `json:"id"`
	Kind      Kind       `json:"kind"`
	Name      string     `json:"name"`
	Scope     Scope      `json:"scope"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// MarshalJSON writes the key without its hash, so that no code path that
// serialises a Key can leak it.
func (k Key) MarshalJSON() ([]byte, error) {
	return json.Marshal(keyJSON{ID: k.ID, Kind: k.Kind, Name: k.Name, Scope: k.Scope, CreatedAt: k.CreatedAt,
		ExpiresAt: timePtr(k.ExpiresAt), RevokedAt: timePtr(k.RevokedAt)})
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
