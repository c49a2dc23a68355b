package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/search"
)

const bundled = "../testdata/catalog"

func TestSynonymsFromPostgresAndFiles(t *testing.T) {
	ctx := context.Background()
	pool := connect(t)
	if _, err := postgres.Load(ctx, pool, bundled); err != nil {
		t.Fatal(err)
	}
	fromDB, err := postgres.LoadSynonyms(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	fromFiles, err := indexer.FileSynonyms(bundled)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromDB) < 1000 {
		t.Errorf("only %d synonym edges in the bundled catalogue", len(fromDB))
	}
	if !reflect.DeepEqual(fromDB, fromFiles) {
		t.Errorf("PostgreSQL and files disagree: %d edges vs %d", len(fromDB), len(fromFiles))
	}
	for _, want := range []search.SynonymEdge{
		{Term: "nose job", Synonym: "rhinoplasty", Source: "curated"},
		{Term: "rhinoplasty", Synonym: "nose job", Source: "curated"},
		{Term: "heart attack", Synonym: "myocardial infarction", Source: "curated"},
		{Term: "ivf", Synonym: "in vitro fertilisation", Source: "curated"},
	} {
		if !slices.Contains(fromDB, want) {
			t.Errorf("no edge %+v", want)
		}
	}
}

func TestSynonymsVersionFollowsChanges(t *testing.T) {
	ctx := context.Background()
	pool := connect(t)
	if _, err := postgres.Load(ctx, pool, mini); err != nil {
		t.Fatal(err)
	}
	version := func() string {
		t.Helper()
		v, err := postgres.SynonymsVersion(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	seen := map[string]string{"loaded": version()}
	if again := version(); again != seen["loaded"] {
		t.Errorf("version changed without a change: %q then %q", seen["loaded"], again)
	}
	for _, step := range []struct{ name, sql string }{
		{"insert", `INSERT INTO synonyms (term, synonym, source) VALUES ('boob job', 'breast augmentation', 'curated')`},
		{"update without touching updated_at", `UPDATE synonyms SET synonym = 'breast implants' WHERE term = 'boob job'`},
		{"delete", `DELETE FROM synonyms WHERE term = 'mi'`},
		{"delete all", `DELETE FROM synonyms`},
	} {
		if _, err := pool.Exec(ctx, step.sql); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		v := version()
		for name, old := range seen {
			if v == old {
				t.Errorf("after %s the version is %q, as after %s", step.name, v, name)
			}
		}
		seen[step.name] = v
	}
	edges, err := postgres.LoadSynonyms(ctx, pool)
	if err != nil || len(edges) != 0 {
		t.Errorf("after deleting every row: %v, %v", edges, err)
	}
}

func TestFileSynonyms(t *testing.T) {
	noFile := t.TempDir()
	for _, tbl := range catalog.Tables {
		if tbl.Optional() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(mini, tbl.File))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(noFile, tbl.File), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		dir  string
		want []search.SynonymEdge
	}{
		{"mini, sorted by term then synonym", mini, []search.SynonymEdge{
			{Term: "heart attack", Synonym: "myocardial infarction", Source: "medquad"},
			{Term: "mi", Synonym: "myocardial infarction", Source: "medquad"},
			{Term: "new knee", Synonym: "knee replacement", Source: "curated"},
			{Term: "nose job", Synonym: "rhinoplasty", Source: "curated"},
			{Term: "rhinoplasty", Synonym: "nose job", Source: "curated"},
		}},
		{"a catalogue without synonyms.csv", noFile, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := indexer.FileSynonyms(tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
