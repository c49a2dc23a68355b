package catalog

import (
	"errors"
	"io/fs"
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/careatlas/careatlas/search"
)

// Limits on a post, so that one is short enough to show beside results and
// its targeting small enough to check quickly.
const (
	maxTitleBytes   = 200
	maxPostBodyLen  = 1000
	maxKeywordBytes = 100
	maxTargetValues = 50
)

var languageCode = regexp.MustCompile(`^[a-z]{2}$`)

// Posts reads posts.csv; a catalogue without one has no posts.
func (r *Reader) Posts() iter.Seq2[Post, error] {
	t := TableNamed("posts")
	if _, err := fs.Stat(r.fsys, t.File); errors.Is(err, fs.ErrNotExist) {
		return func(func(Post, error) bool) {}
	}
	ids := map[int64]bool{}
	return readTable(r.fsys, t, func(w *row) Post {
		p := Post{
			ID:                w.id("id"),
			FacilityID:        w.id("facility_id"),
			Title:             w.required("title"),
			Body:              w.required("body"),
			Published:         w.boolean("published"),
			StartsAt:          w.timestamp("starts_at", true),
			TreatmentIDs:      w.ids("treatment_ids"),
			Categories:        w.list("categories"),
			PatientCountries:  w.codes("patient_countries", countryCode, "an ISO 3166-1 alpha-2 code"),
			FacilityCountries: w.codes("facility_countries", countryCode, "an ISO 3166-1 alpha-2 code"),
			Languages:         w.codes("languages", languageCode, "an ISO 639-1 code"),
			Keywords:          w.list("keywords"),
			PriceMaxUSD:       w.float("price_max_usd", 0, 1e11),
			Lang:              w.text("lang"),
		}
		if w.raw("doctor_id") != "" {
			p.DoctorID = w.id("doctor_id")
		}
		if end := w.timestamp("ends_at", false); !end.IsZero() {
			p.EndsAt = &end
			if !end.After(p.StartsAt) {
				w.fail("ends_at", "is not after starts_at")
			}
		}
		switch {
		case len(p.Title) > maxTitleBytes:
			w.fail("title", "is %d bytes; a title may have %d", len(p.Title), maxTitleBytes)
		case len(p.Body) > maxPostBodyLen:
			w.fail("body", "is %d bytes; a post's text may have %d", len(p.Body), maxPostBodyLen)
		}
		r.checkRef(w, "facility_id", r.facilities, p.FacilityID, "facility")
		if p.DoctorID != 0 {
			r.checkRef(w, "doctor_id", r.doctors, p.DoctorID, "doctor")
			if f, ok := r.doctorFacility[p.DoctorID]; ok && f != p.FacilityID {
				w.fail("doctor_id", "doctor %d works at facility %d, not %d", p.DoctorID, f, p.FacilityID)
			}
		}
		for _, id := range p.TreatmentIDs {
			r.checkRef(w, "treatment_ids", r.treatments, id, "treatment")
		}
		for _, c := range p.Categories {
			if !r.categories[c] {
				w.fail("categories", "no treatment has the category %q", c)
			}
		}
		for _, k := range p.Keywords {
			if len(k) > maxKeywordBytes {
				w.fail("keywords", "%q is longer than %d bytes", k, maxKeywordBytes)
			}
		}
		for name, n := range map[string]int{"treatment_ids": len(p.TreatmentIDs), "categories": len(p.Categories),
			"keywords": len(p.Keywords), "patient_countries": len(p.PatientCountries),
			"facility_countries": len(p.FacilityCountries), "languages": len(p.Languages)} {
			if n > maxTargetValues {
				w.fail(name, "has %d values; a post may target %d", n, maxTargetValues)
			}
		}
		if p.Lang != "" && !search.SupportedLanguage(p.Lang) {
			w.fail("lang", "%q is not one of %s", p.Lang, strings.Join(search.Languages, ", "))
		}
		if len(p.TreatmentIDs) == 0 && len(p.Categories) == 0 && len(p.Keywords) == 0 {
			w.fail("treatment_ids", "a post must target at least one treatment, category or keyword")
		}
		r.checkNew(w, "id", ids, p.ID)
		return p
	})
}

func (r *row) boolean(field string) bool {
	switch v := r.required(field); v {
	case "true":
		return true
	case "false", "":
		return false
	default:
		r.fail(field, "%q is not true or false", v)
		return false
	}
}

// timestamp reads a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time.
func (r *row) timestamp(field string, required bool) time.Time {
	v := r.raw(field)
	if v == "" {
		if required {
			r.fail(field, "is required")
		}
		return time.Time{}
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		r.fail(field, "%q is not a date (YYYY-MM-DD) or time (RFC 3339)", v)
	}
	return t.UTC()
}

func (r *row) ids(field string) []int64 {
	var out []int64
	for _, s := range r.list(field) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			r.fail(field, "%q is not a positive integer id", s)
			return nil
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func (r *row) codes(field string, re *regexp.Regexp, what string) []string {
	vs := r.list(field)
	for _, v := range vs {
		if !re.MatchString(v) {
			r.fail(field, "%q is not %s", v, what)
		}
	}
	return vs
}
