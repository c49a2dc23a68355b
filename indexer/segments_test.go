package indexer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/util"
	"github.com/careatlas/careatlas/search"
)

const mini = "../testdata/mini"

// snapshots lists, oldest first, the segment files each snapshot in a
// generation's root.bolt names.
func snapshots(t *testing.T, gen string) [][]string {
	t.Helper()
	db, err := util.OpenBolt(filepath.Join(gen, "store", "root.bolt"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out [][]string
	err = db.View(func(tx *util.BoltTxImpl) error {
		snaps := tx.Bucket(util.BoltSnapshotsBucket)
		c := snaps.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			b := snaps.GetBucket(k)
			if v != nil || b == nil || b.GetBucket(util.BoltMetaDataKey) == nil {
				continue
			}
			var segs []string
			sc := b.Cursor()
			for sk, sv := sc.First(); sk != nil; sk, sv = sc.Next() {
				if seg := b.GetBucket(sk); sv == nil && seg != nil {
					if p, _ := seg.Get(util.BoltPathKey, nil); p != nil {
						segs = append(segs, string(p))
					}
				}
			}
			out = append(out, segs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func zapFiles(t *testing.T, gen string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(gen, "store", "*.zap"))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range matches {
		matches[i] = filepath.Base(m)
	}
	return matches
}

// TestPublishedGenerationHoldsOnlyLiveSegments builds and publishes a
// generation and checks that its store holds one snapshot and exactly the
// segment files that snapshot names: nothing a reader would never open.
func TestPublishedGenerationHoldsOnlyLiveSegments(t *testing.T) {
	stats, err := Build(context.Background(), &FileSource{Dir: mini}, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	snaps := snapshots(t, stats.Path)
	if len(snaps) != 1 {
		t.Fatalf("root.bolt holds %d snapshots; want only the live one", len(snaps))
	}
	live := slices.Sorted(slices.Values(snaps[0]))
	if files := zapFiles(t, stats.Path); !slices.Equal(files, live) {
		t.Errorf("segment files %v; the live snapshot names %v", files, live)
	}
}

// TestLiveOnlyRemovesObsoleteSegments plants what scorch leaves when its
// background cleanup has not caught up (an older segment no snapshot
// names), and checks that liveOnly removes it and the index still opens
// whole.
func TestLiveOnlyRemovesObsoleteSegments(t *testing.T) {
	ctx := context.Background()
	gen := filepath.Join(t.TempDir(), "gen-1.building")
	src := &FileSource{Dir: mini}
	rates, err := src.Rates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := search.NewBuilder(gen, rates)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Records(ctx, rates, b.Add); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	before := zapFiles(t, gen)
	if len(before) == 0 {
		t.Fatal("the build wrote no segment")
	}
	// A segment id below every live one, as an obsolete pre-merge segment has.
	stale := "000000000000.zap"
	data, err := os.ReadFile(filepath.Join(gen, "store", before[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(gen, "store", stale), data, 0o644); err != nil {
		t.Fatal(err)
	}

	removed, err := liveOnly(gen)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(removed, stale) {
		t.Errorf("removed %v; want the planted %s among them", removed, stale)
	}
	if after := zapFiles(t, gen); !slices.Equal(after, slices.Sorted(slices.Values(snapshots(t, gen)[0]))) {
		t.Errorf("after: segment files %v, live snapshot %v", after, snapshots(t, gen)[0])
	}
	ix, err := search.Open(gen)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n, err := ix.DocCount(); err != nil || int(n) != b.Count() {
		t.Errorf("reopened index has %d documents (%v); the build added %d", n, err, b.Count())
	}
	for _, r := range removed {
		if !strings.HasSuffix(r, ".zap") {
			t.Errorf("removed %s, not a segment file", r)
		}
	}
}
