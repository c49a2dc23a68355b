package postgres_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/jackc/pgx/v5/pgxpool"
)

func loaded(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Connect(context.Background(), pgtest.MustDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := postgres.Load(context.Background(), pool, "../testdata/mini"); err != nil {
		t.Fatal(err)
	}
	return pool
}

// TestWriterUnderLoad: many senders through a small buffer (so they wait on
// each other), then Close: every event is in PostgreSQL.
func TestWriterUnderLoad(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	w := postgres.NewEventWriter(pool, postgres.EventOptions{Buffer: 16, BatchSize: 50, FlushEvery: 20 * time.Millisecond})
	const senders, each = 8, 250
	at := time.Now()
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := w.RecordPost(ctx, posts.PostEvent{At: at, PostID: int64(s + 1), FacilityID: 11, Kind: posts.View}); err != nil {
					t.Error(err)
				}
				if err := w.RecordSearch(ctx, posts.SearchEvent{At: at, Keywords: []string{"knee"}, FacilityIDs: []int64{11}, Total: i}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	var views, searches int64
	pool.QueryRow(ctx, `SELECT count(*) FROM post_events`).Scan(&views)
	pool.QueryRow(ctx, `SELECT count(*) FROM search_events`).Scan(&searches)
	if views != senders*each || searches != senders*each || w.Written() != 2*senders*each || w.Lost() != 0 {
		t.Errorf("%d views and %d searches in PostgreSQL, written %d lost %d; want %d each", views, searches,
			w.Written(), w.Lost(), senders*each)
	}
	if err := w.RecordPost(ctx, posts.PostEvent{At: at, PostID: 1, FacilityID: 11, Kind: posts.View}); err == nil {
		t.Errorf("an event after Close was accepted")
	}
}

func TestReport(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	w := postgres.NewEventWriter(pool, postgres.EventOptions{})
	day := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	events := []posts.SearchEvent{
		{At: day, Keywords: []string{"knee", "replac"}, Categories: []string{"Orthopaedics"}, FacilityIDs: []int64{10, 11}, Total: 2},
		{At: day, Keywords: []string{"knee"}, PatientCountry: "DE", Categories: []string{"Orthopaedics"}, FacilityIDs: []int64{11}, Total: 1},
		{At: day, Keywords: []string{"robot", "knee"}, Categories: []string{"Orthopaedics"}, Total: 0},
		{At: day, Keywords: []string{"robot", "knee"}, Categories: []string{"Orthopaedics"}, Total: 0},
		{At: day, Keywords: []string{"nose"}, Categories: []string{"Cosmetic surgery"}, Total: 0},
		{At: day.AddDate(0, -3, 0), Keywords: []string{"old"}, FacilityIDs: []int64{11}, Total: 1}, // outside the period
	}
	for _, e := range events {
		w.RecordSearch(ctx, e)
	}
	for _, e := range []posts.PostEvent{
		{At: day, PostID: 1, FacilityID: 11, Kind: posts.View}, {At: day, PostID: 1, FacilityID: 11, Kind: posts.View},
		{At: day, PostID: 1, FacilityID: 11, Kind: posts.Click}, {At: day, PostID: 2, FacilityID: 12, Kind: posts.View},
		{At: day, PostID: 77, FacilityID: 11, Kind: posts.View}, // a post since removed from the catalogue
	} {
		w.RecordPost(ctx, e)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// A catalogue reload keeps the analytics.
	if _, err := postgres.Load(ctx, pool, "../testdata/mini"); err != nil {
		t.Fatal(err)
	}
	rep, err := postgres.Reports{Pool: pool}.Report(ctx, 11, day.AddDate(0, 0, -30), day.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Surfaced != 2 {
		t.Errorf("surfaced %d, want 2", rep.Surfaced)
	}
	want := []posts.PostStats{{ID: 1, Title: "Knee replacement with Dr. Sam Lee", Views: 2, Clicks: 1}, {ID: 77, Views: 1}}
	if !slices.Equal(rep.Posts, want) {
		t.Errorf("posts %+v, want %+v", rep.Posts, want)
	}
	if want := []posts.TermCount{{Keyword: "knee", Count: 2}, {Keyword: "replac", Count: 1}}; !slices.Equal(rep.Keywords, want) {
		t.Errorf("keywords %+v, want %+v", rep.Keywords, want)
	}
	if len(rep.Unmet) != 1 || rep.Unmet[0].Keywords != "robot knee" || rep.Unmet[0].Count != 2 {
		t.Errorf("unmet searches %+v, want robot knee twice (and not the nose search)", rep.Unmet)
	}
	if _, err := (postgres.Reports{Pool: pool}).Report(ctx, 999, day, day.AddDate(0, 0, 1)); err != postgres.ErrUnknownFacility {
		t.Errorf("report on an unknown facility: %v", err)
	}
}

// TestReportPageViews: views of a provider's page are counted on every day
// of the period (zero days included), with the terms and countries that led
// to them; another facility's views and views outside the period are not.
func TestReportPageViews(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	w := postgres.NewEventWriter(pool, postgres.EventOptions{})
	day := time.Date(2026, 5, 10, 23, 30, 0, 0, time.UTC)
	for _, e := range []posts.ViewEvent{
		{At: day, FacilityID: 11, Keywords: []string{"knee", "replac"}, PatientCountry: "DE"},
		{At: day.Add(time.Hour), FacilityID: 11, Keywords: []string{"knee"}, PatientCountry: "DE"}, // the next day, UTC
		{At: day.Add(time.Hour), FacilityID: 11, PatientCountry: "GB"},                             // no search led there
		{At: day.Add(2 * time.Hour), FacilityID: 11},
		{At: day, FacilityID: 12, Keywords: []string{"nose"}},                  // another facility
		{At: day.AddDate(0, 0, -5), FacilityID: 11, Keywords: []string{"old"}}, // before the period
	} {
		if err := w.RecordView(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 5, 9, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		from, to time.Time
		want     posts.PageViews
	}{
		{from, from.AddDate(0, 0, 3), posts.PageViews{Total: 4,
			PerDay:    []posts.DayCount{{Date: "2026-05-09", Count: 0}, {Date: "2026-05-10", Count: 1}, {Date: "2026-05-11", Count: 3}},
			Keywords:  []posts.TermCount{{Keyword: "knee", Count: 2}, {Keyword: "replac", Count: 1}},
			Countries: []posts.CountryCount{{Country: "DE", Count: 2}, {Country: "GB", Count: 1}}}},
		// A period that starts and ends within days: the days it touches.
		{day.Add(-time.Hour), day.Add(90 * time.Minute), posts.PageViews{Total: 3,
			PerDay:    []posts.DayCount{{Date: "2026-05-10", Count: 1}, {Date: "2026-05-11", Count: 2}},
			Keywords:  []posts.TermCount{{Keyword: "knee", Count: 2}, {Keyword: "replac", Count: 1}},
			Countries: []posts.CountryCount{{Country: "DE", Count: 2}, {Country: "GB", Count: 1}}}},
		{from.AddDate(0, 1, 0), from.AddDate(0, 1, 1), posts.PageViews{
			PerDay: []posts.DayCount{{Date: "2026-06-09", Count: 0}}, Keywords: []posts.TermCount{}, Countries: []posts.CountryCount{}}},
	}
	for _, tc := range tests {
		rep, err := postgres.Reports{Pool: pool}.Report(ctx, 11, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		got := rep.PageViews
		if got.Total != tc.want.Total || !slices.Equal(got.PerDay, tc.want.PerDay) ||
			!slices.Equal(got.Keywords, tc.want.Keywords) || !slices.Equal(got.Countries, tc.want.Countries) {
			t.Errorf("%s – %s: page views %+v, want %+v", tc.from, tc.to, got, tc.want)
		}
	}
}
