package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The readers of the change log (migrations/0013_change_readers.sql): a
// server that follows the log records the position it still needs, so
// that no other server's trim passes it while it is up.

// NeedChanges records that reader still needs the changes after from, and
// that it was heard from now.
func NeedChanges(ctx context.Context, pool *pgxpool.Pool, reader string, from Position) error {
	_, err := pool.Exec(ctx, `INSERT INTO change_readers (reader, xid, id, seen_at) VALUES ($1, $2::text::xid8, $3, now())
		ON CONFLICT (reader) DO UPDATE SET xid = excluded.xid, id = excluded.id, seen_at = excluded.seen_at`,
		reader, strconv.FormatUint(from.XID, 10), from.ID)
	if err != nil {
		return fmt.Errorf("record change reader %s at %s: %w", reader, from, err)
	}
	return nil
}

// ForgetReader deletes reader's record: a server that stops needs nothing
// more of the log.
func ForgetReader(ctx context.Context, pool *pgxpool.Pool, reader string) error {
	if _, err := pool.Exec(ctx, `DELETE FROM change_readers WHERE reader = $1`, reader); err != nil {
		return fmt.Errorf("forget change reader %s: %w", reader, err)
	}
	return nil
}

// OldestNeeded returns the oldest position needed by a reader heard from
// within the last within, and false when there is none. A reader not
// heard from for that long (a server that died without ForgetReader) is
// ignored, so that it does not hold the log forever; when it comes back
// it finds its position trimmed and waits for a newer generation, as a
// server did before there were readers.
func OldestNeeded(ctx context.Context, pool *pgxpool.Pool, within time.Duration) (Position, bool, error) {
	var xid string
	var p Position
	err := pool.QueryRow(ctx, `SELECT xid::text, id FROM change_readers
		WHERE seen_at > now() - $1::interval ORDER BY xid, id LIMIT 1`,
		strconv.FormatFloat(within.Seconds(), 'f', -1, 64)+" seconds").Scan(&xid, &p.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Position{}, false, nil
	}
	if err != nil {
		return Position{}, false, fmt.Errorf("oldest position a change reader needs: %w", err)
	}
	if p.XID, err = strconv.ParseUint(xid, 10, 64); err != nil {
		return Position{}, false, fmt.Errorf("oldest position a change reader needs: xid %q: %w", xid, err)
	}
	return p, true, nil
}
