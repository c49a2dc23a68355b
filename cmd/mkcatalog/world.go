package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// worldSite is a hospital from the world lists (Wikidata, Eurostat, the
// Turkish Ministry of Health) before it is sampled into the catalogue. It
// holds only what its sources say.
type worldSite struct {
	Name, CC, City, Address, Website string
	Lat, Lon                         float64
	HasCoord                         bool
	Beds                             int
	TypeText                         string // the source's own words for what it is
	District                         string // Turkish private hospitals: the district
	Public, Private                  bool   // when the source says
	kind                             *facilityKind
	sources                          []string // "wikidata:Q4013", "eurostat:AT_K101", …
	key                              string   // the first source: stable, for sampling
	nameKey                          string   // normalised name, for merging
}

// Facility sources, the prefixes of facilities.csv's source values.
const (
	srcWikidata  = "wikidata"
	srcEurostat  = "eurostat"
	srcTRPrivate = "tr-moh-private"
	srcTRPublic  = "tr-moh-public"
	srcCMSList   = "cms"
	srcNHSList   = "nhs"
	srcListingFc = "medtourism-listing"
)

// coveredCountries have a richer national list in the catalogue already (CMS
// with prices, the NHS file), so the world lists add nothing there.
var coveredCountries = map[string]bool{"US": true, "GB": true}

// loadWikidata reads world_wikidata_hospitals.tsv: one item per hospital,
// repeated when it has several websites or coordinates (the first of each,
// in file order, is kept). Labels that are only the item's id, rows without
// a known country, and names of what is not a hospital are dropped.
func loadWikidata(src string) ([]*worldSite, error) {
	path := filepath.Join(src, "world_wikidata_hospitals.tsv")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	byItem := map[string]*worldSite{}
	var out []*worldSite
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue
		}
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 5 {
			return nil, fmt.Errorf("%s line %d: %d fields, want 5", path, line, len(fields))
		}
		item := strings.TrimPrefix(fields[0], "http://www.wikidata.org/entity/")
		if s, ok := byItem[item]; ok {
			if s != nil && s.Website == "" {
				s.Website = normaliseURL(fields[3])
			}
			continue
		}
		name := cleanSpace(fields[1])
		cc, known := wikidataCountries[fields[2]]
		lon, lat, hasGeo := parsePoint(fields[4])
		if qidLabel.MatchString(name) || name == "" || !known || coveredCountries[cc] || !hasGeo || notAHospital.MatchString(name) {
			byItem[item] = nil
			continue
		}
		s := &worldSite{Name: name, CC: cc, Lat: lat, Lon: lon, HasCoord: true, Website: normaliseURL(fields[3]),
			sources: []string{srcWikidata + ":" + item}}
		s.kind = kindOf(name, "")
		byItem[item] = s
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return dedupWikidata(out), nil
}

// dedupWikidata folds items Wikidata holds twice — the same name in the
// same country within a kilometre ("Rwanda Cancer Centre", Q64138566 and
// Q64350717) — into the first, which keeps both ids as its sources.
func dedupWikidata(sites []*worldSite) []*worldSite {
	byName := map[string][]*worldSite{}
	var out []*worldSite
	for _, s := range sites {
		k := s.CC + "|" + strings.ToLower(s.Name)
		dup := false
		for _, t := range byName[k] {
			if haversineKm(s.Lat, s.Lon, t.Lat, t.Lon) < 1 {
				t.sources = append(t.sources, s.sources...)
				dup = true
				break
			}
		}
		if !dup {
			byName[k] = append(byName[k], s)
			out = append(out, s)
		}
	}
	return out
}

// parsePoint reads Wikidata's "Point(lon lat)".
func parsePoint(s string) (lon, lat float64, ok bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "Point("), ")")
	parts := strings.Fields(s)
	if len(parts) != 2 {
		return 0, 0, false
	}
	lon, ok1 := parseFloat(parts[0])
	lat, ok2 := parseFloat(parts[1])
	if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false
	}
	return lon, lat, true
}

// eurostatSkipped are countries of the Eurostat file left out: Bulgaria's
// names there are garbled machine transliterations ("MR JPHAN DOHWSKA —
// WHITE EOOD"); Wikidata has Bulgaria's hospitals under their real names.
var eurostatSkipped = map[string]bool{"BG": true}

// czechMojibake repairs the Czech rows of the Eurostat file, whose
// Windows-1250 text was read as Windows-1252 ("pøíspìvková" for
// "příspěvková"): these are the letters that differ between the two code
// pages and occur in the file.
var czechMojibake = strings.NewReplacer("ì", "ě", "ø", "ř", "è", "č", "ò", "ň", "È", "Č", "ù", "ů",
	"ï", "ď", "Ø", "Ř", "\u009d", "ť", "Ì", "Ě")

// loadEurostat reads eu_eurostat_healthcare_services.csv. A hospital listed
// once per site is kept once (the first row of its name in the country).
func loadEurostat(src string) ([]*worldSite, error) {
	t, err := readCSV(filepath.Join(src, "eu_eurostat_healthcare_services.csv"))
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range countryTable {
		known[c.Code] = true
	}
	for _, c := range worldCountryTable {
		known[c.Code] = true
	}
	seen, seenID := map[string]bool{}, map[string]bool{}
	var out []*worldSite
	for _, r := range t.rows {
		id := t.get(r, "id")
		if seenID[id] { // a few ids repeat (FI_50200): the first row is kept
			continue
		}
		seenID[id] = true
		cc := t.get(r, "cc")
		if cc == "EL" { // Eurostat's code for Greece
			cc = "GR"
		}
		if !known[cc] || eurostatSkipped[cc] || coveredCountries[cc] {
			continue // the French overseas departments, and the above
		}
		get := func(col string) string {
			v := cleanSpace(t.get(r, col))
			if cc == "CZ" {
				v = czechMojibake.Replace(v)
			}
			return v
		}
		name, typeText := get("hospital_name"), get("facility_type")
		lat, ok1 := parseFloat(t.get(r, "lat"))
		lon, ok2 := parseFloat(t.get(r, "lon"))
		if name == "" || !ok1 || !ok2 || notAHospital.MatchString(name+" "+typeText) {
			continue
		}
		k := cc + ":" + normPhrase(name)
		if seen[k] {
			continue
		}
		seen[k] = true
		s := &worldSite{Name: name, CC: cc, City: placeCase(get("city")), Lat: lat, Lon: lon, HasCoord: true,
			TypeText: typeText, sources: []string{srcEurostat + ":" + id}}
		s.Beds = atoiOr(t.get(r, "cap_beds"), 0)
		s.Public = t.get(r, "public_private") == "public"
		s.Private = t.get(r, "public_private") == "private"
		if u := t.get(r, "url"); !strings.Contains(u, "helsenorge.no") { // a national portal's page, not the hospital's site
			s.Website = normaliseURL(u)
		}
		street := strings.TrimSpace(get("street") + " " + get("house_number"))
		town := strings.TrimSpace(get("postcode") + " " + s.City)
		s.Address = strings.Trim(street+", "+town, ", ")
		s.kind = kindOf(name, typeText)
		out = append(out, s)
	}
	return out, nil
}

// placeLowerWords stay lower case inside a place name written in capitals.
var placeLowerWords = map[string]bool{"de": true, "del": true, "la": true, "le": true, "les": true, "di": true,
	"da": true, "du": true, "des": true, "sur": true, "am": true, "an": true, "der": true, "en": true, "y": true,
	"i": true, "e": true, "d'": true, "l'": true}

// placeCase writes a city given in capitals ("OLORON STE MARIE") in
// title case; a city already in mixed case is kept as it is.
func placeCase(s string) string {
	if s == "" || s != strings.ToUpper(s) {
		return s
	}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		if i == 0 || !placeLowerWords[w] {
			words[i] = titleWord(w)
		}
	}
	return strings.Join(words, " ")
}

// trHospital is a record of the Ministry of Health's lists.
type trHospital struct {
	ID       string `json:"kurum_id"`
	Name     string `json:"kurum_adi"`
	Type     string `json:"kurum_tipi"`
	Province int    `json:"il_kodu"`
	ProvName string `json:"il_adi"`
	District string `json:"ilce_adi"`
	Website  string `json:"web_sitesi"`
}

// trMinistryPrefix is how the public list starts every name: the owner,
// not the hospital's own name.
var trMinistryPrefix = regexp.MustCompile(`^T\.C\.\s*Sağlık Bakanlığı\s+`)

// trProvince returns the province of a Ministry record: by its code, or,
// where the list leaves the code out (Hakkâri's hospitals), by its name.
func trProvince(h trHospital) (string, bool) {
	if h.Province >= 1 && h.Province <= 81 {
		return trProvinces[h.Province], true
	}
	for _, p := range trProvinces[1:] {
		if foldTurkish(p) == foldTurkish(h.ProvName) {
			return p, true
		}
	}
	return "", false
}

// loadTurkey reads both Ministry of Health lists. Private hospitals' names
// are upper case and are written in proper Turkish case; the public list's
// names are already in proper case. Neither list has coordinates.
func loadTurkey(src string) ([]*worldSite, error) {
	var out []*worldSite
	for _, list := range []struct{ file, source string }{
		{"tr_moh_private_hospitals.json", srcTRPrivate},
		{"tr_moh_public_hospitals.json", srcTRPublic},
	} {
		path := filepath.Join(src, list.file)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		var hs []trHospital
		if err := json.Unmarshal(b, &hs); err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		for _, h := range hs {
			province, ok := trProvince(h)
			if !ok {
				return nil, fmt.Errorf("%s: %q has no known province (code %d, %q)", path, h.Name, h.Province, h.ProvName)
			}
			kind, ok := trKinds[h.Type]
			if !ok {
				return nil, fmt.Errorf("%s: %q has unknown type %q", path, h.Name, h.Type)
			}
			s := &worldSite{CC: "TR", City: province, TypeText: h.Type,
				Website: normaliseURL(h.Website), kind: kind}
			if list.source == srcTRPrivate {
				s.Name = turkishTitle(cleanSpace(h.Name))
				s.District = turkishTitle(cleanSpace(h.District))
				s.Private = true
			} else {
				s.Name = trMinistryPrefix.ReplaceAllString(cleanSpace(strings.ReplaceAll(h.Name, "\u0307", "")), "")
				s.Public = true
			}
			// The lists' ids are not unique (TR-34-OZEL-020 names several
			// Istanbul hospitals) and the public list has none: the name is
			// the record's identity.
			s.sources = []string{list.source}
			s.key = list.source + ":" + s.City + ":" + s.Name
			// A state or teaching hospital named for a speciality ("Kemik
			// Hastalıkları ve Rehabilitasyon Hastanesi") is of that kind.
			if kind == kindGeneral || kind == kindUniversity {
				if k := kindOf(s.Name, ""); k != kindGeneral && k != kindUniversity {
					s.kind = k
				}
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// nameGenericWords carry no identity in a hospital's name, in the lists'
// languages; they are dropped before names are compared.
var nameGenericWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`hospital hospitals hastanesi hastane ozel private clinic clinica clinique
		klinik klinikum kliniken krankenhaus hopital hospitalier hospitaliere ospedale ospedaliera szpital nemocnice
		korhaz centre center centro centrum medical medico medica sanitario the of de del la le el los las der die
		das und and et di da du des st saint san santa sao general gmbh ggmbh ag sa spa srl sro zoz spzoz ltd
		inc foundation fundacion hastaneleri`) {
		nameGenericWords[w] = true
	}
}

// nameTranslations make English Wikidata labels of Turkish hospitals
// comparable with the Ministry's Turkish names ("Malatya State Hospital",
// "Malatya Devlet Hastanesi").
var nameTranslations = map[string]string{"state": "devlet", "city": "sehir", "training": "egitim",
	"research": "arastirma", "university": "universitesi", "faculty": "fakultesi"}

// nameKey reduces a name to its distinctive words, each cut to five
// letters so that languages' endings agree ("Universitätsklinikum",
// "University", "Universitario"), sorted.
func nameKey(name string) string {
	words := strings.FieldsFunc(foldTurkish(stripAccents(name)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var out []string
	for _, w := range words {
		if t, ok := nameTranslations[w]; ok {
			w = t
		}
		if nameGenericWords[w] || len(w) < 3 {
			continue
		}
		if r := []rune(w); len(r) > 5 {
			w = string(r[:5])
		}
		out = append(out, w)
	}
	sort.Strings(out)
	return strings.Join(dedupSorted(out), " ")
}

func dedupSorted(xs []string) []string {
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// stripAccents removes the diacritics of Latin letters that names are
// written with and without ("Clínica", "Clinica").
func stripAccents(s string) string {
	return accentReplacer.Replace(strings.ToLower(s))
}

var accentReplacer = strings.NewReplacer("á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a", "å", "a", "é", "e",
	"è", "e", "ê", "e", "ë", "e", "ě", "e", "í", "i", "ì", "i", "î", "i", "ï", "i", "ó", "o", "ò", "o", "ô", "o",
	"õ", "o", "ő", "o", "ú", "u", "ù", "u", "û", "u", "ű", "u", "ů", "u", "ñ", "n", "ń", "n", "ň", "n", "ł", "l",
	"ś", "s", "š", "s", "ź", "z", "ż", "z", "ž", "z", "ć", "c", "č", "c", "ř", "r", "ý", "y", "ď", "d", "ť", "t",
	"ą", "a", "ę", "e", "ß", "ss", "ø", "o", "æ", "ae")

// keySimilarity is the share of the shorter name's distinctive words that
// the other name has too.
func keySimilarity(a, b string) float64 {
	wa, wb := strings.Fields(a), strings.Fields(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	set := map[string]bool{}
	for _, w := range wa {
		set[w] = true
	}
	common := 0
	for _, w := range wb {
		if set[w] {
			common++
		}
	}
	return float64(common) / float64(min(len(wa), len(wb)))
}

// Two sites of different lists are one hospital when their names share
// most distinctive words and they lie close together.
const (
	mergeRadiusKm   = 2.0
	mergeSimilarity = 0.67
)

// haversineKm is the great-circle distance between two points.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// mergeByProximity folds each Wikidata site into the nearest site of the
// other list (Eurostat) in the same country that lies within mergeRadiusKm
// and has a similar name. The register's record wins, but an all-capitals
// register name gives way to Wikidata's mixed-case label, and Wikidata
// fills in a website the register lacks. It returns the sites left of
// wiki; each Wikidata site merges at most once.
func mergeByProximity(primary, wiki []*worldSite) []*worldSite {
	byCountry := map[string][]*worldSite{}
	for _, w := range wiki {
		byCountry[w.CC] = append(byCountry[w.CC], w)
	}
	used := map[*worldSite]bool{}
	for _, p := range primary {
		var best *worldSite
		bestKm := math.Inf(1)
		for _, w := range byCountry[p.CC] {
			if used[w] || math.Abs(w.Lat-p.Lat) > 0.05 {
				continue
			}
			km := haversineKm(p.Lat, p.Lon, w.Lat, w.Lon)
			if km <= mergeRadiusKm && km < bestKm && keySimilarity(p.nameKey, w.nameKey) >= mergeSimilarity {
				best, bestKm = w, km
			}
		}
		if best != nil {
			used[best] = true
			absorb(p, best)
		}
	}
	return unused(wiki, used)
}

// mergeByName folds Wikidata sites into Ministry of Health sites with the
// same distinctive name words, when exactly one site of each list has them
// (the Ministry's lists have no coordinates to compare). Wikidata gives
// the coordinates.
func mergeByName(primary, wiki []*worldSite) []*worldSite {
	count := func(ss []*worldSite) map[string]int {
		m := map[string]int{}
		for _, s := range ss {
			m[s.CC+"|"+s.nameKey]++
		}
		return m
	}
	np, nw := count(primary), count(wiki)
	byKey := map[string]*worldSite{}
	for _, w := range wiki {
		byKey[w.CC+"|"+w.nameKey] = w
	}
	used := map[*worldSite]bool{}
	for _, p := range primary {
		k := p.CC + "|" + p.nameKey
		if p.nameKey == "" || np[k] != 1 || nw[k] != 1 {
			continue
		}
		w := byKey[k]
		used[w] = true
		absorb(p, w)
	}
	return unused(wiki, used)
}

// absorb adds what Wikidata knows and the register does not.
func absorb(p, w *worldSite) {
	if p.Name == strings.ToUpper(p.Name) && w.Name != strings.ToUpper(w.Name) {
		p.Name = w.Name
	}
	if !p.HasCoord {
		p.Lat, p.Lon, p.HasCoord = w.Lat, w.Lon, true
	}
	if p.Website == "" {
		p.Website = w.Website
	}
	p.sources = append(p.sources, w.sources...)
}

func unused(ss []*worldSite, used map[*worldSite]bool) []*worldSite {
	var out []*worldSite
	for _, s := range ss {
		if !used[s] {
			out = append(out, s)
		}
	}
	return out
}

// Sampling: the world lists hold some 45,000 hospitals; the bundled
// catalogue keeps a deterministic sample per country so that it stays a
// few megabytes. The destinations patients travel to get more.
const (
	worldCapDestination = 90
	worldCapTurkey      = 150
	worldCapOther       = 28
	worldMinPerCountry  = 5
)

// destinations are the big medical-travel countries the catalogue must cover well.
var destinations = map[string]bool{"TR": true, "IN": true, "TH": true, "MX": true, "KR": true, "MY": true,
	"SG": true, "AE": true, "DE": true, "ES": true, "PL": true, "HU": true, "CZ": true, "IL": true, "CR": true,
	"CO": true, "BR": true}

// sampleTier orders a country's sites before the cap: hospitals two lists
// agree on first, then Turkey's private hospitals (the ones patients travel
// to), then sites with coordinates; ties by a hash of the first source.
func sampleTier(s *worldSite) int {
	switch {
	case len(s.sources) > 1:
		return 0
	case s.Private && s.CC == "TR":
		return 1
	case s.HasCoord:
		return 2
	}
	return 3
}

// sampleWorld keeps up to the country's cap of sites, and only countries
// with at least worldMinPerCountry sites. taken are facility name keys
// already in the catalogue per country (the medical-tourism listings): a
// site with the same name there is the same facility and is skipped.
func sampleWorld(sites []*worldSite, taken map[string]bool) []*worldSite {
	byCountry := map[string][]*worldSite{}
	for _, s := range sites {
		if s.key == "" {
			s.key = s.sources[0]
		}
		if s.nameKey != "" && taken[s.CC+"|"+s.nameKey] {
			continue
		}
		byCountry[s.CC] = append(byCountry[s.CC], s)
	}
	var out []*worldSite
	for _, cc := range sortedKeys(byCountry) {
		ss := byCountry[cc]
		if len(ss) < worldMinPerCountry {
			continue
		}
		sort.Slice(ss, func(i, j int) bool {
			ti, tj := sampleTier(ss[i]), sampleTier(ss[j])
			if ti != tj {
				return ti < tj
			}
			hi, hj := hashKey(ss[i].key), hashKey(ss[j].key)
			if hi != hj {
				return hi < hj
			}
			return ss[i].key < ss[j].key
		})
		limit := worldCapOther
		switch {
		case cc == "TR":
			limit = worldCapTurkey
		case destinations[cc]:
			limit = worldCapDestination
		}
		ss = ss[:min(limit, len(ss))]
		// Within a country, facilities are listed by name.
		sort.Slice(ss, func(i, j int) bool {
			if ss[i].Name != ss[j].Name {
				return ss[i].Name < ss[j].Name
			}
			return ss[i].key < ss[j].key
		})
		out = append(out, ss...)
	}
	return out
}

// buildWorldFacilities reads the world lists, merges hospitals two lists
// share, samples them and turns them into facilities.
func buildWorldFacilities(src string, existing []*facility, countries map[string]country) ([]*facility, error) {
	wiki, err := loadWikidata(src)
	if err != nil {
		return nil, fmt.Errorf("Wikidata hospitals: %w", err)
	}
	eu, err := loadEurostat(src)
	if err != nil {
		return nil, fmt.Errorf("Eurostat hospitals: %w", err)
	}
	tr, err := loadTurkey(src)
	if err != nil {
		return nil, fmt.Errorf("Turkish hospitals: %w", err)
	}
	for _, list := range [][]*worldSite{wiki, eu, tr} {
		for _, s := range list {
			s.nameKey = nameKey(s.Name)
		}
	}
	wiki = mergeByProximity(eu, wiki)
	wiki = mergeByName(tr, wiki)
	all := append(append(append([]*worldSite{}, eu...), tr...), wiki...)

	taken := map[string]bool{}
	for _, f := range existing {
		taken[f.CC+"|"+nameKey(f.Name)] = true
	}
	var out []*facility
	for _, s := range sampleWorld(all, taken) {
		c, ok := countries[s.CC]
		if !ok {
			return nil, fmt.Errorf("%s: country %s is not in the country tables", s.key, s.CC)
		}
		f := &facility{Name: s.Name, Kind: s.kind.Slug, CC: s.CC, City: s.City, Address: s.Address,
			Lat: s.Lat, Lon: s.Lon, HasCoord: s.HasCoord, Website: s.Website,
			origin: "world", key: s.key, sources: s.sources, worldKind: s.kind}
		if s.CC == "TR" && s.District != "" {
			f.Address = s.District + ", " + s.City
		}
		f.Desc = worldDescription(s, c)
		out = append(out, f)
	}
	return out, nil
}

// worldDescription is one sentence from the site's real fields.
func worldDescription(s *worldSite, c country) string {
	what := s.kind.Words
	switch {
	case s.Public:
		what = "public " + what
	case s.Private:
		what = "private " + what
	}
	where := c.Name
	if s.City != "" {
		where = s.City + ", " + c.Name
	}
	if s.District != "" {
		where = s.District + ", " + where
	}
	desc := upperFirst(what) + " in " + where
	if s.TypeText != "" {
		desc += " (" + s.TypeText + ")"
	}
	desc += "."
	if s.Beds > 0 {
		desc += " " + strconv.Itoa(s.Beds) + " beds."
	}
	return desc + " Listed by " + listedBy(s.sources) + "."
}

func upperFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// listedBy names the lists a site comes from, for its description.
func listedBy(sources []string) string {
	var names []string
	for _, s := range sources {
		prefix, _, _ := strings.Cut(s, ":")
		switch prefix {
		case srcWikidata:
			names = append(names, "Wikidata")
		case srcEurostat:
			names = append(names, "Eurostat (national hospital registers)")
		case srcTRPrivate, srcTRPublic:
			names = append(names, "the Turkish Ministry of Health (2025-07-11)")
		}
	}
	return strings.Join(names, " and ")
}
