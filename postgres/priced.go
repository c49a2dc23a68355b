package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// OffersPricedIn lists the offers priced in any of currencies, ascending:
// when a currency's rate changes, their dollar prices (which filters,
// sorts and price bands read) change with it, so a server re-reads them.
func (s Source) OffersPricedIn(ctx context.Context, currencies []string) ([]int64, error) {
	return s.pricedIn(ctx, "offers", `SELECT id FROM offers WHERE currency = ANY($1) ORDER BY id`, currencies)
}

// TreatmentsPricedIn lists the treatments with an offer priced in any of
// currencies, ascending: when a currency's rate changes, their price
// spans (in dollars) change with it.
func (s Source) TreatmentsPricedIn(ctx context.Context, currencies []string) ([]int64, error) {
	return s.pricedIn(ctx, "treatments",
		`SELECT DISTINCT treatment_id FROM offers WHERE currency = ANY($1) ORDER BY 1`, currencies)
}

// pricedIn runs sql, a list of ids of what priced in currencies; none
// for no currency (a generic plan of "currency = ANY($1)" would read
// every offer for an empty list).
func (s Source) pricedIn(ctx context.Context, what, sql string, currencies []string) ([]int64, error) {
	if len(currencies) == 0 {
		return nil, nil
	}
	rows, err := s.Pool.Query(ctx, sql, currencies)
	if err != nil {
		return nil, fmt.Errorf("%s priced in %v: %w", what, currencies, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("%s priced in %v: %w", what, currencies, err)
	}
	return ids, nil
}
