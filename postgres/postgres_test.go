package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

const mini = "../testdata/mini"

func connect(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Connect(context.Background(), pgtest.MustDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// tableCounts returns the row count of every catalogue table.
func tableCounts(t *testing.T, pool *pgxpool.Pool) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, tbl := range catalog.Tables {
		var n int64
		if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+tbl.Name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tbl.Name] = n
	}
	return out
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	pool := connect(t)
	stats, err := postgres.Load(ctx, pool, mini)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"exchange_rates": 5, "countries": 4, "treatments": 4, "facilities": 4,
		"doctors": 3, "doctor_treatments": 4, "offers": 7, "treatment_translations": 5, "synonyms": 5, "posts": 6,
		"price_references": 3}
	if !reflect.DeepEqual(stats.Rows, want) {
		t.Errorf("load reported %v, want %v", stats.Rows, want)
	}
	// Loading again replaces, not appends.
	if _, err := postgres.Load(ctx, pool, mini); err != nil {
		t.Fatal(err)
	}
	if got := tableCounts(t, pool); !reflect.DeepEqual(got, want) {
		t.Errorf("after a second load the tables hold %v, want %v", got, want)
	}
	var price float64
	var cur string
	var lay []string
	err = pool.QueryRow(ctx, `SELECT o.price::float8, o.currency, t.lay_names FROM offers o
		JOIN treatments t ON t.id = o.treatment_id WHERE o.id = 1004`).Scan(&price, &cur, &lay)
	if err != nil || price != 120000 || cur != "TRY" || !reflect.DeepEqual(lay, []string{"nose job", "nose reshaping"}) {
		t.Errorf("offer 1004 = %v %v %v (%v)", price, cur, lay, err)
	}
}

// brokenCopy copies the mini catalogue, replacing old with new in file.
func brokenCopy(t *testing.T, file, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	for _, tbl := range catalog.Tables {
		b, err := os.ReadFile(filepath.Join(mini, tbl.File))
		if err != nil {
			t.Fatal(err)
		}
		if tbl.File == file {
			if !strings.Contains(string(b), old) {
				t.Fatalf("%s has no %q", file, old)
			}
			b = []byte(strings.Replace(string(b), old, new, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, tbl.File), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadRejectsMalformedAndKeepsDatabase(t *testing.T) {
	ctx := context.Background()
	pool := connect(t)
	if _, err := postgres.Load(ctx, pool, mini); err != nil {
		t.Fatal(err)
	}
	before := tableCounts(t, pool)
	// The last table is where a half-load would show: every table before it
	// would already have been replaced.
	dir := brokenCopy(t, "offers.csv", "1005,13,4,4000,", "1005,13,4,4000x,")
	_, err := postgres.Load(ctx, pool, dir)
	var fe *catalog.FieldError
	if !errors.As(err, &fe) || fe.File != "offers.csv" || fe.Line != 7 || fe.Field != "price" {
		t.Fatalf("got %v, want an error at offers.csv line 7, field price", err)
	}
	if after := tableCounts(t, pool); !reflect.DeepEqual(after, before) {
		t.Errorf("a failed load changed the database: %v, was %v", after, before)
	}
	var name string
	if err := pool.QueryRow(ctx, `SELECT name FROM facilities WHERE id = 12`).Scan(&name); err != nil || name != "Istanbul Aesthetic Clinic" {
		t.Errorf("facility 12 after failed load: %q, %v", name, err)
	}
}

func TestSchemaGuardsDirectWrites(t *testing.T) {
	ctx := context.Background()
	pool := connect(t)
	if _, err := postgres.Load(ctx, pool, mini); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`INSERT INTO offers (id, facility_id, treatment_id, price, currency) VALUES (9, 10, 2, -1, 'USD')`,
		`INSERT INTO offers (id, facility_id, treatment_id, price, currency) VALUES (9, 999, 2, 1, 'USD')`,
		`INSERT INTO offers (id, facility_id, treatment_id, price) VALUES (9, 10, 2, 100)`,
		`INSERT INTO facilities (id, name, kind, country_code, latitude, longitude) VALUES (9, 'x', 'clinic', 'US', 91, 0)`,
		`INSERT INTO facilities (id, name, kind, country_code) VALUES (9, 'x', 'clinic', 'us')`,
		`INSERT INTO countries (code, name, currency) VALUES ('FR', 'France', 'euro')`,
		`INSERT INTO exchange_rates (currency, rate, as_of) VALUES ('CHF', 0, '2025-10-01')`,
		`INSERT INTO posts (id, facility_id, title, body, starts_at) VALUES (9, 10, 't', 'b', now())`,
		`INSERT INTO posts (id, facility_id, title, body, starts_at, ends_at, keywords) VALUES (9, 10, 't', 'b', now(), now() - interval '1 day', '{knee}')`,
		`INSERT INTO posts (id, facility_id, title, body, starts_at, keywords) VALUES (9, 999, 't', 'b', now(), '{knee}')`,
		`INSERT INTO treatment_translations (treatment_id, lang, name) VALUES (3, 'xx', 'Infarto')`,
		`INSERT INTO treatment_translations (treatment_id, lang, name) VALUES (3, 'de', '')`,
		`INSERT INTO treatment_translations (treatment_id, lang, name) VALUES (99, 'de', 'Herzinfarkt')`,
		`INSERT INTO treatment_translations (treatment_id, lang, name) VALUES (2, 'tr', 'Burun estetiği')`,
		`INSERT INTO synonyms (term, synonym, source) VALUES ('Boob job', 'breast augmentation', 'curated')`,
		`INSERT INTO synonyms (term, synonym, source) VALUES ('boob  job', 'breast augmentation', 'curated')`,
		`INSERT INTO synonyms (term, synonym, source) VALUES (' boob job', 'breast augmentation', 'curated')`,
		`INSERT INTO synonyms (term, synonym, source) VALUES ('boob job', '', 'curated')`,
		`INSERT INTO synonyms (term, synonym, source) VALUES ('boob job', 'boob job', 'curated')`,
		`INSERT INTO synonyms (term, synonym, source) VALUES ('boob job', 'breast augmentation', 'forum')`,
		`INSERT INTO synonyms (term, synonym, source) VALUES ('nose job', 'rhinoplasty', 'curated')`,
	} {
		if _, err := pool.Exec(ctx, sql); err == nil {
			t.Errorf("the schema accepted %s", sql)
		}
	}
	for _, table := range []string{"offers", "treatment_translations", "synonyms"} {
		var updated bool
		if err := pool.QueryRow(ctx, `SELECT bool_and(updated_at IS NOT NULL) FROM `+table).Scan(&updated); err != nil || !updated {
			t.Errorf("%s lack updated_at: %v", table, err)
		}
	}
	// Deleting a treatment takes its translations with it.
	if _, err := pool.Exec(ctx, `DELETE FROM treatments WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM treatment_translations WHERE treatment_id = 2`).Scan(&n); err != nil || n != 0 {
		t.Errorf("treatment 2 left %d translations (%v)", n, err)
	}
}

// TestSchemaAcceptsEverySupportedLanguage writes a translation and a post in
// each language search supports: the schema's language checks (migration
// 0010) must list exactly search.Languages, since a check cannot ask Go.
func TestSchemaAcceptsEverySupportedLanguage(t *testing.T) {
	ctx := context.Background()
	pool := connect(t)
	if _, err := postgres.Load(ctx, pool, mini); err != nil {
		t.Fatal(err)
	}
	for i, lang := range search.Languages {
		if lang != search.LangEnglish {
			if _, err := pool.Exec(ctx, `INSERT INTO treatment_translations (treatment_id, lang, name)
				VALUES (3, $1, 'x') ON CONFLICT (treatment_id, lang) DO NOTHING`, lang); err != nil {
				t.Errorf("translation in %s: %v", lang, err)
			}
		}
		if _, err := pool.Exec(ctx, `INSERT INTO posts (id, facility_id, title, body, starts_at, keywords, lang)
			VALUES ($1, 10, 't', 'b', now(), '{knee}', $2)`, 1000+i, lang); err != nil {
			t.Errorf("post in %s: %v", lang, err)
		}
	}
	// And no more: each check lists as many languages as it accepted.
	for check, want := range map[string]int{"treatment_translations_lang_check": len(search.Languages) - 1,
		"posts_lang_check": len(search.Languages)} {
		var def string
		if err := pool.QueryRow(ctx, `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1`,
			check).Scan(&def); err != nil {
			t.Fatalf("%s: %v", check, err)
		}
		if n := strings.Count(def, "'::text"); n != want {
			t.Errorf("%s lists %d languages, want %d: %s", check, n, want, def)
		}
	}
}

// collect returns every record a source yields.
func collect(t *testing.T, src indexer.Source) []*search.Record {
	t.Helper()
	ctx := context.Background()
	rates, err := src.Rates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*search.Record
	if err := src.Records(ctx, rates, func(r *search.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	n, err := src.Count(ctx)
	if err != nil || n != len(out) {
		t.Errorf("Count = %d (%v), but Records yielded %d", n, err, len(out))
	}
	return out
}

// TestSourcesAgree checks that PostgreSQL and the catalogue files make the
// same documents, so the demo index is the index an operator would get.
func TestSourcesAgree(t *testing.T) {
	pool := connect(t)
	if _, err := postgres.Load(context.Background(), pool, mini); err != nil {
		t.Fatal(err)
	}
	fromDB := collect(t, postgres.Source{Pool: pool})
	fromFiles := collect(t, &indexer.FileSource{Dir: mini})
	if len(fromDB) != 18 {
		t.Errorf("got %d records, want 18", len(fromDB))
	}
	CompareRecords(t, fromDB, fromFiles)
	dbPosts, err := postgres.Source{Pool: pool}.Posts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	filePosts, err := (&indexer.FileSource{Dir: mini}).Posts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(dbPosts)
	b, _ := json.Marshal(filePosts)
	if string(a) != string(b) || len(dbPosts.Posts) != 6 {
		t.Errorf("posts differ:\n%s\n%s", a, b)
	}
	wantTranslations := map[int64]map[string]search.Translation{
		1: {"de": {Name: "Gelenkersatz an Hüfte oder Knie", LayNames: []string{"Knieprothese", "Hüftprothese", "künstliches Kniegelenk"}},
			"es": {Name: "Reemplazo articular de cadera o rodilla", LayNames: []string{"prótesis de rodilla", "prótesis de cadera"}}},
		2: {"tr": {Name: "Rinoplasti", LayNames: []string{"burun estetiği"}}, "fr": {Name: "Rhinoplastie"}},
		3: nil,
		4: {"es": {Name: "Fecundación in vitro (FIV)", LayNames: []string{"FIV", "bebé probeta"}}},
	}
	for _, r := range fromDB {
		if want, ok := wantTranslations[r.ID]; ok && r.Type == search.TypeTreatment && !reflect.DeepEqual(r.Translations, want) {
			t.Errorf("treatment %d translations = %+v, want %+v", r.ID, r.Translations, want)
		}
	}
	dbRates, _ := postgres.Source{Pool: pool}.Rates(context.Background())
	fileRates, _ := (&indexer.FileSource{Dir: mini}).Rates(context.Background())
	if !reflect.DeepEqual(dbRates.Rates, fileRates.Rates) || !dbRates.AsOf.Equal(fileRates.AsOf) || dbRates.Rates["EUR"] != 0.8 {
		t.Errorf("rates differ or are not the latest: %+v vs %+v", dbRates, fileRates)
	}
}

// CompareRecords fails t at the first record that differs.
func CompareRecords(t *testing.T, a, b []*search.Record) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d records vs %d", len(a), len(b))
	}
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Fatalf("record %d differs:\n%+v\n%+v", i, *a[i], *b[i])
		}
	}
}

// failingSource yields some records and then fails, like a connection lost
// halfway through a build.
type failingSource struct{ indexer.Source }

func (s failingSource) Records(ctx context.Context, rates search.Rates, yield func(*search.Record) error) error {
	n := 0
	return s.Source.Records(ctx, rates, func(r *search.Record) error {
		if n++; n > 10 {
			return errors.New("connection reset")
		}
		return yield(r)
	})
}

func TestFailedBuildKeepsLiveIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, err := indexer.Build(ctx, &indexer.FileSource{Dir: mini}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = indexer.Build(ctx, failingSource{&indexer.FileSource{Dir: mini}}, dir, nil)
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("got %v, want the source's error", err)
	}
	cur, err := search.Current(dir)
	if err != nil || cur != first.Path {
		t.Errorf("current = %q (%v), want the first build %q", cur, err, first.Path)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".building") {
			t.Errorf("failed build left %s behind", e.Name())
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := indexer.Build(cancelled, &indexer.FileSource{Dir: mini}, dir, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled build: got %v", err)
	}
	if cur, _ := search.Current(dir); cur != first.Path {
		t.Errorf("a cancelled build changed the live index to %s", cur)
	}
}

func TestBuildFromPostgres(t *testing.T) {
	ctx := context.Background()
	pool := connect(t)
	if _, err := postgres.Load(ctx, pool, mini); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var calls, lastDone, lastTotal int
	stats, err := indexer.Build(ctx, postgres.Source{Pool: pool}, dir, func(done, total int) {
		calls++
		lastDone, lastTotal = done, total
	})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Docs != 18 || lastDone != 18 || lastTotal != 18 || calls < 2 {
		t.Errorf("stats %+v, progress %d/%d in %d calls", stats, lastDone, lastTotal, calls)
	}
	ix, err := search.Open(stats.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n, _ := ix.DocCount(); n != 18 {
		t.Errorf("index holds %d docs, want 18", n)
	}
	// Two more builds: only the live generation and the one before remain.
	for range 2 {
		if _, err := indexer.Build(ctx, postgres.Source{Pool: pool}, dir, nil); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var gens []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "gen-") {
			gens = append(gens, e.Name())
		}
	}
	if len(gens) != 2 {
		t.Errorf("generations left: %v, want 2", gens)
	}
}

// TestSourcesAgreeOnBundledCatalogue repeats the comparison on the whole
// bundled catalogue, where every kind of row (unpriced offers, ranges,
// doctors without treatments, facilities without coordinates) occurs.
func TestSourcesAgreeOnBundledCatalogue(t *testing.T) {
	pool := connect(t)
	if _, err := postgres.Load(context.Background(), pool, bundled); err != nil {
		t.Fatal(err)
	}
	fromDB := collect(t, postgres.Source{Pool: pool})
	if len(fromDB) < 25000 {
		t.Errorf("only %d records from the bundled catalogue", len(fromDB))
	}
	CompareRecords(t, fromDB, collect(t, &indexer.FileSource{Dir: bundled}))
	translated := 0
	for _, r := range fromDB {
		if r.Type == search.TypeTreatment && len(r.Translations) == len(search.Languages)-1 {
			translated++
		}
		if r.Type == search.TypeTreatment && r.Name == "Knee replacement" {
			if !slices.Contains(r.Translations["de"].LayNames, "Knie-TEP") {
				t.Errorf("knee replacement's German lay names: %v", r.Translations["de"].LayNames)
			}
			// Right-to-left text through COPY and back, unchanged.
			if got := r.Translations["ar"].Name; got != "استبدال مفصل الركبة" {
				t.Errorf("knee replacement's Arabic name: %q", got)
			}
		}
	}
	if translated < 40 {
		t.Errorf("%d treatments translated into every language but English (%v), want at least 40",
			translated, search.Languages[1:])
	}
}

// TestSourceSharesRecurringStrings: the records read for changes, which an
// overlay keeps, share one copy of a string that recurs from record to
// record (a clinic's name and country on each of its offers, a
// treatment's name and category), so an overlay holding thousands of them
// is not thousands of small objects each.
func TestSourceSharesRecurringStrings(t *testing.T) {
	pool := connect(t)
	ctx := context.Background()
	if _, err := postgres.Load(ctx, pool, mini); err != nil {
		t.Fatal(err)
	}
	src := postgres.Source{Pool: pool}
	rates, err := src.Rates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var offers []*search.Record
	var ids []int64
	for _, r := range collect(t, src) {
		if r.Type == search.TypeOffer {
			ids = append(ids, r.ID)
		}
	}
	err = src.RecordsByID(ctx, rates, search.TypeOffer, ids, func(_ int64, r *search.Record) error {
		offers = append(offers, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]*byte{}
	shared, checked := 0, 0
	check := func(s string) {
		if s == "" {
			return
		}
		checked++
		if p, ok := seen[s]; !ok {
			seen[s] = unsafe.StringData(s)
		} else if p == unsafe.StringData(s) {
			shared++
		} else {
			t.Errorf("%q read twice into two copies", s)
		}
	}
	for _, r := range offers {
		check(r.Treatment.Name)
		check(r.Treatment.Category)
		check(r.Facility.Name)
		check(r.Facility.Country)
		check(r.Facility.City)
		for _, l := range r.Facility.Languages {
			check(l)
		}
	}
	if shared == 0 {
		t.Fatalf("no string recurred among the %d read from %d offers: the catalogue should have clinics with several offers",
			checked, len(offers))
	}
}
