package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/gen"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestOverlayEqualsARebuild is the property freshness rests on: from a
// generation of the mini catalogue, make hundreds of random inserts,
// updates and deletes on every table, apply the change log through the
// overlay in batches of random sizes (as serve does), and after each round
// compare, for a sample of searches, every total, every facet count, the
// set of hits and their order under a sort by price or rating with a
// rebuild of the same rows.
func TestOverlayEqualsARebuild(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	dir := t.TempDir()
	// A generated catalogue of a few thousand records, of which the
	// random writes touch a few dozen: most of the generation stays
	// live under the overlay, so searches merge both.
	cli(t, "migrate", "--database-url", db)
	pool, err := postgres.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	cfg := gen.Config{Offers: 2000, Facilities: 200, Doctors: 300, Countries: 8, Treatments: 40, Seed: 3}
	if _, err := gen.Generate(ctx, pool, bundled, cfg, nil); err != nil {
		t.Fatal(err)
	}
	ids := pickIDs(t, pool)
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	l, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	served := l.Path()
	raw, err := indexer.ChangePosition(served)
	if err != nil {
		t.Fatal(err)
	}
	pos, err := postgres.ParsePosition(raw)
	if err != nil {
		t.Fatal(err)
	}
	c := &changes{pool: pool, src: postgres.Source{Pool: pool}, live: l, synced: func(context.Context) {}}

	rng := rand.New(rand.NewPCG(7, 12))
	writes, written := 0, 0
	for round := range 10 {
		for range 50 {
			writes++
			if _, err := pool.Exec(ctx, pgtest.RandomWrite(rng, ids)); err == nil {
				written++ // constraint violations are part of the game
			}
		}
		n := 0
		for {
			batch, next, err := postgres.ReadChanges(ctx, pool, pos, 1+rng.IntN(20))
			if err != nil {
				t.Fatal(err)
			}
			pos = next
			if len(batch) == 0 {
				break
			}
			n += len(batch)
			apply, err := c.prepare(ctx, served, batch)
			if err != nil {
				t.Fatalf("round %d: prepare: %v", round, err)
			}
			if err := apply(); err != nil {
				t.Fatalf("round %d: apply: %v", round, err)
			}
		}
		rebuilt := t.TempDir()
		cli(t, "index", "--database-url", db, "--index-dir", rebuilt)
		path, err := search.Current(rebuilt)
		if err != nil {
			t.Fatal(err)
		}
		want, err := search.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := l.Acquire()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range propertyRequests() {
			w, err := want.Search(ctx, r, nil)
			if err != nil {
				t.Fatal(err)
			}
			g, err := snap.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			sameAsRebuild(t, fmt.Sprintf("round %d", round), r, g, w)
		}
		f := l.Freshness()
		snap.Release()
		want.Close()
		t.Logf("round %d: %d changes applied; overlay %d records, %d deleted", round, n, f.Changed, f.Deleted)
		if t.Failed() {
			return
		}
	}
	if written < writes/3 {
		t.Errorf("only %d of %d random writes succeeded: the test exercises too little", written, writes)
	}
}

// pgtest.CatalogueIDs are the ids the random writes use: a few existing rows of
// each table and a few new ids, so that rows collide and refer to each
// other.

func pickIDs(t *testing.T, pool *pgxpool.Pool) pgtest.CatalogueIDs {
	t.Helper()
	some := func(table string, n, fresh int) []int64 {
		rows, err := pool.Query(context.Background(), `SELECT id FROM `+table+` ORDER BY id LIMIT $1`, n)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(out) == 0 {
			t.Fatalf("ids of %s: %v %v", table, out, err)
		}
		var top int64
		if err := pool.QueryRow(context.Background(), `SELECT max(id) FROM `+table).Scan(&top); err != nil {
			t.Fatal(err)
		}
		for i := range fresh {
			out = append(out, top+1+int64(i))
		}
		return out
	}
	return pgtest.CatalogueIDs{Facilities: some("facilities", 8, 3), Doctors: some("doctors", 8, 3),
		Treatments: some("treatments", 4, 2), Offers: some("offers", 30, 10)}
}

// propertyRequests are the searches compared with a rebuild: every facet
// over everything and over each type, sorts, a currency, filters, and the
// words the random writes use.
func propertyRequests() []search.Request {
	all := []string{"type", "country", "city", "category", "kind", "accreditation", "language", "price"}
	rs := []search.Request{
		{PerPage: 100, Facets: all},
		{PerPage: 100, Facets: all, Currency: "EUR", Sort: search.SortPriceAsc},
		search.Request{PerPage: 100, Facets: all, Sort: search.SortPriceDesc, Currency: "TRY"}.MustWhere(search.FilterType, search.TypeOffer),
		search.Request{PerPage: 100, Facets: all, Sort: search.SortRating}.MustWhere(search.FilterType, search.TypeFacility),
		search.Request{PerPage: 100, Facets: all}.MustWhere("accreditation", "JCI"),
		search.Request{PerPage: 100, Facets: all}.MustWhere(search.FilterCountry, "TR", "DE"),
		search.Request{PerPage: 100, Facets: all}.MustWhere(search.FilterCategory, "Cardiology"),
		search.Request{PerPage: 100, Facets: all, Currency: "GBP", PriceMax: ptr(5000.0)}.MustWhere(search.FilterType, search.TypeOffer),
		search.Request{PerPage: 3, Page: 2, Sort: search.SortPriceAsc}.MustWhere(search.FilterType, search.TypeOffer),
	}
	for _, q := range []string{"knee", "hip", "nose", "heart", "clinic", "surgery", "knee surgery", "hospital"} {
		rs = append(rs, search.Request{Query: q, PerPage: 100, Facets: all},
			search.Request{Query: q, PerPage: 100, Facets: all, Sort: search.SortPriceAsc}.MustWhere(search.FilterType, search.TypeOffer),
			search.Request{Query: q, Lang: "es", PerPage: 100, Facets: all})
	}
	return rs
}

func ptr[T any](v T) *T { return &v }

// sameAsRebuild compares what must be exact: the total, every facet, the
// hits as a set (when they fit in the page), and their keys in order under
// a sort by a key.
func sameAsRebuild(t *testing.T, step string, r search.Request, got, want *search.Result) {
	t.Helper()
	b, _ := json.Marshal(r)
	name := step + ": " + string(b)
	if got.Total != want.Total {
		t.Errorf("%s: total %d, a rebuild says %d", name, got.Total, want.Total)
	}
	if !reflect.DeepEqual(got.Facets, want.Facets) {
		t.Errorf("%s: facets\n%v\na rebuild says\n%v", name, got.Facets, want.Facets)
	}
	ids := func(hs []search.Hit) []string {
		var out []string
		for _, h := range hs {
			out = append(out, search.DocID(h.Type, h.ID))
		}
		slices.Sort(out)
		return out
	}
	// Equal scores and keys are ordered by document number, which differs
	// between an overlay and a rebuild: the set is compared when it is
	// whole.
	if r.Page <= 1 && want.Total <= uint64(r.PerPage) {
		if g, w := ids(got.Hits), ids(want.Hits); !slices.Equal(g, w) {
			t.Errorf("%s: hits %v, a rebuild gives %v", name, g, w)
		}
	}
	key := func(h search.Hit) string {
		switch r.Sort {
		case search.SortPriceAsc, search.SortPriceDesc:
			b, _ := json.Marshal([]any{h.Price, h.PriceRange, h.ConvertedPrice})
			return string(b)
		case search.SortRating:
			b, _ := json.Marshal(h.Rating)
			return string(b)
		}
		return ""
	}
	if len(got.Hits) != len(want.Hits) {
		t.Errorf("%s: %d hits, a rebuild gives %d", name, len(got.Hits), len(want.Hits))
		return
	}
	for i := range got.Hits {
		if g, w := key(got.Hits[i]), key(want.Hits[i]); g != w {
			t.Errorf("%s: hit %d sorts by %s, a rebuild's by %s", name, i, g, w)
		}
	}
}
