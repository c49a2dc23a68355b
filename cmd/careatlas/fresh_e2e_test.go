package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

const miniCatalogue = "../../testdata/mini"

// freshDeadline is how soon a committed change must be visible.
const freshDeadline = 2 * time.Second

// visibleWithin polls check until it holds, failing the test if it does
// not within freshDeadline, and logs how long it took.
func visibleWithin(t *testing.T, what string, check func() (bool, string)) {
	t.Helper()
	start := time.Now()
	last := ""
	for time.Since(start) < freshDeadline {
		ok, got := check()
		if ok {
			t.Logf("%s: visible after %v", what, time.Since(start).Round(time.Millisecond))
			return
		}
		last = got
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%s: not visible within %v; last answer: %s", what, freshDeadline, last)
}

func offerOrder(res searchResult) []int64 {
	var out []int64
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func facetCount(res searchResult, facet, value string) int {
	for _, v := range res.Facets[facet] {
		if v.Value == value {
			return v.Count
		}
	}
	return 0
}

// TestChangesReachTheAPI serves the mini catalogue from PostgreSQL and
// makes each kind of change in the database: each must reach the API
// within freshDeadline, with no rebuild.
func TestChangesReachTheAPI(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	dir := t.TempDir()
	cli(t, "load", "--database-url", db, miniCatalogue)
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	// Synonyms are polled rarely here: a new one must arrive through the
	// change log.
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--synonyms-every", "1h")
	gen := waitReady(t, base, 30*time.Second)
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	usOffers := url.Values{"type": {"offer"}, "country": {"US"}, "sort": {"price_asc"}, "facets": {"country,accreditation"}}
	if got := offerOrder(searchAPI(t, base, usOffers)); !slices.Equal(got, []int64{1002, 1001, 1000, 1003}) {
		t.Fatalf("US offers by price before any change: %v", got)
	}

	t.Run("a price change re-sorts", func(t *testing.T) {
		exec(`UPDATE offers SET price = 9000 WHERE id = 1000`)
		visibleWithin(t, "offer 1000 at 9000", func() (bool, string) {
			got := offerOrder(searchAPI(t, base, usOffers))
			return slices.Equal(got, []int64{1000, 1002, 1001, 1003}), fmt.Sprint(got)
		})
	})
	t.Run("a deleted offer leaves hits and facets", func(t *testing.T) {
		exec(`DELETE FROM offers WHERE id = 1002`)
		visibleWithin(t, "offer 1002 gone", func() (bool, string) {
			res := searchAPI(t, base, usOffers)
			got := offerOrder(res)
			return slices.Equal(got, []int64{1000, 1001, 1003}) && res.Total == 3 && facetCount(res, "country", "US") == 3,
				fmt.Sprintf("%v total %d facets %v", got, res.Total, res.Facets)
		})
		var page struct {
			Offers []struct {
				ID int64 `json:"id"`
			} `json:"offers"`
		}
		if code, err := getJSON(base+"/v1/facilities/10", &page); err != nil || code != 200 {
			t.Fatalf("facility 10: %d %v", code, err)
		}
		for _, o := range page.Offers {
			if o.ID == 1002 {
				t.Errorf("facility 10's page still lists the deleted offer: %+v", page)
			}
		}
	})
	t.Run("a new accreditation appears in the facet", func(t *testing.T) {
		exec(`UPDATE facilities SET accreditations = accreditations || '{JCI}' WHERE id = 10`)
		visibleWithin(t, "JCI at Houston Methodist", func() (bool, string) {
			res := searchAPI(t, base, usOffers)
			return facetCount(res, "accreditation", "JCI") == 1, fmt.Sprint(res.Facets["accreditation"])
		})
		filtered := searchAPI(t, base, url.Values{"type": {"offer"}, "accreditation": {"JCI"}, "country": {"US"}})
		if got := offerOrder(filtered); !slices.Equal(got, []int64{1000}) {
			t.Errorf("US offers accredited by JCI: %v, want [1000]", got)
		}
	})
	t.Run("a renamed treatment's offers match its new name", func(t *testing.T) {
		exec(`UPDATE treatments SET lay_names = lay_names || '{bionic knee}' WHERE id = 1`)
		visibleWithin(t, "bionic knee", func() (bool, string) {
			res := searchAPI(t, base, url.Values{"q": {"bionic"}, "type": {"offer"}, "sort": {"price_asc"}})
			got := offerOrder(res)
			return slices.Equal(got, []int64{1000, 1001}), fmt.Sprint(got)
		})
	})
	t.Run("an unpublished post stops matching", func(t *testing.T) {
		postIDs := func() []int64 {
			var res struct {
				Posts []struct {
					ID int64 `json:"id"`
				} `json:"posts"`
			}
			if code, err := getJSON(base+"/v1/search?q=knee+replacement&posts=10", &res); err != nil || code != 200 {
				t.Fatalf("search with posts: %d %v", code, err)
			}
			var ids []int64
			for _, p := range res.Posts {
				ids = append(ids, p.ID)
			}
			return ids
		}
		if !slices.Contains(postIDs(), 1) {
			t.Fatalf("post 1 does not match knee replacement to begin with: %v", postIDs())
		}
		exec(`UPDATE posts SET published = false WHERE id = 1`)
		visibleWithin(t, "post 1 unpublished", func() (bool, string) {
			ids := postIDs()
			return !slices.Contains(ids, 1), fmt.Sprint(ids)
		})
	})
	t.Run("a new exchange rate converts", func(t *testing.T) {
		exec(`INSERT INTO exchange_rates (currency, rate, as_of) VALUES ('EUR', 0.5, '2025-11-01')`)
		q := url.Values{"type": {"offer"}, "currency": {"EUR"}, "sort": {"price_asc"}, "country": {"US"}}
		visibleWithin(t, "EUR at 0.5", func() (bool, string) {
			var res struct {
				Hits []struct {
					ID             int64 `json:"id"`
					ConvertedPrice *struct {
						Amount float64 `json:"amount"`
					} `json:"converted_price"`
				} `json:"hits"`
			}
			if code, err := getJSON(base+"/v1/search?"+q.Encode(), &res); err != nil || code != 200 {
				return false, fmt.Sprint(code, err)
			}
			ok := len(res.Hits) > 0 && res.Hits[0].ID == 1000 && res.Hits[0].ConvertedPrice != nil &&
				res.Hits[0].ConvertedPrice.Amount == 4500
			return ok, fmt.Sprintf("%+v", res.Hits)
		})
		// The EUR offer's dollar price changed with it: 4,000 EUR is now
		// 8,000 USD, under a 9,000 USD bound.
		visibleWithin(t, "the EUR offer's dollar price", func() (bool, string) {
			res := searchAPI(t, base, url.Values{"type": {"offer"}, "price_max": {"9000"}, "sort": {"price_asc"}})
			got := offerOrder(res)
			return slices.Equal(got, []int64{1006, 1004, 1005, 1000}), fmt.Sprint(got)
		})
		// And so did the span of its treatment (IVF: 4,000 EUR and from
		// 80,000 TRY), which the overlay recounts at the new rate without
		// reading the treatment: 2,000 to 5,000 USD, now to 8,000.
		visibleWithin(t, "the EUR offer's treatment's span", func() (bool, string) {
			var tr struct {
				Span *struct{ Min, Max float64 } `json:"price_span_usd"`
			}
			if code, err := getJSON(base+"/v1/treatments/4", &tr); err != nil || code != 200 {
				return false, fmt.Sprint(code, err)
			}
			return tr.Span != nil && tr.Span.Min == 2000 && tr.Span.Max == 8000, fmt.Sprintf("%+v", tr.Span)
		})
	})
	t.Run("a new synonym applies", func(t *testing.T) {
		exec(`INSERT INTO synonyms (term, synonym, source) VALUES ('schnozz', 'rhinoplasty', 'curated')`)
		visibleWithin(t, "schnozz means rhinoplasty", func() (bool, string) {
			res := searchAPI(t, base, url.Values{"q": {"schnozz"}, "type": {"treatment"}})
			got := offerOrder(res)
			return slices.Equal(got, []int64{2}), fmt.Sprint(got)
		})
	})

	var ready struct {
		Index struct {
			Generation string
		}
		Freshness struct {
			Position   string
			LagSeconds float64 `json:"lag_seconds"`
			Applied    int64
			Changed    uint64
		}
	}
	if code, err := getJSON(base+"/readyz", &ready); err != nil || code != 200 {
		t.Fatalf("readyz: %d %v", code, err)
	}
	if ready.Index.Generation != gen || ready.Freshness.Position == "" || ready.Freshness.Applied == 0 || ready.Freshness.Changed == 0 {
		t.Errorf("readyz after the changes: %+v; want the same generation, a position and applied changes", ready)
	}
}

// TestReindexWhileChangesStream rebuilds the index while prices keep
// changing: after the server switches to the new generation and the
// writes stop, what it serves equals the database.
func TestReindexWhileChangesStream(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	dir := t.TempDir()
	cli(t, "load", "--database-url", db, miniCatalogue)
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms")
	first := waitReady(t, base, 30*time.Second)

	writeCtx, stopWrites := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		for i := 0; writeCtx.Err() == nil; i++ {
			conn.Exec(ctx, `UPDATE offers SET price = $1 WHERE id = $2`, 1000+i, 1000+i%3)
			time.Sleep(5 * time.Millisecond)
		}
	})
	time.Sleep(200 * time.Millisecond)
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	deadline := time.Now().Add(10 * time.Second)
	for waitReady(t, base, time.Second) == first {
		if time.Now().After(deadline) {
			t.Fatal("the server did not switch to the new generation")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // writes go on after the switch
	stopWrites()
	wg.Wait()

	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// Offers priced in dollars: their amounts are what the writes changed.
	var want []string
	rows, _ := conn.Query(ctx, `SELECT id, price FROM offers WHERE price IS NOT NULL AND currency = 'USD'`)
	var id int64
	var price float64
	_, err = pgx.ForEachRow(rows, []any{&id, &price}, func() error {
		want = append(want, fmt.Sprintf("%d@%g", id, price))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	visibleWithin(t, "the database's prices after the reindex", func() (bool, string) {
		var res struct {
			Hits []struct {
				ID    int64 `json:"id"`
				Price *struct {
					Amount   float64 `json:"amount"`
					Currency string  `json:"currency"`
				} `json:"price"`
			} `json:"hits"`
		}
		if code, err := getJSON(base+"/v1/search?type=offer&per_page=100", &res); err != nil || code != 200 {
			return false, fmt.Sprint(code, err)
		}
		var got []string
		for _, h := range res.Hits {
			if h.Price != nil && h.Price.Currency == "USD" {
				got = append(got, fmt.Sprintf("%d@%g", h.ID, h.Price.Amount))
			}
		}
		slices.Sort(got)
		return slices.Equal(got, want), fmt.Sprintf("%v, database %v", got, want)
	})
}
