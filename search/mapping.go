package search

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/token/edgengram"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Index fields. Filters and facets use the keyword fields; full text goes to
// the analysed ones; the record itself is kept, unindexed, in fieldSource.
const (
	fieldType          = "type"
	fieldText          = "text"
	fieldDoctors       = "doctors" // offer documents: their doctors' names
	fieldName          = "name"
	fieldLay           = "lay"
	fieldJoin          = "join"  // treatment documents: what finds their offers
	fieldPlace         = "place" // facility documents: what finds their offers
	fieldCountry       = "country"
	fieldCity          = "city"
	fieldCategory      = "category"
	fieldKind          = "kind"
	fieldAccreditation = "accreditation"
	fieldLanguage      = "language"
	fieldFacilityID    = "facility_id"
	fieldTreatmentID   = "treatment_id"
	fieldRating        = "rating"
	fieldTrust         = "trust"
	fieldPriceUSD      = "price_usd"
	// An offer's price as its source states it (the amount, or the bottom
	// of its range, and the currency): what the price column is converted
	// from again when a rate changes (columns.atRates).
	fieldPriceAmount   = "price_amount"
	fieldPriceCurrency = "price_currency"
	fieldLat           = "lat"
	fieldLon           = "lon"
	fieldSource        = "source"
	fieldSuggest       = "suggest"
)

// Analysers for autocomplete: names are indexed as every prefix (1 to 20
// characters) of every word, lowercased and folded to ASCII, so "kne rep"
// or "hufte" finds "Knee replacement" or "Hüfte" with plain term lookups.
const (
	suggestIndexAnalyzer = "careatlas_suggest"
	suggestQueryAnalyzer = "careatlas_suggest_query"
	suggestEdgeNgram     = "careatlas_edge_ngram"
	suggestMaxPrefix     = 20
)

// textAnalyzer analyses every English full-text field: tokens lowercased,
// stop words removed, snowball-stemmed, so "replacements" finds
// "replacement" (see analysis.go).
var textAnalyzer = analyzerName(LangEnglish)

// joinField is the field that holds a treatment's names in lang, which
// finds the treatment and its offers: fieldJoin for English, join_<lang>
// for a translation.
func joinField(lang string) string {
	if lang == LangEnglish || lang == "" {
		return fieldJoin
	}
	return fieldJoin + "_" + lang
}

// NewMapping returns the index mapping every CareAtlas index is built with.
func NewMapping() mapping.IndexMapping {
	im := mapping.NewIndexMapping()
	addLanguageAnalyzers(im)
	im.DefaultAnalyzer = textAnalyzer
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	mustAdd(im.AddCustomTokenFilter(suggestEdgeNgram, map[string]any{
		"type": edgengram.Name, "min": 1.0, "max": float64(suggestMaxPrefix)}))
	mustAdd(im.AddCustomAnalyzer(suggestIndexAnalyzer, map[string]any{
		"type": custom.Name, "char_filters": []string{asciifolding.Name}, "tokenizer": unicode.Name,
		"token_filters": []string{lowerName, suggestEdgeNgram}}))
	mustAdd(im.AddCustomAnalyzer(suggestQueryAnalyzer, map[string]any{
		"type": custom.Name, "char_filters": []string{asciifolding.Name}, "tokenizer": unicode.Name,
		"token_filters": []string{lowerName}}))

	doc := mapping.NewDocumentMapping()
	doc.Dynamic = false
	// No "_all" composite field: every query names its fields, and building
	// it walked every token of every document a second time.
	doc.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())

	text := func(vectors bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = textAnalyzer
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = false
		f.IncludeTermVectors = vectors
		return f
	}
	// No doc values anywhere: filters, facets and sorts read the columns
	// that Open builds from the postings. Numbers are keyword terms too (one
	// term per value, where a Bleve numeric field writes sixteen), because
	// ranges are checked against the columns, not the term index.
	keywordField := func() *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	doc.AddFieldMappingsAt(fieldText, text(false))
	doc.AddFieldMappingsAt(fieldDoctors, text(false))
	doc.AddFieldMappingsAt(fieldName, text(false))
	doc.AddFieldMappingsAt(fieldLay, text(false))
	doc.AddFieldMappingsAt(fieldJoin, text(false))
	doc.AddFieldMappingsAt(fieldPlace, text(false))
	for _, lang := range Languages[1:] {
		f := text(false)
		f.Analyzer = analyzerName(lang)
		doc.AddFieldMappingsAt(joinField(lang), f)
	}
	for _, f := range Filters {
		doc.AddFieldMappingsAt(f.Field, keywordField())
	}
	for _, k := range []string{fieldRating, fieldTrust, fieldPriceUSD, fieldPriceAmount, fieldPriceCurrency, fieldLat, fieldLon} {
		doc.AddFieldMappingsAt(k, keywordField())
	}
	suggest := text(false)
	suggest.Analyzer = suggestIndexAnalyzer
	doc.AddFieldMappingsAt(fieldSuggest, suggest)
	source := mapping.NewTextFieldMapping()
	source.Index = false
	source.Store = true
	source.IncludeInAll = false
	source.DocValues = false
	doc.AddFieldMappingsAt(fieldSource, source)

	im.DefaultMapping = doc
	return im
}

// mustAdd panics on an error in the fixed analyser definitions above: a
// programming error that every test would hit.
func mustAdd(err error) {
	if err != nil {
		panic(err)
	}
}

// indexDocument flattens a record into the fields NewMapping indexes.
//
// Offers carry no treatment or facility text of their own: a million offers
// share a few hundred treatments, and analysing the same names and lay
// names for each of them was most of the build. Text search over offers
// joins instead (see join.go): a word matches an offer when it matches the
// offer's treatment (fieldJoin on treatment documents), its facility's name
// or place (fieldPlace on facility documents), or one of its doctors' names
// (fieldDoctors on the offer: a field of its own, so that finding the
// offers of a doctor's name reads only offers' postings, not those of every
// facility and doctor whose text holds the word).
func indexDocument(r *Record, rates Rates) (map[string]any, error) {
	source, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	d := joinDocument(r, rates)
	d[fieldSource] = string(source)
	if r.Type == TypeTreatment {
		d[fieldLay] = append(slices.Clone(r.LayNames), r.Code)
	}
	var text []string
	switch r.Type {
	case TypeFacility:
		d[fieldName] = r.Name
		text = append(text, r.Name, r.City, r.CountryName, r.Description, r.Address)
	case TypeDoctor:
		if r.Facility != nil {
			text = append(text, r.Facility.Name, r.Facility.City, r.Facility.CountryName)
		}
		d[fieldName] = r.Name
		text = append(text, r.Name)
		text = append(text, r.Specialties...)
	case TypeTreatment:
		text = append(append(text, r.Name, r.Category), r.LayNames...)
		text = append(text, r.Code)
	}
	if len(text) > 0 {
		d[fieldText] = text
	}
	if r.Type != TypeOffer {
		suggest := append([]string{r.Name}, r.LayNames...)
		for _, tr := range r.Translations {
			suggest = append(append(suggest, tr.Name), tr.LayNames...)
		}
		d[fieldSuggest] = suggest
	}
	return d, nil
}

// joinDocument is the part of a record's document that the documents
// joining it read (match.go, columns.inherit): its keyword values and
// place, its rating and trust, a treatment's names in every language, a
// facility's place words, and an offer's prices and doctors. An overlay's
// segment indexes only this of the owners it holds to be joined through,
// never as hits (Overlay.Apply): they were most of what a segment indexed,
// and a treatment's own text and suggestions most of their cost.
func joinDocument(r *Record, rates Rates) map[string]any {
	d := map[string]any{}
	for _, f := range Filters {
		// Offers index only their own keyword values (type, treatment and
		// facility ids): the treatment's category and the facility's place,
		// kind, accreditations and languages are the same for every offer of
		// theirs, and the columns copy them from the treatment's and
		// facility's documents when the index opens (see inherit).
		if r.Type == TypeOffer && f.Inherit != "" {
			continue
		}
		if vs := f.Of(r); len(vs) > 0 {
			d[f.Field] = vs
		}
	}
	if f := facilityOf(r); f != nil && f.Location != nil {
		d[fieldLat], d[fieldLon] = ftoa(f.Location.Lat), ftoa(f.Location.Lon)
	}
	rating := r.Rating
	switch r.Type {
	case TypeOffer:
		rating = nil // the facility's, inherited
		if len(r.Doctors) > 0 {
			names := make([]string, len(r.Doctors))
			for i, doc := range r.Doctors {
				names[i] = doc.Name
			}
			d[fieldDoctors] = names
		}
		// The amount as stated, even in a currency with no rate yet: a
		// rate added later converts it (Index.atRates), and the overlay
		// counts a treatment's prices from it (Overlay.Recount).
		if amount, currency, ok := offerAmount(r); ok {
			d[fieldPriceAmount], d[fieldPriceCurrency] = ftoa(amount), currency
		}
		if usd, ok := offerUSD(r, rates); ok {
			d[fieldPriceUSD] = ftoa(usd)
		}
	case TypeFacility:
		d[fieldPlace] = []string{r.Name, r.City, r.CountryName}
	case TypeTreatment:
		// The name field finds a treatment's offers too (matcher.term).
		d[fieldName] = r.Name
		d[fieldJoin] = append(append([]string{r.Name, r.Category}, r.LayNames...), r.Code)
		for lang, tr := range r.Translations {
			if SupportedLanguage(lang) && lang != LangEnglish {
				d[joinField(lang)] = append([]string{tr.Name}, tr.LayNames...)
			}
		}
	}
	if rating != nil {
		d[fieldRating] = ftoa(*rating)
	}
	d[fieldTrust] = ftoa(trustOf(r).Trust)
	return d
}

// offerUSD is the price an offer is filtered and sorted by, in US dollars:
// its price, or the bottom of its range ("from") when it only has a range.
func offerUSD(r *Record, rates Rates) (float64, bool) {
	amount, currency, ok := offerAmount(r)
	if !ok {
		return 0, false
	}
	return rates.ToUSD(amount, currency)
}

// offerAmount is the amount an offer's price column is converted from: its
// price, or the bottom of its range, in its own currency.
func offerAmount(r *Record) (float64, string, bool) {
	switch {
	case r.Price != nil:
		return r.Price.Amount, r.Price.Currency, true
	case r.PriceRange != nil:
		return r.PriceRange.Min, r.PriceRange.Currency, true
	}
	return 0, "", false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ftoa writes a number as the shortest string that parses back to it.
func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
