package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"log/slog"
	"strings"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// LoadStats counts the rows Load wrote, per table.
type LoadStats struct {
	Rows    map[string]int64
	Elapsed time.Duration
}

// Load replaces the catalogue in PostgreSQL with the one in dir, in one
// transaction: every table is emptied and refilled with COPY, so readers see
// the old catalogue until the commit and the new one after it, and a bad row
// anywhere leaves the database as it was. Rows are validated while they
// stream, and an error names the file, line and field at fault.
//
// dir "" is the demo catalogue built into the binary (see indexer.Catalogue).
func Load(ctx context.Context, pool *pgxpool.Pool, dir string) (LoadStats, error) {
	return LoadFS(ctx, pool, indexer.Catalogue(dir), indexer.CatalogueName(dir))
}

// LoadFS is Load from the catalogue files in fsys; name says which catalogue
// it is in errors.
func LoadFS(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS, name string) (LoadStats, error) {
	start := time.Now()
	stats := LoadStats{Rows: map[string]int64{}}
	cat, err := catalog.OpenFS(fsys, name)
	if err != nil {
		return stats, err
	}
	if _, err := Migrate(ctx, pool); err != nil {
		return stats, err
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		names := make([]string, len(catalog.Tables))
		for i, t := range catalog.Tables {
			names[i] = t.Name
		}
		if _, err := tx.Exec(ctx, "TRUNCATE "+strings.Join(names, ", ")); err != nil {
			return fmt.Errorf("empty catalogue tables: %w", err)
		}
		copies := []struct {
			table catalog.Table
			rows  func() (rows func() ([]any, error), stop func(), err *error)
		}{
			{catalog.Tables[0], rowsOf(cat.ExchangeRates())},
			{catalog.Tables[1], rowsOf(cat.Countries())},
			{catalog.Tables[2], rowsOf(cat.Treatments())},
			{catalog.Tables[3], rowsOf(cat.Facilities())},
			{catalog.Tables[4], rowsOf(cat.Doctors())},
			{catalog.Tables[5], rowsOf(cat.DoctorTreatments())},
			{catalog.Tables[6], rowsOf(cat.Offers())},
			{catalog.Tables[7], rowsOf(cat.TreatmentTranslations())},
			{catalog.Tables[8], rowsOf(cat.Synonyms())},
			{catalog.TableNamed("posts"), rowsOf(cat.Posts())},
			{catalog.TableNamed("price_references"), rowsOf(cat.PriceReferences())},
		}
		for _, c := range copies {
			next, stop, readErr := c.rows()
			n, err := tx.CopyFrom(ctx, pgx.Identifier{c.table.Name}, c.table.Columns, pgx.CopyFromFunc(next))
			stop()
			if *readErr != nil {
				// pgx flattens the source's error into a string; keep ours,
				// which names the file, line and field.
				return *readErr
			}
			if err != nil {
				return loadError(c.table, err)
			}
			stats.Rows[c.table.Name] = n
			slog.InfoContext(ctx, "loaded table", "table", c.table.Name, "rows", n)
		}
		return nil
	})
	stats.Elapsed = time.Since(start)
	if err != nil {
		return stats, fmt.Errorf("load catalogue %s: %w", name, err)
	}
	return stats, nil
}

// rowsOf turns a catalogue iterator into the pull function COPY wants, and
// keeps the iterator's error where the caller can see it unaltered.
func rowsOf[T interface{ Values() []any }](seq iter.Seq2[T, error]) func() (func() ([]any, error), func(), *error) {
	return func() (func() ([]any, error), func(), *error) {
		next, stop := iter.Pull2(seq)
		var readErr error
		return func() ([]any, error) {
			v, err, ok := next()
			if !ok {
				return nil, nil
			}
			if err != nil {
				readErr = err
				return nil, err
			}
			return v.Values(), nil
		}, stop, &readErr
	}
}

// loadError keeps a catalogue error as it is (it already names file, line and
// field) and adds the file and line to a constraint the database caught.
func loadError(t catalog.Table, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		line := 0
		if i := strings.Index(pe.Where, "line "); i >= 0 {
			fmt.Sscanf(pe.Where[i+len("line "):], "%d", &line)
		}
		if line > 0 {
			// COPY counts data rows from 1; the file has a header line first.
			return &catalog.FieldError{File: t.File, Line: line + 1, Field: pe.ColumnName, Err: fmt.Errorf("%s", pe.Message)}
		}
		return fmt.Errorf("%s: %s (%s)", t.File, pe.Message, pe.Detail)
	}
	return fmt.Errorf("%s: %w", t.File, err)
}
