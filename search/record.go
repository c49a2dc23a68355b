// Package search is CareAtlas's search engine: the documents patients find
// (offers, facilities, doctors, treatments), how they are analysed and
// indexed with Bleve, and the queries, filters, facets and sorts over them.
// It knows nothing of HTTP or PostgreSQL: the indexer feeds it Records and the
// API hands it Requests.
package search

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unique"

	segjson "github.com/segmentio/encoding/json"
)

// Document types.
const (
	TypeOffer     = "offer"
	TypeFacility  = "facility"
	TypeDoctor    = "doctor"
	TypeTreatment = "treatment"
)

// Types lists every document type, in the order results show them.
var Types = []string{TypeOffer, TypeFacility, TypeDoctor, TypeTreatment}

// Money is an amount in an ISO 4217 currency.
type Money struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
}

// MoneyRange is a price range in one currency.
type MoneyRange struct {
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Currency string  `json:"currency"`
}

// PriceStat is the lowest and highest "from" price (the price, or the bottom
// of the range) of a treatment's priced offers in one currency.
type PriceStat struct {
	Currency string
	Min, Max float64
}

// PriceSpan is a treatment's span of prices in dollars (Record.PriceSpan)
// from its offers' price stats, at rates; nil when none converts.
func PriceSpan(stats []PriceStat, rates Rates) *MoneyRange {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range stats {
		if a, ok := rates.ToUSD(s.Min, s.Currency); ok {
			lo = min(lo, a)
		}
		if b, ok := rates.ToUSD(s.Max, s.Currency); ok {
			hi = max(hi, b)
		}
	}
	if lo > hi {
		return nil
	}
	return &MoneyRange{Min: math.Round(lo), Max: math.Round(hi), Currency: "USD"}
}

// TypicalPrice is what a treatment typically costs in a country, by a
// cross-country price table (Source): a reference, not a quote.
type TypicalPrice struct {
	Country  string  `json:"country"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Source   string  `json:"source"`
	// Converted is the amount in the patient's currency, when a search or
	// page asked for one; it is filled in when the record is served.
	Converted *Money `json:"converted,omitempty"`
}

// convert sets Converted to the amount in currency ("" or unknown: none).
func (t *TypicalPrice) convert(currency string, rates Rates) {
	t.Converted = nil
	if currency == "" {
		return
	}
	if usd, ok := rates.ToUSD(t.Amount, t.Currency); ok {
		v, _ := rates.FromUSD(usd, currency)
		t.Converted = &Money{Amount: math.Round(v*100) / 100, Currency: currency}
	}
}

// ConvertTypicalPrices converts r's typical prices into currency, as a
// search does for its hits ("": no conversion). Entity pages call it.
func (r *Record) ConvertTypicalPrices(currency string, rates Rates) {
	if r.TypicalPrice != nil {
		r.TypicalPrice.convert(currency, rates)
	}
	for i := range r.TypicalPrices {
		r.TypicalPrices[i].convert(currency, rates)
	}
}

// GeoPoint is a position in degrees.
type GeoPoint struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Ref names another document.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// TreatmentRef names a treatment and its category.
type TreatmentRef struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Code     string `json:"code,omitempty"`
}

// Translation is a treatment's name and lay names in one language.
type Translation struct {
	Name     string   `json:"name"`
	LayNames []string `json:"lay_names,omitempty"`
}

// FacilityRef is what an offer or a doctor shows of its facility.
type FacilityRef struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	Kind           string    `json:"kind"`
	City           string    `json:"city,omitempty"`
	Country        string    `json:"country"`
	CountryName    string    `json:"country_name"`
	Location       *GeoPoint `json:"location,omitempty"`
	Accreditations []string  `json:"accreditations,omitempty"`
	Languages      []string  `json:"languages,omitempty"`
	Rating         *float64  `json:"rating,omitempty"`
	ReviewCount    *int      `json:"review_count,omitempty"`
}

// Record is one searchable document: an offer, a facility, a doctor or a
// treatment, denormalised so that a result page needs no second request. It
// is stored whole in the index and returned as it is; fields that do not
// apply to a type are left empty.
type Record struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	// Name is the facility's, doctor's or treatment's name; for an offer, the
	// treatment's.
	Name string `json:"name"`

	// Treatments: category, lay names and code. Offers carry Treatment (its
	// lay names stay on the treatment: text search joins to it).
	Category  string        `json:"category,omitempty"`
	LayNames  []string      `json:"lay_names,omitempty"`
	Code      string        `json:"code,omitempty"`
	Treatment *TreatmentRef `json:"treatment,omitempty"`
	// Translations are a treatment's name and lay names in other languages,
	// by language code (one of Languages but English).
	Translations map[string]Translation `json:"translations,omitempty"`

	// Facilities: where and what they are. Offers and doctors carry Facility.
	Kind           string       `json:"kind,omitempty"`
	City           string       `json:"city,omitempty"`
	Country        string       `json:"country,omitempty"`
	CountryName    string       `json:"country_name,omitempty"`
	Address        string       `json:"address,omitempty"`
	Location       *GeoPoint    `json:"location,omitempty"`
	Accreditations []string     `json:"accreditations,omitempty"`
	Languages      []string     `json:"languages,omitempty"`
	Description    string       `json:"description,omitempty"`
	Website        string       `json:"website,omitempty"`
	Facility       *FacilityRef `json:"facility,omitempty"`

	// Doctors.
	Specialties     []string `json:"specialties,omitempty"`
	YearsExperience *int     `json:"years_experience,omitempty"`

	Rating      *float64 `json:"rating,omitempty"`
	ReviewCount *int     `json:"review_count,omitempty"`

	// Offers: the price as stored, in the facility's currency.
	Price       *Money      `json:"price,omitempty"`
	PriceRange  *MoneyRange `json:"price_range,omitempty"`
	Includes    string      `json:"includes,omitempty"`
	PriceSource string      `json:"price_source,omitempty"`
	// TypicalPrice is, on an offer, what its treatment typically costs in
	// its facility's country by a cross-country table: a country
	// reference, never the facility's price (price filters and sorts do
	// not read it). Most useful on an offer priced on request.
	TypicalPrice *TypicalPrice `json:"typical_price,omitempty"`
	// TypicalPrices are, on a treatment, its country references, by
	// country code.
	TypicalPrices []TypicalPrice `json:"typical_prices,omitempty"`

	// Who and what a record links to: the doctors who perform an offer's
	// treatment, a facility's doctors and treatments, a doctor's treatments.
	Doctors    []Ref          `json:"doctors,omitempty"`
	Treatments []TreatmentRef `json:"treatments,omitempty"`
	Categories []string       `json:"categories,omitempty"`

	// Treatments and facilities: how many offers, and the USD price span.
	OfferCount int         `json:"offer_count,omitempty"`
	PriceSpan  *MoneyRange `json:"price_span_usd,omitempty"`
}

// DocID is the index's key for a record: unique across types.
func DocID(typ string, id int64) string { return typ + ":" + itoa(id) }

// ParseDocID is the type and id of the record with DocID key.
func ParseDocID(key string) (typ string, id int64, err error) {
	typ, n, _ := strings.Cut(key, ":")
	if id, err = strconv.ParseInt(n, 10, 64); err != nil {
		return "", 0, fmt.Errorf("document %q: %w", key, err)
	}
	return typ, id, nil
}

// Rates converts prices between currencies: Rates[c] is how many units of c
// buy one US dollar.
type Rates struct {
	AsOf  time.Time          `json:"as_of"`
	Rates map[string]float64 `json:"rates"`
}

// ToUSD converts amount in currency to US dollars; ok is false when the
// currency has no rate.
func (r Rates) ToUSD(amount float64, currency string) (float64, bool) {
	rate, ok := r.Rates[currency]
	if !ok || rate <= 0 {
		return 0, false
	}
	return amount / rate, true
}

// FromUSD converts US dollars to currency.
func (r Rates) FromUSD(usd float64, currency string) (float64, bool) {
	rate, ok := r.Rates[currency]
	if !ok || rate <= 0 {
		return 0, false
	}
	return usd * rate, true
}

// Intern makes r's short strings that recur from record to record (types,
// names of treatments, clinics and places, categories, languages,
// accreditations, the names a record links to) the one copy the process
// keeps of each (unique.Make; Intern keeps no handle, so after a
// collection that finds none a string is copied once more). An overlay keeps
// the records it applies, and the owners they join, for minutes: each
// string decoded or scanned for them was an object of its own for the
// collector to mark on every cycle, a quarter of the heap's objects
// under writes at a million offers. r must be the caller's alone: its
// strings are replaced in place, by equal ones.
func Intern(r *Record) {
	for _, s := range []*string{&r.Type, &r.Name, &r.Category, &r.Code, &r.Kind, &r.City, &r.Country,
		&r.CountryName, &r.Includes, &r.PriceSource} {
		internString(s)
	}
	for _, ss := range [][]string{r.LayNames, r.Accreditations, r.Languages, r.Specialties, r.Categories} {
		internAll(ss)
	}
	if t := r.Treatment; t != nil {
		internTreatmentRef(t)
	}
	for i := range r.Treatments {
		internTreatmentRef(&r.Treatments[i])
	}
	for i := range r.Doctors {
		internString(&r.Doctors[i].Name)
	}
	if f := r.Facility; f != nil {
		for _, s := range []*string{&f.Name, &f.Kind, &f.City, &f.Country, &f.CountryName} {
			internString(s)
		}
		internAll(f.Accreditations)
		internAll(f.Languages)
	}
	if m := r.Price; m != nil {
		internString(&m.Currency)
	}
	if p := r.PriceRange; p != nil {
		internString(&p.Currency)
	}
	if p := r.TypicalPrice; p != nil {
		internString(&p.Country)
		internString(&p.Currency)
		internString(&p.Source)
	}
}

func internTreatmentRef(t *TreatmentRef) {
	internString(&t.Name)
	internString(&t.Category)
	internString(&t.Code)
}

func internString(s *string) {
	if *s != "" {
		*s = unique.Make(*s).Value()
	}
}

func internAll(ss []string) {
	for i := range ss {
		internString(&ss[i])
	}
}

// decodeRecord decodes a record as the index stores it (its source
// field): each hit of a page, each record Get returns, and the offers the
// follower re-weighs. encoding/json took 8 µs a record at a million
// offers, a tenth of a search's CPU under writes for a page of ten;
// segmentio's decoder, a drop-in written to decode as encoding/json does,
// takes 3 µs, and gives the same records (TestDecodeRecordAsEncodingJSON,
// over every stored record of the bundled catalogue).
func decodeRecord(src []byte, r *Record) error { return segjson.Unmarshal(src, r) }
