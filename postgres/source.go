package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Source reads the catalogue from PostgreSQL. Each table is streamed row by
// row in one query that joins what its documents show; nothing holds a whole
// table in memory but the treatment price statistics, one row per treatment
// and currency.
type Source struct {
	Pool *pgxpool.Pool
}

// Rates returns the latest rate of every currency.
func (s Source) Rates(ctx context.Context) (search.Rates, error) {
	rates := search.Rates{Rates: map[string]float64{}}
	rows, err := s.Pool.Query(ctx, `SELECT DISTINCT ON (currency) currency, rate::float8, as_of
		FROM exchange_rates ORDER BY currency, as_of DESC`)
	if err != nil {
		return rates, readError("read exchange rates", err)
	}
	var cur string
	var rate float64
	var asOf time.Time
	_, err = pgx.ForEachRow(rows, []any{&cur, &rate, &asOf}, func() error {
		rates.Rates[cur] = rate
		if asOf.After(rates.AsOf) {
			rates.AsOf = asOf
		}
		return nil
	})
	if err != nil {
		return rates, readError("read exchange rates", err)
	}
	return rates, nil
}

// Count returns the number of records the catalogue makes.
func (s Source) Count(ctx context.Context) (int, error) {
	var n int
	err := s.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM treatments) + (SELECT count(*) FROM facilities)
		+ (SELECT count(*) FROM doctors) + (SELECT count(*) FROM offers)`).Scan(&n)
	if err != nil {
		return 0, readError("count catalogue", err)
	}
	return n, nil
}

// Records streams every record.
func (s Source) Records(ctx context.Context, rates search.Rates, yield func(*search.Record) error) error {
	for _, typ := range []string{search.TypeTreatment, search.TypeFacility, search.TypeDoctor, search.TypeOffer} {
		if err := s.records(ctx, rates, typ, all, yield); err != nil {
			return err
		}
	}
	return nil
}

// records streams the records of one type, every one or those of some ids.
// A full build and a change applied on top of it go through here, so a
// changed record is built exactly as a rebuild would build it.
//
// The records of some ids are an overlay's to keep, for minutes: their
// recurring strings are interned (search.Intern). A full build's are
// indexed and dropped, and are not.
func (s Source) records(ctx context.Context, rates search.Rates, typ string, ids idSet, yield func(*search.Record) error) error {
	if ids != nil {
		kept := yield
		yield = func(r *search.Record) error {
			search.Intern(r)
			return kept(r)
		}
	}
	switch typ {
	case search.TypeTreatment:
		return s.treatments(ctx, rates, ids, yield)
	case search.TypeFacility:
		return s.facilities(ctx, ids, yield)
	case search.TypeDoctor:
		return s.doctors(ctx, ids, yield)
	case search.TypeOffer:
		return s.offers(ctx, ids, yield)
	}
	return fmt.Errorf("read records: no record type %q", typ)
}

// idSet narrows a record query to some ids; the nil set, all, does not
// narrow it at all (and an empty one leaves nothing).
type idSet []int64

var all idSet

// where returns the condition on column col and the query's arguments:
// none when every row is wanted, so the full build's plan is the plain scan.
func (ids idSet) where(col string) (string, []any) {
	if ids == nil {
		return "", nil
	}
	return " WHERE " + col + " = ANY($1)", []any{[]int64(ids)}
}

func (s Source) treatments(ctx context.Context, rates search.Rates, ids idSet, yield func(*search.Record) error) error {
	stats := map[int64][]indexer.PriceStat{}
	counts := map[int64]int{}
	where, args := ids.where("treatment_id")
	// Every offer counts; the span is of the priced ones (an offer on
	// request with a currency adds nothing to it), as the file source and
	// the overlay's own count (search.Overlay.Recount) have it.
	rows, err := s.Pool.Query(ctx, `SELECT treatment_id, coalesce(currency, ''), count(*),
			min(coalesce(price, price_min))::float8, max(coalesce(price, price_min))::float8
		FROM offers`+where+` GROUP BY 1, 2`, args...)
	if err != nil {
		return readError("read treatment prices", err)
	}
	var id int64
	var cur string
	var lo, hi *float64
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &cur, &n, &lo, &hi}, func() error {
		counts[id] += n
		if cur != "" && lo != nil && hi != nil {
			stats[id] = append(stats[id], indexer.PriceStat{Currency: cur, Min: *lo, Max: *hi})
		}
		return nil
	}); err != nil {
		return readError("read treatment prices", err)
	}

	// Translations come as one JSON object per treatment, language → {name,
	// lay_names}, which is search.Translation's JSON.
	where, args = ids.where("t.id")
	// So do the price references, as a JSON array of search.TypicalPrice.
	rows, err = s.Pool.Query(ctx, `SELECT t.id, t.name, t.category, t.lay_names, coalesce(t.code, ''), tr.langs, pr.refs
		FROM treatments t
		LEFT JOIN LATERAL (SELECT jsonb_object_agg(x.lang, jsonb_build_object('name', x.name, 'lay_names', x.lay_names)) AS langs
			FROM treatment_translations x WHERE x.treatment_id = t.id) tr ON true
		LEFT JOIN LATERAL (SELECT jsonb_agg(jsonb_build_object('country', p.country_code, 'amount', p.amount::float8,
				'currency', p.currency, 'source', p.source) ORDER BY p.country_code) AS refs
			FROM price_references p WHERE p.treatment_id = t.id) pr ON true`+where+`
		ORDER BY t.id`, args...)
	if err != nil {
		return readError("read treatments", err)
	}
	var t catalog.Treatment
	var translations map[string]search.Translation
	var references []search.TypicalPrice
	targets := []any{&t.ID, &t.Name, &t.Category, &t.LayNames, &t.Code, &translations, &references}
	_, err = pgx.ForEachRow(rows, targets, func() error {
		t.LayNames = slices.Clone(t.LayNames)
		rec := indexer.TreatmentRecord(t, translations, counts[t.ID], stats[t.ID], rates)
		rec.TypicalPrices = references
		translations, references = nil, nil // JSON decoding would merge the next row into these
		return yield(rec)
	})
	if err != nil {
		return readError("read treatments", err)
	}
	return nil
}

// facilityColumns are the columns a FacilityRef needs, from f and c.
const facilityColumns = `f.id, f.name, f.kind, f.country_code, c.name, coalesce(f.city, ''),
	f.latitude, f.longitude, f.accreditations, f.languages, f.rating::float8, f.review_count`

func facilityTargets(f *catalog.Facility, countryName *string) []any {
	return []any{&f.ID, &f.Name, &f.Kind, &f.CountryCode, countryName, &f.City,
		&f.Latitude, &f.Longitude, &f.Accreditations, &f.Languages, &f.Rating, &f.ReviewCount}
}

// treatmentArrays scans the array_agg columns of a treatment list.
type treatmentArrays struct {
	ids                []int64
	names, cats, codes []string
}

func (a *treatmentArrays) targets() []any { return []any{&a.ids, &a.names, &a.cats, &a.codes} }

func (a *treatmentArrays) refs() []search.TreatmentRef {
	if len(a.ids) == 0 {
		return nil
	}
	out := make([]search.TreatmentRef, len(a.ids))
	for i := range a.ids {
		out[i] = search.TreatmentRef{ID: a.ids[i], Name: a.names[i], Category: a.cats[i], Code: a.codes[i]}
	}
	return out
}

const treatmentAggregates = `array_agg(t.id ORDER BY t.id) AS ids, array_agg(t.name ORDER BY t.id) AS names,
	array_agg(t.category ORDER BY t.id) AS cats, array_agg(coalesce(t.code, '') ORDER BY t.id) AS codes`

func refs(ids []int64, names []string) []search.Ref {
	if len(ids) == 0 {
		return nil
	}
	out := make([]search.Ref, len(ids))
	for i := range ids {
		out[i] = search.Ref{ID: ids[i], Name: names[i]}
	}
	return out
}

func (s Source) facilities(ctx context.Context, ids idSet, yield func(*search.Record) error) error {
	where, args := ids.where("f.id")
	rows, err := s.Pool.Query(ctx, `SELECT `+facilityColumns+`,
			coalesce(f.address, ''), coalesce(f.description, ''), coalesce(f.website, ''),
			coalesce(tr.ids, '{}'), coalesce(tr.names, '{}'), coalesce(tr.cats, '{}'), coalesce(tr.codes, '{}'),
			coalesce(dr.ids, '{}'), coalesce(dr.names, '{}')
		FROM facilities f JOIN countries c ON c.code = f.country_code
		LEFT JOIN LATERAL (SELECT `+treatmentAggregates+`
			FROM offers o JOIN treatments t ON t.id = o.treatment_id WHERE o.facility_id = f.id) tr ON true
		LEFT JOIN LATERAL (SELECT array_agg(d.id ORDER BY d.id) AS ids, array_agg(d.name ORDER BY d.id) AS names
			FROM doctors d WHERE d.facility_id = f.id) dr ON true`+where+`
		ORDER BY f.id`, args...)
	if err != nil {
		return readError("read facilities", err)
	}
	var f catalog.Facility
	var countryName string
	var tr treatmentArrays
	var docIDs []int64
	var docNames []string
	targets := append(facilityTargets(&f, &countryName), &f.Address, &f.Description, &f.Website)
	targets = append(append(targets, tr.targets()...), &docIDs, &docNames)
	_, err = pgx.ForEachRow(rows, targets, func() error {
		return yield(indexer.FacilityRecord(clone(f), countryName, tr.refs(), refs(docIDs, docNames)))
	})
	if err != nil {
		return readError("read facilities", err)
	}
	return nil
}

func (s Source) doctors(ctx context.Context, ids idSet, yield func(*search.Record) error) error {
	where, args := ids.where("d.id")
	rows, err := s.Pool.Query(ctx, `SELECT d.id, d.name, d.specialties, d.languages, d.years_experience,
			d.rating::float8, d.review_count, `+facilityColumns+`,
			coalesce(tr.ids, '{}'), coalesce(tr.names, '{}'), coalesce(tr.cats, '{}'), coalesce(tr.codes, '{}')
		FROM doctors d JOIN facilities f ON f.id = d.facility_id JOIN countries c ON c.code = f.country_code
		LEFT JOIN LATERAL (SELECT `+treatmentAggregates+`
			FROM doctor_treatments dt JOIN treatments t ON t.id = dt.treatment_id WHERE dt.doctor_id = d.id) tr ON true`+where+`
		ORDER BY d.id`, args...)
	if err != nil {
		return readError("read doctors", err)
	}
	var d catalog.Doctor
	var f catalog.Facility
	var countryName string
	var tr treatmentArrays
	targets := []any{&d.ID, &d.Name, &d.Specialties, &d.Languages, &d.YearsExperience, &d.Rating, &d.ReviewCount}
	targets = append(append(targets, facilityTargets(&f, &countryName)...), tr.targets()...)
	_, err = pgx.ForEachRow(rows, targets, func() error {
		d.FacilityID = f.ID
		return yield(indexer.DoctorRecord(cloneDoctor(d), indexer.FacilityRef(clone(f), countryName), tr.refs()))
	})
	if err != nil {
		return readError("read doctors", err)
	}
	return nil
}

func (s Source) offers(ctx context.Context, ids idSet, yield func(*search.Record) error) error {
	where, args := ids.where("o.id")
	rows, err := s.Pool.Query(ctx, `SELECT o.id, o.price::float8, o.price_min::float8, o.price_max::float8,
			coalesce(o.currency, ''), coalesce(o.includes, ''), coalesce(o.source, ''),
			t.id, t.name, t.category, t.lay_names, coalesce(t.code, ''), `+facilityColumns+`,
			coalesce(dr.ids, '{}'), coalesce(dr.names, '{}'),
			pr.amount::float8, coalesce(pr.currency, ''), coalesce(pr.source, '')
		FROM offers o JOIN treatments t ON t.id = o.treatment_id
		JOIN facilities f ON f.id = o.facility_id JOIN countries c ON c.code = f.country_code
		LEFT JOIN price_references pr ON pr.treatment_id = o.treatment_id AND pr.country_code = f.country_code
		LEFT JOIN LATERAL (SELECT array_agg(d.id ORDER BY d.id) AS ids, array_agg(d.name ORDER BY d.id) AS names
			FROM doctors d JOIN doctor_treatments dt ON dt.doctor_id = d.id AND dt.treatment_id = o.treatment_id
			WHERE d.facility_id = o.facility_id) dr ON true`+where+`
		ORDER BY o.id`, args...)
	if err != nil {
		return readError("read offers", err)
	}
	var o catalog.Offer
	var t catalog.Treatment
	var f catalog.Facility
	var countryName string
	var docIDs []int64
	var docNames []string
	targets := []any{&o.ID, &o.Price, &o.PriceMin, &o.PriceMax, &o.Currency, &o.Includes, &o.Source,
		&t.ID, &t.Name, &t.Category, &t.LayNames, &t.Code}
	var ref search.TypicalPrice
	var refAmount *float64
	targets = append(append(targets, facilityTargets(&f, &countryName)...), &docIDs, &docNames,
		&refAmount, &ref.Currency, &ref.Source)
	_, err = pgx.ForEachRow(rows, targets, func() error {
		rec := indexer.OfferRecord(cloneOffer(o), t, indexer.FacilityRef(clone(f), countryName), refs(docIDs, docNames))
		if refAmount != nil {
			tp := ref
			tp.Country, tp.Amount = f.CountryCode, *refAmount
			rec.TypicalPrice = &tp
		}
		return yield(rec)
	})
	if err != nil {
		return readError("read offers", err)
	}
	return nil
}

// The clone functions copy the pointer fields that ForEachRow scans into
// again on the next row, so a record never shares them with the next one.
// The values one record points to are copied into one allocation, not one
// each: a follower's overlay keeps the records it reads, and every garbage
// collection marks each object they hold.
func clone(f catalog.Facility) catalog.Facility {
	if f.Latitude != nil || f.Longitude != nil || f.Rating != nil || f.ReviewCount != nil {
		v := new(struct {
			lat, lon, rating float64
			reviews          int
		})
		f.Latitude, f.Longitude = copyTo(&v.lat, f.Latitude), copyTo(&v.lon, f.Longitude)
		f.Rating, f.ReviewCount = copyTo(&v.rating, f.Rating), copyTo(&v.reviews, f.ReviewCount)
	}
	f.Accreditations, f.Languages = slices.Clone(f.Accreditations), slices.Clone(f.Languages)
	return f
}

func cloneDoctor(d catalog.Doctor) catalog.Doctor {
	if d.YearsExperience != nil || d.Rating != nil || d.ReviewCount != nil {
		v := new(struct {
			rating         float64
			years, reviews int
		})
		d.YearsExperience, d.Rating, d.ReviewCount = copyTo(&v.years, d.YearsExperience), copyTo(&v.rating, d.Rating), copyTo(&v.reviews, d.ReviewCount)
	}
	d.Specialties, d.Languages = slices.Clone(d.Specialties), slices.Clone(d.Languages)
	return d
}

func cloneOffer(o catalog.Offer) catalog.Offer {
	if o.Price != nil || o.PriceMin != nil || o.PriceMax != nil {
		v := new([3]float64)
		o.Price, o.PriceMin, o.PriceMax = copyTo(&v[0], o.Price), copyTo(&v[1], o.PriceMin), copyTo(&v[2], o.PriceMax)
	}
	return o
}

// copyTo copies *p into *dst and returns dst, or nil when p is nil.
func copyTo[T any](dst, p *T) *T {
	if p == nil {
		return nil
	}
	*dst = *p
	return dst
}

// Posts streams the posts table.
func (s Source) Posts(ctx context.Context) (posts.Set, error) {
	set := posts.Set{Countries: map[string]string{}}
	rows, err := s.Pool.Query(ctx, `SELECT code, name FROM countries`)
	if err != nil {
		return set, readError("read countries", err)
	}
	var code, name string
	if _, err := pgx.ForEachRow(rows, []any{&code, &name}, func() error {
		set.Countries[code] = name
		return nil
	}); err != nil {
		return set, readError("read countries", err)
	}
	rows, err = s.Pool.Query(ctx, `SELECT id, facility_id, coalesce(doctor_id, 0), title, body, published,
			starts_at, ends_at, treatment_ids, categories, patient_countries, facility_countries, languages,
			keywords, price_max_usd::float8, lang
		FROM posts ORDER BY id`)
	if err != nil {
		return set, readError("read posts", err)
	}
	var p catalog.Post
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.FacilityID, &p.DoctorID, &p.Title, &p.Body, &p.Published,
		&p.StartsAt, &p.EndsAt, &p.TreatmentIDs, &p.Categories, &p.PatientCountries, &p.FacilityCountries,
		&p.Languages, &p.Keywords, &p.PriceMaxUSD, &p.Lang}, func() error {
		set.Posts = append(set.Posts, indexer.PostFromRow(p))
		return nil
	})
	if err != nil {
		return set, readError("read posts", err)
	}
	return set, nil
}
