package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search"
	"github.com/jackc/pgx/v5"
)

// TestNoStaleResponseAcrossTheSwap commits a change while a generation is
// built, so that the generation lacks it and its position is before it,
// waits until the served generation shows the change, then publishes the
// new generation while clients search: every response, before and after
// the swap, must show the change. A server that swapped first and replayed
// after would answer with the build's old price for a moment.
func TestNoStaleResponseAcrossTheSwap(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	dir, staging := t.TempDir(), t.TempDir()
	cli(t, "load", "--database-url", db, miniCatalogue)
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "50ms")
	first := waitReady(t, base, 30*time.Second)

	// The change's transaction is open while the new generation is built:
	// the build neither reads it nor records a position past it.
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const offer, newPrice = 1001, 7777.0
	if _, err := tx.Exec(ctx, `UPDATE offers SET price = $1 WHERE id = $2`, newPrice, offer); err != nil {
		t.Fatal(err)
	}
	cli(t, "index", "--database-url", db, "--index-dir", staging)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	priceNow := func() (float64, error) {
		var res searchResult
		code, err := getJSON(base+"/v1/search?type=offer&per_page=100", &res)
		if err != nil || code != 200 {
			return 0, fmt.Errorf("search: %d %v", code, err)
		}
		for _, h := range res.Hits {
			if h.ID == offer && h.Price != nil {
				return h.Price.Amount, nil
			}
		}
		return 0, fmt.Errorf("offer %d not in the hits", offer)
	}
	visibleWithin(t, "the change on the served generation", func() (bool, string) {
		p, err := priceNow()
		return err == nil && p == newPrice, fmt.Sprint(p, err)
	})

	// Clients search from now on; every answer must show the change.
	searchCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var swapped atomic.Bool
	var afterSwap, stale atomic.Int64
	for range 4 {
		wg.Go(func() {
			for searchCtx.Err() == nil {
				was := swapped.Load()
				p, err := priceNow()
				switch {
				case err != nil:
					t.Error(err)
					return
				case p != newPrice:
					if stale.Add(1) == 1 {
						t.Errorf("a response shows offer %d at %g after %g was visible (swapped: %v)", offer, p, newPrice, swapped.Load())
					}
				case was:
					afterSwap.Add(1)
				}
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	built, err := search.Current(staging)
	if err != nil {
		t.Fatal(err)
	}
	building := filepath.Join(dir, filepath.Base(built)+".building")
	if err := os.Rename(built, building); err != nil {
		t.Fatal(err)
	}
	if _, err := search.Publish(dir, building); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for waitReady(t, base, time.Second) == first {
		if time.Now().After(deadline) {
			t.Fatal("the server did not switch to the new generation")
		}
		time.Sleep(10 * time.Millisecond)
	}
	swapped.Store(true)
	time.Sleep(300 * time.Millisecond)
	stop()
	wg.Wait()
	if afterSwap.Load() == 0 {
		t.Error("no search ran after the swap: the test proves nothing")
	}
	t.Logf("%d responses after the swap, %d stale", afterSwap.Load(), stale.Load())
}
