package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	catalogfmt "github.com/careatlas/careatlas/indexer/catalog"
)

// Minimums promised by the catalogue contract.
const (
	minTreatments = 150
	minFacilities = 2000
	minCountries  = 60 // countries with facilities
	// At least minWellCovered countries have minPerCountry facilities or more.
	minWellCovered = 20
	minPerCountry  = 25
	minOffers      = 20000
	minDoctors     = 3000
	maxDoctors     = 6000
)

var (
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	countryRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	langRE     = regexp.MustCompile(`^[a-z]{2}$`)
	moneyRE    = regexp.MustCompile(`^\d+\.\d{2}$`)
	ratingRE   = regexp.MustCompile(`^\d\.\d$`)
	intRE      = regexp.MustCompile(`^\d+$`)
)

var validKinds = map[string]bool{"hospital": true, "clinic": true, "dental_centre": true,
	"eye_centre": true, "fertility_centre": true, "specialist_centre": true}

func init() {
	for _, k := range worldKinds {
		validKinds[k.Slug] = true
	}
}

// facilitySourceRE is one value of a facility's source list.
var facilitySourceRE = regexp.MustCompile(`^(cms|nhs|wikidata|eurostat):\S+$|^(medtourism-listing|tr-moh-private|tr-moh-public)$`)

// validate checks the contract: unique ids, resolvable foreign keys, value
// formats and the minimum sizes. It collects all problems.
func validate(c *catalog) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	rates := map[string]bool{}
	for _, cur := range usedCurrencies(c) {
		if _, ok := exchangeRates[cur]; !ok || !currencyRE.MatchString(cur) {
			bad("currency %q has no rate", cur)
		}
		rates[cur] = true
	}
	countries := map[string]bool{}
	for _, co := range c.countries {
		if !countryRE.MatchString(co.Code) || !rates[co.Currency] {
			bad("country %+v invalid", co)
		}
		countries[co.Code] = true
	}

	cats := map[string]bool{}
	for _, k := range allCategories {
		cats[k] = true
	}
	tIDs := map[int]bool{}
	for _, t := range c.treatments {
		if t.ID <= 0 || tIDs[t.ID] {
			bad("treatment id %d duplicate or invalid", t.ID)
		}
		tIDs[t.ID] = true
		if !cats[t.Category] || t.Name == "" {
			bad("treatment %d: bad name/category %q/%q", t.ID, t.Name, t.Category)
		}
		checkList(bad, "treatment lay name", t.Lay)
	}

	fIDs := map[int]bool{}
	for _, f := range c.facilities {
		if f.ID <= 0 || fIDs[f.ID] {
			bad("facility id %d duplicate or invalid", f.ID)
		}
		fIDs[f.ID] = true
		if !validKinds[f.Kind] || !countries[f.CC] || f.Name == "" {
			bad("facility %d: kind %q country %q name %q", f.ID, f.Kind, f.CC, f.Name)
		}
		if f.HasCoord && (f.Lat < -90 || f.Lat > 90 || f.Lon < -180 || f.Lon > 180) {
			bad("facility %d: coordinates out of range", f.ID)
		}
		if f.Rating != "" && (!ratingRE.MatchString(f.Rating) || f.Rating > "5.0") {
			bad("facility %d: rating %q", f.ID, f.Rating)
		}
		checkList(bad, "accreditation", f.Accred)
		checkLangs(bad, f.Langs)
		if len(f.sources) == 0 {
			bad("facility %d (%s): no source", f.ID, f.Name)
		}
		for _, src := range f.sources {
			if !facilitySourceRE.MatchString(src) {
				bad("facility %d: source %q", f.ID, src)
			}
		}
	}

	pairs := map[[2]int]bool{}
	oIDs := map[int]bool{}
	for _, o := range c.offers {
		if o.ID <= 0 || oIDs[o.ID] {
			bad("offer id %d duplicate or invalid", o.ID)
		}
		oIDs[o.ID] = true
		if !fIDs[o.FacilityID] || !tIDs[o.TreatmentID] {
			bad("offer %d: dangling facility/treatment", o.ID)
		}
		k := [2]int{o.FacilityID, o.TreatmentID}
		if pairs[k] {
			bad("offer %d: duplicate facility/treatment %v", o.ID, k)
		}
		pairs[k] = true
		checkOfferPrice(bad, o, rates)
		if (o.Price != "" || o.PriceMin != "") && !pricedSources[o.Source] {
			bad("offer %d: priced, but its source %q gives no facility prices", o.ID, o.Source)
		}
	}
	checkReferences(bad, c.references, tIDs, countries)

	dIDs := map[int]bool{}
	for _, d := range c.doctors {
		if d.ID <= 0 || dIDs[d.ID] || !fIDs[d.FacilityID] {
			bad("doctor %d: duplicate id or dangling facility", d.ID)
		}
		dIDs[d.ID] = true
		if !strings.HasPrefix(d.Name, "Dr. ") || len(d.Specialties) == 0 {
			bad("doctor %d: name %q specialties %v", d.ID, d.Name, d.Specialties)
		}
		for _, s := range d.Specialties {
			if !cats[s] {
				bad("doctor %d: specialty %q not in vocabulary", d.ID, s)
			}
		}
		if d.Rating != "" && (!ratingRE.MatchString(d.Rating) || d.Rating > "5.0") {
			bad("doctor %d: rating %q", d.ID, d.Rating)
		}
		if (d.Years != "" && !intRE.MatchString(d.Years)) || (d.Reviews != "" && !intRE.MatchString(d.Reviews)) {
			bad("doctor %d: years %q reviews %q", d.ID, d.Years, d.Reviews)
		}
		checkLangs(bad, d.Langs)
	}
	dt := map[string]bool{}
	for _, r := range c.docTreat {
		k := r[0] + "," + r[1]
		if dt[k] || !dIDs[atoiOr(r[0], 0)] || !tIDs[atoiOr(r[1], 0)] {
			bad("doctor_treatment %s duplicate or dangling", k)
		}
		dt[k] = true
	}

	checkMin := func(what string, got, want int) {
		if got < want {
			bad("%s: %d, want at least %d", what, got, want)
		}
	}
	checkMin("treatments", len(c.treatments), minTreatments)
	checkMin("facilities", len(c.facilities), minFacilities)
	perCountry := map[string]int{}
	for _, f := range c.facilities {
		perCountry[f.CC]++
	}
	checkMin("countries with facilities", len(perCountry), minCountries)
	wellCovered := 0
	for _, n := range perCountry {
		if n >= minPerCountry {
			wellCovered++
		}
	}
	checkMin(fmt.Sprintf("countries with %d+ facilities", minPerCountry), wellCovered, minWellCovered)
	checkMin("offers", len(c.offers), minOffers)
	checkMin("doctors", len(c.doctors), minDoctors)
	if len(c.doctors) > maxDoctors {
		bad("doctors: %d, want at most %d", len(c.doctors), maxDoctors)
	}
	checkSearchTerms(bad, c.treatments)
	checkTranslations(bad, c.translations, tIDs)
	checkSynonyms(bad, c.synonyms)
	return errors.Join(errs...)
}

// minTranslated is how many treatments must have translations.
const minTranslated = 40

func checkTranslations(bad func(string, ...any), rows []translationRow, tIDs map[int]bool) {
	per := map[int]int{}
	for _, r := range rows {
		if !tIDs[r.TreatmentID] || r.Name == "" || strings.Contains(r.Name, "|") {
			bad("translation %+v: unknown treatment or bad name", r)
		}
		if len(r.Lay) == 0 && r.Name == "" {
			bad("translation %+v: empty", r)
		}
		checkList(bad, "translated lay name", r.Lay)
		per[r.TreatmentID]++
	}
	for id, n := range per {
		if n != len(catalogfmt.TranslationLanguages) {
			bad("treatment %d: %d translations, want one in each of %s", id, n, strings.Join(catalogfmt.TranslationLanguages, ", "))
		}
	}
	if len(per) < minTranslated {
		bad("translations: %d treatments, want at least %d", len(per), minTranslated)
	}
}

// checkSynonyms checks the edges' form and that the edges the demo relies on
// are there.
func checkSynonyms(bad func(string, ...any), es []synonymEdge) {
	have := map[[2]string]bool{}
	for _, e := range es {
		if e.Term == e.Synonym || e.Term != strings.Join(strings.Fields(strings.ToLower(e.Term)), " ") ||
			e.Synonym != strings.Join(strings.Fields(strings.ToLower(e.Synonym)), " ") {
			bad("synonym edge %+v is not normalised", e)
		}
		if _, ok := synonymSourceRank[e.Source]; !ok {
			bad("synonym edge %+v: unknown source", e)
		}
		have[[2]string{e.Term, e.Synonym}] = true
	}
	for _, want := range [][2]string{{"nose job", "rhinoplasty"}, {"new hip", "hip replacement"},
		{"new knee", "knee replacement"}, {"heart attack", "myocardial infarction"},
		{"ivf", "in vitro fertilisation"}, {"boob job", "breast augmentation"},
		{"tummy tuck", "abdominoplasty"}, {"eye laser", "lasik"}} {
		if !have[want] {
			bad("synonyms: no edge %q → %q", want[0], want[1])
		}
	}
}

func checkList(bad func(string, ...any), what string, vals []string) {
	for _, v := range vals {
		if strings.Contains(v, "|") {
			bad("%s %q contains |", what, v)
		}
	}
}

func checkLangs(bad func(string, ...any), langs []string) {
	for _, l := range langs {
		if !langRE.MatchString(l) {
			bad("language %q is not ISO 639-1", l)
		}
	}
}

func checkOfferPrice(bad func(string, ...any), o *offer, rates map[string]bool) {
	for _, p := range []string{o.Price, o.PriceMin, o.PriceMax} {
		if p != "" && !moneyRE.MatchString(p) {
			bad("offer %d: price %q", o.ID, p)
		}
	}
	anyPrice := o.Price != "" || o.PriceMin != ""
	if (o.PriceMin == "") != (o.PriceMax == "") {
		bad("offer %d: price range half empty", o.ID)
	}
	if anyPrice && !rates[o.Currency] {
		bad("offer %d: currency %q without rate", o.ID, o.Currency)
	}
	if o.PriceMin != "" {
		lo, _ := parseFloat(o.PriceMin)
		hi, _ := parseFloat(o.PriceMax)
		if lo > hi {
			bad("offer %d: min > max", o.ID)
		}
		if p, ok := parseFloat(o.Price); ok && (p < lo || p > hi) {
			bad("offer %d: price outside range", o.ID)
		}
	}
}

// checkSearchTerms makes sure the lay vocabulary the demo relies on exists.
func checkSearchTerms(bad func(string, ...any), ts []*treatment) {
	has := func(pred func(*treatment) bool, term string) {
		for _, t := range ts {
			if !pred(t) {
				continue
			}
			if strings.Contains(strings.ToLower(t.Name), term) {
				return
			}
			for _, l := range t.Lay {
				if strings.EqualFold(l, term) {
					return
				}
			}
			bad("treatment %q lacks lay name %q", t.Name, term)
			return
		}
		bad("no treatment for %q", term)
	}
	has(func(t *treatment) bool { return t.Code == "DRG 470" }, "knee replacement")
	has(func(t *treatment) bool { return t.Code == "DRG 469" }, "hip replacement")
	has(func(t *treatment) bool { return t.Name == "Knee replacement" }, "knee replacement")
	has(func(t *treatment) bool { return t.Name == "Rhinoplasty" }, "nose job")
	has(func(t *treatment) bool { return t.Code == "DRG 280" }, "heart attack")
	has(func(t *treatment) bool { return t.priceKey == "IVF Treatment" }, "ivf")
}

// checkReferences checks the price references: known treatment and
// country, a positive amount, one per treatment and country.
func checkReferences(bad func(string, ...any), rs []priceReference, tIDs map[int]bool, countries map[string]bool) {
	seen := map[[2]string]bool{}
	for _, r := range rs {
		k := [2]string{itoa(r.TreatmentID), r.CC}
		if seen[k] || !tIDs[r.TreatmentID] || !countries[r.CC] || r.USD <= 0 {
			bad("price reference %+v: duplicate, dangling or not positive", r)
		}
		seen[k] = true
	}
	if len(rs) == 0 {
		bad("no price references")
	}
}
