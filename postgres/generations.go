package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The generations table is the metastore of index generations kept in
// object storage: which ones are published, newest first, and which one
// each replica serves. The objects themselves are package replica's.

// GenerationsChannel is the NOTIFY channel a publish wakes replicas on;
// its payload is the store's s3://BUCKET/PREFIX.
const GenerationsChannel = "careatlas_generations"

// ErrNoGeneration is returned by LatestGeneration when nothing has been
// published to the store yet.
var ErrNoGeneration = errors.New("no generation published yet")

// Generation is one published generation.
type Generation struct {
	Prefix      string // s3://BUCKET/PREFIX
	Name        string
	Manifest    []byte // JSON, as uploaded
	PublishedAt time.Time
}

// PublishGeneration records the generation name, whose manifest is
// already in the store at prefix, as published, and notifies the replicas.
// Both happen in one transaction: a replica woken by the NOTIFY always
// finds the row, and a failed insert wakes nobody. Publishing a name again
// (a rollback to it) makes it the newest.
func PublishGeneration(ctx context.Context, pool *pgxpool.Pool, prefix, name string, manifest []byte) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO generations (prefix, name, manifest) VALUES ($1, $2, $3)
			ON CONFLICT (prefix, name) DO UPDATE SET manifest = EXCLUDED.manifest, published_at = now()`,
			prefix, name, manifest); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, GenerationsChannel, prefix)
		return err
	})
	if err != nil {
		return fmt.Errorf("publish generation %s: %w", name, err)
	}
	return nil
}

// LatestGeneration returns the newest generation published to prefix, or
// ErrNoGeneration.
func LatestGeneration(ctx context.Context, pool *pgxpool.Pool, prefix string) (Generation, error) {
	g := Generation{Prefix: prefix}
	err := pool.QueryRow(ctx, `SELECT name, manifest, published_at FROM generations WHERE prefix = $1
		ORDER BY published_at DESC, name DESC LIMIT 1`, prefix).Scan(&g.Name, &g.Manifest, &g.PublishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return g, fmt.Errorf("latest generation of %s: %w", prefix, ErrNoGeneration)
	}
	if err != nil {
		return g, fmt.Errorf("latest generation of %s: %w", prefix, err)
	}
	return g, nil
}

// ListenGenerations calls wake once listening has started and then once per
// publish notification, until ctx is done or the connection fails. It holds
// one pool connection for as long as it runs; a caller that wants to keep
// listening calls it again after an error (and polls meanwhile, since a
// notification sent while nobody listens is lost).
func ListenGenerations(ctx context.Context, pool *pgxpool.Pool, wake func(prefix string)) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("listen for generations: %w", err)
	}
	// A LISTENing session must not go back to the pool, where another
	// caller would get its notifications; Hijack takes it out for good.
	c := conn.Hijack()
	defer c.Close(context.WithoutCancel(ctx))
	if _, err := c.Exec(ctx, `LISTEN `+GenerationsChannel); err != nil {
		return fmt.Errorf("listen for generations: %w", err)
	}
	wake("")
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("listen for generations: %w", err)
		}
		wake(n.Payload)
	}
}

// ReplicaState is what a replica reports on each heartbeat.
type ReplicaState struct {
	ID          string // unique per process
	Prefix      string // the store it follows
	Generation  string // the generation it serves; "" for none yet
	Downloading string // the generation it is fetching; "" for none
	LastError   string
}

// Heartbeat records that replica r is alive and what it serves.
func Heartbeat(ctx context.Context, pool *pgxpool.Pool, r ReplicaState) error {
	_, err := pool.Exec(ctx, `INSERT INTO replicas (id, prefix, generation, downloading, last_error)
		VALUES ($1, $2, nullif($3, ''), nullif($4, ''), nullif($5, ''))
		ON CONFLICT (id) DO UPDATE SET prefix = EXCLUDED.prefix, generation = EXCLUDED.generation,
			downloading = EXCLUDED.downloading, last_error = EXCLUDED.last_error, heartbeat_at = now()`,
		r.ID, r.Prefix, r.Generation, r.Downloading, r.LastError)
	if err != nil {
		return fmt.Errorf("heartbeat of replica %s: %w", r.ID, err)
	}
	return nil
}

// RemoveReplica deletes replica id's row, on a clean shutdown, so what it
// served stops holding generations back at once.
func RemoveReplica(ctx context.Context, pool *pgxpool.Pool, id string) error {
	if _, err := pool.Exec(ctx, `DELETE FROM replicas WHERE id = $1`, id); err != nil {
		return fmt.Errorf("remove replica %s: %w", id, err)
	}
	return nil
}

// CollectableGenerations returns the generations of prefix that garbage
// collection may delete: not the newest; replaced by a newer one more than
// grace ago, so replicas had that long to switch; and served by no replica
// whose heartbeat is younger than live. Times are the database's, so the
// machines' clocks need not agree.
func CollectableGenerations(ctx context.Context, pool *pgxpool.Pool, prefix string, grace, live time.Duration) ([]string, error) {
	rows, err := pool.Query(ctx, `SELECT g.name FROM (
			SELECT name, lead(published_at) OVER (ORDER BY published_at, name) AS replaced_at
			FROM generations WHERE prefix = $1) g
		WHERE g.replaced_at < now() - make_interval(secs => $2)
		  AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.prefix = $1 AND r.generation = g.name
			AND r.heartbeat_at > now() - make_interval(secs => $3))
		ORDER BY g.name`, prefix, grace.Seconds(), live.Seconds())
	if err != nil {
		return nil, fmt.Errorf("collectable generations of %s: %w", prefix, err)
	}
	var names []string
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&name}, func() error { names = append(names, name); return nil }); err != nil {
		return nil, fmt.Errorf("collectable generations of %s: %w", prefix, err)
	}
	return names, nil
}

// GenerationNames returns the names of every generation recorded for
// prefix, so garbage collection can tell an unfinished upload (in the
// store, not here) from a published generation.
func GenerationNames(ctx context.Context, pool *pgxpool.Pool, prefix string) (map[string]bool, error) {
	rows, err := pool.Query(ctx, `SELECT name FROM generations WHERE prefix = $1`, prefix)
	if err != nil {
		return nil, fmt.Errorf("generations of %s: %w", prefix, err)
	}
	out := map[string]bool{}
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&name}, func() error { out[name] = true; return nil }); err != nil {
		return nil, fmt.Errorf("generations of %s: %w", prefix, err)
	}
	return out, nil
}

// DeleteGeneration forgets generation name of prefix, once its objects
// are gone from the store.
func DeleteGeneration(ctx context.Context, pool *pgxpool.Pool, prefix, name string) error {
	if _, err := pool.Exec(ctx, `DELETE FROM generations WHERE prefix = $1 AND name = $2`, prefix, name); err != nil {
		return fmt.Errorf("delete generation %s: %w", name, err)
	}
	return nil
}

// ForgetReplicas deletes the rows of replicas silent for longer than stale:
// processes that died without a clean shutdown.
func ForgetReplicas(ctx context.Context, pool *pgxpool.Pool, stale time.Duration) (int64, error) {
	tag, err := pool.Exec(ctx, `DELETE FROM replicas WHERE heartbeat_at < now() - make_interval(secs => $1)`, stale.Seconds())
	if err != nil {
		return 0, fmt.Errorf("forget replicas: %w", err)
	}
	return tag.RowsAffected(), nil
}
