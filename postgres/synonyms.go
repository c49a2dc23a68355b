package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The synonym graph lives in its own table so that it can change without a
// rebuild of the index: a server polls SynonymsVersion and, when the stamp
// moves, reloads the edges with LoadSynonyms.

// LoadSynonyms returns every edge of the synonym graph, ordered by term and
// then synonym (byte order, as FileSynonyms orders them).
func LoadSynonyms(ctx context.Context, pool *pgxpool.Pool) ([]search.SynonymEdge, error) {
	rows, err := pool.Query(ctx, `SELECT term, synonym, source FROM synonyms
		ORDER BY term COLLATE "C", synonym COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("load synonyms: %w", err)
	}
	var out []search.SynonymEdge
	var e search.SynonymEdge
	if _, err := pgx.ForEachRow(rows, []any{&e.Term, &e.Synonym, &e.Source}, func() error {
		out = append(out, e)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load synonyms: %w", err)
	}
	return out, nil
}

// SynonymsVersion returns a stamp of the synonym table that changes whenever
// its rows do: the row count (a DELETE lowers it), the latest updated_at (an
// INSERT or a reload raises it) and an order-independent sum of the rows'
// hashes (an UPDATE that leaves updated_at alone still changes it). It reads
// the whole table, which at tens of thousands of short rows takes a few
// milliseconds: cheap enough to poll every few seconds.
func SynonymsVersion(ctx context.Context, pool *pgxpool.Pool) (string, error) {
	var n, sum int64
	var latest time.Time
	err := pool.QueryRow(ctx, `SELECT count(*), coalesce(max(updated_at), 'epoch'),
			coalesce(sum(hashtext(term || E'\n' || synonym || E'\n' || source)), 0)
		FROM synonyms`).Scan(&n, &latest, &sum)
	if err != nil {
		return "", fmt.Errorf("read synonyms version: %w", err)
	}
	return fmt.Sprintf("%d-%d-%x", n, latest.UnixMicro(), uint64(sum)), nil
}
