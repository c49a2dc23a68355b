package gen_test

import (
	"context"
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/indexer/gen"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

const mini = "../../testdata/mini"

var small = gen.Config{Offers: 5000, Facilities: 400, Doctors: 900, Countries: 12, Treatments: 60, Seed: 7}

// migrated returns a pool on a fresh database with the schema applied.
func migrated(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, pgtest.MustDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

func generate(t *testing.T, pool *pgxpool.Pool, cfg gen.Config) map[string]int64 {
	t.Helper()
	var calls, lastDone, lastTotal int
	counts, err := gen.Generate(context.Background(), pool, mini, cfg, func(done, total int) {
		calls++
		if done < lastDone || done > total {
			t.Errorf("progress went from %d to %d of %d", lastDone, done, total)
		}
		lastDone, lastTotal = done, total
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || lastDone != lastTotal {
		t.Errorf("progress: %d calls, last %d of %d; want a final call with done = total", calls, lastDone, lastTotal)
	}
	return counts
}

// checksums fingerprints every table's rows, leaving out updated_at.
func checksums(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	queries := map[string]string{
		"exchange_rates":    `SELECT md5(string_agg(concat_ws('|', currency, rate, as_of), ',' ORDER BY currency, as_of)) FROM exchange_rates`,
		"countries":         `SELECT md5(string_agg(concat_ws('|', code, name, currency), ',' ORDER BY code)) FROM countries`,
		"treatments":        `SELECT md5(string_agg(concat_ws('|', id, name, category, lay_names, code), ',' ORDER BY id)) FROM treatments`,
		"facilities":        `SELECT md5(string_agg(concat_ws('|', id, name, kind, country_code, city, address, latitude, longitude, accreditations, languages, rating, review_count, description, website), ',' ORDER BY id)) FROM facilities`,
		"doctors":           `SELECT md5(string_agg(concat_ws('|', id, facility_id, name, specialties, languages, years_experience, rating, review_count), ',' ORDER BY id)) FROM doctors`,
		"doctor_treatments": `SELECT md5(string_agg(concat_ws('|', doctor_id, treatment_id), ',' ORDER BY doctor_id, treatment_id)) FROM doctor_treatments`,
		"offers":            `SELECT md5(string_agg(concat_ws('|', id, facility_id, treatment_id, price, price_min, price_max, currency, includes, source), ',' ORDER BY id)) FROM offers`,
		"translations":      `SELECT md5(string_agg(concat_ws('|', treatment_id, lang, name, lay_names), ',' ORDER BY treatment_id, lang)) FROM treatment_translations`,
		"synonyms":          `SELECT md5(string_agg(concat_ws('|', term, synonym, source), ',' ORDER BY term, synonym)) FROM synonyms`,
	}
	out := map[string]string{}
	for table, q := range queries {
		var sum string
		if err := pool.QueryRow(context.Background(), q).Scan(&sum); err != nil {
			t.Fatalf("checksum %s: %v", table, err)
		}
		out[table] = sum
	}
	return out
}

func queryInt(t *testing.T, pool *pgxpool.Pool, q string) int64 {
	t.Helper()
	var n int64
	if err := pool.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	pool := migrated(t)
	counts := generate(t, pool, small)

	if counts["offers"] != 5000 || counts["facilities"] != 400 || counts["doctors"] != 900 ||
		counts["countries"] != 12 || counts["treatments"] != 60 {
		t.Errorf("counts %v", counts)
	}
	// The base's translations (its treatments keep their ids) and synonyms
	// are copied as they are.
	if counts["treatment_translations"] != 5 || counts["synonyms"] != 5 {
		t.Errorf("translations and synonyms copied: %v", counts)
	}
	if n := counts["doctor_treatments"]; n < 900 || n > 5*900 {
		t.Errorf("%d doctor_treatments for 900 doctors performing 1–5 treatments each", n)
	}
	for table, want := range counts {
		if got := queryInt(t, pool, "SELECT count(*) FROM "+table); got != want {
			t.Errorf("%s holds %d rows, Generate reported %d", table, got, want)
		}
	}

	checks := []struct {
		what string
		q    string
		ok   func(int64) bool
	}{
		{"priced offers whose currency has no exchange rate",
			`SELECT count(*) FROM offers o WHERE (price IS NOT NULL OR price_min IS NOT NULL)
			   AND NOT EXISTS (SELECT 1 FROM exchange_rates x WHERE x.currency = o.currency)`,
			func(n int64) bool { return n == 0 }},
		{"countries whose currency has no exchange rate",
			`SELECT count(*) FROM countries c WHERE NOT EXISTS (SELECT 1 FROM exchange_rates x WHERE x.currency = c.currency)`,
			func(n int64) bool { return n == 0 }},
		{"currencies offers are priced in", `SELECT count(DISTINCT currency) FROM offers`,
			func(n int64) bool { return n >= 3 }},
		{"duplicate facility/treatment pairs",
			`SELECT count(*) FROM (SELECT 1 FROM offers GROUP BY facility_id, treatment_id HAVING count(*) > 1) d`,
			func(n int64) bool { return n == 0 }},
		{"offers on request (about 10% of 5000)", `SELECT count(*) FROM offers WHERE price IS NULL AND price_min IS NULL`,
			func(n int64) bool { return n > 350 && n < 650 }},
		{"offers with a range (about 15% of 5000)", `SELECT count(*) FROM offers WHERE price_min IS NOT NULL`,
			func(n int64) bool { return n > 550 && n < 950 }},
		{"treatments with the lay name 'knee replacement'",
			`SELECT count(*) FROM treatments WHERE 'knee replacement' = ANY (lay_names)`,
			func(n int64) bool { return n > 1 }}, // the base one and its variants
		{"offers of knee replacements", `SELECT count(*) FROM offers o JOIN treatments t ON t.id = o.treatment_id
			WHERE 'knee replacement' = ANY (t.lay_names)`,
			func(n int64) bool { return n > 0 }},
		{"base treatment names kept", `SELECT count(*) FROM treatments WHERE id = 2 AND name = 'Rhinoplasty'`,
			func(n int64) bool { return n == 1 }},
		{"doctors performing a treatment their facility does not offer",
			`SELECT count(*) FROM doctor_treatments dt JOIN doctors d ON d.id = dt.doctor_id
			 WHERE NOT EXISTS (SELECT 1 FROM offers o WHERE o.facility_id = d.facility_id AND o.treatment_id = dt.treatment_id)`,
			func(n int64) bool { return n == 0 }},
		{"doctors with a specialty none of their treatments is in",
			`SELECT count(*) FROM doctors d, unnest(d.specialties) s WHERE NOT EXISTS (
			   SELECT 1 FROM doctor_treatments dt JOIN treatments t ON t.id = dt.treatment_id
			   WHERE dt.doctor_id = d.id AND t.category = s)`,
			func(n int64) bool { return n == 0 }},
		{"Turkish facilities not in Istanbul or out of its ±0.2° box",
			`SELECT count(*) FROM facilities WHERE country_code = 'TR'
			   AND (city <> 'Istanbul' OR abs(latitude - 41.01) > 0.2001 OR abs(longitude - 28.97) > 0.2001)`,
			func(n int64) bool { return n == 0 }},
		{"facilities in a country the base lacks, e.g. France", `SELECT count(*) FROM facilities WHERE country_code = 'FR'`,
			func(n int64) bool { return n > 0 }},
		{"countries", `SELECT count(*) FROM countries WHERE code IN ('US', 'TR', 'DE', 'GB', 'IN', 'TH')`,
			func(n int64) bool { return n == 6 }},
		{"distinct facility ratings", `SELECT count(DISTINCT rating) FROM facilities`,
			func(n int64) bool { return n > 3 }},
	}
	for _, c := range checks {
		if n := queryInt(t, pool, c.q); !c.ok(n) {
			t.Errorf("%s: %d", c.what, n)
		}
	}

	// Prices follow the base: an IVF cycle in Germany costs about what the
	// base's one does (4000 EUR), within noise and the country's level.
	var avg float64
	if err := pool.QueryRow(context.Background(), `SELECT coalesce(avg(price), 0)::float8 FROM offers o
		JOIN facilities f ON f.id = o.facility_id WHERE o.treatment_id = 4 AND f.country_code = 'DE'`).Scan(&avg); err != nil {
		t.Fatal(err)
	}
	if avg != 0 && (avg < 1000 || avg > 16000) {
		t.Errorf("average German IVF price %.2f EUR, want near the base's 4000", avg)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b, c := migrated(t), migrated(t), migrated(t)
	generate(t, a, small)
	generate(t, b, small)
	other := small
	other.Seed++
	generate(t, c, other)
	sumA, sumB, sumC := checksums(t, a), checksums(t, b), checksums(t, c)
	if !maps.Equal(sumA, sumB) {
		t.Errorf("same seed, different rows:\n%v\n%v", sumA, sumB)
	}
	for _, table := range []string{"facilities", "doctors", "doctor_treatments", "offers"} {
		if sumA[table] == sumC[table] {
			t.Errorf("%s: seeds %d and %d give the same rows", table, small.Seed, other.Seed)
		}
	}

	// Generating again replaces the catalogue rather than adding to it.
	generate(t, a, small)
	if got := checksums(t, a); !maps.Equal(got, sumA) {
		t.Errorf("a second run into the same database changed the rows")
	}
	var n int64
	if err := a.QueryRow(ctx, `SELECT count(*) FROM offers`).Scan(&n); err != nil || n != int64(small.Offers) {
		t.Errorf("after a second run: %d offers (%v)", n, err)
	}
}

func TestGenerateSmallAndLimits(t *testing.T) {
	t.Parallel()
	pool := migrated(t)
	ctx := context.Background()
	// Fewer offers than facilities, and fewer countries and treatments than
	// the base has: some facilities offer nothing, and their doctors
	// perform nothing.
	counts, err := gen.Generate(ctx, pool, mini, gen.Config{Offers: 10, Facilities: 30, Doctors: 40, Countries: 2, Treatments: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if counts["offers"] != 10 || counts["facilities"] != 30 || counts["doctors"] != 40 ||
		counts["countries"] != 2 || counts["treatments"] != 2 {
		t.Errorf("counts %v", counts)
	}
	// The countries kept are those with most base facilities, US first; the
	// treatments kept are those with most base offers.
	if n := queryInt(t, pool, `SELECT count(*) FROM countries WHERE code IN ('US', 'TR')`); n != 2 {
		t.Errorf("kept countries: want US and TR")
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM treatments WHERE id IN (1, 3)`); n != 2 {
		t.Errorf("kept treatments: want 1 and 3")
	}

	// Every facility offering every treatment.
	counts, err = gen.Generate(ctx, pool, mini, gen.Config{Offers: 100, Facilities: 25, Treatments: 4, Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if counts["offers"] != 100 || counts["doctors"] != 20 {
		t.Errorf("counts %v", counts)
	}

	_, err = gen.Generate(ctx, pool, mini, gen.Config{Offers: 101, Facilities: 25, Treatments: 4}, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot fit") {
		t.Errorf("101 offers in 25 facilities × 4 treatments: got %v, want an error", err)
	}
	_, err = gen.Generate(ctx, pool, mini, gen.Config{Offers: 10, Countries: 1000}, nil)
	if err == nil || !strings.Contains(err.Error(), "countries") {
		t.Errorf("1000 countries: got %v, want an error", err)
	}
	_, err = gen.Generate(ctx, pool, "testdata/nowhere", gen.Config{Offers: 10}, nil)
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing base: got %v", err)
	}
	// The failed runs left the last catalogue in place.
	if n := queryInt(t, pool, `SELECT count(*) FROM offers`); n != 100 {
		t.Errorf("%d offers after failed runs, want the 100 of the last good one", n)
	}
}

func TestGenerateNeedsSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, pgtest.MustDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	_, err = gen.Generate(ctx, pool, mini, gen.Config{Offers: 10}, nil)
	if err == nil || !strings.Contains(err.Error(), "migrated") {
		t.Errorf("no schema: got %v, want an error saying to migrate", err)
	}
}

// TestGenerateIsAsGlobalAsTheBase generates from the bundled catalogue
// with the default countries: every country of the base is in the
// generated catalogue, and its facilities spread over them as the base's do.
func TestGenerateIsAsGlobalAsTheBase(t *testing.T) {
	t.Parallel()
	pool := migrated(t)
	b, err := os.ReadFile("../../testdata/catalog/countries.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := int64(len(strings.Split(strings.TrimSpace(string(b)), "\n")) - 1)
	counts, err := gen.Generate(context.Background(), pool, "../../testdata/catalog",
		gen.Config{Offers: 20000, Treatments: 100, Seed: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want < 100 || counts["countries"] != want {
		t.Errorf("%d countries generated, want the base's %d", counts["countries"], want)
	}
	spread := queryInt(t, pool, `SELECT count(DISTINCT country_code) FROM facilities`)
	t.Logf("%d facilities in %d of %d countries", counts["facilities"], spread, want)
	if spread < 60 {
		t.Errorf("facilities in %d countries: the generated catalogue is less global than the base", spread)
	}
}
