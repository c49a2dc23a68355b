package postgres_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/search"
	"github.com/jackc/pgx/v5/pgxpool"
)

// snapshot is every record of a catalogue, by search.DocID.
type snapshot map[string]*search.Record

func fullBuild(t *testing.T, pool *pgxpool.Pool) snapshot {
	t.Helper()
	out := snapshot{}
	for _, r := range collect(t, postgres.Source{Pool: pool}) {
		out[search.DocID(r.Type, r.ID)] = r
	}
	return out
}

// TestRecordsByIDBuildsAsAFullBuild: a record read by id is the record a
// full build makes, and an id with no row comes back as a deletion.
func TestRecordsByIDBuildsAsAFullBuild(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	src := postgres.Source{Pool: pool}
	full := fullBuild(t, pool)
	rates, err := src.Rates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range search.Types {
		ids := []int64{999999}
		for _, r := range full {
			if r.Type == typ {
				ids = append(ids, r.ID, r.ID) // duplicates are read once
			}
		}
		var got []int64
		err := src.RecordsByID(ctx, rates, typ, ids, func(id int64, r *search.Record) error {
			got = append(got, id)
			if id == 999999 {
				if r != nil {
					t.Errorf("%s %d does not exist, but came back as %+v", typ, id, r)
				}
				return nil
			}
			if want := full[search.DocID(typ, id)]; !reflect.DeepEqual(r, want) {
				t.Errorf("%s %d by id:\n%+v\nin a full build:\n%+v", typ, id, r, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSorted(got) || len(got) != len(ids)/2+1 {
			t.Errorf("%s: yielded %v", typ, got)
		}
	}
	if err := src.RecordsByID(ctx, rates, "clinic", []int64{1}, func(int64, *search.Record) error { return nil }); err == nil {
		t.Error("an unknown record type was accepted")
	}
}

// TestImpactKeepsRecordsEqualToARebuild is the property the overlay rests
// on: start from a full build, make random inserts, updates and deletes on
// every table, then apply the change log batch by batch (Impact, then
// RecordsByID): the records equal a full build of the same rows.
func TestImpactKeepsRecordsEqualToARebuild(t *testing.T) {
	ctx := context.Background()
	pool, pos := withMini(t)
	src := postgres.Source{Pool: pool}
	held := fullBuild(t, pool)
	rng := rand.New(rand.NewPCG(12, 1))
	writes, written, patched := 0, 0, 0
	for round := range 12 {
		for i := range 60 {
			sql := pgtest.RandomWrite(rng, miniIDs)
			if i%2 == 0 {
				// The catalogue's offers come and go: half the writes
				// change the row of one that is there now, as most writes
				// do (the random ones hit few offers before they go).
				set := []string{
					fmt.Sprintf("price = %d", 100+rng.IntN(9000)),
					fmt.Sprintf("price = NULL, price_min = %d, price_max = %d, includes = 'hotel'", 100+rng.IntN(900), 1000+rng.IntN(900)),
					fmt.Sprintf("price = %d, price_min = NULL, price_max = NULL, includes = NULL, source = 'list %d'", 100+rng.IntN(900), rng.IntN(9)),
				}[rng.IntN(3)]
				sql = fmt.Sprintf(`UPDATE offers SET %s WHERE id = (SELECT id FROM offers ORDER BY id
					OFFSET %d %% greatest((SELECT count(*) FROM offers), 1) LIMIT 1)`, set, rng.IntN(100))
				if rng.IntN(4) == 0 { // or a facility's, a new review most often
					sql = fmt.Sprintf(`UPDATE facilities SET review_count = %d, rating = %d.5, website = 'w%d' WHERE id =
						(SELECT id FROM facilities ORDER BY id OFFSET %d %% greatest((SELECT count(*) FROM facilities), 1) LIMIT 1)`,
						rng.IntN(500), rng.IntN(5), rng.IntN(9), rng.IntN(100))
				}
			}
			writes++
			if _, err := pool.Exec(ctx, sql); err == nil {
				written++ // constraint violations are part of the game
			}
		}
		// Read as a follower does, in batches of any size, then apply
		// them one by one.
		changes, next := readAll(t, pool, pos)
		pos = next
		n := len(changes)
		for len(changes) > 0 {
			k := min(len(changes), 1+rng.IntN(15))
			applyBatch(t, src, held, changes[:k], &patched)
			changes = changes[k:]
		}
		want := fullBuild(t, pool)
		for key, w := range want {
			if g := held[key]; !reflect.DeepEqual(g, w) {
				t.Fatalf("round %d: %s after applying the log:\n%+v\nrebuilt:\n%+v", round, key, g, w)
			}
		}
		for key := range held {
			if want[key] == nil {
				t.Fatalf("round %d: %s is gone from the catalogue but not from the applied records", round, key)
			}
		}
		t.Logf("round %d: %d changes, %d records", round, n, len(want))
	}
	t.Logf("%d records patched from their own row", patched)
	if patched == 0 {
		t.Error("no record was patched from its own row: the test exercises too little")
	}
	if written < writes/3 {
		t.Errorf("only %d of %d random writes succeeded: the test exercises too little", written, writes)
	}
}

// applyBatch does what a server does with a batch of changes.
// patched counts the records patched from their own row.
func applyBatch(t *testing.T, src postgres.Source, held snapshot, batch []postgres.Change, patched *int) {
	t.Helper()
	ctx := context.Background()
	im, err := src.Impact(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if im.Rebuild() {
		t.Fatalf("a batch of row changes asks for a rebuild: %+v", im)
	}
	rates, err := src.Rates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	read := func(want map[string][]int64) {
		types := make([]string, 0, len(want))
		for typ := range want {
			types = append(types, typ)
		}
		sort.Strings(types)
		for _, typ := range types {
			err := src.RecordsByID(ctx, rates, typ, want[typ], func(id int64, r *search.Record) error {
				if r == nil {
					delete(held, search.DocID(typ, id))
				} else {
					held[search.DocID(typ, id)] = r
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	read(im.Records)
	// An offer changed in its own row alone is patched into the record
	// held, or read whole when none held shows its facility and treatment
	// (live.Changes.Patched).
	whole := map[string][]int64{}
	inBatch := map[string]bool{} // what the server's segment holds before Needs
	for typ, ids := range im.Records {
		for _, id := range ids {
			inBatch[search.DocID(typ, id)] = true
		}
	}
	for _, row := range im.Offers {
		key := search.DocID(search.TypeOffer, row.ID)
		inBatch[key] = true
		if r := indexer.PatchOffer(held[key], row); r != nil {
			held[key] = r
			*patched++
		} else {
			whole[search.TypeOffer] = append(whole[search.TypeOffer], row.ID)
		}
	}
	changedFacilities := slices.Clone(im.Records[search.TypeFacility])
	for _, row := range im.Facilities {
		key := search.DocID(search.TypeFacility, row.ID)
		inBatch[key] = true
		changedFacilities = append(changedFacilities, row.ID)
		if r := indexer.PatchFacility(held[key], row.Facility, row.CountryName); r != nil {
			held[key] = r
			*patched++
		} else {
			whole[search.TypeFacility] = append(whole[search.TypeFacility], row.ID)
		}
	}
	read(whole)
	// What the server adds (search.Overlay): the offers and doctors of a
	// facility read now are re-read when they show it otherwise, and
	// take its rating and review count when those alone changed; but not
	// those the batch holds already (Needs leaves them out).
	again := map[string][]int64{}
	for _, id := range changedFacilities {
		f := held[search.DocID(search.TypeFacility, id)]
		if f == nil {
			continue
		}
		for key, r := range held {
			if r.Facility == nil || r.Facility.ID != id || r.Type != search.TypeOffer && r.Type != search.TypeDoctor || inBatch[key] {
				continue
			}
			shown := *r.Facility
			shown.Rating, shown.ReviewCount = nil, nil
			now := search.FacilityRef{ID: f.ID, Name: f.Name, Kind: f.Kind, City: f.City, Country: f.Country,
				CountryName: f.CountryName, Location: f.Location, Accreditations: f.Accreditations, Languages: f.Languages}
			if !reflect.DeepEqual(shown, now) {
				again[r.Type] = append(again[r.Type], r.ID)
				continue
			}
			c, ref := *r, *r.Facility
			ref.Rating, ref.ReviewCount = f.Rating, f.ReviewCount
			c.Facility = &ref
			held[key] = &c
		}
	}
	read(again)
	// And it counts the offers of the treatments in Counts itself, from
	// the offers it holds (search.Overlay.Recount).
	for _, id := range im.Counts {
		key := search.DocID(search.TypeTreatment, id)
		tr := held[key]
		if tr == nil {
			continue
		}
		n, stats := 0, map[string]*search.PriceStat{}
		for _, r := range held {
			if r.Type != search.TypeOffer || r.Treatment == nil || r.Treatment.ID != id {
				continue
			}
			n++
			var amount float64
			var cur string
			switch {
			case r.Price != nil:
				amount, cur = r.Price.Amount, r.Price.Currency
			case r.PriceRange != nil:
				amount, cur = r.PriceRange.Min, r.PriceRange.Currency
			default:
				continue
			}
			if st := stats[cur]; st == nil {
				stats[cur] = &search.PriceStat{Currency: cur, Min: amount, Max: amount}
			} else {
				st.Min, st.Max = min(st.Min, amount), max(st.Max, amount)
			}
		}
		var list []search.PriceStat
		for _, st := range stats {
			list = append(list, *st)
		}
		c := *tr
		c.OfferCount, c.PriceSpan = n, search.PriceSpan(list, rates)
		held[key] = &c
	}
}

// TestImpact pins the fan-out of each kind of change on the mini
// catalogue.
func TestImpact(t *testing.T) {
	ctx := context.Background()
	type records = map[string][]int64
	cases := []struct {
		name  string
		sql   []string
		want  records
		check func(postgres.Impact) bool
	}{
		// "counts" is Impact.Counts: the treatments whose offers changed,
		// counted by the server (or read, by one that cannot). "rows" is
		// Impact.Offers: the offers patched from their own row.
		{"an offer's price: its row, patched in, and its treatment's span, not its facility (which lists treatments, not prices)", []string{
			`UPDATE offers SET price = 1 WHERE id = 1000`},
			records{"rows": {1000}, "counts": {1}},
			func(im postgres.Impact) bool { return *im.Offers[0].Price == 1 && im.Offers[0].FacilityID == 10 }},
		{"an offer's price changed twice: still not its facility", []string{
			`UPDATE offers SET price = 1 WHERE id = 1000`, `UPDATE offers SET price = 2, includes = 'hotel' WHERE id = 1000`},
			records{"rows": {1000}, "counts": {1}},
			func(im postgres.Impact) bool { return *im.Offers[0].Price == 2 && im.Offers[0].Includes == "hotel" }},
		{"an offer's price and a doctor of its treatment at its facility: read whole", []string{
			`UPDATE offers SET price = 1 WHERE id = 1000`, `DELETE FROM doctor_treatments WHERE doctor_id = 100 AND treatment_id = 1`},
			records{"offer": {1000}, "doctor": {100}, "counts": {1}}, nil},
		{"an offer's price, then deleted: read (as gone), not patched", []string{
			`UPDATE offers SET price = 1 WHERE id = 1000`, `DELETE FROM offers WHERE id = 1000`},
			records{"offer": {1000}, "facility": {10}, "counts": {1}}, nil},
		{"an offer added: its facility offers one more treatment", []string{
			`INSERT INTO offers (id, facility_id, treatment_id, price, currency) VALUES (1999, 13, 1, 100, 'EUR')`},
			records{"offer": {1999}, "counts": {1}, "facility": {13}}, nil},
		{"an offer deleted: its facility offers one less", []string{
			`DELETE FROM offers WHERE id = 1000`},
			records{"offer": {1000}, "counts": {1}, "facility": {10}}, nil},
		{"an offer moved and moved back in one batch: both facilities", []string{
			`UPDATE offers SET facility_id = 13 WHERE id = 1000`, `UPDATE offers SET facility_id = 10 WHERE id = 1000`},
			records{"offer": {1000}, "counts": {1}, "facility": {10, 13}}, nil},
		{"an offer moves: both facilities and both treatments", []string{
			`UPDATE offers SET facility_id = 13, treatment_id = 2 WHERE id = 1002`},
			records{"offer": {1002}, "counts": {2, 3}, "facility": {10, 13}}, nil},
		{"an offer and its treatment: the treatment is read, not counted", []string{
			`UPDATE offers SET price = 1 WHERE id = 1000`, `UPDATE treatments SET code = 'X1' WHERE id = 1`},
			records{"offer": {1000, 1001}, "treatment": {1}, "facility": {10, 11}, "doctor": {100, 102}}, nil},
		{"a treatment renamed reaches every offer, facility and doctor showing it", []string{
			`UPDATE treatments SET name = 'Knee replacement' WHERE id = 1`},
			records{"treatment": {1}, "offer": {1000, 1001}, "facility": {10, 11}, "doctor": {100, 102}}, nil},
		{"a translation: only the treatment (offers join to it for text)", []string{
			`UPDATE treatment_translations SET name = 'Rinoplastia' WHERE treatment_id = 2 AND lang = 'tr'`},
			records{"treatment": {2}}, nil},
		{"a facility: its row, patched in (the server re-reads its offers and doctors when they show it otherwise)", []string{
			`UPDATE facilities SET accreditations = '{JCI}' WHERE id = 10`},
			records{"facility rows": {10}},
			func(im postgres.Impact) bool {
				return slices.Equal(im.Facilities[0].Accreditations, []string{"JCI"}) && im.Facilities[0].CountryName != ""
			}},
		{"a facility and an offer of it added: read whole (it lists the offer's treatment)", []string{
			`UPDATE facilities SET review_count = 7 WHERE id = 13`,
			`INSERT INTO offers (id, facility_id, treatment_id, price, currency) VALUES (1999, 13, 1, 100, 'EUR')`},
			records{"offer": {1999}, "counts": {1}, "facility": {13}}, nil},
		{"a facility and an offer of it repriced: the facility patched, the offer read whole (it shows the facility)", []string{
			`UPDATE facilities SET name = 'Renamed' WHERE id = 10`, `UPDATE offers SET price = 1 WHERE id = 1000`},
			records{"offer": {1000}, "facility rows": {10}, "counts": {1}}, nil},
		{"a facility updated, then deleted: read (as gone), with its offer", []string{
			`UPDATE facilities SET review_count = 7 WHERE id = 13`, `DELETE FROM facilities WHERE id = 13`},
			records{"facility": {13}, "offer": {1005}, "counts": {4}}, nil},
		{"a doctor deleted: its facility and the facility's offers", []string{
			`DELETE FROM doctors WHERE id = 101`},
			records{"doctor": {101}, "facility": {12}, "offer": {1004, 1006}}, nil},
		{"a doctor takes up a treatment: the offer of it at the doctor's facility", []string{
			`INSERT INTO doctor_treatments VALUES (100, 3)`},
			records{"doctor": {100}, "offer": {1002}}, nil},
		{"a country renamed: its facilities, their offers and doctors, and posts", []string{
			`UPDATE countries SET name = 'Türkiye' WHERE code = 'TR'`},
			records{"facility": {12}, "offer": {1004, 1006}, "doctor": {101}},
			func(im postgres.Impact) bool { return im.Posts }},
		{"a rate: the currency (whose offers and treatments the server finds)", []string{
			`INSERT INTO exchange_rates VALUES ('TRY', 41, '2025-11-01')`},
			nil,
			func(im postgres.Impact) bool { return im.Rates && reflect.DeepEqual(im.Currencies, []string{"TRY"}) }},
		{"a price reference: its treatment and the treatment's offers in its country", []string{
			`UPDATE price_references SET amount = 3100 WHERE treatment_id = 2 AND country_code = 'TR'`},
			records{"treatment": {2}, "offer": {1004}}, nil},
		{"synonyms and posts: reloads", []string{
			`DELETE FROM synonyms WHERE term = 'mi'`, `UPDATE posts SET published = false WHERE id = 1`},
			nil, func(im postgres.Impact) bool { return im.Synonyms && im.Posts && !im.Rebuild() }},
		{"a load: a rebuild", []string{`TRUNCATE offers CASCADE`},
			nil, func(im postgres.Impact) bool { return im.Rebuild() && slices.Contains(im.Reload, "offers") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pool, from := withMini(t)
			exec(t, pool, c.sql...)
			changes, _ := readAll(t, pool, from)
			im, err := postgres.Source{Pool: pool}.Impact(ctx, changes)
			if err != nil {
				t.Fatal(err)
			}
			got := maps.Clone(im.Records)
			if got == nil {
				got = records{}
			}
			if len(im.Counts) > 0 {
				got["counts"] = im.Counts
			}
			for _, o := range im.Offers {
				got["rows"] = append(got["rows"], o.ID)
			}
			for _, f := range im.Facilities {
				got["facility rows"] = append(got["facility rows"], f.ID)
			}
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("records %v, want %v", got, c.want)
			}
			if c.check != nil && !c.check(im) {
				t.Errorf("impact %+v", im)
			}
		})
	}
}

// miniIDs are the ids of the mini catalogue's rows and a few new ones.
var miniIDs = pgtest.CatalogueIDs{
	Facilities: []int64{10, 11, 12, 13, 14, 15, 16, 17},
	Doctors:    []int64{100, 101, 102, 103, 104, 105, 106, 107},
	Treatments: []int64{1, 2, 3, 4, 5, 6},
	Offers:     idRange(1000, 1030),
}

func idRange(lo, hi int64) []int64 {
	var out []int64
	for id := lo; id < hi; id++ {
		out = append(out, id)
	}
	return out
}

// TestPricedIn: after a rate change, the offers and the treatments priced
// in the currency, which a server that does not convert prices itself
// reads again.
func TestPricedIn(t *testing.T) {
	ctx := context.Background()
	pool, _ := withMini(t)
	src := postgres.Source{Pool: pool}
	offers, err := src.OffersPricedIn(ctx, []string{"TRY"})
	if err != nil {
		t.Fatal(err)
	}
	treatments, err := src.TreatmentsPricedIn(ctx, []string{"TRY"})
	if err != nil {
		t.Fatal(err)
	}
	var wantOffers, wantTreatments []int64
	rows, err := pool.Query(ctx, `SELECT id, treatment_id FROM offers WHERE currency = 'TRY' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, tr int64
		if err := rows.Scan(&id, &tr); err != nil {
			t.Fatal(err)
		}
		wantOffers = append(wantOffers, id)
		if !slices.Contains(wantTreatments, tr) {
			wantTreatments = append(wantTreatments, tr)
		}
	}
	slices.Sort(wantTreatments)
	if len(wantTreatments) == 0 || !slices.Equal(offers, wantOffers) || !slices.Equal(treatments, wantTreatments) {
		t.Errorf("priced in TRY: offers %v, treatments %v; want %v, %v", offers, treatments, wantOffers, wantTreatments)
	}
	if none, err := src.TreatmentsPricedIn(ctx, nil); err != nil || none != nil {
		t.Errorf("treatments priced in no currency: %v, %v", none, err)
	}
}
