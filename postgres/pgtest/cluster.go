package pgtest

import (
	"context"
	"testing"
)

// Cluster is a throwaway PostgreSQL server of one test's own, for tests of
// what happens while the database is away: Restart takes the shared server
// down for a fixed time, under every other test; a Cluster stays down
// between Stop and Start for as long as the test needs, and no other test
// sees it. It always runs from the machine's server binaries.
type Cluster struct {
	c *cluster
}

// NewCluster starts a cluster that the test's cleanup stops and removes. It
// fails the test when the server binaries are missing or the server does
// not start, saying why; it never skips.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := startCluster()
	if err != nil {
		tb.Fatalf("pgtest: start a cluster of the test's own: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.stop(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return &Cluster{c: c}
}

// URL is the connection URL of the cluster's postgres database, which the
// test may use as its own.
func (c *Cluster) URL() string { return c.c.url }

// Stop stops the server (pg_ctl -m fast): open connections break and new
// ones are refused until Start. Not -m immediate: the cluster runs with
// synchronous_commit off, so a crash would lose commits it acknowledged,
// and a test would blame the client for them.
func (c *Cluster) Stop(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if out, err := c.c.run(ctx, c.c.pgctl, "-D", c.c.data(), "-m", "fast", "-w", "stop"); err != nil {
		tb.Fatalf("pgtest: pg_ctl stop: %v\n%s", err, out)
	}
}

// Start starts the stopped server again on the same port, so URL holds.
func (c *Cluster) Start(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := c.c.start(ctx); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
}
