package api

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
	"github.com/labstack/echo/v4"
)

// What a key may see is enforced here, on the request the engine runs, not
// in a page: a search key's filters become restrictions of the request
// (search.Request.Where), which the engine ANDs with whatever the patient
// asked for, so a key for facility 12 never finds another facility's
// records, whatever the request says.

// scopeOf is the scope of the request's search key, nil for every other
// request (keyless, admin), which is not limited.
func scopeOf(c echo.Context) *auth.Scope {
	a := auth.FromContext(c)
	if a == nil || a.Kind != auth.Search {
		return nil
	}
	return &a.Scope
}

// withDefaults fills in the key's default language, currency and patient
// country where the request does not say.
func withDefaults(c echo.Context, v url.Values) {
	s := scopeOf(c)
	if s == nil {
		return
	}
	for name, def := range map[string]string{"lang": s.Lang, "currency": s.Currency, "from": s.From} {
		if def != "" && strings.TrimSpace(v.Get(name)) == "" {
			v.Set(name, def)
		}
	}
}

// restrict adds the key's filters to the request. ok is false when the
// key's filters match nothing at all.
func restrict(c echo.Context, req search.Request) (_ search.Request, ok bool, err error) {
	s := scopeOf(c)
	if s == nil {
		return req, true, nil
	}
	if s.MatchesNothing() {
		return req, false, nil
	}
	ids := make([]string, len(s.FacilityIDs))
	for i, id := range s.FacilityIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	for _, f := range []struct {
		param  string
		values []string
	}{
		{search.FilterFacility, ids}, {search.FilterCountry, s.Countries},
		{search.FilterCategory, s.Categories}, {search.FilterType, s.Types},
	} {
		if len(f.values) > 0 {
			if req, err = req.Where(f.param, f.values...); err != nil {
				return req, false, err
			}
		}
	}
	return req, true, nil
}

// allows reports whether the request's key may see a record (for entity
// pages and suggestions, which are not searches).
func allows(c echo.Context, r *search.Record) bool {
	a := auth.FromContext(c)
	if a == nil {
		return true
	}
	switch r.Type {
	case search.TypeFacility:
		return a.Allows(r.ID, r.Country, "", r.Type)
	case search.TypeDoctor:
		if r.Facility == nil {
			return a.Allows(0, "", "", r.Type)
		}
		return a.Allows(r.Facility.ID, r.Facility.Country, "", r.Type)
	case search.TypeTreatment:
		return a.Allows(0, "", r.Category, r.Type)
	}
	if r.Facility == nil {
		return a.Allows(0, "", "", r.Type)
	}
	return a.Allows(r.Facility.ID, r.Facility.Country, "", r.Type)
}

// allowedSuggestions keeps the suggestions the request's key may see; a
// key-less or admin request sees them all.
func allowedSuggestions(ctx context.Context, c echo.Context, snap *live.Snapshot, in []search.Suggestion, limit int) []search.Suggestion {
	if scopeOf(c) == nil {
		return in
	}
	out := []search.Suggestion{}
	for _, s := range in {
		if len(out) == limit {
			break
		}
		if r, err := snap.Get(ctx, s.Type, s.ID); err == nil && allows(c, r) {
			out = append(out, s)
		}
	}
	return out
}
