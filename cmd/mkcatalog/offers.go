package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// offer is one row of offers.csv.
type offer struct {
	ID, FacilityID, TreatmentID int
	Price, PriceMin, PriceMax   string
	Currency, Includes, Source  string
}

const (
	srcCMS2013    = "CMS IPPS FY2013 average total payments"
	srcCMS2011    = "CMS IPPS FY2011 average total payments"
	srcListing    = "Medical-tourism facility listing (treatment named by the provider)"
	srcListingCat = "Medical-tourism facility listing (a main field of the provider)"
	srcGBDemo     = "Demo assignment: common independent-sector elective procedure (not from provider data)"
	srcKindPrefix = "Facility type"
	srcPriceRef   = "Medical-tourism cost comparison table (one typical price per country)"
	inclCMS       = "Average total payment for the inpatient stay (Medicare)"
	inclOnRequest = "Price on request"
)

// pricedSources are the only sources that give an offer its own price: the
// CMS payments of the hospital itself. Every other offer is price on
// request; a country's typical price is a price reference, not an offer.
var pricedSources = map[string]bool{srcCMS2013: true, srcCMS2011: true}

// usOtherDRGShare is the share of non-common DRG rows kept per hospital.
const usOtherDRGShare = 0.17

// priceTable holds USD country-level prices: priceKey -> country code -> USD.
type priceTable map[string]map[string]float64

// loadPriceTable reads intl_treatment_prices_by_country.csv. Rows without
// a price ("-") are skipped; a (treatment, country) pair listed twice
// (e.g. Liposuction/Poland 2,500 and 1,800) is averaged.
func loadPriceTable(src string) (priceTable, error) {
	t, err := readCSV(filepath.Join(src, "intl_treatment_prices_by_country.csv"))
	if err != nil {
		return nil, err
	}
	sum := map[string]map[string][2]float64{}
	for _, r := range t.rows {
		usd, ok := parseFloat(t.get(r, "price"))
		if !ok || t.get(r, "currency") != "USD" {
			continue
		}
		cc, ok := countryAliases[normPhrase(t.get(r, "country"))]
		if !ok {
			return nil, fmt.Errorf("price table: unknown country %q", t.get(r, "country"))
		}
		key := t.get(r, "treatment")
		if sum[key] == nil {
			sum[key] = map[string][2]float64{}
		}
		s := sum[key][cc]
		sum[key][cc] = [2]float64{s[0] + usd, s[1] + 1}
	}
	pt := priceTable{}
	for key, m := range sum {
		pt[key] = map[string]float64{}
		for cc, s := range m {
			pt[key][cc] = s[0] / s[1]
		}
	}
	for _, p := range priceTreatments {
		if len(pt[p.PriceKey]) == 0 {
			return nil, fmt.Errorf("price table: no prices for %q", p.PriceKey)
		}
	}
	return pt, nil
}

// offerBook collects offers and rejects duplicate (facility, treatment).
type offerBook struct {
	offers []*offer
	seen   map[[2]int]bool
}

func (b *offerBook) add(o *offer) bool {
	k := [2]int{o.FacilityID, o.TreatmentID}
	if b.seen[k] {
		return false
	}
	b.seen[k] = true
	o.ID = len(b.offers) + 1
	b.offers = append(b.offers, o)
	return true
}

// loadCMSPrices reads the provider × DRG file:
// provider -> DRG -> [FY2013, FY2011] average total payments.
func loadCMSPrices(src string) (map[string]map[string][2]string, error) {
	t, err := readCSV(filepath.Join(src, "us_ipps_drg_provider_prices_fy2011_fy2013.csv.gz"))
	if err != nil {
		return nil, err
	}
	out := map[string]map[string][2]string{}
	for _, r := range t.rows {
		p := t.get(r, "provider_id")
		v, ok := parseFloat(t.get(r, "avg_total_payments"))
		if !ok || v < 0 || t.get(r, "currency") != "USD" {
			continue
		}
		drg := t.get(r, "drg_code")
		if out[p] == nil {
			out[p] = map[string][2]string{}
		}
		e := out[p][drg]
		switch t.get(r, "fiscal_year") {
		case "2013":
			e[0] = fmtMoney(v)
		case "2011":
			e[1] = fmtMoney(v)
		}
		out[p][drg] = e
	}
	return out, nil
}

// addUSOffers adds CMS prices: all rows of the common DRGs and a stable
// ~15% sample of the others, FY2013 with FY2011 as fallback.
func addUSOffers(b *offerBook, fs []*facility, cms map[string]map[string][2]string, byDRG map[string]*treatment) {
	for _, f := range fs {
		if f.origin != "us" {
			continue
		}
		rows := cms[f.providerID]
		for _, drg := range keptDRGs(f.key, rows, byDRG) {
			t := byDRG[drg]
			e := rows[drg]
			price, source := e[0], srcCMS2013
			if price == "" {
				price, source = e[1], srcCMS2011
			}
			b.add(&offer{FacilityID: f.ID, TreatmentID: t.ID, Price: price, Currency: "USD",
				Includes: inclCMS, Source: source})
		}
	}
}

// keptDRGs returns the hospital's DRGs to publish: the common ones and a
// stable sample of the rest; a hospital whose rows all fall outside the
// sample keeps its lowest-hash DRG so that every hospital has an offer.
func keptDRGs(key string, rows map[string][2]string, byDRG map[string]*treatment) []string {
	var kept []string
	best, bestH := "", uint64(0)
	for _, drg := range sortedKeys(rows) {
		if _, ok := byDRG[drg]; !ok {
			continue
		}
		if h := hashKey(key, "drg", drg); best == "" || h < bestH {
			best, bestH = drg, h
		}
		if commonDRGs[drg] || frac(key, "drg", drg) < usOtherDRGShare {
			kept = append(kept, drg)
		}
	}
	if len(kept) == 0 && best != "" {
		kept = []string{best}
	}
	return kept
}

// gbElectiveRE / gbNotElectiveRE pick the independent-sector sites that
// plausibly do elective surgery (named hospitals, not mental-health or
// community services).
var (
	gbElectiveRE    = regexp.MustCompile(`(?i)hospital|clinic`)
	gbNotElectiveRE = regexp.MustCompile(`(?i)mental|psychiatr|priory|rehab|hospice|community|learning|secure|house|lodge|recovery|adolescent|forensic`)
)

// onRequest is an offer with no price: the facility does the treatment,
// and the patient asks it for a quote.
func onRequest(f *facility, t *treatment, source string) *offer {
	return &offer{FacilityID: f.ID, TreatmentID: t.ID, Includes: inclOnRequest, Source: source}
}

// addIntlOffers adds one offer per listed treatment that maps to a catalogue
// treatment, then offers for the price-table treatments of the clinic's main
// fields (dental -> implant, …). Earlier catalogues priced both from the
// country's figure in the price table; that figure is now a price
// reference, and these offers are price on request. The field offers are
// still made only where the country has a figure, as before, so that the
// offers keep their ids.
func addIntlOffers(b *offerBook, fs []*facility, res *treatmentResolver, byName, byPriceKey map[string]*treatment,
	pt priceTable) {
	for _, f := range fs {
		if f.origin != "intl" {
			continue
		}
		for _, raw := range f.intl.Treatments {
			canon, _ := res.resolve(raw)
			if t, ok := byName[canon]; ok {
				b.add(onRequest(f, t, srcListing))
			}
		}
		for _, cat := range f.cats {
			for _, key := range specialtyOffers[cat] {
				if _, ok := pt[key][f.CC]; ok {
					b.add(onRequest(f, byPriceKey[key], srcListingCat))
				}
			}
		}
	}
}

// addGBOffers gives each independent-sector elective hospital 3–6 elective
// price-table treatments, price on request.
func addGBOffers(b *offerBook, fs []*facility, byPriceKey map[string]*treatment) {
	for _, f := range fs {
		if f.origin != "gb" || !f.independent || !gbElectiveRE.MatchString(f.Name) || gbNotElectiveRE.MatchString(f.Name) {
			continue
		}
		keys := append([]string{}, gbElective...)
		sort.Slice(keys, func(i, j int) bool { return hashKey(f.key, keys[i]) < hashKey(f.key, keys[j]) })
		n := 3 + pick(4, f.key, "gb-offers")
		for _, key := range keys[:n] {
			b.add(onRequest(f, byPriceKey[key], srcGBDemo))
		}
	}
}

// kindSource is the offer source of a world-list facility's treatments:
// they come from its type, not from the facility.
func kindSource(k *facilityKind) string { return srcKindPrefix + " (" + k.Words + ")" }

// addWorldOffers gives each world-list facility the treatments of its kind,
// price on request: the lists say what a facility is, never what it charges.
func addWorldOffers(b *offerBook, fs []*facility, byName map[string]*treatment) error {
	for _, f := range fs {
		if f.origin != "world" {
			continue
		}
		for _, name := range f.worldKind.Treatments {
			t, ok := byName[name]
			if !ok {
				return fmt.Errorf("kind %s: no treatment %q in the catalogue", f.worldKind.Slug, name)
			}
			b.add(&offer{FacilityID: f.ID, TreatmentID: t.ID, Source: kindSource(f.worldKind)})
		}
	}
	return nil
}

// priceReference is one row of price_references.csv: what a treatment
// typically costs in a country, by the cross-country price table.
type priceReference struct {
	TreatmentID int
	CC          string
	USD         float64
}

// buildPriceReferences turns the price table into references, treatments
// in catalogue order, countries by code. A pair the table lists twice is
// averaged (loadPriceTable).
func buildPriceReferences(pt priceTable, byPriceKey map[string]*treatment) []priceReference {
	var out []priceReference
	for _, p := range priceTreatments {
		t := byPriceKey[p.PriceKey]
		for _, cc := range sortedKeys(pt[p.PriceKey]) {
			out = append(out, priceReference{TreatmentID: t.ID, CC: cc, USD: pt[p.PriceKey][cc]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TreatmentID < out[j].TreatmentID })
	return out
}

func priceReferenceRows(rs []priceReference) [][]string {
	rows := make([][]string, 0, len(rs))
	for _, r := range rs {
		rows = append(rows, []string{itoa(r.TreatmentID), r.CC, fmtMoney(r.USD), "USD", srcPriceRef})
	}
	return rows
}

func offerRows(os []*offer) [][]string {
	rows := make([][]string, 0, len(os))
	for _, o := range os {
		rows = append(rows, []string{itoa(o.ID), itoa(o.FacilityID), itoa(o.TreatmentID),
			o.Price, o.PriceMin, o.PriceMax, o.Currency, strings.TrimSpace(o.Includes), o.Source})
	}
	return rows
}
