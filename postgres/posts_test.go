package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
)

// TestPostsFromPostgres loads the mini catalogue's posts into PostgreSQL,
// builds an index generation from it, and matches searches against the
// posts that generation carries: the targeting rules and the schedule, from
// the rows an operator writes to what a patient is shown.
func TestPostsFromPostgres(t *testing.T) {
	ctx := context.Background()
	pool := connect(t)
	if _, err := postgres.Load(ctx, pool, mini); err != nil {
		t.Fatal(err)
	}
	stats, err := indexer.Build(ctx, postgres.Source{Pool: pool}, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := posts.ReadSet(stats.Path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ix := posts.NewIndex(set.Posts, set.Countries, now)
	usd := func(v float64) *float64 { return &v }
	tests := []struct {
		name    string
		q       posts.Query
		want    []int64
		reasons []string
	}{
		{"knee: only the live post", posts.Query{Text: "knee replacement", TreatmentIDs: []int64{1}}, []int64{1},
			[]string{"you searched knee replacement"}},
		{"nose job from Germany", posts.Query{Text: "nose job", Terms: search.Analyze("en", "nose job"), PatientCountry: "DE"},
			[]int64{2}, []string{"you searched nose job", "patients from Germany"}},
		{"nose job from the US", posts.Query{Text: "nose job", Terms: search.Analyze("en", "nose job"), PatientCountry: "US"}, nil, nil},
		{"rhinoplasty in Turkey under budget", posts.Query{Text: "rhinoplasty", TreatmentIDs: []int64{2}, PatientCountry: "GB",
			FacilityCountries: []string{"TR"}, PriceMax: usd(3000), PriceMaxUSD: usd(4000), Currency: "GBP"}, []int64{2},
			[]string{"you searched rhinoplasty", "patients from United Kingdom", "Turkey", "under £3,000"}},
		{"rhinoplasty in the US", posts.Query{TreatmentIDs: []int64{2}, PatientCountry: "GB", FacilityCountries: []string{"US"}}, nil, nil},
		{"rhinoplasty on a small budget", posts.Query{TreatmentIDs: []int64{2}, PatientCountry: "GB", PriceMaxUSD: usd(2000)}, nil, nil},
		{"IVF, German keyword", posts.Query{Text: "Kinderwunsch", Terms: search.Analyze("de", "Kinderwunsch")}, []int64{3}, nil},
		{"IVF in French", posts.Query{TreatmentIDs: []int64{4}, Languages: []string{"fr"}}, nil, nil},
		{"cosmetic surgery category", posts.Query{Categories: []string{"Cosmetic surgery"}, PatientCountry: "DE"}, []int64{2},
			[]string{"Cosmetic surgery", "patients from Germany"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ids []int64
			ms := ix.Match(tc.q, now, posts.MaxLimit, nil)
			for _, m := range ms {
				ids = append(ids, m.Post.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("matched %v, want %v", ids, tc.want)
			}
			if tc.reasons != nil && !slices.Equal(ms[0].Reasons, tc.reasons) {
				t.Errorf("reasons %q, want %q", ms[0].Reasons, tc.reasons)
			}
		})
	}
	if p, ok := ix.Get(1); !ok || p.DoctorID != 102 || p.FacilityID != 11 {
		t.Errorf("post 1: %+v", p)
	}
}
