package auth

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/careatlas/careatlas/search"
)

// Filters are what a key always adds to a search. A nil list restricts
// nothing; a key with several lists sees only what every list allows.
type Filters struct {
	FacilityIDs []int64  `json:"facility_ids,omitempty"`
	Countries   []string `json:"countries,omitempty"`
	Categories  []string `json:"categories,omitempty"`
	Types       []string `json:"types,omitempty"`
	// none is set when narrowing left a list with nothing in it: such a
	// scope matches nothing, and must never be read as "no restriction",
	// which is what an empty list would otherwise say.
	none bool
}

// MatchesNothing reports whether narrowing emptied a list, so that every
// search under these filters finds nothing.
func (f Filters) MatchesNothing() bool { return f.none }

// Defaults apply to a search only where the request does not say.
type Defaults struct {
	Lang     string `json:"lang,omitempty"`
	Currency string `json:"currency,omitempty"`
	From     string `json:"from,omitempty"`
}

// Scope is what a key is limited to. For search keys every part applies; for
// provider keys only FacilityIDs, the facilities whose analytics it may
// read; admin keys have none.
type Scope struct {
	Filters
	Defaults
	// Origins are the browser origins allowed to use the key, such as
	// https://clinic.example or https://*.clinic.example. A key without
	// origins cannot be used from a browser page.
	Origins []string `json:"origins,omitempty"`
	// RatePerMinute and Burst are the key's own rate limit (a token bucket
	// refilled at RatePerMinute, holding at most Burst); zero means the
	// server's default.
	RatePerMinute int `json:"rate_per_minute,omitempty"`
	Burst         int `json:"burst,omitempty"`
}

// Validate checks a scope for a key of the given kind, so that a mistyped
// country does not silently make a key see nothing. Its errors are *Error
// naming the field at fault (as the JSON of a scope names it).
func (s Scope) Validate(kind Kind) error {
	switch kind {
	case Admin:
		if !s.empty() {
			return errInvalid("scope", "an admin key can do everything and takes no scope")
		}
		return nil
	case Provider:
		if len(s.FacilityIDs) == 0 {
			return errInvalid("facility_ids", "a provider key needs the facilities whose analytics it reads")
		}
		rest := s
		rest.FacilityIDs = nil
		if !rest.empty() {
			return errInvalid("scope", "a provider key takes only facility ids")
		}
	}
	if err := s.validateFields(); err != nil {
		return err
	}
	return nil
}

func (s Scope) empty() bool {
	return len(s.FacilityIDs) == 0 && len(s.Countries) == 0 && len(s.Categories) == 0 && len(s.Types) == 0 &&
		s.Defaults == Defaults{} && len(s.Origins) == 0 && s.RatePerMinute == 0 && s.Burst == 0
}

func (s Scope) validateFields() *Error {
	for _, id := range s.FacilityIDs {
		if id <= 0 {
			return errInvalid("facility_ids", fmt.Sprintf("facility id %d: ids are positive", id))
		}
	}
	for _, c := range s.Countries {
		if !isLetters(c, 2) {
			return errInvalid("countries", fmt.Sprintf("country %q: want an ISO 3166-1 alpha-2 code such as ES", c))
		}
	}
	for _, c := range s.Categories {
		if strings.TrimSpace(c) == "" {
			return errInvalid("categories", "a category is empty")
		}
		if !printable(c) {
			return errInvalid("categories", fmt.Sprintf("category %q holds a control character", c))
		}
	}
	for _, t := range s.Types {
		if !slices.Contains(search.Types, strings.ToLower(t)) {
			return errInvalid("types", fmt.Sprintf("type %q: one of %s", t, strings.Join(search.Types, ", ")))
		}
	}
	if s.Lang != "" && !search.SupportedLanguage(strings.ToLower(s.Lang)) {
		return errInvalid("lang", fmt.Sprintf("lang %q: one of %s", s.Lang, strings.Join(search.Languages, ", ")))
	}
	if s.Currency != "" && !isLetters(s.Currency, 3) {
		return errInvalid("currency", fmt.Sprintf("currency %q: want an ISO 4217 code such as EUR", s.Currency))
	}
	if s.From != "" && !isLetters(s.From, 2) {
		return errInvalid("from", fmt.Sprintf("from %q: want an ISO 3166-1 alpha-2 code such as GB", s.From))
	}
	for _, o := range s.Origins {
		if _, err := parseOriginPattern(o); err != nil {
			return errInvalid("origins", err.Error())
		}
	}
	if s.RatePerMinute < 0 || s.Burst < 0 {
		return errInvalid("rate_per_minute", "rate and burst cannot be negative")
	}
	return nil
}

// printable reports whether s holds no control character: none belongs in
// a name or a category, and PostgreSQL refuses NUL in text and jsonb (found
// by FuzzCreateKeyBody, as a 500).
func printable(s string) bool { return !strings.ContainsFunc(s, unicode.IsControl) }

func isLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // lower-case ASCII letters
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// normalized returns the scope in one spelling: codes in their usual case,
// lists sorted without repeats, origins in canonical form. Stored scopes and
// the payloads of derived keys are both normalized, so equal scopes compare
// and encode equal.
func (s Scope) normalized() Scope {
	s.FacilityIDs = sortedSet(s.FacilityIDs)
	s.Countries = sortedSet(mapStrings(s.Countries, strings.ToUpper))
	s.Categories = sortedSet(mapStrings(s.Categories, strings.TrimSpace))
	s.Types = sortedSet(mapStrings(s.Types, strings.ToLower))
	s.Lang = strings.ToLower(s.Lang)
	s.Currency = strings.ToUpper(s.Currency)
	s.From = strings.ToUpper(s.From)
	origins := make([]string, 0, len(s.Origins))
	for _, o := range s.Origins {
		if p, err := parseOriginPattern(o); err == nil {
			origins = append(origins, p.String())
		}
	}
	s.Origins = sortedSet(origins)
	return s
}

func mapStrings(in []string, f func(string) string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

func sortedSet[T cmp.Ordered](in []T) []T {
	if len(in) == 0 {
		return nil
	}
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// narrow returns the filters that hold under both f and g: a list set in one
// only is kept, lists set in both are intersected. A derived key narrows its
// parent this way, and so never sees more than it.
func (f Filters) narrow(g Filters) Filters {
	return Filters{
		FacilityIDs: intersect(f.FacilityIDs, g.FacilityIDs),
		Countries:   intersect(f.Countries, g.Countries),
		Categories:  intersect(f.Categories, g.Categories),
		Types:       intersect(f.Types, g.Types),
		none: f.none || g.none || emptied(f.FacilityIDs, g.FacilityIDs) || emptied(f.Countries, g.Countries) ||
			emptied(f.Categories, g.Categories) || emptied(f.Types, g.Types),
	}
}

// intersect returns the values of want that allowed holds, in want's order;
// an empty list allows everything.
func intersect[T comparable](allowed, want []T) []T {
	// An empty list restricts nothing, nil or not: emptiness that means
	// "nothing" is carried by Filters.none, never by a list.
	switch {
	case len(allowed) == 0:
		return want
	case len(want) == 0:
		return allowed
	}
	out := make([]T, 0, len(want))
	for _, v := range want {
		if slices.Contains(allowed, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// emptied reports whether two restricting lists share nothing.
func emptied[T comparable](a, b []T) bool {
	return len(a) > 0 && len(b) > 0 && len(intersect(a, b)) == 0
}

// Allows reports whether a record with these attributes is within the
// filters; an empty attribute (a treatment has no facility) is not checked.
// Entity pages (/v1/facilities/:id and the like) use it, as they are not
// searches.
func (f Filters) Allows(facilityID int64, country, category, typ string) bool {
	if f.none {
		return false
	}
	return allows(f.FacilityIDs, facilityID, 0) && allows(f.Countries, strings.ToUpper(country), "") &&
		allows(f.Categories, category, "") && allows(f.Types, typ, "")
}

func allows[T comparable](list []T, v, zero T) bool {
	return len(list) == 0 || v == zero || slices.Contains(list, v)
}

// Query is the part of a search request that a key's scope bears on, in
// plain fields, so that this package need not know the API's request types.
type Query struct {
	FacilityIDs []int64
	Countries   []string
	Categories  []string
	Types       []string
	Lang        string
	Currency    string
	From        string
}

// Apply merges a request with the scope. Each of the scope's filters is
// intersected with the request's: a key for facility 12 never sees another
// facility whatever the request asks, and asking for a country outside the
// key's countries finds nothing rather than widening the search. Defaults
// fill only what the request leaves empty.
//
// ok is false when the result matches nothing (the request and the key share
// no value of some filter, or the key's own scope is empty): the caller must
// then answer with no results, never run the search without the filter.
func (s Scope) Apply(q Query) (out Query, ok bool) {
	f := s.Filters.narrow(Filters{FacilityIDs: q.FacilityIDs,
		Countries: mapStrings(q.Countries, strings.ToUpper), Categories: q.Categories, Types: q.Types})
	out = Query{FacilityIDs: f.FacilityIDs, Countries: f.Countries, Categories: f.Categories, Types: f.Types,
		Lang: cmp.Or(q.Lang, s.Lang), Currency: cmp.Or(q.Currency, s.Currency), From: cmp.Or(q.From, s.From)}
	return out, !f.none
}

// narrowBy returns the scope of a key derived from s with the scope d:
// filters narrowed, d's defaults where it sets them, its origins only where
// s allows them too, and the lower of the two rates.
func (s Scope) narrowBy(d Scope) Scope {
	out := s
	out.Filters = s.Filters.narrow(d.Filters)
	out.Lang = cmp.Or(d.Lang, s.Lang)
	out.Currency = cmp.Or(d.Currency, s.Currency)
	out.From = cmp.Or(d.From, s.From)
	if d.Origins != nil {
		out.Origins = nil
		for _, o := range d.Origins {
			if originsCover(s.Origins, o) {
				out.Origins = append(out.Origins, o)
			}
		}
	}
	out.RatePerMinute = lowerLimit(s.RatePerMinute, d.RatePerMinute)
	out.Burst = lowerLimit(s.Burst, d.Burst)
	return out
}

// lowerLimit returns the stricter of two limits where zero means "not set".
func lowerLimit(a, b int) int {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}
