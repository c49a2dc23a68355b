package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search/live"
)

const mini = "../../testdata/mini"

// TestServeMetricsApart: with --metrics-addr, /metrics is served there
// (with the pool and the analytics queue) and not on the API's address;
// /readyz reports the database and the analytics queue.
func TestServeMetricsApart(t *testing.T) {
	db := pgtest.MustDB(t)
	dir := t.TempDir()
	cli(t, "load", "--database-url", db, mini)
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	cfg, err := parseServe([]string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--index-dir", dir,
		"--database-url", db}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := newServer(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-exited; err != nil {
			t.Errorf("serve: %v", err)
		}
		s.Close()
	})
	base := "http://" + s.Addr()
	waitReady(t, base, 30*time.Second)

	var res map[string]any
	if code, err := getJSON(base+"/v1/search?q=knee", &res); err != nil || code != 200 {
		t.Fatalf("search: %d %v", code, err)
	}
	if resp, err := http.Get(base + "/metrics"); err != nil || resp.StatusCode != 404 {
		t.Errorf("/metrics on the API's address with --metrics-addr: %v %v", resp.StatusCode, err)
	}
	resp, err := http.Get("http://" + s.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`careatlas_http_requests_total{code="200",method="GET",route="/v1/search"} 1`,
		"careatlas_pg_pool_connections_max ", "careatlas_pg_pool_acquires_total ",
		"careatlas_analytics_queue_capacity 10000", "careatlas_analytics_queue_depth ",
		"careatlas_analytics_events_written_total ", "careatlas_analytics_events_dropped_total 0",
		"careatlas_index_ready 1", `careatlas_index_documents{type="offer"} 7`,
		"careatlas_synonym_reloads_total 1",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	var ready struct {
		Status    string
		Database  map[string]any
		Analytics map[string]any
	}
	if code, err := getJSON(base+"/readyz", &ready); err != nil || code != 200 || ready.Status != "ready" ||
		ready.Database["status"] != "ok" || ready.Analytics["status"] != "ok" || ready.Analytics["capacity"] != 10000.0 {
		t.Errorf("readyz: %d %v %+v", code, err, ready)
	}
}

// TestDatabaseHealth: the check pings PostgreSQL at most once per
// pingEvery whatever the probe rate, and a database that goes away makes
// /readyz say degraded, with the reason, while it stays 200.
func TestDatabaseHealth(t *testing.T) {
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, pgtest.MustDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	events := postgres.NewEventWriter(pool, postgres.EventOptions{})
	defer events.Close(ctx)
	now := time.Now()
	d := newDatabaseHealth(pool, events)
	d.now = func() time.Time { return now }

	if p := d.Parts(ctx); !p["database"].OK || !p["analytics"].OK {
		t.Fatalf("parts with the database up: %+v", p)
	}
	acquires := pool.Stat().AcquireCount()
	for range 50 {
		d.Parts(ctx)
	}
	if n := pool.Stat().AcquireCount() - acquires; n != 0 {
		t.Errorf("50 probes within %v pinged %d times, want 0 (the first answer is kept)", pingEvery, n)
	}
	now = now.Add(pingEvery)
	d.Parts(ctx)
	if n := pool.Stat().AcquireCount() - acquires; n != 1 {
		t.Errorf("a probe after %v pinged %d times, want 1", pingEvery, n)
	}

	dir := t.TempDir()
	if _, err := indexer.Build(ctx, &indexer.FileSource{Dir: mini}, dir, nil); err != nil {
		t.Fatal(err)
	}
	lv, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lv.Close()
	srv := httptest.NewServer(api.New(lv, api.Options{Health: d.Parts}))
	defer srv.Close()

	pool.Close() // the database goes away
	now = now.Add(pingEvery)
	var ready struct {
		Status   string
		Reasons  []string
		Database map[string]any
	}
	if code, err := getJSON(srv.URL+"/readyz", &ready); err != nil || code != 200 || ready.Status != "degraded" ||
		ready.Database["status"] != "down" || len(ready.Reasons) != 1 || !strings.HasPrefix(ready.Reasons[0], "database: unreachable") {
		t.Errorf("readyz with the database gone: %d %v %+v", code, err, ready)
	}
}
