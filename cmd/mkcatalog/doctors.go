package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// doctor is one row of doctors.csv.
type doctor struct {
	ID, FacilityID int
	Name           string
	Specialties    []string // category vocabulary
	Langs          []string
	Years, Rating  string
	Reviews        string
}

// practoDoc is the real, non-identifying part of one Practo listing.
type practoDoc struct {
	city, category       string
	years, rating, votes string
	key                  string
}

var (
	leadingIntRE = regexp.MustCompile(`^\s*(\d+)`)
	percentRE    = regexp.MustCompile(`^\s*(\d+(?:\.\d+)?)\s*%`)
	votesRE      = regexp.MustCompile(`(\d+)\s*votes?`)
)

// loadPracto parses in_practo_doctors_3cities.csv. Names are read only to
// build a stable row key and are never written out.
func loadPracto(src string) ([]practoDoc, error) {
	t, err := readCSV(filepath.Join(src, "in_practo_doctors_3cities.csv"))
	if err != nil {
		return nil, err
	}
	var out []practoDoc
	for i, r := range t.rows {
		d := practoDoc{city: t.get(r, "City"), key: fmt.Sprintf("practo:%d", i)}
		d.category = specialtyCategory[strings.ToLower(cleanSpace(t.get(r, "Speciality")))]
		if m := leadingIntRE.FindStringSubmatch(cleanSpace(t.get(r, "Year_of_experience"))); m != nil {
			d.years = m[1]
		}
		if m := percentRE.FindStringSubmatch(t.get(r, "dp_score")); m != nil {
			if v, ok := parseFloat(m[1]); ok && v >= 0 && v <= 100 {
				d.rating = fmtRating(v / 20)
			}
		}
		if m := votesRE.FindStringSubmatch(t.get(r, "npv")); m != nil {
			d.votes = m[1]
		}
		out = append(out, d)
	}
	return out, nil
}

// mtDoc is one record of in_medtourism_doctors.json (name ignored).
type mtDoc struct {
	Specialty   string   `json:"specialty"`
	Location    string   `json:"location"`
	Experience  string   `json:"experience"`
	Experience2 string   `json:"Experience"`
	Lang        []string `json:"lang"`
	Rating      *float64 `json:"rating"`
}

func loadMedTourismDoctors(src string) ([]mtDoc, error) {
	path := filepath.Join(src, "in_medtourism_doctors.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var out []mtDoc
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return out, nil
}

// facOffers indexes a facility's offered treatments by category.
type facOffers struct {
	byCat map[string][]int // category -> treatment IDs (ascending)
	cats  []string         // categories, most offers first
}

func indexOffers(offers []*offer, tByID map[int]*treatment) map[int]*facOffers {
	idx := map[int]*facOffers{}
	for _, o := range offers {
		fo := idx[o.FacilityID]
		if fo == nil {
			fo = &facOffers{byCat: map[string][]int{}}
			idx[o.FacilityID] = fo
		}
		cat := tByID[o.TreatmentID].Category
		fo.byCat[cat] = append(fo.byCat[cat], o.TreatmentID)
	}
	for _, fo := range idx {
		for _, ids := range fo.byCat {
			sort.Ints(ids)
		}
		fo.cats = sortedKeys(fo.byCat)
		sort.SliceStable(fo.cats, func(i, j int) bool { return len(fo.byCat[fo.cats[i]]) > len(fo.byCat[fo.cats[j]]) })
	}
	return idx
}

// doctorBuilder generates doctors deterministically.
type doctorBuilder struct {
	doctors   []*doctor
	practo    []practoDoc
	usedPrac  map[int]bool
	offers    map[int]*facOffers
	countries map[string]country
}

func (db *doctorBuilder) add(d *doctor) {
	d.ID = len(db.doctors) + 1
	db.doctors = append(db.doctors, d)
}

// generatedName picks "Dr. <given> <surname>" from the country's pool.
func generatedName(cc string, key string) string {
	p := namePoolFor(cc)
	return "Dr. " + p.First[pick(len(p.First), key, "first")] + " " + p.Last[pick(len(p.Last), key, "last")]
}

// drawAttributes takes years/rating/reviews from a stably chosen Practo
// listing, so generated doctors follow the real distribution.
func (db *doctorBuilder) drawAttributes(d *doctor, key string) {
	p := db.practo[pick(len(db.practo), key, "attrs")]
	d.Years, d.Rating, d.Reviews = p.years, p.rating, p.votes
}

// chooseSpecialties picks one (sometimes two) categories, weighted by how
// many treatments the facility offers in each.
func (db *doctorBuilder) chooseSpecialties(f *facility, key string) []string {
	fo := db.offers[f.ID]
	var pool []string
	if fo != nil {
		for _, c := range fo.cats {
			for range fo.byCat[c] {
				pool = append(pool, c)
			}
		}
	}
	if len(pool) == 0 {
		pool = append(pool, f.cats...)
	}
	if len(pool) == 0 {
		return []string{catIntMed}
	}
	first := pool[pick(len(pool), key, "spec1")]
	out := []string{first}
	if frac(key, "spec2?") < 0.2 {
		if second := pool[pick(len(pool), key, "spec2")]; second != first {
			out = append(out, second)
		}
	}
	return out
}

func (db *doctorBuilder) languages(f *facility, key string) []string {
	switch f.CC {
	case "US":
		if frac(key, "es") < 0.3 {
			return []string{"en", "es"}
		}
		return []string{"en"}
	case "GB":
		return []string{"en"}
	}
	return append(append([]string{}, db.countries[f.CC].Langs...), "en")
}

// generate adds n generated doctors at facility f.
func (db *doctorBuilder) generate(f *facility, n int) {
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("%s:doc%d", f.key, i)
		d := &doctor{FacilityID: f.ID, Name: generatedName(f.CC, key),
			Specialties: db.chooseSpecialties(f, key), Langs: db.languages(f, key)}
		db.drawAttributes(d, key)
		db.add(d)
	}
}

// nearestPractoCity returns the Practo city closest to the facility.
func nearestPractoCity(f *facility) string {
	best, bestD := "Delhi", math.Inf(1)
	for _, c := range []string{"Bangalore", "Delhi", "Mumbai"} {
		p := indianCityCoords[strings.ToLower(c)]
		if !f.HasCoord {
			break
		}
		if d := distKm(f.Lat, f.Lon, p.Lat, p.Lon); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// attachPracto adds, for each category an Indian facility offers, 2–4
// Practo listings of that specialty from the nearest Practo city, keeping
// their real specialty, experience, score and votes under a generated name.
// It returns how many were added.
func (db *doctorBuilder) attachPracto(f *facility) int {
	fo := db.offers[f.ID]
	if fo == nil {
		return 0
	}
	city := nearestPractoCity(f)
	added := 0
	for ci, cat := range fo.cats {
		if ci == 8 {
			break
		}
		var cands []int
		for i, p := range db.practo {
			if p.city == city && p.category == cat && !db.usedPrac[i] {
				cands = append(cands, i)
			}
		}
		sort.Slice(cands, func(a, b int) bool {
			return hashKey(f.key, db.practo[cands[a]].key) < hashKey(f.key, db.practo[cands[b]].key)
		})
		n := 2 + pick(3, f.key, "practo", cat)
		for _, i := range cands[:min(n, len(cands))] {
			db.usedPrac[i] = true
			p := db.practo[i]
			d := &doctor{FacilityID: f.ID, Name: generatedName("IN", p.key), Specialties: []string{cat},
				Langs: practoCityLangs[city], Years: p.years, Rating: p.rating, Reviews: p.votes}
			db.add(d)
			added++
		}
	}
	return added
}

// attachMedTourismDoctors places the 94 Indian doctors of the medical-
// tourism list at the nearest Indian facility offering their specialty
// (else the nearest Indian hospital), with generated names.
func (db *doctorBuilder) attachMedTourismDoctors(docs []mtDoc, inFacs []*facility) {
	for i, m := range docs {
		key := fmt.Sprintf("mtdoc:%d", i)
		cat := specialtyCategory[strings.ToLower(cleanSpace(m.Specialty))]
		if cat == "" {
			cat = catIntMed
		}
		pl, known := indianCityCoords[indianLocalityCity[normPhrase(m.Location)]]
		f := nearestFacility(inFacs, db.offers, cat, pl, known, key)
		if f == nil {
			continue
		}
		d := &doctor{FacilityID: f.ID, Name: generatedName("IN", key), Specialties: []string{cat}}
		exp := m.Experience
		if exp == "" {
			exp = m.Experience2
		}
		if mm := leadingIntRE.FindStringSubmatch(exp); mm != nil {
			d.Years = mm[1]
		}
		if m.Rating != nil && *m.Rating >= 0 && *m.Rating <= 5 {
			d.Rating = fmtRating(*m.Rating)
		}
		for _, l := range m.Lang {
			if c := langCodes[strings.ToLower(strings.TrimSpace(l))]; c != "" {
				d.Langs = append(d.Langs, c)
			}
		}
		if len(d.Langs) == 0 {
			d.Langs = []string{"en", "hi"}
		}
		db.add(d)
	}
}

// nearestFacility prefers facilities offering the category (else general
// hospitals); among them the nearest to the doctor's city, or a stable
// choice when the city is unknown.
func nearestFacility(fs []*facility, offers map[int]*facOffers, cat string, pl place, known bool, key string) *facility {
	var cands []*facility
	for _, f := range fs {
		if fo := offers[f.ID]; fo != nil && len(fo.byCat[cat]) > 0 {
			cands = append(cands, f)
		}
	}
	if len(cands) == 0 { // nobody offers the field: a general hospital fits best
		for _, f := range fs {
			if f.Kind == "hospital" {
				cands = append(cands, f)
			}
		}
	}
	if len(cands) == 0 {
		cands = fs
	}
	if len(cands) == 0 {
		return nil
	}
	if !known {
		return cands[pick(len(cands), key, "facility")]
	}
	var best *facility
	bestD := math.Inf(1)
	for _, f := range cands {
		d := math.Inf(1)
		if f.HasCoord {
			d = distKm(pl.Lat, pl.Lon, f.Lat, f.Lon)
		}
		if best == nil || d < bestD {
			best, bestD = f, d
		}
	}
	return best
}

// distKm is the great-circle distance.
func distKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// usDoctorShare is the fraction of US hospitals that get doctors.
const usDoctorShare = 0.6

// doctorsPerFacility returns 1, 2 or 3 (20/40/40%): hospitals have many
// doctors, so the upper end of the 1–3 range is favoured.
func doctorsPerFacility(key string) int {
	switch r := frac(key, "ndoctors"); {
	case r < 0.2:
		return 1
	case r < 0.6:
		return 2
	}
	return 3
}

// buildDoctors generates all doctors in facility order, then appends the
// medical-tourism list's Indian doctors.
func buildDoctors(fs []*facility, offers []*offer, tByID map[int]*treatment, practo []practoDoc,
	mt []mtDoc, countries map[string]country) *doctorBuilder {
	db := &doctorBuilder{practo: practo, usedPrac: map[int]bool{}, offers: indexOffers(offers, tByID), countries: countries}
	var inFacs []*facility
	for _, f := range fs {
		n := doctorsPerFacility(f.key)
		switch f.origin {
		case "us":
			if frac(f.key, "has-doctors") < usDoctorShare {
				db.generate(f, n)
			}
		case "gb":
			// Only independent elective hospitals have offers; other rows
			// would get doctors with no treatment, so they get none.
			if db.offers[f.ID] != nil {
				db.generate(f, n)
			}
		case "intl":
			if f.CC == "IN" {
				inFacs = append(inFacs, f)
				if db.attachPracto(f) > 0 {
					continue
				}
			}
			db.generate(f, n)
		}
	}
	db.attachMedTourismDoctors(mt, inFacs)
	return db
}

// doctorTreatmentRows links each doctor to the facility's offered
// treatments in the doctor's specialty categories.
func (db *doctorBuilder) doctorTreatmentRows() ([][]string, int) {
	var rows [][]string
	without := 0
	for _, d := range db.doctors {
		fo := db.offers[d.FacilityID]
		seen := map[int]bool{}
		var ids []int
		if fo != nil {
			for _, c := range d.Specialties {
				for _, id := range fo.byCat[c] {
					if !seen[id] {
						seen[id] = true
						ids = append(ids, id)
					}
				}
			}
		}
		sort.Ints(ids)
		if len(ids) == 0 {
			without++
		}
		for _, id := range ids {
			rows = append(rows, []string{itoa(d.ID), itoa(id)})
		}
	}
	return rows, without
}

func doctorRows(ds []*doctor) [][]string {
	rows := make([][]string, 0, len(ds))
	for _, d := range ds {
		rows = append(rows, []string{itoa(d.ID), itoa(d.FacilityID), d.Name, joinList(d.Specialties),
			joinList(d.Langs), d.Years, d.Rating, d.Reviews})
	}
	return rows
}
