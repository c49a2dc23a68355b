package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgxpool"
)

// benchClass is one class of the query mix: the same queries asked of
// CareAtlas (paths on its HTTP API) and of PostgreSQL (SQL with arguments).
type benchClass struct {
	name, desc string
	paths      []string
	sql        string
	// rumSQL is the same query answered through the RUM index, which
	// orders by rank inside the index: PostgreSQL at its strongest where
	// the order is relevance. "" where RUM brings nothing (filters,
	// facets over every match, price order).
	rumSQL string
	args   [][]any
}

// measure times the class on both engines and runs each under load.
// minorFaults is how many times the process touched memory the kernel had
// yet to map for it.
func minorFaults() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Minflt
}

// warmUp is how long the clients run a class, untimed, before it is timed.
const warmUp = time.Second

// warmUpAll is how long the clients run every class's queries, mixed and
// untimed, before the first class is timed: the server reaches the memory
// it keeps under the whole mix (see measure on page faults), and makes
// the orders its sorts walk, as a server that has been serving has.
const warmUpAll = 5 * time.Second

func warmUpMix(ctx context.Context, base string, classes []*benchClass, clients int) error {
	var paths []string
	for _, c := range classes {
		paths = append(paths, c.paths...)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}, Timeout: 2 * time.Minute}
	_, err := throughput(ctx, clients, warmUpAll, func(i int) error {
		resp, err := client.Get(base + paths[i%len(paths)])
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%w %d for %s: %s", errBadStatus, resp.StatusCode, paths[i%len(paths)], b)
		}
		return err
	})
	return err
}

func (c *benchClass) measure(ctx context.Context, base string, pool *pgxpool.Pool, samples, clients int,
	d time.Duration, offers int64, rum, postgresSide bool) (*classStats, error) {
	if !postgresSide {
		c = &benchClass{name: c.name, desc: c.desc, paths: c.paths}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}, Timeout: 2 * time.Minute}
	var matched atomic.Int64 // the warm-up pass and the throughput runs share it
	ours := func(i int) error {
		resp, err := client.Get(base + c.paths[i%len(c.paths)])
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var body struct {
			Total uint64 `json:"total"`
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%w %d for %s: %s", errBadStatus, resp.StatusCode, c.paths[i%len(c.paths)], b)
		}
		if err := json.Unmarshal(b, &body); err != nil {
			return err
		}
		if i < len(c.paths) {
			matched.Add(int64(body.Total))
		}
		return nil
	}
	// sqlRun runs query i of the class through sql, reading every row.
	sqlRun := func(sql string) func(i int) error {
		return func(i int) error {
			rows, err := pool.Query(ctx, sql, c.args[i%len(c.args)]...)
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			return rows.Err()
		}
	}
	theirs := sqlRun(c.sql)
	// One untimed pass over every query warms caches on both sides.
	for i := range c.paths {
		if err := ours(i); err != nil {
			return nil, err
		}
		if c.sql == "" {
			continue
		}
		if err := theirs(i); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	// Then the clients run the class, untimed, for a while: the server's
	// heap reaches the size it keeps under this load. A process touching
	// memory for the first time pays a page fault per 4 KiB, which on
	// this kind of VM (memory the host backs lazily) costs about 16 µs,
	// 7 ms on a query allocating 2 MB; a server that has been serving has
	// paid it, and the samples measure the search, not the warm-up.
	if _, err := throughput(ctx, clients, warmUp, ours); err != nil {
		return nil, err
	}
	st := &classStats{Description: c.desc, Queries: len(c.paths), Samples: samples, Clients: clients}
	if offers > 0 && !strings.HasPrefix(c.name, "suggest") {
		st.MatchedFraction = float64(matched.Load()) / float64(len(c.paths)) / float64(offers)
	}
	faults := minorFaults()
	lat, err := timeRuns(samples, ours)
	st.FaultsPerQuery = float64(minorFaults()-faults) / float64(samples)
	if err != nil {
		return nil, err
	}
	st.P50, st.P95, st.P99 = percentile(lat, .50), percentile(lat, .95), percentile(lat, .99)
	st.Slowest = slowest(c.paths, lat, 5)
	if c.sql == "" { // no PostgreSQL equivalent: CareAtlas alone
		st.QPS, err = throughput(ctx, clients, d, ours)
		return st, err
	}
	if lat, err = timeRuns(samples, theirs); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	st.PostgresP50, st.PostgresP95, st.PostgresP99 = percentile(lat, .50), percentile(lat, .95), percentile(lat, .99)
	best := st.PostgresP50
	if c.rumSQL != "" && rum {
		rumOne := sqlRun(c.rumSQL)
		for i := range c.paths { // warm, as above
			if err := rumOne(i); err != nil {
				return nil, fmt.Errorf("postgres rum: %w", err)
			}
		}
		if lat, err = timeRuns(samples, rumOne); err != nil {
			return nil, fmt.Errorf("postgres rum: %w", err)
		}
		st.RumP50, st.RumP95, st.RumP99 = percentile(lat, .50), percentile(lat, .95), percentile(lat, .99)
		best = min(best, st.RumP50)
	}
	if st.P50 > 0 {
		st.Ratio = st.PostgresP50 / st.P50
		st.BestRatio = best / st.P50
	}
	if st.QPS, err = throughput(ctx, clients, d, ours); err != nil {
		return nil, err
	}
	if st.PostgresQPS, err = throughput(ctx, clients, d, theirs); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return st, nil
}

// PostgreSQL's side: the same offers, denormalised into one table with a
// tsvector over the same text (treatment name and lay names, facility name,
// city and country), a GIN index, and B-tree indexes for the filters; and a
// table of names for prefix suggestions.
const postgresFTS = `
DROP TABLE IF EXISTS bench_offers, bench_names;
CREATE TABLE bench_offers AS
WITH r AS (SELECT DISTINCT ON (currency) currency, rate FROM exchange_rates ORDER BY currency, as_of DESC)
SELECT o.id, f.country_code AS country, coalesce(f.city, '') AS city, t.category, f.kind, f.rating,
       (coalesce(o.price, o.price_min) / r.rate)::float8 AS price_usd, f.latitude::float8 AS lat, f.longitude::float8 AS lon,
       to_tsvector('english', t.name || ' ' || array_to_string(t.lay_names, ' ') || ' ' || f.name || ' '
                   || coalesce(f.city, '') || ' ' || c.name) AS tsv
FROM offers o JOIN treatments t ON t.id = o.treatment_id JOIN facilities f ON f.id = o.facility_id
JOIN countries c ON c.code = f.country_code LEFT JOIN r ON r.currency = o.currency;
CREATE INDEX ON bench_offers USING gin (tsv);
CREATE INDEX ON bench_offers (country, category, price_usd);
CREATE INDEX ON bench_offers (category);
CREATE INDEX ON bench_offers (price_usd);
CREATE TABLE bench_names AS
SELECT 'treatment' AS type, id, name, to_tsvector('simple', name || ' ' || array_to_string(lay_names, ' ')) AS tsv FROM treatments
UNION ALL SELECT 'facility', id, name, to_tsvector('simple', name) FROM facilities
UNION ALL SELECT 'doctor', id, name, to_tsvector('simple', name) FROM doctors;
CREATE INDEX ON bench_names USING gin (tsv);
ANALYZE bench_offers;
ANALYZE bench_names;
`

// postgresRUM is PostgreSQL's other full-text index: RUM (the Debian
// package postgresql-15-rum) keeps positions in the index and returns
// matches in rank order (tsv <=> q), where GIN must fetch and rank every
// match. The same rows as bench_offers and bench_names.
const postgresRUM = `
CREATE EXTENSION IF NOT EXISTS rum;
DROP TABLE IF EXISTS bench_offers_rum, bench_names_rum;
CREATE TABLE bench_offers_rum AS SELECT id, tsv FROM bench_offers;
CREATE INDEX ON bench_offers_rum USING rum (tsv rum_tsvector_ops);
CREATE TABLE bench_names_rum AS SELECT type, id, tsv FROM bench_names;
CREATE INDEX ON bench_names_rum USING rum (tsv rum_tsvector_ops);
ANALYZE bench_offers_rum;
ANALYZE bench_names_rum;
`

// buildPostgresRUM builds the RUM tables, or says how to get the extension.
func buildPostgresRUM(ctx context.Context, pool *pgxpool.Pool) (postgresBuildReport, error) {
	var available bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum')`).
		Scan(&available); err != nil {
		return postgresBuildReport{}, fmt.Errorf("look for the rum extension: %w", err)
	}
	if !available {
		return postgresBuildReport{}, fmt.Errorf("PostgreSQL has no rum extension: install it " +
			"(Debian: apt-get install postgresql-15-rum, for the server's major version) or pass --rum=false")
	}
	start := time.Now()
	if _, err := pool.Exec(ctx, postgresRUM); err != nil {
		return postgresBuildReport{}, fmt.Errorf("build postgres rum tables: %w", err)
	}
	rep := postgresBuildReport{Seconds: time.Since(start).Seconds()}
	var bytes int64
	pool.QueryRow(ctx, `SELECT pg_total_relation_size('bench_offers_rum') + pg_total_relation_size('bench_names_rum')`).Scan(&bytes)
	rep.IndexMiB = float64(bytes) / (1 << 20)
	return rep, nil
}

func buildPostgresFTS(ctx context.Context, pool *pgxpool.Pool) (postgresBuildReport, error) {
	start := time.Now()
	if _, err := pool.Exec(ctx, postgresFTS); err != nil {
		return postgresBuildReport{}, fmt.Errorf("build postgres full-text tables: %w", err)
	}
	rep := postgresBuildReport{Seconds: time.Since(start).Seconds()}
	var bytes int64
	pool.QueryRow(ctx, `SELECT pg_total_relation_size('bench_offers') + pg_total_relation_size('bench_names')`).Scan(&bytes)
	rep.IndexMiB = float64(bytes) / (1 << 20)
	return rep, nil
}

// The SQL of each class, equivalent to what CareAtlas computes for it.
const (
	sqlText = `SELECT id, count(*) OVER () FROM bench_offers, websearch_to_tsquery('english', $1) q
		WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id LIMIT 10`
	sqlTextFacets = `WITH m AS MATERIALIZED (SELECT id, country, category, kind, ts_rank(tsv, q) AS r
			FROM bench_offers, websearch_to_tsquery('english', $1) q WHERE tsv @@ q)
		(SELECT 'hit', id::text, 0::bigint FROM m ORDER BY r DESC, id LIMIT 10)
		UNION ALL SELECT 'total', '', count(*) FROM m
		UNION ALL (SELECT 'country', country, count(*) FROM m GROUP BY 2 ORDER BY 3 DESC LIMIT 10)
		UNION ALL (SELECT 'category', category, count(*) FROM m GROUP BY 2 ORDER BY 3 DESC LIMIT 10)
		UNION ALL (SELECT 'kind', kind, count(*) FROM m GROUP BY 2 ORDER BY 3 DESC LIMIT 10)`
	sqlFilters = `SELECT id, count(*) OVER () FROM bench_offers WHERE country = $1 AND category = $2
		ORDER BY price_usd NULLS LAST, id LIMIT 10`
	sqlBroad = `WITH m AS MATERIALIZED (SELECT id, country, kind, city, rating FROM bench_offers WHERE category = $1)
		(SELECT 'hit', id::text, 0::bigint FROM m ORDER BY rating DESC NULLS LAST, id LIMIT 10)
		UNION ALL SELECT 'total', '', count(*) FROM m
		UNION ALL (SELECT 'country', country, count(*) FROM m GROUP BY 2 ORDER BY 3 DESC LIMIT 10)
		UNION ALL (SELECT 'kind', kind, count(*) FROM m GROUP BY 2 ORDER BY 3 DESC LIMIT 10)
		UNION ALL (SELECT 'city', city, count(*) FROM m GROUP BY 2 ORDER BY 3 DESC LIMIT 10)`
	sqlPriceCurrency = `SELECT id, price_usd * $2, count(*) OVER () FROM bench_offers, websearch_to_tsquery('english', $1) q
		WHERE tsv @@ q ORDER BY price_usd NULLS LAST, id LIMIT 10`
	sqlDeepPage = `SELECT id, count(*) OVER () FROM bench_offers, websearch_to_tsquery('english', $1) q
		WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id OFFSET 5000 LIMIT 10`
	sqlGeo = `WITH m AS MATERIALIZED (SELECT id, city, 2 * 6371 * asin(sqrt(
			power(sin(radians(lat - $1) / 2), 2) + cos(radians($1)) * cos(radians(lat)) * power(sin(radians(lon - $2) / 2), 2))) AS km
			FROM bench_offers WHERE lat IS NOT NULL)
		(SELECT 'hit', id::text, 0::bigint FROM m WHERE km <= 500 ORDER BY km, id LIMIT 10)
		UNION ALL SELECT 'total', '', count(*) FROM m WHERE km <= 500
		UNION ALL (SELECT 'city', city, count(*) FROM m WHERE km <= 500 GROUP BY 2 ORDER BY 3 DESC LIMIT 10)`
	sqlNamesDeep = `SELECT type, id, count(*) OVER () FROM bench_names, plainto_tsquery('simple', $1) q
		WHERE tsv @@ q AND type <> 'treatment' ORDER BY ts_rank(tsv, q) DESC, id OFFSET 190 LIMIT 10`
	sqlSuggest = `SELECT type, id, name FROM bench_names, to_tsquery('simple', $1) q
		WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id LIMIT 8`

	// The same through RUM: the top of the rank order comes from the
	// index; the total, which every class returns, is a count beside it.
	sqlTextRUM = `WITH n AS MATERIALIZED (SELECT count(*) AS n FROM bench_offers_rum
			WHERE tsv @@ websearch_to_tsquery('english', $1))
		SELECT id, n.n FROM bench_offers_rum, n WHERE tsv @@ websearch_to_tsquery('english', $1)
		ORDER BY tsv <=> websearch_to_tsquery('english', $1) LIMIT 10`
	sqlDeepPageRUM = `WITH n AS MATERIALIZED (SELECT count(*) AS n FROM bench_offers_rum
			WHERE tsv @@ websearch_to_tsquery('english', $1))
		SELECT id, n.n FROM bench_offers_rum, n WHERE tsv @@ websearch_to_tsquery('english', $1)
		ORDER BY tsv <=> websearch_to_tsquery('english', $1) OFFSET 5000 LIMIT 10`
	sqlNamesDeepRUM = `WITH n AS MATERIALIZED (SELECT count(*) AS n FROM bench_names_rum
			WHERE tsv @@ plainto_tsquery('simple', $1) AND type <> 'treatment')
		SELECT type, id, n.n FROM bench_names_rum, n WHERE tsv @@ plainto_tsquery('simple', $1) AND type <> 'treatment'
		ORDER BY tsv <=> plainto_tsquery('simple', $1) OFFSET 190 LIMIT 10`
	sqlSuggestRUM = `SELECT r.type, r.id, b.name FROM (SELECT type, id FROM bench_names_rum
			WHERE tsv @@ to_tsquery('simple', $1) ORDER BY tsv <=> to_tsquery('simple', $1) LIMIT 8) r
		JOIN bench_names b ON b.type = r.type AND b.id = r.id`
)

// benchClasses picks the query mix from the catalogue itself, so it fits
// whatever catalogue is loaded: the lay names of the most offered
// treatments, the commonest country and category pairs, categories holding
// over 10% of the offers.
//
// pickDeep keeps the terms that match at least n offers: PostgreSQL's
// count when its side is measured, else CareAtlas's own (countOffers).
func benchClasses(ctx context.Context, pool *pgxpool.Pool, offers int64,
	pickDeep func(terms []string, n int) ([]string, error)) ([]*benchClass, error) {
	terms, err := strings1(ctx, pool, `SELECT l FROM (
			SELECT DISTINCT ON (lower(l)) l, n FROM (
				SELECT t.id, l, count(*) AS n FROM treatments t JOIN offers o ON o.treatment_id = t.id,
					unnest(t.lay_names) l WHERE length(l) BETWEEN 5 AND 30 GROUP BY t.id, l) x
			ORDER BY lower(l), n DESC) y
		ORDER BY n DESC, l LIMIT 20`)
	if err != nil || len(terms) == 0 {
		return nil, fmt.Errorf("pick text queries (treatments need lay names): %v", err)
	}
	var pairs [][2]string
	rows, err := pool.Query(ctx, `SELECT f.country_code, t.category FROM offers o
		JOIN facilities f ON f.id = o.facility_id JOIN treatments t ON t.id = o.treatment_id
		GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("pick filter queries: %w", err)
	}
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		pairs = append(pairs, p)
	}
	broad, err := strings1(ctx, pool, `SELECT t.category FROM offers o JOIN treatments t ON t.id = o.treatment_id
		GROUP BY 1 HAVING count(*) > $1 ORDER BY count(*) DESC, 1`, offers/10)
	if err != nil {
		return nil, fmt.Errorf("pick broad queries: %w", err)
	}
	deep, err := pickDeep(terms, 5010)
	if err != nil {
		return nil, fmt.Errorf("pick deep-page queries: %w", err)
	}
	var eurRate float64
	if err := pool.QueryRow(ctx, `SELECT coalesce((SELECT rate::float8 FROM exchange_rates WHERE currency = 'EUR'
		ORDER BY as_of DESC LIMIT 1), 0)`).Scan(&eurRate); err != nil || eurRate == 0 {
		return nil, fmt.Errorf("the catalogue needs an EUR exchange rate: %v", err)
	}

	text := &benchClass{name: "text", desc: "text only, top 10 by relevance, with total", sql: sqlText, rumSQL: sqlTextRUM}
	facets := &benchClass{name: "text_facets", desc: "text + facets country, category, kind", sql: sqlTextFacets}
	price := &benchClass{name: "price_currency", desc: "text, sorted by price, shown in EUR", sql: sqlPriceCurrency}
	deepPage := &benchClass{name: "deep_page", desc: "text, page at offset 5000", sql: sqlDeepPage, rumSQL: sqlDeepPageRUM}
	suggest := &benchClass{name: "suggest", desc: "autocomplete from a 2 to 7 character prefix", sql: sqlSuggest,
		rumSQL: sqlSuggestRUM}
	for _, t := range terms {
		q := url.QueryEscape(t)
		text.add("/v1/search?type=offer&q="+q, t)
		facets.add("/v1/search?type=offer&facets=country,category,kind&q="+q, t)
		price.add("/v1/search?type=offer&sort=price_asc&currency=EUR&q="+q, t, eurRate)
		prefix := prefixOf(t)
		suggest.add("/v1/suggest?q="+url.QueryEscape(prefix), prefixQuery(prefix))
	}
	for _, t := range deep {
		deepPage.add("/v1/search?type=offer&page=501&per_page=10&q="+url.QueryEscape(t), t)
	}
	filters := &benchClass{name: "filters", desc: "country + category, sorted by price, with total", sql: sqlFilters}
	for _, p := range pairs {
		filters.add(fmt.Sprintf("/v1/search?type=offer&sort=price_asc&country=%s&category=%s",
			url.QueryEscape(p[0]), url.QueryEscape(p[1])), p[0], p[1])
	}
	broadFacets := &benchClass{name: "broad_facets", desc: "a category holding >10% of offers + facets country, kind, city", sql: sqlBroad}
	for _, b := range broad {
		broadFacets.add("/v1/search?type=offer&sort=rating&facets=country,kind,city&category="+url.QueryEscape(b), b)
	}
	patient, err := patientClasses(ctx, pool, terms)
	if err != nil {
		return nil, err
	}
	var out []*benchClass
	for _, c := range append([]*benchClass{text, facets, filters, broadFacets, price, deepPage, suggest}, patient...) {
		if len(c.paths) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// slowest names the n queries of paths with the highest median latency in
// lat (sample i ran paths[i%len(paths)]): at 200 samples over 20 queries a
// p99 is one query's, and these say which.
func slowest(paths []string, lat []time.Duration, n int) []slowQuery {
	by := make([][]time.Duration, len(paths))
	for i, d := range lat {
		by[i%len(paths)] = append(by[i%len(paths)], d)
	}
	var out []slowQuery
	for i, ds := range by {
		if len(ds) > 0 {
			out = append(out, slowQuery{Path: paths[i], P50: percentile(ds, .5), Max: percentile(ds, 1)})
		}
	}
	slices.SortFunc(out, func(a, b slowQuery) int { return cmp.Compare(b.P50, a.P50) })
	return out[:min(n, len(out))]
}

func (c *benchClass) add(path string, args ...any) {
	c.paths = append(c.paths, path)
	c.args = append(c.args, args)
}

func strings1(ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) ([]string, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// postgresDeep keeps the terms PostgreSQL's full-text search finds in at
// least n offers.
func postgresDeep(ctx context.Context, pool *pgxpool.Pool) func([]string, int) ([]string, error) {
	return func(terms []string, n int) ([]string, error) {
		return strings1(ctx, pool, `SELECT term FROM unnest($1::text[]) term
			WHERE (SELECT count(*) FROM bench_offers WHERE tsv @@ websearch_to_tsquery('english', term)) >= $2`, terms, n)
	}
}

// servedDeep keeps the terms the CareAtlas server at base finds in at
// least n offers (its facets-only answer's total).
func servedDeep(base string) func([]string, int) ([]string, error) {
	return func(terms []string, n int) ([]string, error) {
		var out []string
		for _, t := range terms {
			var body struct {
				Total int `json:"total"`
			}
			resp, err := http.Get(base + "/v1/search?type=offer&per_page=0&q=" + url.QueryEscape(t))
			if err != nil {
				return nil, err
			}
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("count offers matching %q: status %d: %v", t, resp.StatusCode, err)
			}
			if body.Total >= n {
				out = append(out, t)
			}
		}
		return out, nil
	}
}

// prefixOf is what a patient has typed a few keystrokes into a term: its
// first word cut to 2–5 characters, plus the start of the second word when
// there is one ("knee replacement" → "knee r").
func prefixOf(term string) string {
	words := strings.Fields(term)
	first := []rune(words[0])
	if len(words) > 1 {
		return string(first) + " " + string([]rune(words[1])[:1])
	}
	return string(first[:min(len(first), 2+len(first)%4)])
}

// prefixQuery turns a prefix into a tsquery where every word is a prefix.
func prefixQuery(prefix string) string {
	var parts []string
	for _, w := range strings.Fields(strings.ToLower(prefix)) {
		w = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, w)
		if w != "" {
			parts = append(parts, w+":*")
		}
	}
	return strings.Join(parts, " & ")
}

// patientClasses are the queries patients type beyond single treatments:
// lay phrases of three words or more over every type, a 500 km radius
// around a city with a city facet, facility and doctor names with a deep
// page, queries in another language, and misspelt queries.
func patientClasses(ctx context.Context, pool *pgxpool.Pool, terms []string) ([]*benchClass, error) {
	phrases, err := strings1(ctx, pool, `SELECT l FROM (
			SELECT DISTINCT ON (lower(l)) l, n FROM (
				SELECT l, count(*) AS n FROM treatments t JOIN offers o ON o.treatment_id = t.id,
					unnest(t.lay_names) l WHERE array_length(regexp_split_to_array(trim(l), '\s+'), 1) >= 3
				GROUP BY l) x ORDER BY lower(l), n DESC) y
		ORDER BY n DESC, l LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("pick lay phrases: %w", err)
	}
	lay := &benchClass{name: "lay_phrase", desc: "lay phrase of 3+ words, every type", sql: sqlText, rumSQL: sqlTextRUM}
	for _, p := range phrases {
		lay.add("/v1/search?q="+url.QueryEscape(p), p)
	}

	geo := &benchClass{name: "geo_radius", desc: "500 km around a city, by distance, with a city facet", sql: sqlGeo}
	rows, err := pool.Query(ctx, `SELECT avg(latitude)::float8, avg(longitude)::float8 FROM facilities
		WHERE latitude IS NOT NULL AND city IS NOT NULL GROUP BY city, country_code ORDER BY count(*) DESC, city LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("pick places: %w", err)
	}
	for rows.Next() {
		var lat, lon float64
		if err := rows.Scan(&lat, &lon); err != nil {
			return nil, err
		}
		geo.add(fmt.Sprintf("/v1/search?type=offer&sort=distance&radius_km=500&facets=city&near=%.4f,%.4f", lat, lon), lat, lon)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	names, err := strings1(ctx, pool, `SELECT w FROM (
			SELECT lower(w) AS w, count(*) AS n FROM (
				SELECT regexp_split_to_table(name, '\s+') AS w FROM facilities
				UNION ALL SELECT regexp_split_to_table(name, '\s+') FROM doctors) x
			WHERE length(w) >= 4 AND w ~ '^[A-Za-z]+$' GROUP BY 1) y
		WHERE n BETWEEN 200 AND 2000 ORDER BY n DESC, w LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("pick names: %w", err)
	}
	// Names, not the generic words every name holds ("hospital", found in
	// 300,000 names, is a query the cost budget answers): words that 200 to
	// 2,000 facility and doctor names hold, enough for a 20th page.
	nameDeep := &benchClass{name: "names_deep", desc: "a name word of 200-2,000 facilities and doctors, page 20", sql: sqlNamesDeep,
		rumSQL: sqlNamesDeepRUM}
	for _, n := range names {
		nameDeep.add("/v1/search?type=facility,doctor&page=20&per_page=10&q="+url.QueryEscape(n), n)
	}

	other := &benchClass{name: "other_language", desc: "a treatment's name in a language other than English, with lang="}
	rows, err = pool.Query(ctx, `SELECT lang, name FROM (
			SELECT tt.lang, tt.name, row_number() OVER (PARTITION BY tt.lang ORDER BY count(*) DESC, tt.name) AS k
			FROM treatment_translations tt JOIN offers o ON o.treatment_id = tt.treatment_id
			GROUP BY tt.lang, tt.name) x WHERE k <= 5 ORDER BY lang, k`)
	if err != nil {
		return nil, fmt.Errorf("pick translated queries: %w", err)
	}
	for rows.Next() {
		var lang, name string
		if err := rows.Scan(&lang, &name); err != nil {
			return nil, err
		}
		other.add("/v1/search?type=offer&lang=" + lang + "&q=" + url.QueryEscape(name))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	typo := &benchClass{name: "misspelt", desc: "a lay name with one letter dropped from its longest word", sql: sqlText,
		rumSQL: sqlTextRUM}
	for _, t := range terms {
		m := misspell(t)
		typo.add("/v1/search?type=offer&q="+url.QueryEscape(m), m)
	}
	return []*benchClass{lay, geo, nameDeep, other, typo}, nil
}

// misspell drops the middle letter of the longest word of term, as a
// hurried patient does ("replacement" → "replaement").
func misspell(term string) string {
	words := strings.Fields(term)
	longest := 0
	for i, w := range words {
		if len([]rune(w)) > len([]rune(words[longest])) {
			longest = i
		}
	}
	r := []rune(words[longest])
	if len(r) >= 4 {
		words[longest] = string(r[:len(r)/2]) + string(r[len(r)/2+1:])
	}
	return strings.Join(words, " ")
}
