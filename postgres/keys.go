package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/careatlas/careatlas/auth"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Keys stores API keys in the api_keys table; it is the auth.Store of a
// server with a database.
type Keys struct {
	Pool *pgxpool.Pool
}

var _ auth.Store = Keys{}

const keyColumns = `id, kind, name, secret_hash, scope, created_at, expires_at, revoked_at`

// CreateKey stores a new key.
func (s Keys) CreateKey(ctx context.Context, k *auth.Key) error {
	scope, err := json.Marshal(k.Scope)
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	_, err = s.Pool.Exec(ctx, `INSERT INTO api_keys (id, kind, name, secret_hash, scope, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, string(k.Kind), k.Name, k.Hash[:], scope, k.CreatedAt, nullTime(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create key %s: %w", k.ID, err)
	}
	return nil
}

// ListKeys returns every key, newest first. Keys number in the thousands at
// most (a few per clinic), so they are read whole.
func (s Keys) ListKeys(ctx context.Context) ([]*auth.Key, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanKey)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return out, nil
}

// GetKey returns the key with this id.
func (s Keys) GetKey(ctx context.Context, id string) (*auth.Key, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("get key %s: %w", id, err)
	}
	k, err := pgx.CollectExactlyOneRow(rows, scanKey)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("get key %s: %w", id, auth.ErrKeyNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get key %s: %w", id, err)
	}
	return k, nil
}

// RevokeKey revokes a key at the given time; a key already revoked keeps
// its first revocation time.
func (s Keys) RevokeKey(ctx context.Context, id string, at time.Time) (*auth.Key, error) {
	rows, err := s.Pool.Query(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2)
		WHERE id = $1 RETURNING `+keyColumns, id, at)
	if err != nil {
		return nil, fmt.Errorf("revoke key %s: %w", id, err)
	}
	k, err := pgx.CollectExactlyOneRow(rows, scanKey)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("revoke key %s: %w", id, auth.ErrKeyNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("revoke key %s: %w", id, err)
	}
	return k, nil
}

// KeysVersion returns a stamp of api_keys that changes with every committed
// insert, update or delete: the row count and the sum of the rows' version,
// which the schema raises on every write (see migrations/0004_api_keys.sql).
func (s Keys) KeysVersion(ctx context.Context) (string, error) {
	var n int64
	var sum string // numeric: a sum of bigints may pass 2^63
	err := s.Pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(version), 0)::text FROM api_keys`).Scan(&n, &sum)
	if err != nil {
		return "", fmt.Errorf("read keys version: %w", err)
	}
	return fmt.Sprintf("%d-%s", n, sum), nil
}

func scanKey(row pgx.CollectableRow) (*auth.Key, error) {
	var k auth.Key
	var kind string
	var hash, scope []byte
	var expires, revoked *time.Time
	if err := row.Scan(&k.ID, &kind, &k.Name, &hash, &scope, &k.CreatedAt, &expires, &revoked); err != nil {
		return nil, err
	}
	if len(hash) != len(k.Hash) {
		return nil, fmt.Errorf("key %s: secret hash of %d bytes", k.ID, len(hash))
	}
	copy(k.Hash[:], hash)
	if err := json.Unmarshal(scope, &k.Scope); err != nil {
		return nil, fmt.Errorf("key %s: scope: %w", k.ID, err)
	}
	k.Kind = auth.Kind(kind)
	k.CreatedAt = k.CreatedAt.UTC()
	if expires != nil {
		k.ExpiresAt = expires.UTC()
	}
	if revoked != nil {
		k.RevokedAt = revoked.UTC()
	}
	return &k, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
