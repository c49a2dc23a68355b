// Package catalog reads and validates a CareAtlas catalogue: a directory of
// CSV files, one per table, in the format documented in README.md.
//
// Every row is checked as it is read (types, ranges, codes, and references to
// rows read before it), and a failure names the file, the line and the field,
// so whoever brings their own data can fix it without guessing. Tables must be
// read in the order of Tables, because references are checked against the ids
// already seen.
package catalog

import (
	"time"

	"github.com/careatlas/careatlas/search"
)

// Table describes one CSV file of the catalogue and the PostgreSQL table it
// loads into. Columns are in the order of Values() of the row type.
type Table struct {
	Name    string // table in PostgreSQL
	File    string // file in the catalogue directory
	Columns []string
	// Added are columns that came after the first catalogues were written:
	// a file without them is still read, the values empty.
	Added []string
}

// Tables lists the catalogue's tables in load order: a table only refers to
// tables before it.
var Tables = []Table{
	{"exchange_rates", "exchange_rates.csv", []string{"currency", "rate", "as_of"}, nil},
	{"countries", "countries.csv", []string{"code", "name", "currency"}, nil},
	{"treatments", "treatments.csv", []string{"id", "name", "category", "lay_names", "code"}, nil},
	{"facilities", "facilities.csv", []string{"id", "name", "kind", "country_code", "city", "address",
		"latitude", "longitude", "accreditations", "languages", "rating", "review_count", "description", "website",
		"source"}, []string{"source"}},
	{"doctors", "doctors.csv", []string{"id", "facility_id", "name", "specialties", "languages",
		"years_experience", "rating", "review_count"}, nil},
	{"doctor_treatments", "doctor_treatments.csv", []string{"doctor_id", "treatment_id"}, nil},
	{"offers", "offers.csv", []string{"id", "facility_id", "treatment_id", "price", "price_min", "price_max",
		"currency", "includes", "source"}, nil},
	{"treatment_translations", "treatment_translations.csv", []string{"treatment_id", "lang", "name", "lay_names"}, nil},
	{"synonyms", "synonyms.csv", []string{"term", "synonym", "source"}, nil},
	{"posts", "posts.csv", []string{"id", "facility_id", "doctor_id", "title", "body", "published", "starts_at",
		"ends_at", "treatment_ids", "categories", "patient_countries", "facility_countries", "languages",
		"keywords", "price_max_usd", "lang"}, nil},
	{"price_references", "price_references.csv", []string{"treatment_id", "country_code", "amount", "currency",
		"source"}, nil},
}

// TableNamed returns the table called name; it panics on an unknown name,
// which is a programming error.
func TableNamed(name string) Table {
	for _, t := range Tables {
		if t.Name == name {
			return t
		}
	}
	panic("catalog: no table " + name)

}

// optionalFiles may be missing from a catalogue directory: their tables are
// then empty. They came after the first catalogues were written, and a
// catalogue without translations or synonyms is still a whole catalogue.
var optionalFiles = map[string]bool{"treatment_translations.csv": true, "synonyms.csv": true, "posts.csv": true,
	"price_references.csv": true}

// Optional reports whether the table's file may be missing (the table is then
// empty).
func (t Table) Optional() bool { return optionalFiles[t.File] }

// TranslationLanguages are the languages a treatment can be translated into
// (ISO 639-1): every language search supports but English, the catalogue's
// own.
var TranslationLanguages = search.Languages[1:]

// SynonymSources are where a synonym edge may come from: the MedQuAD
// vocabulary, the CMS DRG lay names, or a hand-curated list.
var SynonymSources = []string{"medquad", "drg", "curated"}

// ExchangeRate is how many units of Currency buy one US dollar on AsOf.
type ExchangeRate struct {
	Currency string
	Rate     float64
	AsOf     time.Time
}

// Values returns the row in the column order of its Table.
func (r ExchangeRate) Values() []any { return []any{r.Currency, r.Rate, r.AsOf} }

// Country is an ISO 3166-1 country with the currency its prices default to.
type Country struct {
	Code     string
	Name     string
	Currency string
}

// Values returns the row in the column order of its Table.
func (c Country) Values() []any { return []any{c.Code, c.Name, c.Currency} }

// Treatment is a procedure or course of care that facilities offer.
type Treatment struct {
	ID       int64
	Name     string
	Category string
	LayNames []string
	Code     string // e.g. "DRG 470"; empty when none
}

// Values returns the row in the column order of its Table.
func (t Treatment) Values() []any {
	return []any{t.ID, t.Name, t.Category, nonNil(t.LayNames), nullString(t.Code)}
}

// Facility is a hospital, clinic or centre that offers treatments.
type Facility struct {
	ID             int64
	Name           string
	Kind           string
	CountryCode    string
	City           string
	Address        string
	Latitude       *float64
	Longitude      *float64
	Accreditations []string
	Languages      []string
	Rating         *float64
	ReviewCount    *int
	Description    string
	Website        string
	// Source says where the row comes from, one value per list that has
	// the facility ("wikidata:Q4013", "eurostat:AT_K101"): a hospital two
	// lists agree on is one facility with two sources.
	Source []string
}

// Values returns the row in the column order of its Table.
func (f Facility) Values() []any {
	return []any{f.ID, f.Name, f.Kind, f.CountryCode, nullString(f.City), nullString(f.Address),
		f.Latitude, f.Longitude, nonNil(f.Accreditations), nonNil(f.Languages), f.Rating, f.ReviewCount,
		nullString(f.Description), nullString(f.Website), nonNil(f.Source)}
}

// Doctor is a practitioner working at a facility.
type Doctor struct {
	ID              int64
	FacilityID      int64
	Name            string
	Specialties     []string
	Languages       []string
	YearsExperience *int
	Rating          *float64
	ReviewCount     *int
}

// Values returns the row in the column order of its Table.
func (d Doctor) Values() []any {
	return []any{d.ID, d.FacilityID, d.Name, nonNil(d.Specialties), nonNil(d.Languages),
		d.YearsExperience, d.Rating, d.ReviewCount}
}

// DoctorTreatment says that a doctor performs a treatment.
type DoctorTreatment struct {
	DoctorID    int64
	TreatmentID int64
}

// Values returns the row in the column order of its Table.
func (d DoctorTreatment) Values() []any { return []any{d.DoctorID, d.TreatmentID} }

// Offer is a facility's price for a treatment. Price, the range, or both may
// be missing (price on request); Currency is set whenever a price is.
type Offer struct {
	ID          int64
	FacilityID  int64
	TreatmentID int64
	Price       *float64
	PriceMin    *float64
	PriceMax    *float64
	Currency    string
	Includes    string
	Source      string
}

// Values returns the row in the column order of its Table.
func (o Offer) Values() []any {
	return []any{o.ID, o.FacilityID, o.TreatmentID, o.Price, o.PriceMin, o.PriceMax,
		nullString(o.Currency), nullString(o.Includes), nullString(o.Source)}
}

// Post is a provider's post and its targeting (see search/posts.Targeting
// for what each rule means). A post names at least one treatment, category
// or keyword.
type Post struct {
	ID                int64
	FacilityID        int64
	DoctorID          int64 // 0 when the facility itself posted
	Title             string
	Body              string
	Published         bool
	StartsAt          time.Time
	EndsAt            *time.Time
	TreatmentIDs      []int64
	Categories        []string
	PatientCountries  []string
	FacilityCountries []string
	Languages         []string
	Keywords          []string
	PriceMaxUSD       *float64
	Lang              string
}

// Values returns the row in the column order of its Table.
func (p Post) Values() []any {
	var doctor any
	if p.DoctorID != 0 {
		doctor = p.DoctorID
	}
	ids := p.TreatmentIDs
	if ids == nil {
		ids = []int64{}
	}
	lang := p.Lang
	if lang == "" {
		lang = "en"
	}
	return []any{p.ID, p.FacilityID, doctor, p.Title, p.Body, p.Published, p.StartsAt, p.EndsAt, ids,
		nonNil(p.Categories), nonNil(p.PatientCountries), nonNil(p.FacilityCountries), nonNil(p.Languages),
		nonNil(p.Keywords), p.PriceMaxUSD, lang}
}

// PriceReference is what a treatment typically costs in a country, by a
// cross-country price table: a reference to show beside offers, never an
// offer's price. Amount is in Currency.
type PriceReference struct {
	TreatmentID int64
	CountryCode string
	Amount      float64
	Currency    string
	Source      string
}

// Values returns the row in the column order of its Table.
func (p PriceReference) Values() []any {
	return []any{p.TreatmentID, p.CountryCode, p.Amount, p.Currency, p.Source}
}

// TreatmentTranslation is a treatment's name and lay names in another
// language.
type TreatmentTranslation struct {
	TreatmentID int64
	Lang        string
	Name        string
	LayNames    []string
}

// Values returns the row in the column order of its Table.
func (t TreatmentTranslation) Values() []any {
	return []any{t.TreatmentID, t.Lang, t.Name, nonNil(t.LayNames)}
}

// Synonym is a directed edge of the synonym graph: a patient who types Term
// may mean Synonym. Both are lower case with single spaces.
type Synonym struct {
	Term    string
	Synonym string
	Source  string
}

// Values returns the row in the column order of its Table.
func (s Synonym) Values() []any { return []any{s.Term, s.Synonym, s.Source} }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
