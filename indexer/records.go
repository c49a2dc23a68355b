package indexer

import (
	"maps"
	"slices"

	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/search"
)

// The functions here turn catalogue rows, already joined, into search
// records. Both sources (PostgreSQL and catalogue files) go through them, so
// the documents are the same whichever way the index is built.

// list returns nil for an empty list, so that a record is the same whether
// its lists came from PostgreSQL ('{}') or a file (nothing).
func list[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

func FacilityRef(f catalog.Facility, countryName string) *search.FacilityRef {
	return &search.FacilityRef{
		ID: f.ID, Name: f.Name, Kind: f.Kind, City: f.City, Country: f.CountryCode, CountryName: countryName,
		Location: geoPoint(f), Accreditations: list(f.Accreditations), Languages: list(f.Languages),
		Rating: f.Rating, ReviewCount: f.ReviewCount,
	}
}

func geoPoint(f catalog.Facility) *search.GeoPoint {
	if f.Latitude == nil || f.Longitude == nil {
		return nil
	}
	return &search.GeoPoint{Lat: *f.Latitude, Lon: *f.Longitude}
}

func treatmentRef(t catalog.Treatment) search.TreatmentRef {
	return search.TreatmentRef{ID: t.ID, Name: t.Name, Category: t.Category, Code: t.Code}
}

func OfferRecord(o catalog.Offer, t catalog.Treatment, f *search.FacilityRef, doctors []search.Ref) *search.Record {
	tr := treatmentRef(t)
	r := &search.Record{
		Type: search.TypeOffer, ID: o.ID, Name: t.Name, Treatment: &tr, Facility: f, Doctors: list(doctors),
	}
	offerRow(r, o)
	return r
}

// PatchOffer returns a copy of held, an offer's record, with what the
// offer's own row shows (its prices, what they include, their source)
// taken from o: the record a full build makes when nothing else it shows
// changed. It returns nil when held is not o's record or shows another
// facility or treatment than o: then the rest of held is not o's, and the
// record must be read whole.
func PatchOffer(held *search.Record, o catalog.Offer) *search.Record {
	if held == nil || held.Type != search.TypeOffer || held.ID != o.ID ||
		held.Treatment == nil || held.Treatment.ID != o.TreatmentID || held.Facility == nil || held.Facility.ID != o.FacilityID {
		return nil
	}
	r := *held // records are never changed in place: the copy shares the rest
	offerRow(&r, o)
	return &r
}

// offerRow sets the fields of an offer's record that its own row makes.
func offerRow(r *search.Record, o catalog.Offer) {
	r.Includes, r.PriceSource, r.Price, r.PriceRange = o.Includes, o.Source, nil, nil
	if o.Price != nil {
		r.Price = &search.Money{Amount: *o.Price, Currency: o.Currency}
	}
	if o.PriceMin != nil && o.PriceMax != nil {
		r.PriceRange = &search.MoneyRange{Min: *o.PriceMin, Max: *o.PriceMax, Currency: o.Currency}
	}
}

func FacilityRecord(f catalog.Facility, countryName string, treatments []search.TreatmentRef, doctors []search.Ref) *search.Record {
	return &search.Record{
		Type: search.TypeFacility, ID: f.ID, Name: f.Name, Kind: f.Kind, City: f.City,
		Country: f.CountryCode, CountryName: countryName, Address: f.Address, Location: geoPoint(f),
		Accreditations: list(f.Accreditations), Languages: list(f.Languages), Description: f.Description,
		Website: f.Website, Rating: f.Rating, ReviewCount: f.ReviewCount,
		Treatments: list(treatments), Categories: categories(treatments), Doctors: list(doctors),
		OfferCount: len(treatments),
	}
}

// PatchFacility returns the record of facility f, whose country is named
// countryName, listing what held, f's record, lists (its treatments and
// doctors): the record a full build makes when only f's own row changed.
// It returns nil when held is not f's record.
func PatchFacility(held *search.Record, f catalog.Facility, countryName string) *search.Record {
	if held == nil || held.Type != search.TypeFacility || held.ID != f.ID {
		return nil
	}
	return FacilityRecord(f, countryName, held.Treatments, held.Doctors)
}

func DoctorRecord(d catalog.Doctor, f *search.FacilityRef, treatments []search.TreatmentRef) *search.Record {
	return &search.Record{
		Type: search.TypeDoctor, ID: d.ID, Name: d.Name, Specialties: list(d.Specialties), Languages: list(d.Languages),
		YearsExperience: d.YearsExperience, Rating: d.Rating, ReviewCount: d.ReviewCount,
		Facility: f, Treatments: list(treatments), Categories: categories(treatments),
	}
}

// PriceStat is search.PriceStat: both sources gather them, and the overlay
// too when it counts a treatment's offers itself.
type PriceStat = search.PriceStat

func TreatmentRecord(t catalog.Treatment, translations map[string]search.Translation, offerCount int,
	stats []PriceStat, rates search.Rates) *search.Record {
	return &search.Record{
		Type: search.TypeTreatment, ID: t.ID, Name: t.Name, Category: t.Category, LayNames: list(t.LayNames),
		Code: t.Code, Translations: translationMap(translations), OfferCount: offerCount,
		PriceSpan: search.PriceSpan(stats, rates),
	}
}

// translationMap returns nil for no translations and nil lay names for none,
// so that a record is the same from PostgreSQL and from files.
func translationMap(m map[string]search.Translation) map[string]search.Translation {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]search.Translation, len(m))
	for lang, tr := range m {
		out[lang] = search.Translation{Name: tr.Name, LayNames: list(tr.LayNames)}
	}
	return out
}

func categories(ts []search.TreatmentRef) []string {
	var out []string
	for _, t := range ts {
		if !slices.Contains(out, t.Category) {
			out = append(out, t.Category)
		}
	}
	slices.Sort(out)
	return out
}

// PriceReferences are the catalogue's typical prices, by treatment and
// country code: a country's reference, shown on the treatment and on its
// offers in that country, never an offer's price.
type PriceReferences map[int64]map[string]search.TypicalPrice

// Add records one reference.
func (p PriceReferences) Add(r catalog.PriceReference) {
	if p[r.TreatmentID] == nil {
		p[r.TreatmentID] = map[string]search.TypicalPrice{}
	}
	p[r.TreatmentID][r.CountryCode] = search.TypicalPrice{Country: r.CountryCode, Amount: r.Amount,
		Currency: r.Currency, Source: r.Source}
}

// ForOffer is the reference of a treatment in a country, nil when none.
func (p PriceReferences) ForOffer(treatment int64, country string) *search.TypicalPrice {
	if t, ok := p[treatment][country]; ok {
		return &t
	}
	return nil
}

// ForTreatment lists a treatment's references by country code, nil when
// none.
func (p PriceReferences) ForTreatment(treatment int64) []search.TypicalPrice {
	var out []search.TypicalPrice
	for _, cc := range slices.Sorted(maps.Keys(p[treatment])) {
		out = append(out, p[treatment][cc])
	}
	return out
}
