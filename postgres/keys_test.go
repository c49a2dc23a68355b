package postgres_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

func migrated(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := connect(t)
	if _, err := postgres.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

func newKey(t *testing.T, kind auth.Kind, name string, scope auth.Scope, created time.Time) *auth.Key {
	t.Helper()
	k, _, err := auth.NewKey(kind, name, scope, time.Time{}, created)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeysLifecycle(t *testing.T) {
	ctx := context.Background()
	store := postgres.Keys{Pool: migrated(t)}
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	search := newKey(t, auth.Search, "Clinic Barcelona", auth.Scope{
		Filters:  auth.Filters{FacilityIDs: []int64{12}, Countries: []string{"ES"}, Categories: []string{"Dental"}, Types: []string{"offer"}},
		Defaults: auth.Defaults{Lang: "es", Currency: "EUR", From: "GB"}, Origins: []string{"https://*.clinic.example"},
		RatePerMinute: 300, Burst: 50}, t0)
	search.ExpiresAt = t0.Add(30 * 24 * time.Hour)
	provider := newKey(t, auth.Provider, "Hospital group", auth.Scope{Filters: auth.Filters{FacilityIDs: []int64{12, 14}}}, t0.Add(time.Minute))
	admin := newKey(t, auth.Admin, "ops", auth.Scope{}, t0.Add(2*time.Minute))
	v0, err := store.KeysVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []*auth.Key{search, provider, admin} {
		if err := store.CreateKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	v1, _ := store.KeysVersion(ctx)
	if v1 == v0 {
		t.Error("creating keys did not move the version")
	}

	got, err := store.GetKey(ctx, search.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, search) {
		t.Errorf("read back\n%#v\nwant\n%#v", got, search)
	}
	list, err := store.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != admin.ID || list[1].ID != provider.ID || list[2].ID != search.ID {
		t.Errorf("list: %v; want admin, provider, search (newest first)", list)
	}
	if !reflect.DeepEqual(list[1], provider) {
		t.Errorf("provider key read back as %#v", list[1])
	}

	revoked, err := store.RevokeKey(ctx, search.ID, t0.Add(time.Hour))
	if err != nil || !revoked.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("revoke: %v %v", revoked, err)
	}
	v2, _ := store.KeysVersion(ctx)
	if v2 == v1 {
		t.Error("revoking did not move the version")
	}
	again, err := store.RevokeKey(ctx, search.ID, t0.Add(2*time.Hour))
	if err != nil || !again.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("revoking twice: %v %v; want the first revocation time kept", again.RevokedAt, err)
	}
	if v3, _ := store.KeysVersion(ctx); v3 == v2 {
		t.Error("an update, even one changing nothing, must move the version: the stamp cannot tell")
	}

	// An update written by hand moves the version too.
	v4, _ := store.KeysVersion(ctx)
	if _, err := store.Pool.Exec(ctx, `UPDATE api_keys SET name = 'renamed' WHERE id = $1`, admin.ID); err != nil {
		t.Fatal(err)
	}
	if v5, _ := store.KeysVersion(ctx); v5 == v4 {
		t.Error("a hand-written update did not move the version")
	}

	for _, op := range []func() error{
		func() error { _, err := store.GetKey(ctx, "0123456789ab"); return err },
		func() error { _, err := store.RevokeKey(ctx, "0123456789ab", t0); return err },
	} {
		if err := op(); !errors.Is(err, auth.ErrKeyNotFound) {
			t.Errorf("unknown id: %v, want ErrKeyNotFound", err)
		}
	}
}

// The schema holds rows written by hand to the same rules as CreateKey.
func TestKeysSchemaGuards(t *testing.T) {
	ctx := context.Background()
	pool := migrated(t)
	hash := make([]byte, 32)
	for name, q := range map[string]string{
		"unknown kind":              `INSERT INTO api_keys (id, kind, name, secret_hash) VALUES ('0123456789ab', 'root', 'x', $1)`,
		"malformed id":              `INSERT INTO api_keys (id, kind, name, secret_hash) VALUES ('XYZ', 'search', 'x', $1)`,
		"empty name":                `INSERT INTO api_keys (id, kind, name, secret_hash) VALUES ('0123456789ab', 'search', '', $1)`,
		"short hash":                `INSERT INTO api_keys (id, kind, name, secret_hash) VALUES ('0123456789ab', 'search', 'x', substring($1 for 16))`,
		"admin with a scope":        `INSERT INTO api_keys (id, kind, name, secret_hash, scope) VALUES ('0123456789ab', 'admin', 'x', $1, '{"countries":["ES"]}')`,
		"provider with no facility": `INSERT INTO api_keys (id, kind, name, secret_hash) VALUES ('0123456789ab', 'provider', 'x', $1)`,
		"scope not an object":       `INSERT INTO api_keys (id, kind, name, secret_hash, scope) VALUES ('0123456789ab', 'search', 'x', $1, '[]')`,
	} {
		if _, err := pool.Exec(ctx, q, hash); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
