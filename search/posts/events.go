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
}

// PostStats counts one post's impressions and clicks.
type PostStats struct {
	ID     int64  `json:"id"`
	Title  string `json:"title,omitempty"`
	Views  int64  `json:"views"`
	Clicks int64  `json:"clicks"`
}

// TermCount is a normalised search term and how many searches that surfaced
// the facility used it.
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
