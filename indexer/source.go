package indexer

import (
	"context"

	"github.com/careatlas/careatlas/search"
)

// Source is where an index is built from: PostgreSQL, or catalogue files
// for the demo. Records come out in a fixed order (treatments, facilities,
// doctors, offers, each by id) so that two sources can be compared.
type Source interface {
	// Rates returns the latest exchange rate of every currency.
	Rates(ctx context.Context) (search.Rates, error)
	// Count returns how many records Records will yield, for progress.
	Count(ctx context.Context) (int, error)
	// Records calls yield for every record, stopping at the first error.
	Records(ctx context.Context, rates search.Rates, yield func(*search.Record) error) error
}
