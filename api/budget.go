package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/careatlas/careatlas/search"
)

// DefaultSearchBudget is how long one search may spend in the engine unless
// Options.SearchBudget says otherwise: some twenty times the p99 of the
// query classes at a million offers (BENCHMARKS.md), so that an honest
// search never meets it and a hostile one is stopped in half a second.
const DefaultSearchBudget = 500 * time.Millisecond

// engineErr returns the error of an engine call made under ctx, counting
// it as over budget (for a search of kind; "" counts nothing) when the
// budget is what stopped it. Bleve reports an expired context as
// context.DeadlineExceeded, not its cause, so the cause is read here.
func (h *handlers) engineErr(ctx context.Context, kind string, err error) error {
	if !errors.Is(context.Cause(ctx), search.ErrOverBudget) {
		return err
	}
	if kind != "" {
		h.metrics.overBudget.WithLabelValues(kind).Inc()
	}
	if errors.Is(err, search.ErrOverBudget) {
		return err
	}
	return fmt.Errorf("%w: %w", search.ErrOverBudget, err)
}
