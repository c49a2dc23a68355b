package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// facility is one row of facilities.csv plus what later steps need.
type facility struct {
	ID                   int
	Name, Kind, CC, City string
	Address              string
	Lat, Lon             float64
	HasCoord             bool
	Accred, Langs        []string
	Rating               string
	ReviewCount          string
	Desc, Website        string

	origin      string        // "us", "gb", "intl" or "world"
	key         string        // stable key for hashing: CCN, ODS code or name
	sources     []string      // the source column: "cms:010001", "wikidata:Q4013|eurostat:AT_K101", …
	worldKind   *facilityKind // world-list facilities: what kind of facility their source says
	providerID  string        // US CMS CCN
	independent bool          // GB independent sector
	intl        *intlFacility
	cats        []string // categories from listings (intl only), most frequent first
}

// usHospitalShare is the fraction of geocoded IPPS hospitals kept per state
// (about 1,300 of 3,257).
const usHospitalShare = 0.40

// buildUSFacilities joins IPPS hospitals with the CMS GPS and general
// information files and keeps a deterministic per-state sample of those
// that have coordinates and at least one DRG price row (133 IPPS
// hospitals have none).
func buildUSFacilities(src string, hasPrices map[string]bool) ([]*facility, error) {
	ipps, err := readCSV(filepath.Join(src, "us_ipps_hospitals.csv"))
	if err != nil {
		return nil, err
	}
	gps, err := readCSV(filepath.Join(src, "us_cms_hospital_gps.csv"))
	if err != nil {
		return nil, err
	}
	gen, err := readCSV(filepath.Join(src, "us_cms_hospital_general_information.csv"))
	if err != nil {
		return nil, err
	}
	coords := map[string][2]float64{}
	for _, r := range gps.rows {
		lat, ok1 := parseFloat(gps.get(r, "latitude"))
		lon, ok2 := parseFloat(gps.get(r, "longitude"))
		if ok1 && ok2 && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 {
			coords[gps.get(r, "id")] = [2]float64{lat, lon}
		}
	}
	info := map[string][]string{}
	for _, r := range gen.rows {
		info[gen.get(r, "Provider ID")] = r
	}

	byState := map[string][]*facility{}
	for _, r := range ipps.rows {
		id := ipps.get(r, "provider_id")
		c, ok := coords[id]
		gi, ok2 := info[id]
		if !ok || !ok2 || !hasPrices[id] {
			continue
		}
		state := ipps.get(r, "state")
		f := &facility{
			Name: cleanSpace(ipps.get(r, "name")), Kind: "hospital", CC: "US",
			City: cleanSpace(ipps.get(r, "city")), Lat: c[0], Lon: c[1], HasCoord: true,
			Accred: []string{"Medicare certified"}, Langs: []string{"en", "es"},
			origin: "us", key: "US:" + id, providerID: id, sources: []string{srcCMSList + ":" + id},
		}
		zip := gen.get(gi, "ZIP Code")
		f.Address = fmt.Sprintf("%s, %s, %s %s", titleCase(gen.get(gi, "Address")), f.City, state, zip)
		if stars := atoiOr(gen.get(gi, "Hospital overall rating"), 0); stars >= 1 && stars <= 5 {
			f.Rating = fmtRating(float64(stars))
		}
		f.Desc = usDescription(gen, gi, state)
		byState[state] = append(byState[state], f)
	}

	var out []*facility
	for _, st := range sortedKeys(byState) {
		hs := byState[st]
		sort.Slice(hs, func(i, j int) bool {
			hi, hj := hashKey(hs[i].key), hashKey(hs[j].key)
			if hi != hj {
				return hi < hj
			}
			return hs[i].key < hs[j].key
		})
		n := int(math.Ceil(float64(len(hs)) * usHospitalShare))
		out = append(out, hs[:n]...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].providerID < out[j].providerID })
	return out, nil
}

// usDescription builds a sentence from real CMS fields.
func usDescription(gen *table, r []string, state string) string {
	kind := map[string]string{
		"Acute Care Hospitals":      "Acute care hospital",
		"Critical Access Hospitals": "Critical access hospital",
		"Childrens":                 "Children's hospital",
	}[gen.get(r, "Hospital Type")]
	if kind == "" {
		kind = "Hospital"
	}
	where := usStates[state]
	if where == "" {
		where = state
	}
	if county := titleCase(gen.get(r, "County Name")); county != "" {
		where = county + " County, " + where
	}
	s := fmt.Sprintf("%s in %s.", kind, where)
	if own := gen.get(r, "Hospital Ownership"); own != "" {
		s += " Ownership: " + strings.ToLower(strings.ReplaceAll(own, " - ", " – ")) + "."
	}
	switch gen.get(r, "Emergency Services") {
	case "Yes":
		s += " Emergency services available."
	case "No":
		s += " No emergency department."
	}
	return s
}

// buildGBFacilities reads every NHS hospital row with coordinates.
func buildGBFacilities(src string) ([]*facility, error) {
	t, err := readCSV(filepath.Join(src, "uk_nhs_hospitals.csv"))
	if err != nil {
		return nil, err
	}
	type row struct {
		id int
		f  *facility
	}
	var rows []row
	for _, r := range t.rows {
		lat, ok1 := parseFloat(t.get(r, "Latitude"))
		lon, ok2 := parseFloat(t.get(r, "Longitude"))
		if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			continue
		}
		code := t.get(r, "OrganisationCode")
		f := &facility{
			Name: cleanSpace(t.get(r, "OrganisationName")), Kind: "hospital", CC: "GB",
			City: gbCity(t, r), Lat: lat, Lon: lon, HasCoord: true,
			Accred: []string{"CQC registered"}, Langs: []string{"en"},
			origin: "gb", key: "GB:" + code, sources: []string{srcNHSList + ":" + code},
			independent: t.get(r, "Sector") == "Independent Sector",
		}
		var addr []string
		for _, c := range []string{"Address1", "Address2", "Address3", "City", "Postcode"} {
			if v := cleanSpace(t.get(r, c)); v != "" {
				addr = append(addr, v)
			}
		}
		f.Address = strings.Join(addr, ", ")
		f.Desc = gbDescription(t, r)
		f.Website = normaliseURL(t.get(r, "Website"))
		rows = append(rows, row{atoiOr(t.get(r, "OrganisationID"), math.MaxInt32), f})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].id != rows[j].id {
			return rows[i].id < rows[j].id
		}
		return rows[i].f.key < rows[j].f.key
	})
	out := make([]*facility, len(rows))
	for i, r := range rows {
		out[i] = r.f
	}
	return out, nil
}

// gbCity uses City, else the last comma-separated part of an address line
// ("Berkeley Close, Stroud" -> "Stroud").
func gbCity(t *table, r []string) string {
	if c := cleanSpace(t.get(r, "City")); c != "" {
		return c
	}
	for _, col := range []string{"Address3", "Address2", "Address1"} {
		v := cleanSpace(t.get(r, col))
		if i := strings.LastIndex(v, ","); i >= 0 {
			return strings.TrimSpace(v[i+1:])
		}
	}
	return ""
}

func gbDescription(t *table, r []string) string {
	var s string
	if t.get(r, "Sector") == "Independent Sector" {
		s = "Independent-sector hospital"
	} else {
		s = "NHS hospital"
	}
	if t.get(r, "SubType") == "Mental Health Hospital" {
		s = strings.Replace(s, "hospital", "mental health hospital", 1)
	}
	if p := cleanSpace(t.get(r, "ParentName")); p != "" {
		s += ", part of " + p
	}
	if c := cleanSpace(t.get(r, "County")); c != "" {
		s += ", " + c
	}
	return s + "."
}

func normaliseURL(u string) string {
	u = strings.TrimSpace(u)
	if u == "" || strings.ContainsAny(u, " |") {
		return ""
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		u = "http://" + u
	}
	return u
}

// intlFacility is a (merged) record of intl_medtourism_facilities.json.
type intlFacility struct {
	Name       string   `json:"name"`
	Country    string   `json:"country"`
	Location   string   `json:"location"`
	Treatments []string `json:"treatments"`
	About      string   `json:"about"`

	cc string
}

// loadIntlFacilities reads the medical-tourism listings, normalises the
// country and merges exact duplicates (same name and country; "100Pasos"
// appears six times), keeping the union of treatments and the longest text.
func loadIntlFacilities(src string) ([]*intlFacility, int, error) {
	path := filepath.Join(src, "intl_medtourism_facilities.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	var raw []*intlFacility
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, 0, fmt.Errorf("parse %s: %w", path, err)
	}
	byKey := map[string]*intlFacility{}
	var order []string
	for _, f := range raw {
		f.Name = cleanSpace(f.Name)
		f.Location = strings.Trim(cleanSpace(f.Location), ", ")
		f.About = cleanSpace(f.About)
		cc, ok := countryAliases[normPhrase(f.Country)]
		if !ok {
			return nil, 0, fmt.Errorf("%s: unknown country %q for %q", path, f.Country, f.Name)
		}
		f.cc = cc
		k := cc + ":" + normPhrase(f.Name)
		m, dup := byKey[k]
		if !dup {
			byKey[k] = f
			order = append(order, k)
			continue
		}
		m.Treatments = append(m.Treatments, f.Treatments...)
		if len(f.About) > len(m.About) {
			m.About = f.About
		}
	}
	out := make([]*intlFacility, 0, len(order))
	for _, k := range order {
		f := byKey[k]
		seen := map[string]bool{}
		var ts []string
		for _, t := range f.Treatments {
			t = cleanSpace(t)
			if t != "" && !seen[normPhrase(t)] {
				seen[normPhrase(t)] = true
				ts = append(ts, t)
			}
		}
		f.Treatments = ts
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].cc != out[j].cc {
			return out[i].cc < out[j].cc
		}
		return out[i].Name < out[j].Name
	})
	return out, len(raw), nil
}

// locate finds the city and coordinates of a medical-tourism facility, or
// reports false when the location is unknown or belongs to another country.
func locate(f *intlFacility) (place, bool) {
	n := normPhrase(f.Location)
	if p, ok := placeTable[n]; ok {
		return p, p.Country == f.cc
	}
	padded := " " + n + " "
	for _, t := range placeTokens {
		if strings.Contains(padded, " "+t.Token+" ") && t.Place.Country == f.cc {
			return t.Place, true
		}
	}
	if f.cc == "SG" {
		return placeTokens[len(placeTokens)-1].Place, true
	}
	return place{}, false
}

// accreditationPatterns extract accreditations named in the "about" text.
var accreditationPatterns = []struct {
	re   *regexp.Regexp
	name string
}{
	{regexp.MustCompile(`(?i)\bJCI\b|Joint Commission International`), "JCI"},
	{regexp.MustCompile(`(?i)American Joint Commission|\bThe Joint Commission\b`), "The Joint Commission"},
	{regexp.MustCompile(`(?i)\bISO[ -]?9001`), "ISO 9001"},
	{regexp.MustCompile(`(?i)\bISO[ -]?15189`), "ISO 15189"},
	{regexp.MustCompile(`\bNABH\b`), "NABH"},
	{regexp.MustCompile(`\bNABL\b`), "NABL"},
	{regexp.MustCompile(`\bTEMOS\b`), "TEMOS"},
	{regexp.MustCompile(`\bISAPS\b`), "ISAPS"},
	{regexp.MustCompile(`(?i)American College of Radiology`), "ACR"},
	{regexp.MustCompile(`(?i)College of American Pathologists`), "CAP"},
	{regexp.MustCompile(`\bAAAASF\b`), "AAAASF"},
	{regexp.MustCompile(`(?i)Accreditation Canada`), "Accreditation Canada"},
	{regexp.MustCompile(`\bUKOOA\b`), "UKOOA"},
}

func extractAccreditations(text string) []string {
	var out []string
	for _, p := range accreditationPatterns {
		if p.re.MatchString(text) {
			out = append(out, p.name)
		}
	}
	return out
}

var (
	dentalNameRE    = regexp.MustCompile(`(?i)dental|dentist|dent\b|smile`)
	eyeNameRE       = regexp.MustCompile(`(?i)\beye\b|oftalm|ophthalm|g[oö]z\b`)
	fertilityNameRE = regexp.MustCompile(`(?i)\bivf\b|fertility`)
	hospitalNameRE  = regexp.MustCompile(`(?i)hospital|hastane|h[oô]pital|universit`)
)

// intlKind chooses the facility kind from its name, then from the share
// of its listed treatments per category.
func intlKind(name string, cats []string, catCount map[string]int, total int) string {
	switch {
	case dentalNameRE.MatchString(name):
		return "dental_centre"
	case eyeNameRE.MatchString(name):
		return "eye_centre"
	case fertilityNameRE.MatchString(name):
		return "fertility_centre"
	}
	dominant := ""
	if len(cats) > 0 && total >= 2 && float64(catCount[cats[0]]) >= 0.6*float64(total) {
		dominant = cats[0]
	}
	switch {
	case dominant == catDental:
		return "dental_centre"
	case dominant == catOphth:
		return "eye_centre"
	case dominant == catFertility:
		return "fertility_centre"
	case hospitalNameRE.MatchString(name):
		return "hospital"
	case dominant != "":
		return "specialist_centre"
	}
	return "clinic"
}

// buildIntlFacilities turns merged listings into facilities.
func buildIntlFacilities(list []*intlFacility, res *treatmentResolver, known map[string]*treatment, countries map[string]country) []*facility {
	var out []*facility
	for _, in := range list {
		catCount := map[string]int{}
		total := 0
		var names []string
		for _, raw := range in.Treatments {
			canon, generic := res.resolve(raw)
			cat := generic
			if t, ok := known[canon]; ok {
				cat = t.Category
				names = append(names, t.Name)
			}
			if cat != "" {
				catCount[cat]++
				total++
			}
		}
		cats := sortedKeys(catCount)
		sort.SliceStable(cats, func(i, j int) bool { return catCount[cats[i]] > catCount[cats[j]] })

		c := countries[in.cc]
		f := &facility{
			Name: in.Name, CC: in.cc, Accred: extractAccreditations(in.About),
			Langs:  append(append([]string{}, c.Langs...), "en"),
			origin: "intl", key: "INTL:" + in.cc + ":" + in.Name, intl: in, cats: cats,
			sources: []string{srcListingFc},
		}
		f.Kind = intlKind(in.Name, cats, catCount, total)
		if p, ok := locate(in); ok {
			f.City, f.Lat, f.Lon, f.HasCoord = p.City, p.Lat, p.Lon, true
		}
		f.Desc = intlDescription(in, f, c, names)
		out = append(out, f)
	}
	return out
}

func intlDescription(in *intlFacility, f *facility, c country, names []string) string {
	if len(in.About) >= 40 {
		return truncateWords(in.About, 600)
	}
	where := c.Name
	if f.City != "" {
		where = f.City + ", " + c.Name
	}
	s := fmt.Sprintf("Medical-tourism provider in %s.", where)
	if len(names) > 0 {
		if len(names) > 3 {
			names = names[:3]
		}
		s += " Listed treatments include " + strings.Join(names, ", ") + "."
	}
	return s
}

// assignFacilityIDs numbers facilities 1..n in slice order.
func assignFacilityIDs(fs []*facility) {
	for i, f := range fs {
		f.ID = i + 1
	}
}

func facilityRows(fs []*facility) [][]string {
	rows := make([][]string, 0, len(fs))
	for _, f := range fs {
		lat, lon := "", ""
		if f.HasCoord {
			lat, lon = fmtCoord(f.Lat), fmtCoord(f.Lon)
		}
		rows = append(rows, []string{
			itoa(f.ID), f.Name, f.Kind, f.CC, f.City, f.Address, lat, lon,
			joinList(f.Accred), joinList(f.Langs), f.Rating, f.ReviewCount, f.Desc, f.Website, joinList(f.sources),
		})
	}
	return rows
}

func itoa(n int) string { return strconv.Itoa(n) }
