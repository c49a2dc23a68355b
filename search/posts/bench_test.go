package posts

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/careatlas/careatlas/search"
)

// Benchmark world: 300 treatments in 25 categories, 50 countries, posts
// from facilities that each work in one category, targeting 1–3 of its
// treatments, sometimes the category, keywords, patient and facility
// countries, languages and a price. The same seed gives the same posts.
const (
	benchTreatments = 300
	benchCategories = 25
	benchCountries  = 50
)

var benchWords = []string{"knee", "hip", "replacement", "implant", "dental", "cataract", "lasik", "ivf", "fertility",
	"rhinoplasty", "nose", "liposuction", "bypass", "sleeve", "gastric", "heart", "stent", "spine", "fusion", "tummy",
	"tuck", "hair", "transplant", "cancer", "chemotherapy", "veneers", "crown", "facelift", "breast", "augmentation"}

func benchCountry(i int) string { return string(rune('A'+i/26)) + string(rune('A'+i%26)) }

func benchPosts(n int) []Post {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	ps := make([]Post, n)
	for i := range ps {
		cat := r.IntN(benchCategories)
		treatment := func() int64 { return int64(cat + benchCategories*r.IntN(benchTreatments/benchCategories)) }
		tg := Targeting{}
		for range 1 + r.IntN(3) {
			tg.TreatmentIDs = append(tg.TreatmentIDs, treatment())
		}
		if r.IntN(10) < 3 {
			tg.Categories = []string{fmt.Sprint("category ", cat)}
		}
		if r.IntN(2) == 0 {
			tg.Keywords = []string{benchWords[r.IntN(len(benchWords))] + " " + benchWords[r.IntN(len(benchWords))]}
		}
		if r.IntN(10) < 4 {
			for range 1 + r.IntN(3) {
				tg.PatientCountries = append(tg.PatientCountries, benchCountry(r.IntN(benchCountries)))
			}
		}
		if r.IntN(10) < 3 {
			tg.FacilityCountries = []string{benchCountry(r.IntN(benchCountries))}
		}
		if r.IntN(10) < 2 {
			tg.Languages = []string{[]string{"en", "de", "fr", "es", "tr"}[r.IntN(5)]}
		}
		if r.IntN(10) < 4 {
			tg.PriceMaxUSD = f(float64(1000 + r.IntN(20000)))
		}
		end := now.Add(time.Duration(1+r.IntN(90)) * 24 * time.Hour)
		ps[i] = Post{ID: int64(i + 1), FacilityID: int64(1 + r.IntN(max(1, n/2))), Title: "post", Published: true,
			StartsAt: now.Add(-time.Duration(r.IntN(60)) * 24 * time.Hour), EndsAt: &end, Targeting: tg}
	}
	return ps
}

// benchQueries are searches as the API builds them: the treatments the text
// finds (two or three), their category, and sometimes from=, country=,
// language= and a price ceiling.
func benchQueries() []Query {
	r := rand.New(rand.NewPCG(2, 2))
	qs := make([]Query, 64)
	for i := range qs {
		cat := r.IntN(benchCategories)
		text := benchWords[r.IntN(len(benchWords))] + " " + benchWords[r.IntN(len(benchWords))]
		q := Query{Text: text, Terms: search.Analyze("en", text), Categories: []string{fmt.Sprint("category ", cat)}}
		for range 2 + r.IntN(2) {
			q.TreatmentIDs = append(q.TreatmentIDs, int64(cat+benchCategories*r.IntN(benchTreatments/benchCategories)))
		}
		if r.IntN(2) == 0 {
			q.PatientCountry = benchCountry(r.IntN(benchCountries))
		}
		if r.IntN(4) == 0 {
			q.FacilityCountries = []string{benchCountry(r.IntN(benchCountries))}
		}
		if r.IntN(3) == 0 {
			q.PriceMax = f(float64(2000 + r.IntN(15000)))
			q.PriceMaxUSD = q.PriceMax
		}
		qs[i] = q
	}
	return qs
}

// BenchmarkMatch measures one search's post matching (candidates, exact
// check, ranking, reasons) against 1k, 10k and 100k active posts.
func BenchmarkMatch(b *testing.B) {
	qs := benchQueries()
	for _, n := range []int{1_000, 10_000, 100_000} {
		ix := NewIndex(benchPosts(n), nil, now)
		b.Run(fmt.Sprintf("posts=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			matched := 0
			i := 0
			for b.Loop() {
				q := qs[i%len(qs)]
				q.Rotation = uint64(i)
				matched += len(ix.Match(q, now, DefaultLimit, nil))
				i++
			}
			b.ReportMetric(float64(matched)/float64(i), "posts/op")
		})
	}
}

// TestBudgetKeepsMatching: with far more candidates than the budget, a
// search still finds posts, and rotation reaches different ones.
func TestBudgetKeepsMatching(t *testing.T) {
	ix := NewIndex(benchPosts(100_000), nil, now)
	seen := map[int64]bool{}
	for r := range uint64(200) {
		for _, m := range ix.Match(Query{TreatmentIDs: []int64{3, 28}, Categories: []string{"category 3"}, Rotation: r}, now, 3, nil) {
			seen[m.Post.ID] = true
		}
	}
	if len(seen) < 100 {
		t.Errorf("200 searches showed only %d distinct posts", len(seen))
	}
}
