// Command mkcatalog derives CareAtlas's bundled demo catalogue
// (testdata/catalog/*.csv) from the real public data in ../shared/data
// (see that directory's SOURCES.md). It is deterministic: running it twice
// gives byte-identical files. There is no clock, no global random seed and
// no map-order dependence; every pseudo-random choice is a hash (FNV-1a,
// mixed) of stable keys such as a CMS provider id or a facility name.
//
// Usage:
//
//	go run ./cmd/mkcatalog [--src ../shared/data] [--out testdata/catalog] [--verbose]
//
// # What is real, what is derived, what is generated
//
// Exchange rates (exchange_rates.csv) are a fixed, hand-entered table of
// APPROXIMATE reference rates (units per 1 USD) as of 2025-10-01. They are
// not live rates; they only make the converted prices plausible.
//
// Countries (countries.csv) are ISO 3166-1 codes with English names and
// default currencies from a fixed table. The messy country strings of the
// medical-tourism listing are normalised ("Dubai"/"Abu Dhabi" -> AE,
// "Morocoo" -> MA, "Saudi Arebia" -> SA, "South  Korea"/"Korea" -> KR,
// "Germany 🇩🇪" -> DE, "Dominician Republic" -> DO, "Swaziland" -> SZ).
//
// Treatments (treatments.csv):
//   - The 105 US DRGs of us_ipps_drg_catalog.csv (ids 1–105, by DRG code).
//     The name is the official CMS definition made readable (sentence case;
//     W/O -> "without", W -> "with", & -> "and", a few abbreviations such
//     as PERC/CARDIOVASC/PROC expanded; CC/MCC kept); the five FY2011-only
//     DRGs without an official definition use their lay name. The category
//     comes from the CMS lay category (Heart -> Cardiology, …) with a small
//     per-DRG override table for "Other"/blank ones. Lay names are the CMS
//     FY2011/FY2013 lay names plus a short curated list of words patients
//     type (469/470 "knee replacement", "new hip", …; 280–282 "heart
//     attack"; 246/247 "stent", "angioplasty"; …).
//   - The 21 treatments of intl_treatment_prices_by_country.csv, with
//     curated names and lay names ("nose job", "IVF", "CABG", …).
//   - Treatments cleaned from the medical-tourism facility listings: a
//     curated table maps the raw names (typos, variants such as
//     "Rhinoplasty (Nose Repair/Reconstruction)") to canonical treatments;
//     one is included when it occurs at two or more facilities. Specialty
//     names ("Cardiology", "Surgery") are not treatments; they only tell us
//     a facility's fields.
//   - MedQuAD (CC BY 4.0) adds lay names: when a MedQuAD focus or synonym
//     (at least 5 characters, not a generic word, outside negated parts such
//     as "EXCEPT …"/"W/O …") occurs as a whole phrase in a treatment's name,
//     definition or lay names, its focus and synonyms are added (drug and
//     supplement pages skipped; at most 15 lay names, curated first, then
//     shorter ones).
//
// The category vocabulary (25 values) is also used as the doctors'
// specialty vocabulary, so doctor_treatments links are a category match.
//
// Facilities (facilities.csv), ids in the order US, GB, medical tourism,
// world lists; the source column names the list(s) and record of each
// ("cms:<CCN>", "nhs:<ODS code>", "medtourism-listing", "wikidata:<Q-id>",
// "eurostat:<id>", "tr-moh-private", "tr-moh-public"):
//   - US: IPPS hospitals (us_ipps_hospitals.csv) with coordinates in
//     us_cms_hospital_gps.csv, joined with the CMS general information file
//     for address, ZIP, county, type, ownership, emergency services and the
//     1–5 star overall rating (-> rating; "Not Available" -> empty). Of the
//     hospitals with coordinates and at least one DRG price row, a stable 40%
//     per state is kept (about 1,300, every state). Names come from the
//     IPPS file; the ALL-CAPS CMS address and county are title-cased. The
//     description is one sentence built from those real fields. Languages
//     "en|es" and the accreditation "Medicare certified" are assumptions
//     justified by their being Medicare IPPS hospitals.
//   - GB: every NHS hospital row with coordinates (real name, address,
//     coordinates, website; description from sector, subtype, parent
//     organisation and county; "CQC registered" and "en" assumed).
//   - Medical tourism: the 211 listings of intl_medtourism_facilities.json,
//     with exact duplicates (same name and country) merged, so 206 rows.
//     City and coordinates come from a hand-entered table of city/region
//     centres keyed by the listing's location (region centroids for states
//     such as "Maharashtra"); locations that are not places, or that
//     contradict the country, are left empty. The kind is chosen from the
//     name (dental/eye/IVF words, "Hospital") and the share of listed
//     treatments per category (one dominant field -> specialist_centre,
//     else clinic). The description is the listing's "about"
//     text (whitespace cleaned, cut at ~600 characters on a word boundary),
//     or a sentence from its real fields when that text is missing or
//     trivial ("Hello"). Accreditations are only those named in that text.
//     Languages are the country's main language(s) plus English (assumed).
//   - World lists (world.go): hospitals of world_wikidata_hospitals.tsv
//     (Wikidata, CC0), eu_eurostat_healthcare_services.csv (Eurostat) and
//     the Turkish Ministry of Health's private and public lists, with only
//     what they say: name as published (the Ministry's upper-case private
//     names in proper Turkish case, İ/i and I/ı; its "T.C. Sağlık
//     Bakanlığı" owner prefix dropped), city (Eurostat's city; the Turkish
//     province, from its code; Wikidata gives none), address, coordinates,
//     website, and in the description the source's type words, beds and
//     public/private status. The kind comes from the source's type or the
//     name (kinds.go). Left out: Wikidata labels that are Q-ids, rows
//     without a mapped country, names of what is not a hospital (historic
//     sites, health posts, nursing homes, outpatient units: notAHospital),
//     the US and GB (covered by CMS and the NHS), Eurostat's Bulgaria
//     (garbled names) and French overseas departments. Eurostat's Czech
//     rows are repaired (Windows-1250 read as 1252). A hospital in two lists
//     is one facility with both sources: Eurostat and Wikidata when the
//     names share two thirds of their distinctive words (cut to five
//     letters, so "Universitätsklinikum" meets "University") within 2 km;
//     the Ministry and Wikidata when the distinctive words are equal and
//     unique on both sides (the Ministry gives no coordinates; Wikidata's
//     are used). A site named like a medical-tourism listing in the same
//     country is that listing and is skipped. Per country a deterministic
//     sample is kept (two-list hospitals first, then Turkish private ones,
//     then by a hash of the source id): up to 150 in Turkey, 90 in the
//     other big destinations, 28 elsewhere, countries with at least 5.
//     Languages, accreditations and ratings are left empty: no list gives
//     them, and no doctors are made for these facilities.
//
// Offers (offers.csv):
//   - US: the hospital's CMS FY2013 average total payment per DRG (FY2011
//     when it has no FY2013 row for that DRG), USD. All rows of ten common
//     DRGs (469, 470, 280, 281, 247, 292, 291, 194, 392, 871) are kept and a
//     stable 17% of the others, to keep the catalogue small (a hospital left
//     with nothing keeps one DRG, so every US hospital has an offer).
//   - Medical tourism: one offer per listed treatment that maps to a
//     catalogue treatment, and offers for the price-table treatments of the
//     clinic's main fields (dental -> implant; orthopaedics -> knee/hip;
//     cosmetic -> rhinoplasty, liposuction, tummy tuck, implants, face lift;
//     eye -> LASIK, cataract; fertility -> IVF; bariatric -> sleeve,
//     bypass) where the country has a price-table figure (the condition
//     earlier catalogues priced them by; kept so the offers keep their ids).
//     All are "price on request": the listings give no prices.
//   - GB: each independent-sector site named a hospital or clinic (and not
//     a mental-health, community or similar service) gets 3–6 common
//     elective procedures from the price table (a DEMO assignment, not
//     provider data), price on request. NHS rows get no offers.
//   - World lists: each facility offers the treatments of its kind (kinds.go:
//     a general hospital knee and hip replacement, gall bladder removal,
//     hernia repair, hysterectomy, MRI; an eye hospital cataract, LASIK, …),
//     price on request, with the source "Facility type (<kind>)": what such
//     a facility does, not what this one confirmed.
//
// Only the CMS payments price an offer; no price is ever derived.
//
// Price references (price_references.csv): the cross-country table's one
// typical USD figure per treatment and country (a pair listed twice
// averaged), for the 21 price-table treatments. Earlier catalogues turned
// them into facility prices ("estimate from the country average"); they
// are references now, shown beside offers, never an offer's price.
//
// Doctors (doctors.csv): every doctor NAME IS GENERATED ("Dr." + given name
// + surname from built-in lists per country/language group); no real
// person's name from the scraped listings is ever written.
//   - India: for each Indian facility, for each field it offers (up to 8),
//     2–4 listings of that specialty from the nearest Practo city
//     (in_practo_doctors_3cities.csv) supply the real specialty, years of
//     experience, dp_score (percent/20 -> rating) and votes (-> review
//     count). The 94 doctors of in_medtourism_doctors.json are attached to
//     the nearest Indian facility offering their specialty (else the nearest
//     Indian hospital), with their real specialty, experience, rating and
//     languages (names -> ISO 639-1). Practo lists no languages; English,
//     Hindi and the city's language are assumed.
//   - Elsewhere: 1–3 generated doctors (weighted towards 2–3) at a stable
//     60% of the US hospitals, at every GB hospital that has offers (NHS
//     rows have none, so they get no doctors) and at every other
//     medical-tourism facility. Specialties are drawn from the categories of
//     the facility's offers (weighted by count); years/rating/review count
//     are copied from a stably chosen Practo listing, so they follow its
//     distribution. US doctors speak English, 30% also Spanish (assumed).
//
// doctor_treatments.csv links each doctor to the treatments their facility
// offers in the doctor's specialty categories.
//
// Treatment translations (treatment_translations.csv) are HAND-WRITTEN:
// the table in translations.go gives, for 64 common patient-facing
// treatments (the 21 price-table ones, the joint-replacement,
// heart-attack and gall-bladder DRGs, and common listing treatments such
// as hair transplant or root canal), the name and 1–5 everyday terms in
// every language search supports but English — Spanish, French, German,
// Turkish, Russian, Arabic, Italian, Portuguese and Polish
// ("Knieprothese", "Knie-TEP"; "tüp bebek"; "prótesis de cadera"; "ЭКО";
// "زراعة الشعر"; "operacja zaćmy").
//
// The synonym graph (synonyms.csv, see synonyms.go) has directed edges
// "a patient who types term may mean synonym", equivalences written as
// two edges: a curated list (nose job ↔ rhinoplasty, new knee → knee
// replacement, British/American spellings, …); each DRG's CMS lay names
// (with and without their "(with complications)" remark) → its name in
// the catalogue; and MedQuAD focus ↔ synonym for the topics whose focus or
// a synonym is a phrase of some treatment's name, definition or lay names
// (terms lower-cased; 1–2 letter terms other than "mi", generic words and
// terms over 60 characters dropped). An edge given by several sources
// keeps the most trusted: curated, then drg, then medquad.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	src := flag.String("src", "../shared/data", "directory with the public source data (relative to the repo root, or absolute)")
	out := flag.String("out", "testdata/catalog", "output directory for the catalogue CSV files")
	verbose := flag.Bool("verbose", false, "report unmapped facility treatment names and unplaced locations")
	check := flag.Bool("check", false, "regenerate into a temporary directory and fail unless --out holds exactly that (CI runs it)")
	flag.Parse()
	if *check {
		if err := checkBundled(*src, *out); err != nil {
			fmt.Fprintln(os.Stderr, "mkcatalog --check:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*src, *out, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "mkcatalog:", err)
		os.Exit(1)
	}
}

// catalog is the whole generated data set.
type catalog struct {
	countries  []country
	treatments []*treatment
	facilities []*facility
	offers     []*offer
	doctors    []*doctor
	docTreat   [][]string
	posts      [][]string
	references []priceReference

	translations []translationRow
	synonyms     []synonymEdge
}

func run(src, out string, verbose bool) error {
	if _, err := os.Stat(filepath.Join(src, "SOURCES.md")); err != nil {
		return fmt.Errorf("source directory %s: %w", src, err)
	}
	countries := map[string]country{}
	for _, c := range append(append([]country{}, countryTable...), worldCountryTable...) {
		if _, dup := countries[c.Code]; dup {
			return fmt.Errorf("country %s is in the country tables twice", c.Code)
		}
		countries[c.Code] = c
	}

	// Treatments.
	drgs, err := buildDRGTreatments(src)
	if err != nil {
		return fmt.Errorf("DRG treatments: %w", err)
	}
	intlList, rawCount, err := loadIntlFacilities(src)
	if err != nil {
		return fmt.Errorf("medical-tourism facilities: %w", err)
	}
	res := newTreatmentResolver()
	treatments := append(drgs, buildPriceTreatments()...)
	treatments = append(treatments, buildFacilityTreatments(res, intlList)...)
	mq, err := loadMedQuAD(src)
	if err != nil {
		return fmt.Errorf("MedQuAD: %w", err)
	}
	addMedQuADSynonyms(treatments, mq)
	byDRG, byPriceKey, byName := assignTreatmentIDs(treatments)
	tByID := map[int]*treatment{}
	for _, t := range treatments {
		tByID[t.ID] = t
	}
	translations, err := buildTranslations(treatments)
	if err != nil {
		return err
	}
	synonyms := buildSynonyms(treatments, mq)

	// Facilities.
	cms, err := loadCMSPrices(src)
	if err != nil {
		return fmt.Errorf("CMS prices: %w", err)
	}
	hasPrices := map[string]bool{}
	for p := range cms {
		hasPrices[p] = true
	}
	us, err := buildUSFacilities(src, hasPrices)
	if err != nil {
		return fmt.Errorf("US facilities: %w", err)
	}
	gb, err := buildGBFacilities(src)
	if err != nil {
		return fmt.Errorf("GB facilities: %w", err)
	}
	intl := buildIntlFacilities(intlList, res, byName, countries)
	facilities := append(append(us, gb...), intl...)
	world, err := buildWorldFacilities(src, facilities, countries)
	if err != nil {
		return err
	}
	facilities = append(facilities, world...)
	assignFacilityIDs(facilities)
	if verbose {
		reportUnmapped(intlList, res, byName, intl)
		fmt.Printf("medical-tourism listings: %d raw, %d after merging duplicates\n", rawCount, len(intlList))
	}

	// Offers.
	pt, err := loadPriceTable(src)
	if err != nil {
		return err
	}
	book := &offerBook{seen: map[[2]int]bool{}}
	addUSOffers(book, facilities, cms, byDRG)
	addGBOffers(book, facilities, byPriceKey)
	addIntlOffers(book, facilities, res, byName, byPriceKey, pt)
	if err := addWorldOffers(book, facilities, byName); err != nil {
		return err
	}
	references := buildPriceReferences(pt, byPriceKey)

	// Doctors.
	practo, err := loadPracto(src)
	if err != nil {
		return fmt.Errorf("Practo doctors: %w", err)
	}
	mt, err := loadMedTourismDoctors(src)
	if err != nil {
		return fmt.Errorf("medical-tourism doctors: %w", err)
	}
	db := buildDoctors(facilities, book.offers, tByID, practo, mt, countries)
	docTreat, without := db.doctorTreatmentRows()

	cat := &catalog{treatments: treatments, facilities: facilities, offers: book.offers,
		doctors: db.doctors, docTreat: docTreat, translations: translations, synonyms: synonyms, references: references}
	cat.countries = usedCountries(facilities, references, countries)
	cat.posts = buildPosts(cat)
	if err := validate(cat); err != nil {
		return fmt.Errorf("validation: %w", err)
	}
	sizes, err := write(cat, out)
	if err != nil {
		return err
	}
	printSummary(cat, sizes, without)
	return nil
}

// usedCountries returns the countries referenced by facilities and price
// references, by code.
func usedCountries(fs []*facility, refs []priceReference, all map[string]country) []country {
	used := map[string]bool{}
	for _, f := range fs {
		used[f.CC] = true
	}
	for _, r := range refs {
		used[r.CC] = true
	}
	var out []country
	for _, cc := range sortedKeys(used) {
		out = append(out, all[cc])
	}
	return out
}

// usedCurrencies returns every currency in countries and offers.
func usedCurrencies(c *catalog) []string {
	set := map[string]bool{"USD": true}
	for _, co := range c.countries {
		set[co.Currency] = true
	}
	for _, o := range c.offers {
		if o.Currency != "" {
			set[o.Currency] = true
		}
	}
	return sortedKeys(set)
}

type fileSize struct {
	name  string
	rows  int
	bytes int64
}

func write(c *catalog, out string) ([]fileSize, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", out, err)
	}
	var rates [][]string
	for _, cur := range usedCurrencies(c) {
		rates = append(rates, []string{cur, formatRate(exchangeRates[cur]), ratesAsOf})
	}
	var countries [][]string
	for _, co := range c.countries {
		countries = append(countries, []string{co.Code, co.Name, co.Currency})
	}
	files := []struct {
		name   string
		header []string
		rows   [][]string
	}{
		{"exchange_rates.csv", []string{"currency", "rate", "as_of"}, rates},
		{"countries.csv", []string{"code", "name", "currency"}, countries},
		{"treatments.csv", []string{"id", "name", "category", "lay_names", "code"}, treatmentRows(c.treatments)},
		{"facilities.csv", []string{"id", "name", "kind", "country_code", "city", "address", "latitude", "longitude",
			"accreditations", "languages", "rating", "review_count", "description", "website", "source"}, facilityRows(c.facilities)},
		{"doctors.csv", []string{"id", "facility_id", "name", "specialties", "languages", "years_experience",
			"rating", "review_count"}, doctorRows(c.doctors)},
		{"doctor_treatments.csv", []string{"doctor_id", "treatment_id"}, c.docTreat},
		{"offers.csv", []string{"id", "facility_id", "treatment_id", "price", "price_min", "price_max", "currency",
			"includes", "source"}, offerRows(c.offers)},
		{"treatment_translations.csv", []string{"treatment_id", "lang", "name", "lay_names"}, translationRows(c.translations)},
		{"synonyms.csv", []string{"term", "synonym", "source"}, synonymRows(c.synonyms)},
		{"posts.csv", []string{"id", "facility_id", "doctor_id", "title", "body", "published", "starts_at", "ends_at",
			"treatment_ids", "categories", "patient_countries", "facility_countries", "languages", "keywords",
			"price_max_usd", "lang"}, c.posts},
		{"price_references.csv", []string{"treatment_id", "country_code", "amount", "currency", "source"},
			priceReferenceRows(c.references)},
	}
	var sizes []fileSize
	for _, f := range files {
		n, err := writeCSV(out, f.name, f.header, f.rows)
		if err != nil {
			return nil, err
		}
		sizes = append(sizes, fileSize{f.name, len(f.rows), n})
	}
	return sizes, nil
}

// formatRate prints a rate without trailing zeros ("1", "0.85", "88.8").
func formatRate(v float64) string {
	s := fmt.Sprintf("%.4f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func printSummary(c *catalog, sizes []fileSize, docsWithout int) {
	var total int64
	fmt.Println("mkcatalog summary")
	for _, s := range sizes {
		fmt.Printf("  %-22s %6d rows %9d bytes\n", s.name, s.rows, s.bytes)
		total += s.bytes
	}
	fmt.Printf("  %-22s %6s      %9d bytes\n", "total", "", total)

	perCountry := map[string]int{}
	for _, f := range c.facilities {
		perCountry[f.CC]++
	}
	var parts []string
	for _, cc := range sortedKeys(perCountry) {
		parts = append(parts, fmt.Sprintf("%s:%d", cc, perCountry[cc]))
	}
	fmt.Printf("  countries (%d): %s\n", len(perCountry), strings.Join(parts, " "))

	perCur := map[string]int{}
	unpriced := 0
	for _, o := range c.offers {
		if o.Currency == "" {
			unpriced++
			continue
		}
		perCur[o.Currency]++
	}
	parts = parts[:0]
	for _, cur := range sortedKeys(perCur) {
		parts = append(parts, fmt.Sprintf("%s:%d", cur, perCur[cur]))
	}
	fmt.Printf("  priced offers by currency (%d): %s; price on request: %d\n", len(perCur), strings.Join(parts, " "), unpriced)

	perCat := map[string]int{}
	for _, t := range c.treatments {
		perCat[t.Category]++
	}
	parts = parts[:0]
	for _, k := range sortedKeys(perCat) {
		parts = append(parts, fmt.Sprintf("%s:%d", k, perCat[k]))
	}
	fmt.Printf("  treatment categories (%d): %s\n", len(perCat), strings.Join(parts, ", "))
	fmt.Printf("  doctors without a linked treatment: %d\n", docsWithout)
}

// reportUnmapped lists raw facility treatment names at 2+ facilities that
// map to nothing, and facilities without a place (development aid).
func reportUnmapped(list []*intlFacility, res *treatmentResolver, byName map[string]*treatment, fs []*facility) {
	count := map[string]int{}
	for _, f := range list {
		for _, raw := range f.Treatments {
			canon, generic := res.resolve(raw)
			if _, ok := byName[canon]; !ok && generic == "" {
				count[raw]++
			}
		}
	}
	keys := sortedKeys(count)
	sort.SliceStable(keys, func(i, j int) bool { return count[keys[i]] > count[keys[j]] })
	for _, k := range keys {
		fmt.Printf("unmapped treatment (%d facilities): %s\n", count[k], k)
	}
	for _, f := range fs {
		if !f.HasCoord {
			fmt.Printf("no place: %s [%s] location=%q\n", f.Name, f.CC, f.intl.Location)
		}
	}
}
