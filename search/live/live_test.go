package live_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
)

const mini = "../../testdata/mini"

// withoutPost copies the mini catalogue leaving out one post, so that two
// generations differ in their posts.
func withoutPost(t *testing.T, id string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(mini)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(mini, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "posts.csv" {
			var keep []string
			for _, line := range strings.Split(string(b), "\n") {
				if !strings.HasPrefix(line, id+",") {
					keep = append(keep, line)
				}
			}
			b = []byte(strings.Join(keep, "\n"))
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSnapshotSpansAReload shows that a request reads one generation from
// start to end: a snapshot taken before a swap keeps the old index and the
// old posts, and one taken after sees the new ones.
func TestSnapshotSpansAReload(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Acquire(); !errors.Is(err, search.ErrNoIndex) {
		t.Fatalf("before any build: got %v, want ErrNoIndex", err)
	}
	first, err := indexer.Build(ctx, &indexer.FileSource{Dir: mini}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if switched, err := l.Reload(); err != nil || !switched {
		t.Fatalf("reload: %v, %v", switched, err)
	}
	before, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := before.Posts.Get(1); !ok {
		t.Fatal("the first generation has no post 1")
	}

	second, err := indexer.Build(ctx, &indexer.FileSource{Dir: withoutPost(t, "1")}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if switched, err := l.Reload(); err != nil || !switched {
		t.Fatalf("reload: %v, %v", switched, err)
	}
	after, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer after.Release()

	// The snapshot taken before the swap still reads the first generation,
	// its index and its posts, and can still search.
	if before.Index.Path() != first.Path {
		t.Errorf("before: index %s, want %s", before.Index.Path(), first.Path)
	}
	if _, ok := before.Posts.Get(1); !ok {
		t.Error("before: post 1 gone from a snapshot taken before the swap")
	}
	res, err := before.Search(ctx, search.Request{Query: "knee replacement"})
	if err != nil || res.Total == 0 {
		t.Errorf("before: search on the retired generation: %v, %+v", err, res)
	}
	before.Release()
	before.Release() // a second release does nothing

	if after.Index.Path() != second.Path {
		t.Errorf("after: index %s, want %s", after.Index.Path(), second.Path)
	}
	if _, ok := after.Posts.Get(1); ok {
		t.Error("after: post 1 still served after the generation without it was published")
	}
	if after.Generation() != filepath.Base(second.Path) {
		t.Errorf("generation %q, want %q", after.Generation(), filepath.Base(second.Path))
	}
}

// TestSynonymsInASnapshot: a snapshot keeps the synonym graph it was taken
// with, so one request expands its query once, the same way throughout.
func TestSynonymsInASnapshot(t *testing.T) {
	ctx := context.Background()
	l, _ := liveOnMini(t)
	g := search.NewSynonyms([]search.SynonymEdge{{Term: "schnozz fix", Synonym: "rhinoplasty"}})
	l.SetSynonyms(g, "v1")
	s, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	l.SetSynonyms(nil, "v2")
	if s.Synonyms != g {
		t.Error("the snapshot's synonym graph changed under it")
	}
	res, err := s.Search(ctx, search.Request{Query: "schnozz fix"})
	if err != nil || res.Total == 0 {
		t.Errorf("search with the snapshot's synonyms: %v, total %v", err, res)
	}
	if _, v := l.Synonyms(); v != "v2" {
		t.Errorf("version %q, want v2", v)
	}
}
