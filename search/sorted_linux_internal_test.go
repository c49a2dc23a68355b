//go:build linux

package search

import (
	"testing"
	"time"

	"github.com/careatlas/careatlas/background"
)

// TestOrdersAreMadeInTheBackground: a sort order is made at the niceness
// of background work, as the follower's batches and merges are, so that a
// search beside it comes first; and ObserveOrders is told when it was.
func TestOrdersAreMadeInTheBackground(t *testing.T) {
	t.Cleanup(func() { background.Setup(0, false) })
	background.Setup(7, false)
	type made struct{ start, end time.Time }
	observed := make(chan made, 1)
	ObserveOrders(func(start, end time.Time) { observed <- made{start, end} })
	t.Cleanup(func() { ObserveOrders(nil) })
	nice := make(chan int, 1)
	before := time.Now()
	newKeyOrder().getWith(func() *madeOrder {
		n, err := background.Nice()
		if err != nil {
			t.Error(err)
		}
		nice <- n
		return &madeOrder{}
	})
	if n := <-nice; n != 7 {
		t.Errorf("a sort order was made at niceness %d, want 7 (background)", n)
	}
	select {
	case m := <-observed:
		if m.start.Before(before) || m.end.Before(m.start) || time.Since(m.end) < 0 {
			t.Errorf("an order made from %v to %v, observed after %v", m.start, m.end, before)
		}
	case <-time.After(10 * time.Second):
		t.Error("an order made was not observed")
	}
}
