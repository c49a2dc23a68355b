package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Posts (posts.csv) are GENERATED DEMO CONTENT, not from any source: about
// thirty announcements by real catalogue facilities (and some of their
// generated doctors) about treatments they really offer in the catalogue,
// with targeting derived from those offers — the treatment, its category,
// its lay names as keywords, the facility's country, patients' countries
// that travel there (a fixed table), the doctor's languages, and a price
// ceiling just above the country's typical price in USD (its price reference; no
// post quotes a price of its own). A few are expired, scheduled
// for later or unpublished, so the demo shows that those never match.
// Choices are stable hashes of facility keys, like everything else here.

// sourceMarkets are the patients' countries posts from a destination target.
var sourceMarkets = map[string][]string{
	"TR": {"DE", "GB", "NL"}, "IN": {"GB", "US", "AE"}, "MX": {"US", "CA"}, "TH": {"AU", "GB", "US"},
	"PL": {"GB", "DE", "IE"}, "KR": {"US", "JP"}, "HU": {"GB", "AT"}, "CO": {"US"}, "IL": {"US", "GB"},
	"AE": {"SA", "GB"}, "CR": {"US", "CA"}, "MY": {"SG", "AU"},
}

// postDates are the schedules posts cycle through: most run now, some have
// ended, one starts later.
var postDates = []struct{ starts, ends string }{
	{"2025-01-01", "2027-12-31"}, {"2025-09-01", ""}, {"2025-06-15", "2028-06-30"},
	{"2025-03-01", "2027-03-01"}, {"2024-01-01", "2025-06-30"}, {"2025-11-01", "2027-11-01"},
	{"2026-01-15", ""}, {"2025-02-01", "2027-02-01"}, {"2028-03-01", "2028-12-31"},
}

type postRow struct {
	facility, doctor            int
	title, body                 string
	treatments, categories      []string
	patients, facilityCountries []string
	languages, keywords         []string
	priceMaxUSD                 string
}

// buildPosts writes the demo posts: treatments of medical-tourism
// facilities, new treatments from US and GB hospitals, and doctors' articles.
func buildPosts(c *catalog) [][]string {
	fByID := map[int]*facility{}
	for _, f := range c.facilities {
		fByID[f.ID] = f
	}
	tByID := map[int]*treatment{}
	for _, t := range c.treatments {
		tByID[t.ID] = t
	}
	refUSD := map[[2]string]float64{}
	for _, r := range c.references {
		refUSD[[2]string{itoa(r.TreatmentID), r.CC}] = r.USD
	}
	countryName := map[string]string{}
	for _, co := range c.countries {
		countryName[co.Code] = co.Name
	}
	// Medical-tourism offers of treatments with a price reference in the
	// facility's country announce the treatment with that reference.
	var priced, unpriced []*offer
	for _, o := range c.offers {
		f := fByID[o.FacilityID]
		_, hasRef := refUSD[[2]string{itoa(o.TreatmentID), f.CC}]
		switch {
		case f.origin == "intl" && hasRef && f.City != "":
			priced = append(priced, o)
		case (f.origin == "us" || f.origin == "gb") && strings.HasPrefix(tByID[o.TreatmentID].Code, "DRG 4"):
			unpriced = append(unpriced, o)
		}
	}
	byHash := func(os []*offer, salt string) {
		sort.SliceStable(os, func(i, j int) bool {
			return hashKey(salt, fByID[os[i].FacilityID].key, itoa(os[i].TreatmentID)) <
				hashKey(salt, fByID[os[j].FacilityID].key, itoa(os[j].TreatmentID))
		})
	}
	byHash(priced, "post-offer")
	byHash(unpriced, "post-news")

	var rows []postRow
	used := map[int]bool{}
	take := func(os []*offer, n int, make func(o *offer, f *facility, t *treatment) postRow) {
		for _, o := range os {
			if n == 0 {
				return
			}
			if used[o.FacilityID] {
				continue
			}
			used[o.FacilityID] = true
			rows = append(rows, make(o, fByID[o.FacilityID], tByID[o.TreatmentID]))
			n--
		}
	}
	take(priced, 16, func(o *offer, f *facility, t *treatment) postRow {
		ref := refUSD[[2]string{itoa(t.ID), f.CC}]
		usd := math.Ceil(ref/100) * 100
		return postRow{facility: f.ID,
			title: fmt.Sprintf("%s in %s", t.Name, placeName(f)),
			body: fmt.Sprintf("%s offers %s. A typical price in %s is about %s USD (%s). Ask us for a quote with your medical reports.",
				f.Name, strings.ToLower(t.Name), countryName[f.CC], groupDigits(ref), strings.ToLower(t.includes)),
			treatments: []string{itoa(t.ID)}, patients: sourceMarkets[f.CC], facilityCountries: []string{f.CC},
			keywords: firstN(t.Lay, 2), priceMaxUSD: strconv.FormatFloat(usd, 'f', 0, 64)}
	})
	take(unpriced, 8, func(o *offer, f *facility, t *treatment) postRow {
		return postRow{facility: f.ID,
			title: fmt.Sprintf("%s: %s at %s", t.Category, firstOr(t.Lay, t.Name), f.Name),
			body: fmt.Sprintf("%s in %s treats %s patients. See our outcomes, waiting times and how to book a consultation.",
				f.Name, placeName(f), strings.ToLower(t.Category)),
			categories: []string{t.Category}, facilityCountries: []string{f.CC}, keywords: firstN(t.Lay, 1)}
	})
	rows = append(rows, doctorArticles(c, fByID, tByID, used, 6)...)

	var out [][]string
	for i, r := range rows {
		d := postDates[pick(len(postDates), "post-dates", itoa(i))]
		published := "true"
		if i%11 == 5 {
			published = "false"
		}
		doctor := ""
		if r.doctor != 0 {
			doctor = itoa(r.doctor)
		}
		out = append(out, []string{itoa(i + 1), itoa(r.facility), doctor, r.title, r.body, published, d.starts, d.ends,
			joinList(r.treatments), joinList(r.categories), joinList(r.patients), joinList(r.facilityCountries),
			joinList(r.languages), joinList(r.keywords), r.priceMaxUSD, "en"})
	}
	return out
}

// doctorArticles are short articles by doctors of medical-tourism
// facilities about a treatment they perform, in their languages.
func doctorArticles(c *catalog, fByID map[int]*facility, tByID map[int]*treatment, used map[int]bool, n int) []postRow {
	performs := map[int][]int{}
	for _, dt := range c.docTreat {
		d, _ := strconv.Atoi(dt[0])
		t, _ := strconv.Atoi(dt[1])
		performs[d] = append(performs[d], t)
	}
	docs := make([]*doctor, 0, len(c.doctors))
	for _, d := range c.doctors {
		if fByID[d.FacilityID].origin == "intl" && len(performs[d.ID]) > 0 && !used[d.FacilityID] {
			docs = append(docs, d)
		}
	}
	sort.SliceStable(docs, func(i, j int) bool {
		return hashKey("post-article", docs[i].Name) < hashKey("post-article", docs[j].Name)
	})
	var out []postRow
	for _, d := range docs {
		if len(out) == n {
			break
		}
		if used[d.FacilityID] {
			continue
		}
		used[d.FacilityID] = true
		ts := performs[d.ID]
		t := tByID[ts[pick(len(ts), "post-article-treatment", d.Name)]]
		f := fByID[d.FacilityID]
		out = append(out, postRow{facility: f.ID, doctor: d.ID,
			title: fmt.Sprintf("%s: what to expect from %s", d.Name, strings.ToLower(firstOr(t.Lay, t.Name))),
			body: fmt.Sprintf("%s, %s at %s, explains how to prepare for %s, how long recovery takes and when it is safe to fly home.",
				d.Name, strings.ToLower(firstOr(d.Specialties, t.Category)), f.Name, strings.ToLower(t.Name)),
			treatments: []string{itoa(t.ID)}, categories: []string{t.Category}, languages: d.Langs,
			keywords: firstN(t.Lay, 2)})
	}
	return out
}

func placeName(f *facility) string {
	if f.City != "" {
		return f.City
	}
	return f.CC
}

func firstN(xs []string, n int) []string { return xs[:min(n, len(xs))] }

func firstOr(xs []string, or string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return or
}

// groupDigits writes a price with thousands separators and no cents.
func groupDigits(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
