package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The change log (migrations/0005_changelog.sql) records every insert,
// update and delete on a catalogue table, in the transaction that made it.
// A server reads it forward from a Position and applies what it reads on top
// of the generation it serves.
//
// The trap of a log keyed by a sequence is that ids are taken when rows are
// written, not when transactions commit: transaction A takes id 10, B takes
// 11 and commits, a reader reads up to 11, then A commits, and a reader that
// only moves forward by id never sees 10. So a reader reads only changes
// whose transaction id is below the oldest transaction still in flight,
// pg_snapshot_xmin(pg_current_snapshot()): every transaction below it has
// committed or aborted, so no change can appear there any more. Within that
// finished region changes are read in (xid, id) order, and a Position is
// the (xid, id) of the last one read, so a read cut short by its limit
// resumes exactly after it. A change of a transaction still in flight, or
// of one that committed but is newer than one still in flight, waits until
// the line passes it: a long transaction delays what follows it, never
// loses it.

// Op is what happened to a row.
type Op string

// The kinds of change. A truncate has no key: the whole table was emptied,
// and whatever the same transaction wrote to it afterwards is not logged row
// by row (a bulk load would otherwise log a million rows), so a reader must
// re-read the whole table.
const (
	OpInsert   Op = "insert"
	OpUpdate   Op = "update"
	OpDelete   Op = "delete"
	OpTruncate Op = "truncate"
)

// Change is one logged change to one catalogue row.
type Change struct {
	ID    int64  // the log's own id, unique, in the order changes were written
	XID   uint64 // the transaction that made it
	Table string // the catalogue table
	// Key is the row's primary key as text, in the order of the table's
	// primary key columns: [id] for most tables, [doctor_id, treatment_id],
	// [treatment_id, lang], [term, synonym], [currency, as_of], [code].
	// Empty for a truncate.
	Key []string
	Op  Op
	// Refs are the row's references before an update or delete: for offers
	// facility_id and treatment_id, for doctors facility_id. They say which
	// records the row showed up in before it moved or went away.
	Refs map[string]int64
	At   time.Time // when the statement ran; it committed a little later
}

// Int returns the i-th key column as an id. It is 0 if the column is not a
// number, which no id is.
func (c Change) Int(i int) int64 {
	if i >= len(c.Key) {
		return 0
	}
	n, _ := strconv.ParseInt(c.Key[i], 10, 64)
	return n
}

// Position is where a reader stands in the log: every change at or before
// (XID, ID), in that order, has been read, and nothing can still appear
// there. The zero Position is before every change.
type Position struct {
	XID uint64
	ID  int64
}

// Compare orders positions: -1 if p is before q, 0 if equal, +1 if after.
func (p Position) Compare(q Position) int {
	switch {
	case p.XID < q.XID:
		return -1
	case p.XID > q.XID:
		return 1
	case p.ID < q.ID:
		return -1
	case p.ID > q.ID:
		return 1
	}
	return 0
}

// Oldest returns the earliest of ps (the zero Position if there are none):
// what the log may be trimmed to when every one of ps must still be able to
// read on.
func Oldest(ps ...Position) Position {
	if len(ps) == 0 {
		return Position{}
	}
	out := ps[0]
	for _, p := range ps[1:] {
		if p.Compare(out) < 0 {
			out = p
		}
	}
	return out
}

// String writes p as "xid/id", the form ParsePosition reads and a
// generation records.
func (p Position) String() string { return fmt.Sprintf("%d/%d", p.XID, p.ID) }

// MarshalText makes a Position a JSON string.
func (p Position) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (p *Position) UnmarshalText(b []byte) error {
	q, err := ParsePosition(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// ParsePosition reads a Position written by String.
func ParsePosition(s string) (Position, error) {
	x, i, ok := strings.Cut(s, "/")
	if !ok {
		return Position{}, fmt.Errorf("change log position %q: want xid/id", s)
	}
	xid, err := strconv.ParseUint(x, 10, 64)
	if err != nil {
		return Position{}, fmt.Errorf("change log position %q: %w", s, err)
	}
	id, err := strconv.ParseInt(i, 10, 64)
	if err != nil || id < 0 {
		return Position{}, fmt.Errorf("change log position %q: bad id", s)
	}
	return Position{XID: xid, ID: id}, nil
}

// ErrTrimmed says that changes after a position were trimmed from the log:
// whoever stands there cannot catch up by reading, and needs a generation
// built after the trim.
var ErrTrimmed = errors.New("the change log was trimmed past this position")

// ErrAhead says that a position is ahead of every transaction the database
// has seen: it was taken on another database (a restored dump starts its
// transaction ids afresh), and reading from it would skip changes.
var ErrAhead = errors.New("the change log position is ahead of the database")

// CurrentPosition returns the position a reader that has seen everything
// committed so far stands at: the oldest transaction still in flight. An
// index build takes it before it starts reading, so that every change
// after it is replayed on top of the generation; a change that the build
// also read is then applied twice, which is harmless, since applying a
// change re-reads the row's current state. Taken after the reads, it could
// skip a change committed during the build.
func CurrentPosition(ctx context.Context, pool *pgxpool.Pool) (Position, error) {
	var xmin string
	if err := pool.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`).Scan(&xmin); err != nil {
		return Position{}, fmt.Errorf("read change log position: %w", err)
	}
	x, err := strconv.ParseUint(xmin, 10, 64)
	if err != nil {
		return Position{}, fmt.Errorf("read change log position: %w", err)
	}
	return Position{XID: x}, nil
}

// ReadChanges returns up to limit changes after position after, in order,
// and the position to read on from. When it returns fewer than limit, it has
// read everything that can be read now, and the position moves past every
// finished transaction even if they left nothing in the log, so a reader's
// position follows the database while the catalogue stands still.
func ReadChanges(ctx context.Context, pool *pgxpool.Pool, after Position, limit int) ([]Change, Position, error) {
	r, err := readChanges(ctx, pool, after, limit)
	return r.changes, r.next, err
}

// read is what one read of the log found.
type read struct {
	changes []Change
	next    Position
	// held counts committed changes after next that wait for an older
	// transaction to finish; oldest is the age of the oldest change after
	// next (0 if none). Both are for the follower's lag.
	held   int
	oldest time.Duration
}

// readChanges reads the log in one repeatable-read snapshot, so that the
// line it reads up to and the rows it reads agree.
func readChanges(ctx context.Context, pool *pgxpool.Pool, after Position, limit int) (read, error) {
	r := read{next: after}
	if limit <= 0 {
		return r, fmt.Errorf("read change log: limit %d", limit)
	}
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var xminText, xmaxText string
		var trimmed *string
		if err := tx.QueryRow(ctx, `SELECT pg_snapshot_xmin(s)::text, pg_snapshot_xmax(s)::text,
				(SELECT xid::text || '/' || id FROM changes_trimmed)
			FROM pg_current_snapshot() s`).Scan(&xminText, &xmaxText, &trimmed); err != nil {
			return err
		}
		xmin, _ := strconv.ParseUint(xminText, 10, 64)
		xmax, _ := strconv.ParseUint(xmaxText, 10, 64)
		if after.XID > xmax {
			return fmt.Errorf("%w: %s, but the next transaction is %d", ErrAhead, after, xmax)
		}
		if trimmed != nil {
			t, err := ParsePosition(*trimmed)
			if err != nil {
				return err
			}
			if after.Compare(t) < 0 {
				return fmt.Errorf("%w: %s, trimmed to %s", ErrTrimmed, after, t)
			}
		}
		// ORDER BY names c.xid: a bare xid would be the text output column,
		// and "1000" sorts before "999".
		rows, err := tx.Query(ctx, `SELECT c.id, c.xid::text, c.table_name, c.key, c.op, c.refs, c.at FROM changes c
			WHERE (c.xid, c.id) > ($1::text::xid8, $2) AND c.xid < $3::text::xid8
			ORDER BY c.xid, c.id LIMIT $4`, strconv.FormatUint(after.XID, 10), after.ID, xminText, limit)
		if err != nil {
			return err
		}
		var c Change
		var xid string
		var refs []byte
		if _, err := pgx.ForEachRow(rows, []any{&c.ID, &xid, &c.Table, &c.Key, &c.Op, &refs, &c.At}, func() error {
			c.XID, _ = strconv.ParseUint(xid, 10, 64)
			c.Refs = nil
			if refs != nil {
				if err := json.Unmarshal(refs, &c.Refs); err != nil {
					return fmt.Errorf("change %d: refs: %w", c.ID, err)
				}
			}
			r.changes = append(r.changes, c)
			c.Key = nil // ForEachRow scans into the same slice otherwise
			return nil
		}); err != nil {
			return err
		}
		switch {
		case len(r.changes) == limit:
			last := r.changes[len(r.changes)-1]
			r.next = Position{XID: last.XID, ID: last.ID}
		case xmin > after.XID:
			// Everything below xmin is read: stand at the line itself.
			r.next = Position{XID: xmin}
		}
		// The lag: when the read was cut short, the next change in order is
		// about as old as any; when it was not, what is left is only what
		// waits behind a transaction in flight, which is few rows.
		lag := `SELECT count(*) FILTER (WHERE xid >= $3::text::xid8),
				extract(epoch FROM clock_timestamp() - min(at))::float8
			FROM changes WHERE (xid, id) > ($1::text::xid8, $2)`
		if len(r.changes) == limit {
			lag = `SELECT 0, extract(epoch FROM clock_timestamp() - at)::float8 FROM changes
				WHERE (xid, id) > ($1::text::xid8, $2) AND $3 <> '' ORDER BY xid, id LIMIT 1`
		}
		var oldest *float64
		err = tx.QueryRow(ctx, lag, strconv.FormatUint(r.next.XID, 10), r.next.ID, xminText).Scan(&r.held, &oldest)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if oldest != nil {
			r.oldest = time.Duration(max(*oldest, 0) * float64(time.Second))
		}
		return nil
	})
	if err != nil {
		return read{next: after}, fmt.Errorf("read change log after %s: %w", after, err)
	}
	return r, nil
}

// Trim deletes the changes at or before position before, which every
// reader that matters must be past: take the Oldest of the positions of the
// generations still published (each server reads on from its generation's).
// A reader that asks for changes from before it afterwards gets ErrTrimmed
// rather than a log with a hole in it. It returns how many changes it
// deleted.
func Trim(ctx context.Context, pool *pgxpool.Pool, before Position) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		xid := strconv.FormatUint(before.XID, 10)
		tag, err := tx.Exec(ctx, `DELETE FROM changes WHERE (xid, id) <= ($1::text::xid8, $2)`, xid, before.ID)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		// The horizon only moves forward: a late Trim with an older
		// position must not let a reader in front of a hole.
		_, err = tx.Exec(ctx, `INSERT INTO changes_trimmed (xid, id) VALUES ($1::text::xid8, $2)
			ON CONFLICT (one) DO UPDATE SET xid = excluded.xid, id = excluded.id
			WHERE (changes_trimmed.xid, changes_trimmed.id) < (excluded.xid, excluded.id)`, xid, before.ID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("trim change log to %s: %w", before, err)
	}
	return n, nil
}

// ChangePosition makes Source an indexer.PositionSource: a build records
// the CurrentPosition it started at in the generation it builds.
func (s Source) ChangePosition(ctx context.Context) (string, error) {
	p, err := CurrentPosition(ctx, s.Pool)
	if err != nil {
		return "", err
	}
	return p.String(), nil
}
