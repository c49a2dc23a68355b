//go:build linux

package live_test

import (
	"context"
	"testing"
	"time"

	"github.com/careatlas/careatlas/background"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search/live"
)

// TestWatchReloadsAtBackgroundPriority: a generation published while one
// is served is opened and brought up to date on a lowered thread, so that
// it does not take the searches' cores; the first, opened before serving,
// is not.
func TestWatchReloadsAtBackgroundPriority(t *testing.T) {
	const nice = 6
	t.Cleanup(func() { background.Setup(0, false) })
	background.Setup(nice, false)
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	if _, err := indexer.Build(ctx, &indexer.FileSource{Dir: mini}, dir, nil); err != nil {
		t.Fatal(err)
	}
	l, err := live.New(dir) // opens the first generation
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	replayed := make(chan int, 2)
	l.SetReplayer(func(ctx context.Context, p *live.Pending) error {
		n, err := background.Nice()
		if err != nil {
			t.Errorf("%v (this test needs Linux's /proc)", err)
		}
		replayed <- n
		return nil
	})
	second, err := indexer.Build(ctx, &indexer.FileSource{Dir: withoutPost(t, "1")}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	watched := make(chan struct{})
	go func() {
		l.Watch(ctx, 5*time.Millisecond)
		close(watched)
	}()
	// Reload replays twice: while the served generation is still updated,
	// then with its updates held until the swap.
	for i := range 2 {
		if n := <-replayed; n != nice {
			t.Errorf("replay %d ran at nice %d, want background work's %d", i+1, n, nice)
		}
	}
	for l.Path() != second.Path {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-watched
	snap, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Release()
	if _, ok := snap.Posts.Get(1); ok {
		t.Error("post 1 still served after the generation without it was opened by Watch")
	}
}
