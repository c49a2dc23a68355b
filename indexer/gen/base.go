package gen

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/catalog"
)

// base is what the generator learns from the base catalogue: the small tables
// as they are, and from the big ones only what it samples from. Maps here are
// looked up, never ranged over, so they cannot leak their random order into
// the output.
type base struct {
	rates     []catalog.ExchangeRate // every row, in file order
	rate      map[string]float64     // latest rate per currency
	rateAsOf  map[string]time.Time
	maxAsOf   time.Time
	countries []catalog.Country
	treats    []catalog.Treatment
	// Copied as they are: the translations of the base treatments (the
	// generator keeps their ids), and the synonym graph.
	translations []catalog.TreatmentTranslation
	synonyms     []catalog.Synonym
	// And the countries' typical prices, which also set the price level of
	// the countries they cover (refLevel: the median, over treatments, of
	// the country's reference over the US one).
	references []catalog.PriceReference
	refLevel   map[string]float64

	facilities   []baseFacility
	facByCountry map[string][]int32 // indexes into facilities
	doctors      []baseDoctor

	// Prices in USD of priced base offers (the price, or the middle of the
	// range when only a range is given).
	usdByTreatment map[int64][]float64
	usdByCountry   map[string][]float64
	usdAll         []float64
	offersByTreat  map[int64]int

	// What offers say they include and where the price comes from, as pairs,
	// sampled per country so that "CMS" stays with US hospitals.
	extras          []offerExtra
	extrasByCountry map[string][]int32 // one entry per base offer: an index into extras
	extrasAll       []int32
	// Those of extrasAll whose source is found in more than one country:
	// what a country without base offers draws from, so that a Greek
	// hospital does not quote US Medicare ("CMS") prices.
	extrasPortable []int32
}

type baseFacility struct {
	kind, kindTitle string
	country         string
	city            string
	lat, lon        *float64
	accreditations  []string
	portable        []string // those of its accreditations found in more than one country
	languages       []string
	rating          *float64
	reviewCount     *int
}

type baseDoctor struct {
	years       *int
	rating      *float64
	reviewCount *int
}

type offerExtra struct {
	includes, source *string // nil for NULL
}

// readBase reads and validates every table of the base catalogue in dir
// ("" is the demo catalogue built into the binary).
func readBase(dir string) (*base, error) {
	r, err := catalog.OpenFS(indexer.Catalogue(dir), indexer.CatalogueName(dir))
	if err != nil {
		return nil, err
	}
	b := &base{
		rate:            map[string]float64{},
		rateAsOf:        map[string]time.Time{},
		facByCountry:    map[string][]int32{},
		usdByTreatment:  map[int64][]float64{},
		usdByCountry:    map[string][]float64{},
		offersByTreat:   map[int64]int{},
		extrasByCountry: map[string][]int32{},
	}
	// The CSV reader slices each field out of one string per line; interning
	// copies what we keep, so a big base catalogue's lines can be freed, and
	// makes repeated values share memory.
	interned := map[string]string{}
	intern := func(s string) string {
		if v, ok := interned[s]; ok {
			return v
		}
		v := strings.Clone(s)
		interned[v] = v
		return v
	}
	internList := func(l []string) []string {
		if len(l) == 0 {
			return nil
		}
		out := make([]string, len(l))
		for i, s := range l {
			out[i] = intern(s)
		}
		return out
	}

	for x, err := range r.ExchangeRates() {
		if err != nil {
			return nil, err
		}
		x.Currency = intern(x.Currency)
		b.rates = append(b.rates, x)
		if prev, ok := b.rateAsOf[x.Currency]; !ok || x.AsOf.After(prev) {
			b.rate[x.Currency] = x.Rate
			b.rateAsOf[x.Currency] = x.AsOf
		}
		if x.AsOf.After(b.maxAsOf) {
			b.maxAsOf = x.AsOf
		}
	}
	for c, err := range r.Countries() {
		if err != nil {
			return nil, err
		}
		c.Code, c.Name, c.Currency = intern(c.Code), intern(c.Name), intern(c.Currency)
		b.countries = append(b.countries, c)
	}
	for t, err := range r.Treatments() {
		if err != nil {
			return nil, err
		}
		t.Name, t.Category, t.Code = intern(t.Name), intern(t.Category), intern(t.Code)
		t.LayNames = internList(t.LayNames)
		b.treats = append(b.treats, t)
	}
	facCountry := map[int64]string{}
	for f, err := range r.Facilities() {
		if err != nil {
			return nil, err
		}
		bf := baseFacility{
			kind:           intern(f.Kind),
			country:        intern(f.CountryCode),
			city:           intern(f.City),
			lat:            f.Latitude,
			lon:            f.Longitude,
			accreditations: internList(f.Accreditations),
			languages:      internList(f.Languages),
			rating:         f.Rating,
			reviewCount:    f.ReviewCount,
		}
		bf.kindTitle = intern(kindTitle(bf.kind))
		b.facByCountry[bf.country] = append(b.facByCountry[bf.country], int32(len(b.facilities)))
		b.facilities = append(b.facilities, bf)
		facCountry[f.ID] = bf.country
	}
	// An accreditation seen in one country only ("Medicare certified") is
	// national; facilities in other countries modelled on this one drop it.
	national := inOneCountry()
	for _, f := range b.facilities {
		for _, a := range f.accreditations {
			national.add(a, f.country)
		}
	}
	for i := range b.facilities {
		f := &b.facilities[i]
		for _, a := range f.accreditations {
			if !national.only(a) {
				f.portable = append(f.portable, a)
			}
		}
	}
	for d, err := range r.Doctors() {
		if err != nil {
			return nil, err
		}
		b.doctors = append(b.doctors, baseDoctor{years: d.YearsExperience, rating: d.Rating, reviewCount: d.ReviewCount})
	}
	// Not used, but read so that the base is validated as a whole before
	// anything is drawn from it.
	for _, err := range r.DoctorTreatments() {
		if err != nil {
			return nil, err
		}
	}
	extraIndex := map[[2]string]int32{}
	sources := inOneCountry()
	var extraCountry []string
	for o, err := range r.Offers() {
		if err != nil {
			return nil, err
		}
		b.offersByTreat[o.TreatmentID]++
		country := facCountry[o.FacilityID]
		key := [2]string{o.Includes, o.Source}
		ei, ok := extraIndex[key]
		if !ok {
			ei = int32(len(b.extras))
			extraIndex[key] = ei
			b.extras = append(b.extras, offerExtra{includes: nullable(intern(o.Includes)), source: nullable(intern(o.Source))})
		}
		b.extrasByCountry[country] = append(b.extrasByCountry[country], ei)
		b.extrasAll = append(b.extrasAll, ei)
		extraCountry = append(extraCountry, country)
		sources.add(o.Source, country)

		amount := math.NaN()
		switch {
		case o.Price != nil:
			amount = *o.Price
		case o.PriceMin != nil:
			amount = (*o.PriceMin + *o.PriceMax) / 2
		}
		rate := b.rate[o.Currency]
		if math.IsNaN(amount) || rate <= 0 {
			continue
		}
		usd := amount / rate
		if usd <= 0 {
			continue // a free offer says nothing about price levels
		}
		b.usdByTreatment[o.TreatmentID] = append(b.usdByTreatment[o.TreatmentID], usd)
		b.usdByCountry[country] = append(b.usdByCountry[country], usd)
		b.usdAll = append(b.usdAll, usd)
	}
	for t, err := range r.TreatmentTranslations() {
		if err != nil {
			return nil, err
		}
		b.translations = append(b.translations, t)
	}
	for s, err := range r.Synonyms() {
		if err != nil {
			return nil, err
		}
		b.synonyms = append(b.synonyms, s)
	}
	for p, err := range r.PriceReferences() {
		if err != nil {
			return nil, err
		}
		p.CountryCode, p.Currency, p.Source = intern(p.CountryCode), intern(p.Currency), intern(p.Source)
		b.references = append(b.references, p)
	}
	b.refLevel = referenceLevels(b.references, b.rate)
	for i, ei := range b.extrasAll {
		if !sources.only(nullString(b.extras[ei].source)) || extraCountry[i] == "" {
			b.extrasPortable = append(b.extrasPortable, ei)
		}
	}
	if len(b.treats) == 0 {
		return nil, fmt.Errorf("catalogue %s has no treatments to draw from", dir)
	}
	return b, nil
}

// referenceLevels says how dear each country with price references is
// beside the United States: the median, over the treatments both have a
// reference for, of the country's price over the US price. The base's
// priced offers are mostly US hospitals' own prices, so this is the factor
// that carries them to another country.
func referenceLevels(refs []catalog.PriceReference, rate map[string]float64) map[string]float64 {
	usd := func(p catalog.PriceReference) float64 {
		if r := rate[p.Currency]; r > 0 {
			return p.Amount / r
		}
		return math.NaN()
	}
	us := map[int64]float64{}
	for _, p := range refs {
		if p.CountryCode == "US" {
			us[p.TreatmentID] = usd(p)
		}
	}
	ratios := map[string][]float64{}
	var countries []string
	for _, p := range refs {
		base, ok := us[p.TreatmentID]
		ratio := usd(p) / base
		if !ok || !(ratio > 0) || math.IsInf(ratio, 0) {
			continue
		}
		if _, seen := ratios[p.CountryCode]; !seen {
			countries = append(countries, p.CountryCode)
		}
		ratios[p.CountryCode] = append(ratios[p.CountryCode], ratio)
	}
	out := make(map[string]float64, len(countries))
	for _, c := range countries {
		out[c] = median(ratios[c])
	}
	return out
}

// countrySet tells values found in one country only from the rest.
type countrySet map[string]string // value → its country, or "" when several

func inOneCountry() countrySet { return countrySet{} }

func (s countrySet) add(value, country string) {
	if c, ok := s[value]; !ok {
		s[value] = country
	} else if c != country {
		s[value] = ""
	}
}

func (s countrySet) only(value string) bool { return s[value] != "" }

func nullString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// kindTitle turns a kind slug into words for names: "dental_centre" →
// "Dental Centre".
func kindTitle(kind string) string {
	words := strings.Split(kind, "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
