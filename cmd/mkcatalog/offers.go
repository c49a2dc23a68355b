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
	srcPriceTable = "Medical-tourism country price table (country level, converted)"
	srcListing    = "Medical-tourism facility listing (treatment named by the provider)"
	srcGBDemo     = "Demo assignment: common independent-sector elective procedure (not from provider data)"
	inclCMS       = "Average total payment for the inpatient stay (Medicare)"
	inclOnRequest = "Price on request"
)

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

// pricedOffer converts a USD country price into the country's currency,
// scaled by a stable per-facility factor in [0.85, 1.15], with a ±10% range.
func pricedOffer(f *facility, t *treatment, usd float64, cur, includes string) *offer {
	factor := 0.85 + 0.30*frac(f.key, "price-factor")
	p := roundSig(usd*exchangeRates[cur]*factor, 3)
	return &offer{
		FacilityID: f.ID, TreatmentID: t.ID, Currency: cur,
		Price: fmtMoney(p), PriceMin: fmtMoney(roundSig(p*0.9, 3)), PriceMax: fmtMoney(roundSig(p*1.1, 3)),
		Includes: includes + "; estimate from the country average", Source: srcPriceTable,
	}
}

// addIntlOffers adds one offer per listed treatment that maps to a catalogue
// treatment (priced when the country has a price-table figure), then priced
// specialty offers for the clinic's main fields.
func addIntlOffers(b *offerBook, fs []*facility, res *treatmentResolver, byName, byPriceKey map[string]*treatment,
	pt priceTable, countries map[string]country) {
	for _, f := range fs {
		if f.origin != "intl" {
			continue
		}
		cur := countries[f.CC].Currency
		for _, raw := range f.intl.Treatments {
			canon, _ := res.resolve(raw)
			t, ok := byName[canon]
			if !ok {
				continue
			}
			if usd, ok := pt[t.priceKey][f.CC]; ok && t.priceKey != "" {
				b.add(pricedOffer(f, t, usd, cur, t.includes))
				continue
			}
			b.add(&offer{FacilityID: f.ID, TreatmentID: t.ID, Includes: inclOnRequest, Source: srcListing})
		}
		for _, cat := range f.cats {
			for _, key := range specialtyOffers[cat] {
				usd, ok := pt[key][f.CC]
				if !ok {
					continue
				}
				t := byPriceKey[key]
				b.add(pricedOffer(f, t, usd, cur, t.includes))
			}
		}
	}
}

// addGBOffers gives each independent-sector elective hospital 3–6 elective
// price-table treatments; only those with a UK price-table row are priced.
func addGBOffers(b *offerBook, fs []*facility, byPriceKey map[string]*treatment, pt priceTable) {
	for _, f := range fs {
		if f.origin != "gb" || !f.independent || !gbElectiveRE.MatchString(f.Name) || gbNotElectiveRE.MatchString(f.Name) {
			continue
		}
		keys := append([]string{}, gbElective...)
		sort.Slice(keys, func(i, j int) bool { return hashKey(f.key, keys[i]) < hashKey(f.key, keys[j]) })
		n := 3 + pick(4, f.key, "gb-offers")
		for _, key := range keys[:n] {
			t := byPriceKey[key]
			if usd, ok := pt[key]["GB"]; ok {
				b.add(pricedOffer(f, t, usd, "GBP", t.includes))
				continue
			}
			b.add(&offer{FacilityID: f.ID, TreatmentID: t.ID, Includes: inclOnRequest, Source: srcGBDemo})
		}
	}
}

func offerRows(os []*offer) [][]string {
	rows := make([][]string, 0, len(os))
	for _, o := range os {
		rows = append(rows, []string{itoa(o.ID), itoa(o.FacilityID), itoa(o.TreatmentID),
			o.Price, o.PriceMin, o.PriceMax, o.Currency, strings.TrimSpace(o.Includes), o.Source})
	}
	return rows
}
