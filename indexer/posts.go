package indexer

import (
	"context"
	"fmt"
	"time"

	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/search/posts"
)

// PostSource is a Source that also has providers' posts. Build writes them
// into the generation it builds, so posts change when the index does.
type PostSource interface {
	// Posts returns every post, and the names of the countries, by code,
	// for the reasons a post gives.
	Posts(ctx context.Context) (posts.Set, error)
}

// writePosts stores the source's posts in the generation being built.
func writePosts(ctx context.Context, src Source, path string) (int, error) {
	ps, ok := src.(PostSource)
	if !ok {
		return 0, nil
	}
	set, err := ps.Posts(ctx)
	if err != nil {
		return 0, err
	}
	if err := posts.WriteSet(path, set); err != nil {
		return 0, err
	}
	return len(set.Posts), nil
}

// PostFromRow turns a catalogue row into a post.
func PostFromRow(p catalog.Post) posts.Post {
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
func (s *FileSource) Posts(ctx context.Context) (posts.Set, error) {
	c, err := s.load()
	if err != nil {
		return posts.Set{}, fmt.Errorf("read catalogue %s: %w", s.Dir, err)
	}
	set := posts.Set{Countries: map[string]string{}}
	for code, cn := range c.countries {
		set.Countries[code] = cn.Name
	}
	for _, p := range sortedByID(c.posts, func(p catalog.Post) int64 { return p.ID }) {
		set.Posts = append(set.Posts, PostFromRow(p))
	}
	return set, nil
}
