// Package gen makes large, deterministic CareAtlas catalogues for benchmarks
// and writes them straight into PostgreSQL with COPY.
//
// The shape of the data — treatment names and lay names, prices per treatment
// and country, ratings, cities, kinds of facility, accreditations, languages —
// is drawn from a small base catalogue (such as testdata/catalog), so that
// searches that work on the base keep working, at scale, on the generated
// catalogue; a country's price level comes from the base's price references
// (its typical prices beside the US ones) where it has them. The base
// treatments keep their ids, so their translations are
// copied as they are (the generated variants have none), and so is the
// synonym graph. The same base, Config and seed always give the same rows.
//
// Rows are generated while COPY consumes them, one at a time: memory grows
// with the number of facilities and treatments, not with the number of offers.
package gen

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Config says how big a catalogue to make. A zero field takes its default.
type Config struct {
	Offers     int    // offers, exactly; default 1_000_000
	Facilities int    // default Offers/10 (at least 1)
	Doctors    int    // default Offers/5
	Countries  int    // default every country of the base, at least 60; base countries first, then real ones from a built-in list
	Treatments int    // default 500; base treatments first, then variants of them
	Seed       uint64 // default 1
}

// withDefaults fills in zero fields and rejects configurations that cannot be
// met, so that Generate fails before it touches the database.
func (c Config) withDefaults() (Config, error) {
	if c.Offers < 0 || c.Facilities < 0 || c.Doctors < 0 || c.Countries < 0 || c.Treatments < 0 {
		return c, fmt.Errorf("config %+v: counts must not be negative", c)
	}
	if c.Offers == 0 {
		c.Offers = 1_000_000
	}
	if c.Facilities == 0 {
		c.Facilities = max(1, c.Offers/10)
	}
	if c.Doctors == 0 {
		c.Doctors = c.Offers / 5
	}
	// Countries stays 0 here: the default depends on the base (planCountries).
	if c.Treatments == 0 {
		c.Treatments = 500
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	// A facility offers a treatment at most once.
	if int64(c.Offers) > int64(c.Facilities)*int64(c.Treatments) {
		return c, fmt.Errorf("config: %d offers cannot fit in %d facilities × %d treatments (one offer per facility and treatment)",
			c.Offers, c.Facilities, c.Treatments)
	}
	// Ids, country and rank indexes are stored compactly.
	if c.Facilities > math.MaxInt32 || c.Treatments > math.MaxInt32 || c.Countries > math.MaxUint16 {
		return c, fmt.Errorf("config %+v: too large", c)
	}
	return c, nil
}

// Generate replaces the catalogue in the database with a generated one shaped
// like the base catalogue in directory base ("" for the demo catalogue built
// into the binary; read and validated with catalog.OpenFS). The schema must already exist: run postgres.Migrate first.
//
// It works in one transaction — TRUNCATE every table of catalog.Tables, then
// COPY each in order — so readers see the old catalogue until the commit, and
// a failure leaves it in place. progress, if not nil, is called now and then
// with the rows written so far and the rows to write in all; it runs on the
// goroutine that feeds COPY, not the caller's. Generate returns the number of
// rows written per table.
func Generate(ctx context.Context, pool *pgxpool.Pool, base string, cfg Config, progress func(done, total int)) (map[string]int64, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	b, err := readBase(base)
	if err != nil {
		return nil, fmt.Errorf("generate catalogue: read base: %w", err)
	}
	m, err := newModel(b, cfg)
	if err != nil {
		return nil, fmt.Errorf("generate catalogue from %s: %w", base, err)
	}

	sources := m.sources()
	total := 0
	for _, s := range sources {
		total += s.rows
	}
	p := &ticker{fn: progress, total: total}
	counts := map[string]int64{}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		names := make([]string, len(catalog.Tables))
		for i, t := range catalog.Tables {
			names[i] = pgx.Identifier{t.Name}.Sanitize()
		}
		if _, err := tx.Exec(ctx, "TRUNCATE "+strings.Join(names, ", ")); err != nil {
			return fmt.Errorf("empty catalogue tables (is the schema migrated?): %w", err)
		}
		for _, s := range sources {
			next := s.next
			n, err := tx.CopyFrom(ctx, pgx.Identifier{s.table.Name}, s.table.Columns, pgx.CopyFromFunc(func() ([]any, error) {
				row := next()
				if row != nil {
					p.tick()
				}
				return row, nil
			}))
			if err != nil {
				return fmt.Errorf("copy %s: %w", s.table.Name, err)
			}
			if n != int64(s.rows) {
				// The row counts are computed up front for progress; a
				// mismatch is a bug in the generator, not in the data.
				return fmt.Errorf("copy %s: wrote %d rows, planned %d", s.table.Name, n, s.rows)
			}
			counts[s.table.Name] = n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("generate catalogue: %w", err)
	}
	p.finish()
	return counts, nil
}

// ticker reports progress every few thousand rows: often enough for a
// progress bar, rarely enough to cost nothing.
type ticker struct {
	fn          func(done, total int)
	done, total int
}

func (t *ticker) tick() {
	t.done++
	if t.fn != nil && t.done&(1<<14-1) == 0 {
		t.fn(t.done, t.total)
	}
}

func (t *ticker) finish() {
	if t.fn != nil {
		t.fn(t.done, t.total)
	}
}

// Streams of random numbers. Every entity (a facility, a doctor, the offers of
// a facility) draws from its own stream, seeded from the config's seed, the
// stream and the entity's index. That is what lets the doctors' and the
// offers' COPY regenerate a facility's treatments instead of keeping them, and
// keeps one table's draws from shifting another's.
const (
	streamPlan uint64 = iota + 1
	streamTreatPrice
	streamFacility
	streamTreatSet
	streamDoctor
	streamOffer
)

// rng is a reseedable generator: reseeding costs nothing and allocates nothing.
type rng struct {
	pcg rand.PCG
	*rand.Rand
}

func newRNG() *rng {
	g := &rng{}
	g.Rand = rand.New(&g.pcg)
	return g
}

func (g *rng) reset(seed, stream uint64, i int) {
	g.pcg.Seed(mix(seed^stream*0x9e3779b97f4a7c15), mix(uint64(i)+stream<<48))
}

// mix is the SplitMix64 finaliser. Neighbouring indexes would otherwise seed
// PCG with neighbouring states, whose outputs are correlated.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// country is a generated country with what its rows need.
type country struct {
	catalog.Country
	priceCur   string   // currency its offers are priced in: its own when it has a rate, else USD
	rate       float64  // priceCur per USD
	level      float64  // price level relative to the base's global median
	templates  []int32  // base facilities in this country
	languages  []string // for facilities not modelled on a local one
	capital    string   // "" when unknown
	lat, lon   float64  // where facilities go when the base has none here
	extrasFrom []int32  // base offers' includes/source to sample from
}

type treatment struct {
	catalog.Treatment
	category int32   // index into model.categories
	usd      float64 // typical price in USD
	pop      float64 // popularity: how many base offers it (or its original) has
}

// model is the generated catalogue in compact form: everything but the rows
// themselves, which are derived from it while COPY runs.
type model struct {
	cfg        Config
	b          *base
	rates      []catalog.ExchangeRate
	countries  []country
	treats     []treatment
	categories []string

	// Treatment popularity: treatment indexes from most to least popular,
	// and the cumulative Zipf-like weights of those ranks.
	byRank  []int32
	rankCDF []float64

	// Per facility (index = id - 1).
	facCountry  []uint16
	facTemplate []int32 // index into b.facilities, -1 when the base has none
	facFactor   []float32
	facOffers   []int32
	facDoctors  []int32
	facDocStart []int32 // index of its first doctor

	doctorTreatments int // rows of doctor_treatments

	facReviews, docReviews logNormal
}

// logNormal is exp(N(mu, sigma)) - 1: a review count's distribution.
type logNormal struct{ mu, sigma float64 }

func (l logNormal) draw(g *rng) int {
	v := math.Round(math.Exp(l.mu+l.sigma*g.NormFloat64())) - 1
	return int(min(max(v, 0), 1e6))
}

// fitLogNormal fits the review counts the base has (a default when too few).
func fitLogNormal(counts []int) logNormal {
	if len(counts) < 2 {
		return logNormal{mu: math.Log(50), sigma: 1}
	}
	var sum, sq float64
	for _, c := range counts {
		v := math.Log1p(float64(c))
		sum += v
		sq += v * v
	}
	n := float64(len(counts))
	mu := sum / n
	sigma := math.Sqrt(max(sq/n-mu*mu, 0))
	return logNormal{mu: mu, sigma: min(max(sigma, 0.5), 2)}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func newModel(b *base, cfg Config) (*model, error) {
	m := &model{cfg: cfg, b: b}
	plan := rand.New(rand.NewPCG(cfg.Seed, 0x6361726561746c61)) // "careatla"
	if err := m.planCountries(); err != nil {
		return nil, err
	}
	m.planTreatments()
	m.planFacilities(plan)
	m.planDoctors()

	var facReviews, docReviews []int
	for _, f := range b.facilities {
		if f.reviewCount != nil {
			facReviews = append(facReviews, *f.reviewCount)
		}
	}
	for _, d := range b.doctors {
		if d.reviewCount != nil {
			docReviews = append(docReviews, *d.reviewCount)
		}
	}
	m.facReviews = fitLogNormal(facReviews)
	m.docReviews = fitLogNormal(docReviews)
	if len(docReviews) < 2 {
		m.docReviews = m.facReviews
	}
	return m, nil
}

// planCountries picks the countries and their currencies and exchange rates.
func (m *model) planCountries() error {
	b := m.b
	asOf := b.maxAsOf
	if asOf.IsZero() {
		asOf = time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	m.rates = slices.Clone(b.rates)
	rate := func(cur string) (float64, bool) {
		r, ok := b.rate[cur]
		return r, ok
	}
	worldRate := func(cur string) (float64, bool) {
		for _, w := range worldRates {
			if w.currency == cur {
				return w.rate, true
			}
		}
		return 0, false
	}
	added := map[string]float64{}
	// haveRate finds a rate for cur, adding one from the built-in table to
	// the generated exchange_rates when the base has none.
	haveRate := func(cur string) (float64, bool) {
		if r, ok := rate(cur); ok {
			return r, true
		}
		if r, ok := added[cur]; ok {
			return r, true
		}
		r, ok := worldRate(cur)
		if !ok {
			return 0, false
		}
		added[cur] = r
		m.rates = append(m.rates, catalog.ExchangeRate{Currency: cur, Rate: r, AsOf: asOf})
		return r, true
	}
	// Offers fall back to USD, so USD needs a rate.
	haveRate("USD")

	baseCountries := b.countries
	if m.cfg.Countries == 0 {
		// As global as the base catalogue: every country it has.
		m.cfg.Countries = max(60, len(baseCountries))
	}
	if m.cfg.Countries < len(baseCountries) {
		// Keep the countries the base has most facilities in, in file order.
		idx := make([]int, len(baseCountries))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(x, y int) int {
			return cmp.Compare(len(b.facByCountry[baseCountries[y].Code]), len(b.facByCountry[baseCountries[x].Code]))
		})
		idx = idx[:m.cfg.Countries]
		slices.Sort(idx)
		kept := make([]catalog.Country, len(idx))
		for i, j := range idx {
			kept[i] = baseCountries[j]
		}
		baseCountries = kept
	}
	world := func(code string) *worldCountry {
		for i := range worldCountries {
			if worldCountries[i].code == code {
				return &worldCountries[i]
			}
		}
		return nil
	}
	global := median(b.usdAll)
	inBase := map[string]bool{}
	for _, c := range baseCountries {
		inBase[c.Code] = true
	}
	all := slices.Clone(baseCountries)
	for _, w := range worldCountries {
		if len(all) >= m.cfg.Countries {
			break
		}
		if !inBase[w.code] {
			all = append(all, catalog.Country{Code: w.code, Name: w.name, Currency: w.currency})
		}
	}
	if len(all) < m.cfg.Countries {
		return fmt.Errorf("asked for %d countries, but the base and the built-in list have only %d", m.cfg.Countries, len(all))
	}
	for _, cc := range all {
		c := country{Country: cc, priceCur: cc.Currency, level: 1, templates: b.facByCountry[cc.Code]}
		if r, ok := haveRate(cc.Currency); ok {
			c.rate = r
		} else {
			c.priceCur, c.rate = "USD", 1
		}
		if lvl, ok := b.refLevel[cc.Code]; ok {
			// The country's typical prices beside the US ones: the base's
			// priced offers are US hospitals' own.
			c.level = min(max(lvl, 0.05), 20)
		} else if med := median(b.usdByCountry[cc.Code]); !math.IsNaN(med) && global > 0 {
			c.level = min(max(med/global, 0.05), 20)
		} else if lvl := medianLevel(b.refLevel); !math.IsNaN(lvl) {
			// Neither: as dear as the typical country with references.
			c.level = min(max(lvl, 0.05), 20)
		}
		if w := world(cc.Code); w != nil {
			c.capital, c.lat, c.lon = w.capital, w.lat, w.lon
			c.languages = []string{w.lang}
			if w.lang != "en" {
				c.languages = append(c.languages, "en")
			}
		} else {
			// A country the built-in list lacks and the base has no
			// facility in: any fixed point will do, as long as it is the
			// same on every run.
			h := mix(uint64(cc.Code[0])<<8 | uint64(cc.Code[1]))
			c.lat = float64(h%1300)/10 - 60
			c.lon = float64(h>>16%3600)/10 - 180
			c.languages = []string{"en"}
		}
		c.extrasFrom = b.extrasByCountry[cc.Code]
		if len(c.extrasFrom) == 0 {
			c.extrasFrom = b.extrasPortable
		}
		if len(c.extrasFrom) == 0 {
			c.extrasFrom = b.extrasAll
		}
		m.countries = append(m.countries, c)
	}
	return nil
}

// medianLevel is the median of the countries' reference levels, taken in
// a fixed order so that the result does not depend on map order.
func medianLevel(levels map[string]float64) float64 {
	codes := slices.Sorted(maps.Keys(levels))
	vals := make([]float64, len(codes))
	for i, c := range codes {
		vals[i] = levels[c]
	}
	return median(vals)
}

// planTreatments picks the base treatments, derives the extra ones, prices
// them, and ranks them by popularity.
func (m *model) planTreatments() {
	b := m.b
	chosen := b.treats
	if m.cfg.Treatments < len(chosen) {
		// Keep the ones with the most base offers, in file order.
		idx := make([]int, len(chosen))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(x, y int) int {
			return cmp.Compare(b.offersByTreat[chosen[y].ID], b.offersByTreat[chosen[x].ID])
		})
		idx = idx[:m.cfg.Treatments]
		slices.Sort(idx)
		kept := make([]catalog.Treatment, len(idx))
		for i, j := range idx {
			kept[i] = chosen[j]
		}
		chosen = kept
	}

	// Typical USD price: the treatment's own median in the base, else its
	// category's, else a log-normal draw around the global median.
	byCategory := map[string][]float64{}
	for _, t := range b.treats {
		byCategory[t.Category] = append(byCategory[t.Category], b.usdByTreatment[t.ID]...)
	}
	global := median(b.usdAll)
	if math.IsNaN(global) {
		global = 3000
	}
	catIndex := map[string]int32{}
	g := newRNG()
	var maxID int64
	for i, t := range chosen {
		usd := median(b.usdByTreatment[t.ID])
		if math.IsNaN(usd) {
			usd = median(byCategory[t.Category])
		}
		if math.IsNaN(usd) {
			g.reset(m.cfg.Seed, streamTreatPrice, i)
			usd = global * math.Exp(0.8*g.NormFloat64())
		}
		ci, ok := catIndex[t.Category]
		if !ok {
			ci = int32(len(m.categories))
			catIndex[t.Category] = ci
			m.categories = append(m.categories, t.Category)
		}
		m.treats = append(m.treats, treatment{Treatment: t, category: ci, usd: usd, pop: float64(1 + b.offersByTreat[t.ID])})
		maxID = max(maxID, t.ID)
	}

	// Variants: every base treatment once with the first variant, then again
	// with the second, and so on, so that extra treatments spread evenly.
	nb, nv := len(chosen), len(treatmentVariants)
	for k := 0; len(m.treats) < m.cfg.Treatments; k++ {
		orig := m.treats[k%nb]
		v := treatmentVariants[(k/nb)%nv]
		round := k / (nb * nv)
		name := orig.Name
		if v.prefix != "" {
			name = v.prefix + lowerFirst(name)
		}
		name += v.suffix
		if round > 0 {
			name += fmt.Sprintf(" (variant %d)", round+1)
		}
		m.treats = append(m.treats, treatment{
			Treatment: catalog.Treatment{
				ID:       maxID + 1 + int64(k),
				Name:     name,
				Category: orig.Category,
				LayNames: orig.LayNames, // so that "knee replacement" finds the variants too
			},
			category: orig.category,
			usd:      orig.usd * v.price,
			pop:      orig.pop / float64(2+(k/nb)),
		})
	}

	// Zipf-like popularity over ranks: weight 1/(rank+2). The +2 flattens
	// the head a little, so the top treatment is common but not universal.
	m.byRank = make([]int32, len(m.treats))
	for i := range m.byRank {
		m.byRank[i] = int32(i)
	}
	slices.SortStableFunc(m.byRank, func(x, y int32) int { return cmp.Compare(m.treats[y].pop, m.treats[x].pop) })
	m.rankCDF = make([]float64, len(m.treats))
	sum := 0.0
	for r := range m.rankCDF {
		sum += 1 / float64(r+2)
		m.rankCDF[r] = sum
	}
}

// lowerFirst lower-cases the first letter of a name going after a prefix,
// unless it starts an acronym ("IVF").
func lowerFirst(s string) string {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' || (s[1] >= 'A' && s[1] <= 'Z') {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// planFacilities places the facilities in countries, picks the base facility
// each is modelled on, and decides how many offers each has.
func (m *model) planFacilities(plan *rand.Rand) {
	n := m.cfg.Facilities
	// Countries weigh what they weigh in the base, plus a floor, so that
	// countries the base lacks still get facilities.
	floor := float64(len(m.b.facilities))/float64(2*len(m.countries)) + 1
	cdf := make([]float64, len(m.countries))
	sum := 0.0
	for i, c := range m.countries {
		sum += float64(len(c.templates)) + floor
		cdf[i] = sum
	}
	m.facCountry = make([]uint16, n)
	m.facTemplate = make([]int32, n)
	m.facFactor = make([]float32, n)
	weights := make([]float64, n)
	for f := range n {
		ci := pick(cdf, plan.Float64())
		m.facCountry[f] = uint16(ci)
		tpl := int32(-1)
		switch c := m.countries[ci]; {
		case len(c.templates) > 0:
			tpl = c.templates[plan.IntN(len(c.templates))]
		case len(m.b.facilities) > 0:
			tpl = int32(plan.IntN(len(m.b.facilities)))
		}
		m.facTemplate[f] = tpl
		// Some facilities are dearer than others across the board.
		m.facFactor[f] = float32(math.Exp(0.2 * plan.NormFloat64()))
		// And some offer more treatments than others.
		weights[f] = math.Exp(0.5 * plan.NormFloat64())
	}
	m.facOffers = apportion(m.cfg.Offers, weights, len(m.treats))
}

// planDoctors spreads the doctors over facilities in proportion to their
// offers, and counts the doctor_treatments rows they will make.
func (m *model) planDoctors() {
	n := m.cfg.Facilities
	weights := make([]float64, n)
	for f, k := range m.facOffers {
		weights[f] = float64(k) + 1
	}
	m.facDoctors = apportion(m.cfg.Doctors, weights, math.MaxInt32)
	m.facDocStart = make([]int32, n)
	g := newRNG()
	d := 0
	for f := range n {
		m.facDocStart[f] = int32(d)
		for range m.facDoctors[f] {
			m.doctorTreatments += m.doctorTreatmentCount(g, d, int(m.facOffers[f]))
			d++
		}
	}
}

// doctorTreatmentCount seeds g for doctor d and draws how many of its
// facility's k treatments the doctor performs: 1–5. It is the first draw of
// the doctor's stream, so the doctors' COPY and the plan agree on it.
func (m *model) doctorTreatmentCount(g *rng, d, k int) int {
	g.reset(m.cfg.Seed, streamDoctor, d)
	return min(1+g.IntN(5), k)
}

// pick returns the index of the first cumulative weight above u×total.
func pick(cdf []float64, u float64) int {
	i, _ := slices.BinarySearch(cdf, u*cdf[len(cdf)-1])
	return min(i, len(cdf)-1)
}

// apportion splits total into len(weights) integer shares in proportion to
// the weights, none above limit, summing exactly to total. When total allows,
// every share is at least 1. The caller guarantees total ≤ len × limit.
func apportion(total int, weights []float64, limit int) []int32 {
	n := len(weights)
	out := make([]int32, n)
	if n == 0 {
		return out
	}
	rest := total
	if total >= n && limit >= 1 {
		for i := range out {
			out[i] = 1
		}
		rest -= n
	}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	given := 0
	for i, w := range weights {
		share := int(float64(rest) * w / sum)
		share = min(share, limit-int(out[i]))
		out[i] += int32(share)
		given += share
	}
	// What flooring and the limit left over goes one by one, in order.
	for left := rest - given; left > 0; {
		for i := range out {
			if left == 0 {
				break
			}
			if int(out[i]) < limit {
				out[i]++
				left--
			}
		}
	}
	return out
}
