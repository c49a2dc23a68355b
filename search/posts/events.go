package posts

import "time"

// What analytics records. Neither event holds anything about the person
// searching beyond the country they chose to give (from=): no address, no
// session id, no free text but the normalised search terms.

// SearchEvent is one search: what it looked for and what it surfaced.
type SearchEvent struct {
	At time.Time
	// Keywords are the search text normalised (search.Analyze).
	Keywords       []string
	PatientCountry string
	// Categories are those of the treatments the text found, and the
	// category filters.
	Categories []string
	// FacilityIDs are the facilities on the result page: facility hits and
	// the facilities of offer and doctor hits.
	FacilityIDs []int64
	PostIDs     []int64
	Total       int
}

// ViewEvent is one view of a provider's page: a patient opened a
// facility's detail view. Keywords are the normalised terms of the search
// that led there (empty when none did).
type ViewEvent struct {
	At             time.Time
	FacilityID     int64
	Keywords       []string
	PatientCountry string
}

// Kinds of post event.
const (
	View  = "view"
	Click = "click"
)

// PostEvent is one impression or click of a post.
type PostEvent struct {
	At         time.Time
	PostID     int64
	FacilityID int64
	Kind       string
}

// Report is what a provider learns about a period [From, To).
type Report struct {
	FacilityID int64     `json:"facility_id"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	// Surfaced counts the searches whose result page showed the facility.
	Surfaced int64        `json:"surfaced"`
	Posts    []PostStats  `json:"posts"`
	Keywords []TermCount  `json:"top_keywords"`
	Unmet    []UnmetQuery `json:"unmet_searches"`
	// PageViews are the views of the facility's page.
	PageViews PageViews `json:"page_views"`
}

// PageViews are the views of a provider's page in a period: how many,
// on each day (UTC, every day of the period, zero included), and the
// normalised search terms and patients' countries that led to them.
type PageViews struct {
	Total     int64          `json:"total"`
	PerDay    []DayCount     `json:"per_day"`
	Keywords  []TermCount    `json:"top_keywords"`
	Countries []CountryCount `json:"patient_countries"`
}

// DayCount is a count on one day (UTC), as YYYY-MM-DD.
type DayCount struct {
	Date  string `json:"date"`
	Count int64  `json:"count"`
}

// CountryCount is a patient country (ISO 3166-1 alpha-2) and how many
// events came from patients who gave it.
type CountryCount struct {
	Country string `json:"country"`
	Count   int64  `json:"count"`
}

// PostStats counts one post's impressions and clicks.
type PostStats struct {
	ID     int64  `json:"id"`
	Title  string `json:"title,omitempty"`
	Views  int64  `json:"views"`
	Clicks int64  `json:"clicks"`
}

// TermCount is a normalised search term and how many searches that surfaced
// the facility (or, under PageViews, views of its page) used it.
type TermCount struct {
	Keyword string `json:"keyword"`
	Count   int64  `json:"count"`
}

// UnmetQuery is a search in one of the facility's categories that found
// nothing, and how often it was made.
type UnmetQuery struct {
	Keywords   string   `json:"keywords"`
	Categories []string `json:"categories"`
	Count      int64    `json:"count"`
}
