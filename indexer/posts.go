package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/jackc/pgx/v5"
)

// PostSource is a Source that also has providers' posts. Build writes them
// into the generation it builds, so posts change when the index does.
type PostSource interface {
	// Posts returns every post, and the names of the countries, by code,
	// for the reasons a post gives.
	Posts(ctx context.Context) (PostSet, error)
}

// PostSet is what a generation stores of the posts.
type PostSet struct {
	Countries map[string]string `json:"countries"`
	// Rates are the generation's exchange rates, for price targeting.
	Rates search.Rates `json:"rates"`
	Posts []posts.Post `json:"posts"`
}

// postsFile is the file, inside a generation's directory, holding its posts.
const postsFile = "careatlas_posts.json"

// ReadPosts returns the posts stored in the generation at path; a generation
// built before posts existed has none.
func ReadPosts(path string) (PostSet, error) {
	var set PostSet
	b, err := os.ReadFile(filepath.Join(path, postsFile))
	if errors.Is(err, os.ErrNotExist) {
		return set, nil
	}
	if err != nil {
		return set, fmt.Errorf("read posts of %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return set, fmt.Errorf("read posts of %s: %w", path, err)
	}
	return set, nil
}

// writePosts stores the source's posts in the generation being built.
func writePosts(ctx context.Context, src Source, rates search.Rates, path string) (int, error) {
	ps, ok := src.(PostSource)
	if !ok {
		return 0, nil
	}
	set, err := ps.Posts(ctx)
	if err != nil {
		return 0, err
	}
	set.Rates = rates
	b, err := json.Marshal(set)
	if err != nil {
		return 0, fmt.Errorf("encode posts: %w", err)
	}
	if err := os.WriteFile(filepath.Join(path, postsFile), b, 0o644); err != nil {
		return 0, fmt.Errorf("write posts: %w", err)
	}
	return len(set.Posts), nil
}

func postFromRow(p catalog.Post) posts.Post {
	return posts.Post{
		ID: p.ID, FacilityID: p.FacilityID, DoctorID: p.DoctorID, Title: p.Title, Body: p.Body,
		Published: p.Published, StartsAt: p.StartsAt.UTC(), EndsAt: utc(p.EndsAt),
		Targeting: posts.Targeting{
			TreatmentIDs: list(p.TreatmentIDs), Categories: list(p.Categories),
			PatientCountries: list(p.PatientCountries), FacilityCountries: list(p.FacilityCountries),
			Languages: list(p.Languages), Keywords: list(p.Keywords), PriceMaxUSD: p.PriceMaxUSD, Lang: p.Lang,
		},
	}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Posts returns the posts of the catalogue files.
func (s *FileSource) Posts(ctx context.Context) (PostSet, error) {
	c, err := s.load()
	if err != nil {
		return PostSet{}, fmt.Errorf("read catalogue %s: %w", s.Dir, err)
	}
	set := PostSet{Countries: map[string]string{}}
	for code, cn := range c.countries {
		set.Countries[code] = cn.Name
	}
	for _, p := range sortedByID(c.posts, func(p catalog.Post) int64 { return p.ID }) {
		set.Posts = append(set.Posts, postFromRow(p))
	}
	return set, nil
}

// Posts streams the posts table.
func (s PGSource) Posts(ctx context.Context) (PostSet, error) {
	set := PostSet{Countries: map[string]string{}}
	rows, err := s.Pool.Query(ctx, `SELECT code, name FROM countries`)
	if err != nil {
		return set, fmt.Errorf("read countries: %w", err)
	}
	var code, name string
	if _, err := pgx.ForEachRow(rows, []any{&code, &name}, func() error {
		set.Countries[code] = name
		return nil
	}); err != nil {
		return set, fmt.Errorf("read countries: %w", err)
	}
	rows, err = s.Pool.Query(ctx, `SELECT id, facility_id, coalesce(doctor_id, 0), title, body, published,
			starts_at, ends_at, treatment_ids, categories, patient_countries, facility_countries, languages,
			keywords, price_max_usd::float8, lang
		FROM posts ORDER BY id`)
	if err != nil {
		return set, fmt.Errorf("read posts: %w", err)
	}
	var p catalog.Post
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.FacilityID, &p.DoctorID, &p.Title, &p.Body, &p.Published,
		&p.StartsAt, &p.EndsAt, &p.TreatmentIDs, &p.Categories, &p.PatientCountries, &p.FacilityCountries,
		&p.Languages, &p.Keywords, &p.PriceMaxUSD, &p.Lang}, func() error {
		set.Posts = append(set.Posts, postFromRow(p))
		return nil
	})
	if err != nil {
		return set, fmt.Errorf("read posts: %w", err)
	}
	return set, nil
}
