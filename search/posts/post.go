// Package posts matches providers' posts to searches. A post is a facility's
// (or one of its doctors') announcement — a new treatment, a price offer, an
// article — with targeting rules saying which searches it is for. Index
// holds the published posts with an inverted index over their targeting, so
// that a search looks only at the posts its terms can reach, and checks each
// of those exactly. Like the rest of search, it knows nothing of HTTP or
// PostgreSQL: the indexer gives it Posts and the API asks it Queries.
package posts

import (
	"time"
)

// Post is one provider's post and who it is for.
type Post struct {
	ID         int64 `json:"id"`
	FacilityID int64 `json:"facility_id"`
	// DoctorID is set when a doctor of the facility wrote the post.
	DoctorID  int64      `json:"doctor_id,omitempty"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Published bool       `json:"published"`
	StartsAt  time.Time  `json:"starts_at"`
	EndsAt    *time.Time `json:"ends_at,omitempty"`
	Targeting Targeting  `json:"targeting"`
}

// Targeting says which searches a post is for. Every dimension that is set
// must hold; an empty one holds for every search. The subject — treatments,
// categories, keywords — is the exception: a post must name at least one,
// and a search matches it when it is about any of them, so that no post is
// shown on every search.
type Targeting struct {
	// TreatmentIDs match searches whose text finds one of these treatments.
	TreatmentIDs []int64 `json:"treatment_ids,omitempty"`
	// Categories match searches about a treatment in one of them, or
	// filtered on one (category=).
	Categories []string `json:"categories,omitempty"`
	// Keywords are words or phrases; one matches when every one of its
	// terms is among the search's terms, both normalised by
	// search.Analyze in Lang.
	Keywords []string `json:"keywords,omitempty"`
	// PatientCountries hold when the patient says they are from one of them
	// (from=); a search that does not say is not matched.
	PatientCountries []string `json:"patient_countries,omitempty"`
	// FacilityCountries hold unless the search is filtered on countries
	// (country=) none of which is listed.
	FacilityCountries []string `json:"facility_countries,omitempty"`
	// Languages hold unless the search is filtered on languages (language=)
	// none of which is listed.
	Languages []string `json:"languages,omitempty"`
	// PriceMaxUSD is the most what the post offers costs, in US dollars: a
	// search with a price ceiling below it is not matched.
	PriceMaxUSD *float64 `json:"price_max_usd,omitempty"`
	// Lang is the language of Keywords (default English).
	Lang string `json:"lang,omitempty"`
}

// HasSubject reports whether the targeting names a treatment, a category or
// a keyword; a post without one would match every search and is refused.
func (t Targeting) HasSubject() bool {
	return len(t.TreatmentIDs) > 0 || len(t.Categories) > 0 || len(t.Keywords) > 0
}

// LiveAt reports whether the post may be shown at now: published, started,
// not ended.
func (p *Post) LiveAt(now time.Time) bool {
	return p.Published && !now.Before(p.StartsAt) && (p.EndsAt == nil || now.Before(*p.EndsAt))
}

// Query is what a search says about the patient and what they look for,
// reduced to what targeting can test.
type Query struct {
	// Text is the search text as typed, quoted back in reasons.
	Text string
	// Terms are Text normalised by search.Analyze in the search language.
	Terms []string
	// TreatmentIDs and Categories are the treatments the text finds and
	// their categories, plus the category filters.
	TreatmentIDs []int64
	Categories   []string
	// PatientCountry is from=; FacilityCountries is country=; Languages is
	// language=.
	PatientCountry    string
	FacilityCountries []string
	Languages         []string
	// PriceMax is the search's ceiling in Currency (USD when empty), and
	// PriceMaxUSD the same in dollars.
	PriceMax    *float64
	PriceMaxUSD *float64
	Currency    string
	// Facilities, when set, are the only facilities whose posts may be
	// shown: a search limited to some facilities (a clinic's key) shows
	// their posts alone.
	Facilities []int64
	// Rotation orders posts of equal score: different values give different
	// orders, so that one provider does not always win.
	Rotation uint64
}

// Match is a post a query matched, its score, and why it matched.
type Match struct {
	Post    *Post
	Score   int
	Reasons []string
}
