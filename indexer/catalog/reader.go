package catalog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Reader reads one catalogue directory. It remembers the keys of the rows it
// has read so that later tables can be checked against them.
type Reader struct {
	fsys       fs.FS
	name       string // how errors name the catalogue
	currencies map[string]bool
	countries  map[string]bool
	treatments map[int64]bool
	facilities map[int64]bool
	doctors    map[int64]bool
	// For posts: each doctor's facility, and the treatment categories.
	doctorFacility map[int64]int64
	categories     map[string]bool
}

// Open checks that dir holds every file of the catalogue.
func Open(dir string) (*Reader, error) { return OpenFS(os.DirFS(dir), dir) }

// OpenFS checks that fsys holds every file of the catalogue at its root.
// name says in errors which catalogue it is (a directory, or the demo
// catalogue built into the binary).
func OpenFS(fsys fs.FS, name string) (*Reader, error) {
	var missing []string
	for _, t := range Tables {
		if t.Optional() {
			continue
		}
		if _, err := fs.Stat(fsys, t.File); err != nil {
			missing = append(missing, t.File)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("catalogue %s: missing %s", name, strings.Join(missing, ", "))
	}
	return &Reader{
		fsys:       fsys,
		name:       name,
		currencies: map[string]bool{},
		countries:  map[string]bool{},
		treatments: map[int64]bool{},
		facilities: map[int64]bool{},
		doctors:    map[int64]bool{},

		doctorFacility: map[int64]int64{},
		categories:     map[string]bool{},
	}, nil
}

// Name is the catalogue's name, as given to Open or OpenFS.
func (r *Reader) Name() string { return r.name }

// ExchangeRates reads exchange_rates.csv.
func (r *Reader) ExchangeRates() iter.Seq2[ExchangeRate, error] {
	seen := map[string]bool{}
	return readTable(r.fsys, Tables[0], func(w *row) ExchangeRate {
		x := ExchangeRate{
			Currency: w.match("currency", currencyCode, "an ISO 4217 currency code", true),
			AsOf:     w.date("as_of"),
		}
		if rate := w.float("rate", 1e-9, 1e12); rate != nil {
			x.Rate = *rate
		} else {
			w.fail("rate", "is required and must be positive")
		}
		key := x.Currency + "/" + x.AsOf.String()
		if seen[key] {
			w.fail("as_of", "duplicate rate for %s on this date", x.Currency)
		}
		seen[key] = true
		r.currencies[x.Currency] = true
		return x
	})
}

// Countries reads countries.csv.
func (r *Reader) Countries() iter.Seq2[Country, error] {
	return readTable(r.fsys, Tables[1], func(w *row) Country {
		c := Country{
			Code:     w.match("code", countryCode, "an ISO 3166-1 alpha-2 code", true),
			Name:     w.required("name"),
			Currency: w.match("currency", currencyCode, "an ISO 4217 currency code", true),
		}
		if r.countries[c.Code] {
			w.fail("code", "duplicate country %s", c.Code)
		}
		r.countries[c.Code] = true
		return c
	})
}

// Treatments reads treatments.csv.
func (r *Reader) Treatments() iter.Seq2[Treatment, error] {
	return readTable(r.fsys, Tables[2], func(w *row) Treatment {
		t := Treatment{
			ID:       w.id("id"),
			Name:     w.required("name"),
			Category: w.required("category"),
			LayNames: w.list("lay_names"),
			Code:     w.text("code"),
		}
		r.checkNew(w, "id", r.treatments, t.ID)
		r.categories[t.Category] = true
		return t
	})
}

// Facilities reads facilities.csv.
func (r *Reader) Facilities() iter.Seq2[Facility, error] {
	return readTable(r.fsys, Tables[3], func(w *row) Facility {
		f := Facility{
			ID:             w.id("id"),
			Name:           w.required("name"),
			Kind:           w.match("kind", kindSlug, "a lowercase kind such as hospital or dental_centre", true),
			CountryCode:    w.match("country_code", countryCode, "an ISO 3166-1 alpha-2 code", true),
			City:           w.text("city"),
			Address:        w.text("address"),
			Latitude:       w.float("latitude", -90, 90),
			Longitude:      w.float("longitude", -180, 180),
			Accreditations: w.list("accreditations"),
			Languages:      w.list("languages"),
			Rating:         w.float("rating", 0, 5),
			ReviewCount:    w.int("review_count"),
			Description:    w.text("description"),
			Website:        w.text("website"),
			Source:         w.list("source"),
		}
		if (f.Latitude == nil) != (f.Longitude == nil) {
			w.fail("longitude", "latitude and longitude go together: give both or neither")
		}
		if f.CountryCode != "" && !r.countries[f.CountryCode] {
			w.fail("country_code", "unknown country %s (not in countries.csv)", f.CountryCode)
		}
		r.checkNew(w, "id", r.facilities, f.ID)
		return f
	})
}

// Doctors reads doctors.csv.
func (r *Reader) Doctors() iter.Seq2[Doctor, error] {
	return readTable(r.fsys, Tables[4], func(w *row) Doctor {
		d := Doctor{
			ID:              w.id("id"),
			FacilityID:      w.id("facility_id"),
			Name:            w.required("name"),
			Specialties:     w.list("specialties"),
			Languages:       w.list("languages"),
			YearsExperience: w.int("years_experience"),
			Rating:          w.float("rating", 0, 5),
			ReviewCount:     w.int("review_count"),
		}
		r.checkRef(w, "facility_id", r.facilities, d.FacilityID, "facility")
		r.checkNew(w, "id", r.doctors, d.ID)
		r.doctorFacility[d.ID] = d.FacilityID
		return d
	})
}

// DoctorTreatments reads doctor_treatments.csv.
func (r *Reader) DoctorTreatments() iter.Seq2[DoctorTreatment, error] {
	seen := map[DoctorTreatment]bool{}
	return readTable(r.fsys, Tables[5], func(w *row) DoctorTreatment {
		d := DoctorTreatment{DoctorID: w.id("doctor_id"), TreatmentID: w.id("treatment_id")}
		r.checkRef(w, "doctor_id", r.doctors, d.DoctorID, "doctor")
		r.checkRef(w, "treatment_id", r.treatments, d.TreatmentID, "treatment")
		if seen[d] {
			w.fail("treatment_id", "duplicate pair (doctor %d, treatment %d)", d.DoctorID, d.TreatmentID)
		}
		seen[d] = true
		return d
	})
}

// Offers reads offers.csv.
func (r *Reader) Offers() iter.Seq2[Offer, error] {
	ids := map[int64]bool{}
	pairs := map[[2]int64]bool{}
	return readTable(r.fsys, Tables[6], func(w *row) Offer {
		o := Offer{
			ID:          w.id("id"),
			FacilityID:  w.id("facility_id"),
			TreatmentID: w.id("treatment_id"),
			Price:       w.float("price", 0, 1e11),
			PriceMin:    w.float("price_min", 0, 1e11),
			PriceMax:    w.float("price_max", 0, 1e11),
			Currency:    w.match("currency", currencyCode, "an ISO 4217 currency code", false),
			Includes:    w.text("includes"),
			Source:      w.text("source"),
		}
		switch {
		case (o.PriceMin == nil) != (o.PriceMax == nil):
			w.fail("price_max", "price_min and price_max go together: give both or neither")
		case o.PriceMin != nil && *o.PriceMin > *o.PriceMax:
			w.fail("price_max", "price_max %v is below price_min %v", *o.PriceMax, *o.PriceMin)
		}
		if (o.Price != nil || o.PriceMin != nil) && o.Currency == "" {
			w.fail("currency", "is required when a price is given")
		}
		if o.Currency != "" && !r.currencies[o.Currency] {
			w.fail("currency", "no exchange rate for %s (add it to exchange_rates.csv)", o.Currency)
		}
		r.checkRef(w, "facility_id", r.facilities, o.FacilityID, "facility")
		r.checkRef(w, "treatment_id", r.treatments, o.TreatmentID, "treatment")
		r.checkNew(w, "id", ids, o.ID)
		pair := [2]int64{o.FacilityID, o.TreatmentID}
		if pairs[pair] {
			w.fail("treatment_id", "facility %d already has an offer for treatment %d", o.FacilityID, o.TreatmentID)
		}
		pairs[pair] = true
		return o
	})
}

// PriceReferences reads price_references.csv, if there is one.
func (r *Reader) PriceReferences() iter.Seq2[PriceReference, error] {
	seen := map[[2]string]bool{}
	return readTable(r.fsys, TableNamed("price_references"), func(w *row) PriceReference {
		p := PriceReference{
			TreatmentID: w.id("treatment_id"),
			CountryCode: w.match("country_code", countryCode, "an ISO 3166-1 alpha-2 code", true),
			Currency:    w.match("currency", currencyCode, "an ISO 4217 currency code", true),
			Source:      w.required("source"),
		}
		if amount := w.float("amount", 0, 1e11); amount == nil {
			w.fail("amount", "is required")
		} else if *amount == 0 {
			w.fail("amount", "must be more than 0: a reference is a price")
		} else {
			p.Amount = *amount
		}
		r.checkRef(w, "treatment_id", r.treatments, p.TreatmentID, "treatment")
		if p.CountryCode != "" && !r.countries[p.CountryCode] {
			w.fail("country_code", "unknown country %s (not in countries.csv)", p.CountryCode)
		}
		if p.Currency != "" && !r.currencies[p.Currency] {
			w.fail("currency", "no exchange rate for %s (add it to exchange_rates.csv)", p.Currency)
		}
		key := [2]string{strconv.FormatInt(p.TreatmentID, 10), p.CountryCode}
		if seen[key] {
			w.fail("country_code", "treatment %d already has a reference in %s", p.TreatmentID, p.CountryCode)
		}
		seen[key] = true
		return p
	})
}

// TreatmentTranslations reads treatment_translations.csv, if there is one.
func (r *Reader) TreatmentTranslations() iter.Seq2[TreatmentTranslation, error] {
	type key struct {
		id   int64
		lang string
	}
	seen := map[key]bool{}
	return readTable(r.fsys, Tables[7], func(w *row) TreatmentTranslation {
		t := TreatmentTranslation{
			TreatmentID: w.id("treatment_id"),
			Lang:        w.required("lang"),
			Name:        w.required("name"),
			LayNames:    w.list("lay_names"),
		}
		if t.Lang != "" && !slices.Contains(TranslationLanguages, t.Lang) {
			w.fail("lang", "%q is not one of %s", t.Lang, strings.Join(TranslationLanguages, ", "))
		}
		r.checkRef(w, "treatment_id", r.treatments, t.TreatmentID, "treatment")
		if k := (key{t.TreatmentID, t.Lang}); seen[k] {
			w.fail("lang", "treatment %d already has a %s translation", t.TreatmentID, t.Lang)
		} else {
			seen[k] = true
		}
		return t
	})
}

// Synonyms reads synonyms.csv, if there is one. Terms are normalised as the
// schema wants them (lower case, single spaces), so "Nose  Job" reads as
// "nose job".
func (r *Reader) Synonyms() iter.Seq2[Synonym, error] {
	seen := map[[2]string]bool{}
	return readTable(r.fsys, Tables[8], func(w *row) Synonym {
		s := Synonym{
			Term:    NormalizeTerm(w.required("term")),
			Synonym: NormalizeTerm(w.required("synonym")),
			Source:  w.required("source"),
		}
		if s.Source != "" && !slices.Contains(SynonymSources, s.Source) {
			w.fail("source", "%q is not one of %s", s.Source, strings.Join(SynonymSources, ", "))
		}
		if s.Term != "" && s.Term == s.Synonym {
			w.fail("synonym", "%q is the term itself", s.Synonym)
		}
		key := [2]string{s.Term, s.Synonym}
		if seen[key] {
			w.fail("synonym", "duplicate edge %q → %q", s.Term, s.Synonym)
		}
		seen[key] = true
		return s
	})
}

// NormalizeTerm is how the synonym graph writes a term: lower case, words
// separated by single spaces.
func NormalizeTerm(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func (r *Reader) checkNew(w *row, field string, seen map[int64]bool, id int64) {
	if id == 0 {
		return
	}
	if seen[id] {
		w.fail(field, "duplicate id %d", id)
	}
	seen[id] = true
}

func (r *Reader) checkRef(w *row, field string, seen map[int64]bool, id int64, what string) {
	if id != 0 && !seen[id] {
		w.fail(field, "unknown %s %d", what, id)
	}
}

// readTable yields one parsed row per CSV record, stopping at the first error.
func readTable[T any](fsys fs.FS, t Table, parse func(*row) T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		f, err := fsys.Open(t.File)
		if errors.Is(err, fs.ErrNotExist) && t.Optional() {
			return
		}
		if err != nil {
			yield(zero, fmt.Errorf("open %s: %w", t.File, err))
			return
		}
		defer f.Close()
		cr := csv.NewReader(f)
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err != nil {
			yield(zero, &FieldError{File: t.File, Line: 1, Err: fmt.Errorf("reading header: %w", err)})
			return
		}
		index, err := headerIndex(t, header)
		if err != nil {
			yield(zero, &FieldError{File: t.File, Line: 1, Err: err})
			return
		}
		for {
			record, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				// Not FieldPos: after a failed Read there is no record, and
				// it panics (found by FuzzTable: an unclosed quote).
				line := 0
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					line = pe.StartLine
					err = pe.Err
				}
				yield(zero, &FieldError{File: t.File, Line: line, Err: err})
				return
			}
			line, _ := cr.FieldPos(0)
			w := &row{file: t.File, line: line, index: index, record: record}
			v := parse(w)
			if w.err != nil {
				yield(zero, w.err)
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// headerIndex maps column names to positions; columns may come in any order,
// but each one the table defines must be there (except those added later,
// so that older files still read), and no others.
func headerIndex(t Table, header []string) (map[string]int, error) {
	index := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
		if !slices.Contains(t.Columns, h) {
			return nil, fmt.Errorf("unknown column %q (expected %s)", h, strings.Join(t.Columns, ","))
		}
		if _, dup := index[h]; dup {
			return nil, fmt.Errorf("column %q appears twice", h)
		}
		index[h] = i
	}
	for _, c := range t.Columns {
		if _, ok := index[c]; !ok && !slices.Contains(t.Added, c) {
			return nil, fmt.Errorf("missing column %q", c)
		}
	}
	return index, nil
}
