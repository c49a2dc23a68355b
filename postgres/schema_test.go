package postgres_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
)

// TestIndexWithoutSchemaSaysWhatToRun builds from a database that was never
// migrated: the error says to migrate or load, and no generation is left.
func TestIndexWithoutSchemaSaysWhatToRun(t *testing.T) {
	pool := connect(t)
	dir := t.TempDir()
	_, err := indexer.Build(context.Background(), postgres.Source{Pool: pool}, dir, nil)
	if !errors.Is(err, postgres.ErrNoSchema) {
		t.Fatalf("build from an empty database: %v; want ErrNoSchema", err)
	}
	for _, want := range []string{"careatlas migrate", "careatlas load", `relation "exchange_rates" does not exist`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if gens, _ := filepath.Glob(filepath.Join(dir, "gen-*")); len(gens) != 0 {
		t.Errorf("the failed build left %v", gens)
	}
}
