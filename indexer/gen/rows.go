package gen

import (
	"fmt"
	"math"
	"strings"

	"github.com/careatlas/careatlas/indexer/catalog"
)

// source feeds one table's COPY. next returns the next row, or nil at the end.
//
// The big tables' rows are built in one []any that is reused for every row,
// holding pointers to reused fields: pgx encodes a row before it asks for the
// next, and pointers (unlike ints, floats and slices) go into an interface
// without an allocation.
type source struct {
	table catalog.Table
	rows  int
	next  func() []any
}

func (m *model) sources() []source {
	return []source{
		sliceSource(catalog.Tables[0], m.rates),
		sliceSource(catalog.Tables[1], m.countryRows()),
		sliceSource(catalog.Tables[2], m.treatmentRows()),
		m.facilitySource(),
		m.doctorSource(),
		m.doctorTreatmentSource(),
		m.offerSource(),
		sliceSource(catalog.Tables[7], m.translationRows()),
		sliceSource(catalog.Tables[8], m.b.synonyms),
		sliceSource(catalog.TableNamed("price_references"), m.referenceRows()),
	}
}

// referenceRows are the base's price references for the treatments and
// countries kept.
func (m *model) referenceRows() []catalog.PriceReference {
	treats, countries := map[int64]bool{}, map[string]bool{}
	for _, t := range m.treats {
		treats[t.ID] = true
	}
	for _, c := range m.countries {
		countries[c.Code] = true
	}
	var out []catalog.PriceReference
	for _, p := range m.b.references {
		if treats[p.TreatmentID] && countries[p.CountryCode] {
			out = append(out, p)
		}
	}
	return out
}

// translationRows are the base translations of the treatments kept. Variants
// ("Knee replacement (day case)") get none: a translated name would need a
// translated variant, and their lay names already lead to them.
func (m *model) translationRows() []catalog.TreatmentTranslation {
	kept := map[int64]bool{}
	for _, t := range m.treats {
		kept[t.ID] = true
	}
	// Variants are only made when every base treatment is kept, and take
	// ids above all of theirs, so a base translation never lands on one.
	var out []catalog.TreatmentTranslation
	for _, t := range m.b.translations {
		if kept[t.TreatmentID] {
			out = append(out, t)
		}
	}
	return out
}

func sliceSource[T interface{ Values() []any }](t catalog.Table, rows []T) source {
	i := 0
	return source{table: t, rows: len(rows), next: func() []any {
		if i == len(rows) {
			return nil
		}
		i++
		return rows[i-1].Values()
	}}
}

func (m *model) countryRows() []catalog.Country {
	out := make([]catalog.Country, len(m.countries))
	for i, c := range m.countries {
		out[i] = c.Country
	}
	return out
}

func (m *model) treatmentRows() []catalog.Treatment {
	out := make([]catalog.Treatment, len(m.treats))
	for i, t := range m.treats {
		out[i] = t.Treatment
	}
	return out
}

// treatSampler draws a facility's treatments: distinct, popular ones more
// often. It regenerates the same set for the same facility every time, which
// is how doctors and offers agree without the sets being kept.
type treatSampler struct {
	m    *model
	g    *rng
	seen []bool
	buf  []int32
}

func (m *model) newTreatSampler() *treatSampler {
	return &treatSampler{m: m, g: newRNG(), seen: make([]bool, len(m.treats))}
}

// set returns facility f's treatments (indexes into m.treats), valid until the
// next call.
func (s *treatSampler) set(f int) []int32 {
	m := s.m
	k := int(m.facOffers[f])
	s.g.reset(m.cfg.Seed, streamTreatSet, f)
	s.buf = s.buf[:0]
	// Rejection sampling is quick while k is small next to the number of
	// treatments, the usual case. When a facility offers most treatments,
	// the unpopular ones would take ages to come up, so after a while the
	// rest is filled in rank order from a random rank.
	for attempts := 4*k + 64; len(s.buf) < k && attempts > 0; attempts-- {
		t := m.byRank[pick(m.rankCDF, s.g.Float64())]
		if !s.seen[t] {
			s.seen[t] = true
			s.buf = append(s.buf, t)
		}
	}
	if len(s.buf) < k {
		start := s.g.IntN(len(m.byRank))
		for i := 0; len(s.buf) < k; i++ {
			t := m.byRank[(start+i)%len(m.byRank)]
			if !s.seen[t] {
				s.seen[t] = true
				s.buf = append(s.buf, t)
			}
		}
	}
	for _, t := range s.buf {
		s.seen[t] = false
	}
	return s.buf
}

// template returns the base facility that facility f is modelled on (nil when
// the base has none) and whether it is in f's own country.
func (m *model) template(f int) (*baseFacility, bool) {
	i := m.facTemplate[f]
	if i < 0 {
		return nil, false
	}
	bf := &m.b.facilities[i]
	return bf, bf.country == m.countries[m.facCountry[f]].Code
}

// languages are what facility f's staff speak: its local model's, or else
// the country's own language and English.
func (m *model) languages(f int) []string {
	if bf, local := m.template(f); local {
		return bf.languages
	}
	return m.countries[m.facCountry[f]].languages
}

// jitterRating moves a sampled rating by up to ±0.3 so that a small base does
// not give every facility one of three ratings; numeric(2,1) wants one decimal.
func jitterRating(g *rng, r float64) float64 {
	r += (g.Float64() - 0.5) * 0.6
	return min(max(math.Round(r*10)/10, 0), 5)
}

// jitterCoord moves a coordinate by up to 0.2°, staying within the valid range.
func jitterCoord(g *rng, v, limit float64) float64 {
	v += (g.Float64()*2 - 1) * 0.2
	return min(max(math.Round(v*1e5)/1e5, -limit), limit)
}

func (m *model) facilitySource() source {
	type row struct {
		id                                  int64
		name, kind, country                 string
		city, address, description, website string
		lat, lon                            float64
		accreditations, languages           []string
		rating                              float64
		reviews                             int
	}
	var r row
	vals := make([]any, len(catalog.Tables[3].Columns))
	vals[0], vals[1], vals[2], vals[3] = &r.id, &r.name, &r.kind, &r.country
	vals[8], vals[9] = &r.accreditations, &r.languages
	// Every generated facility says so in its source.
	vals[14] = []string{"generated"}
	g := newRNG()
	ts := m.newTreatSampler()
	var cats []int32
	var sb strings.Builder
	f := 0
	return source{table: catalog.Tables[3], rows: m.cfg.Facilities, next: func() []any {
		if f == m.cfg.Facilities {
			return nil
		}
		c := &m.countries[m.facCountry[f]]
		bf, local := m.template(f)
		g.reset(m.cfg.Seed, streamFacility, f)
		r.id = int64(f + 1)
		r.country = c.Code
		r.kind, r.accreditations = "hospital", nil
		kindTitle := "Hospital"
		if bf != nil {
			r.kind, kindTitle, r.accreditations = bf.kind, bf.kindTitle, bf.accreditations
			if !local {
				r.accreditations = bf.portable
			}
		}
		r.accreditations = nonNil(r.accreditations)
		r.languages = nonNil(m.languages(f))

		// Place: a jittered copy of the local model's, else near the
		// country's capital.
		r.city = c.capital
		lat, lon, hasPoint := c.lat, c.lon, true
		if local {
			r.city = bf.city
			hasPoint = bf.lat != nil
			if hasPoint {
				lat, lon = *bf.lat, *bf.lon
			}
		}
		setNullable(vals, 4, &r.city)
		if hasPoint {
			r.lat, r.lon = jitterCoord(g, lat, 90), jitterCoord(g, lon, 180)
			vals[6], vals[7] = &r.lat, &r.lon
		} else {
			vals[6], vals[7] = nil, nil
		}
		place := r.city
		if place == "" {
			place = c.Name
		}

		switch g.IntN(4) {
		case 0:
			r.name = place + " " + facilityWords[g.IntN(len(facilityWords))] + " " + kindTitle
		case 1:
			r.name = facilityWords[g.IntN(len(facilityWords))] + " " + kindTitle + " " + place
		case 2:
			r.name = lastNames[g.IntN(len(lastNames))] + " " + kindTitle
		default:
			r.name = kindTitle + " " + lastNames[g.IntN(len(lastNames))] + " " + place
		}

		r.address = ""
		if g.Float64() < 0.7 {
			r.address = fmt.Sprintf("%d %s %s", 1+g.IntN(2000), streetNames[g.IntN(len(streetNames))], streetKinds[g.IntN(len(streetKinds))])
		}
		setNullable(vals, 5, &r.address)

		if len(m.b.facilities) > 0 {
			sample := &m.b.facilities[g.IntN(len(m.b.facilities))]
			setRating(g, vals, 10, &r.rating, sample.rating)
			setReviews(g, vals, 11, &r.reviews, sample.reviewCount, m.facReviews)
		} else {
			r.rating = math.Round(30+20*g.Float64()) / 10
			r.reviews = m.facReviews.draw(g)
			vals[10], vals[11] = &r.rating, &r.reviews
		}

		// The description names what the facility treats, from its own
		// offers, so that text search over descriptions means something.
		sb.Reset()
		sb.WriteString(kindTitle)
		sb.WriteString(" in ")
		sb.WriteString(place)
		if place != c.Name {
			sb.WriteString(", ")
			sb.WriteString(c.Name)
		}
		cats = cats[:0]
		for _, t := range ts.set(f) {
			if ci := m.treats[t].category; len(cats) < 3 && !containsInt32(cats, ci) {
				cats = append(cats, ci)
			}
		}
		for i, ci := range cats {
			switch i {
			case 0:
				sb.WriteString(". Treats: ")
			default:
				sb.WriteString(", ")
			}
			sb.WriteString(m.categories[ci])
		}
		sb.WriteString(".")
		r.description = sb.String()
		vals[12] = &r.description

		r.website = ""
		if g.Float64() < 0.6 {
			r.website = fmt.Sprintf("https://example.org/facilities/%d", r.id)
		}
		setNullable(vals, 13, &r.website)
		f++
		return vals
	}}
}

// doctorWalker visits the doctors in id order, facility by facility, and
// picks the treatments each performs. Both the doctors' and the
// doctor_treatments' COPY walk it, and get the same picks.
type doctorWalker struct {
	m       *model
	g       *rng // the current doctor's stream, positioned after the picks
	ts      *treatSampler
	f       int // current facility
	inFac   int // doctors of f visited so far
	d       int // current doctor's index (id - 1)
	tset    []int32
	scratch []int32
	picks   []int32
}

func (m *model) newDoctorWalker() *doctorWalker {
	return &doctorWalker{m: m, g: newRNG(), ts: m.newTreatSampler(), f: -1, d: -1}
}

// next moves to the next doctor; false when there are none left.
func (w *doctorWalker) next() bool {
	m := w.m
	if w.f < 0 || w.inFac >= int(m.facDoctors[w.f]) {
		w.f++
		for w.f < len(m.facDoctors) && m.facDoctors[w.f] == 0 {
			w.f++
		}
		if w.f >= len(m.facDoctors) {
			return false
		}
		w.inFac = 0
		w.tset = w.ts.set(w.f)
	}
	w.d++
	w.inFac++
	k := m.doctorTreatmentCount(w.g, w.d, len(w.tset))
	// A partial Fisher–Yates shuffle: k distinct treatments of the facility.
	w.scratch = append(w.scratch[:0], w.tset...)
	for i := range k {
		j := i + w.g.IntN(len(w.scratch)-i)
		w.scratch[i], w.scratch[j] = w.scratch[j], w.scratch[i]
	}
	w.picks = w.scratch[:k]
	return true
}

func (m *model) doctorSource() source {
	type row struct {
		id, facility       int64
		name               string
		specialties, langs []string
		years              int
		rating             float64
		reviews            int
	}
	var r row
	vals := make([]any, 8)
	vals[0], vals[1], vals[2], vals[3], vals[4] = &r.id, &r.facility, &r.name, &r.specialties, &r.langs
	w := m.newDoctorWalker()
	var cats []int32
	return source{table: catalog.Tables[4], rows: m.cfg.Doctors, next: func() []any {
		if !w.next() {
			return nil
		}
		g := w.g
		r.id, r.facility = int64(w.d+1), int64(w.f+1)
		r.name = "Dr. " + firstNames[g.IntN(len(firstNames))] + " " + lastNames[g.IntN(len(lastNames))]
		// Specialties: the categories of the treatments the doctor performs,
		// which are some of the facility's.
		cats = cats[:0]
		r.specialties = r.specialties[:0]
		for _, t := range w.picks {
			if ci := m.treats[t].category; !containsInt32(cats, ci) {
				cats = append(cats, ci)
				r.specialties = append(r.specialties, m.categories[ci])
			}
		}
		r.specialties = nonNil(r.specialties)
		r.langs = nonNil(m.languages(w.f))
		if len(m.b.doctors) > 0 {
			sample := &m.b.doctors[g.IntN(len(m.b.doctors))]
			if sample.years != nil {
				r.years = max(0, *sample.years+int(math.Round(4*g.NormFloat64())))
				vals[5] = &r.years
			} else {
				vals[5] = nil
			}
			setRating(g, vals, 6, &r.rating, sample.rating)
			setReviews(g, vals, 7, &r.reviews, sample.reviewCount, m.docReviews)
		} else {
			r.years = 1 + g.IntN(35)
			r.rating = math.Round(35+15*g.Float64()) / 10
			r.reviews = m.docReviews.draw(g)
			vals[5], vals[6], vals[7] = &r.years, &r.rating, &r.reviews
		}
		return vals
	}}
}

func (m *model) doctorTreatmentSource() source {
	var doctor, treatment int64
	vals := []any{&doctor, &treatment}
	w := m.newDoctorWalker()
	i := 0
	return source{table: catalog.Tables[5], rows: m.doctorTreatments, next: func() []any {
		for i >= len(w.picks) {
			if !w.next() {
				return nil
			}
			i = 0
		}
		doctor, treatment = int64(w.d+1), m.treats[w.picks[i]].ID
		i++
		return vals
	}}
}

func (m *model) offerSource() source {
	var id, facility, treatment int64
	var price, lo, hi float64
	vals := make([]any, 9)
	vals[0], vals[1], vals[2] = &id, &facility, &treatment
	g := newRNG()
	ts := m.newTreatSampler()
	f, pos := -1, 0
	var tset []int32
	return source{table: catalog.Tables[6], rows: m.cfg.Offers, next: func() []any {
		for pos >= len(tset) {
			f++
			if f >= m.cfg.Facilities {
				return nil
			}
			tset, pos = ts.set(f), 0
			g.reset(m.cfg.Seed, streamOffer, f)
		}
		t := &m.treats[tset[pos]]
		pos++
		c := &m.countries[m.facCountry[f]]
		id++
		facility, treatment = int64(f+1), t.ID

		// Price: the treatment's typical price, scaled by the country's
		// level and the facility's, with some noise; in the country's
		// currency, to the cent.
		usd := t.usd * c.level * float64(m.facFactor[f]) * math.Exp(0.3*g.NormFloat64())
		local := min(max(usd*c.rate, 1), 1e10)
		vals[3], vals[4], vals[5], vals[6] = nil, nil, nil, nil
		switch u := g.Float64(); {
		case u < 0.10:
			// Price on request.
		case u < 0.25:
			lo = cents(local * (0.7 + 0.25*g.Float64()))
			hi = cents(local * (1.05 + 0.45*g.Float64()))
			vals[4], vals[5], vals[6] = &lo, &hi, &c.priceCur
			if g.Float64() < 0.5 {
				price = cents(local)
				vals[3] = &price
			}
		default:
			price = cents(local)
			vals[3], vals[6] = &price, &c.priceCur
		}

		vals[7], vals[8] = nil, nil
		if len(c.extrasFrom) > 0 {
			e := &m.b.extras[c.extrasFrom[g.IntN(len(c.extrasFrom))]]
			if e.includes != nil {
				vals[7] = e.includes
			}
			if e.source != nil {
				vals[8] = e.source
			}
		}
		return vals
	}}
}

func cents(v float64) float64 { return math.Round(v*100) / 100 }

// setNullable puts s in vals[i], or NULL when it is empty.
func setNullable(vals []any, i int, s *string) {
	if *s == "" {
		vals[i] = nil
	} else {
		vals[i] = s
	}
}

// setRating puts a jittered copy of a sampled rating in vals[i], or NULL when
// the sample has none: the base's share of unrated rows carries over.
func setRating(g *rng, vals []any, i int, dst *float64, sample *float64) {
	if sample == nil {
		vals[i] = nil
		return
	}
	*dst = jitterRating(g, *sample)
	vals[i] = dst
}

// setReviews draws a review count when the sample has one, else NULL.
func setReviews(g *rng, vals []any, i int, dst *int, sample *int, dist logNormal) {
	if sample == nil {
		vals[i] = nil
		return
	}
	*dst = dist.draw(g)
	vals[i] = dst
}

// emptyList is what an empty list column gets: a nil slice would be NULL,
// which the NOT NULL list columns refuse.
var emptyList = []string{}

func nonNil(s []string) []string {
	if s == nil {
		return emptyList
	}
	return s
}

func containsInt32(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
