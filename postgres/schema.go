package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoSchema is returned when a command reads a catalogue table that does
// not exist: the database was never migrated. An operator who runs
// 'careatlas index' against a new database first needs to be told what to
// run, not that a relation does not exist.
var ErrNoSchema = errors.New("the database has no CareAtlas schema: run 'careatlas migrate' (empty catalogue) or 'careatlas load' (a catalogue) first")

// undefinedTable is PostgreSQL's SQLSTATE 42P01, "relation does not exist".
const undefinedTable = "42P01"

// readError wraps err from reading what, turning a missing table into
// ErrNoSchema with the server's message kept for whoever debugs it.
func readError(what string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == undefinedTable {
		return fmt.Errorf("%s: %w (%s)", what, ErrNoSchema, pe.Message)
	}
	return fmt.Errorf("%s: %w", what, err)
}
