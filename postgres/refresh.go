package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/search"
	"github.com/jackc/pgx/v5"
)

// Applying changes on top of a generation takes two steps: Impact says which
// search records a batch of changes may have altered, and RecordsByID reads
// them as they are now, built by the same queries as a full build.
//
// A record shows more than its own row: an offer shows its treatment's name,
// category and code, its facility (name, city, country and its name,
// accreditations, rating) and the doctors there who perform its treatment; a
// facility lists its treatments and doctors; a doctor shows its facility and
// lists its treatments; a treatment counts its offers and spans their prices
// in dollars. So a change reaches every record that showed the row before
// the change or shows it after: the old references a change carries (Refs)
// cover "before", the tables as they are now cover "after".
//
// Two fan-outs the server does itself, from what it holds: the treatments
// whose offers changed are listed apart (Impact.Counts), and a facility's
// change does not list its offers and doctors (search.Overlay.Needs).
//
// And an offer or facility of which only its own row changed (a new price,
// a new review: most of what changes) is not read whole: Impact reads its
// row (Impact.Offers, Impact.Facilities), and the server patches it into
// the record it holds (indexer.PatchOffer, PatchFacility). The whole record
// joins an offer's treatment, facility, country, price reference and
// doctors, and a facility's offers, their treatments and its doctors,
// several times the row's cost to PostgreSQL.

// Impact is what a batch of changes means for a server's snapshot.
type Impact struct {
	// Records holds, by record type (search.TypeOffer, …), the ids of the
	// records that may have changed, ascending. Read them with RecordsByID:
	// a record that is gone comes back nil, to be deleted.
	Records map[string][]int64
	// Rates says that exchange rates changed: reload them (Source.Rates).
	// Currencies are the ones whose rates changed: the offers priced in
	// them need their dollar prices converted again, and the treatments
	// priced in them their price spans (OffersPricedIn,
	// TreatmentsPricedIn; a server whose overlay converts and counts
	// itself reads neither).
	Rates      bool
	Currencies []string
	// Synonyms says that the synonym graph changed: reload it
	// (LoadSynonyms).
	Synonyms bool
	// Posts says that posts, or the country names they show, changed:
	// reload them (Source.Posts).
	Posts bool
	// Reload lists the tables that were truncated (a bulk load replaced
	// them): their rows were not logged one by one. See Rebuild.
	Reload []string
	// Offers are the rows of the offers, not in Records, of which only
	// their own row changed: updates that kept the offer's facility and
	// treatment, in a batch that changed nothing else the offer shows. A
	// server holding an offer's record patches the row into it
	// (indexer.PatchOffer) and reads the record whole (RecordsByID) only
	// when it holds none that shows the same facility and treatment.
	Offers []catalog.Offer
	// Facilities are the rows of the facilities, not in Records, of which
	// only their own row changed: updated, in a batch that changed none
	// of the offers or doctors they list (nor their country). A server
	// holding a facility's record patches the row into it
	// (indexer.PatchFacility), else reads it whole.
	Facilities []FacilityRow
	// Counts are the treatments, not in Records, whose offers came, went,
	// moved or changed price: their records count those offers and span
	// their prices. A server that counts them itself from the offers it
	// holds (search.Overlay.Recount) need not read them; else read them
	// with Records.
	Counts []int64
}

// FacilityRow is a facility's own row and its country's name: what its
// record shows but the treatments it offers and its doctors.
type FacilityRow struct {
	catalog.Facility
	CountryName string
}

// Rebuild reports whether the batch replaced a table whose rows make search
// records (or exchange rates, which every price depends on): only a new
// generation, built after it, brings the server back to the database.
// Truncated synonyms and posts are reloaded like any change to them.
func (im Impact) Rebuild() bool {
	for _, t := range im.Reload {
		if t != "synonyms" && t != "posts" {
			return true
		}
	}
	return false
}

// Empty reports whether the batch changes nothing a server shows.
func (im Impact) Empty() bool {
	return len(im.Records)+len(im.Offers)+len(im.Facilities)+len(im.Counts) == 0 &&
		!im.Rates && !im.Synonyms && !im.Posts && len(im.Reload) == 0
}

// impactSets gathers, per rule, the ids a batch touches.
type impactSets struct {
	// The records to re-read.
	offers, facilities, doctors, treatments set
	// The offers read whole whatever changed in their own row: inserted,
	// deleted or moved, or showing a row another change touched (added to
	// offers once the fan-out is done).
	shown set
	// The rows now of the offers the changes name, of those updated only
	// (offerRefs), never inserted or deleted in the batch.
	rows map[int64]catalog.Offer
	// Facilities updated in their own row (read whole only when they are
	// in facilities too), and their rows now.
	facilityRows  set
	facilitiesNow map[int64]FacilityRow
	// Treatments whose offers changed (Impact.Counts).
	counts set
	// Doctors whose own row changed: their facilities show them.
	doctorRows set
	// Rows that show in other records: treatments whose own row changed
	// (in their offers, facilities, doctors), facilities whose country
	// changed (in their offers, doctors), facilities whose doctors
	// changed (in their offers). A facility's own row reaches its offers
	// and doctors through the server (search.Overlay.Needs).
	treatmentFanout, facilityFanout, doctorFacilities set
	// The references an offer had before each update, and the offers
	// inserted: a facility's record lists the treatments it offers, so it
	// changes when an offer comes, goes or moves, not when a price does.
	offerRefs             map[int64][][2]int64 // offer → (facility_id, treatment_id) before each update
	offersAdded           set
	countries, currencies []string
	doctorTreatments      [][2]int64 // (doctor_id, treatment_id)
	references            []referenceKey
}

// referenceKey is a price reference's primary key.
type referenceKey struct {
	treatment int64
	country   string
}

type set map[int64]bool

func (s set) add(ids ...int64) {
	for _, id := range ids {
		if id > 0 {
			s[id] = true
		}
	}
}

func (s set) sorted() []int64 {
	out := make([]int64, 0, len(s))
	for id := range s {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Impact works out which records, and which other parts of a snapshot, the
// changes may have altered (see the comment at the top of this file for
// the rules). It reads the tables as they are now: a record a later change
// alters again is simply read again with that change.
func (s Source) Impact(ctx context.Context, changes []Change) (Impact, error) {
	im := Impact{}
	sets := impactSets{offers: set{}, facilities: set{}, doctors: set{}, treatments: set{}, counts: set{},
		doctorRows: set{}, treatmentFanout: set{}, facilityFanout: set{}, doctorFacilities: set{},
		offerRefs: map[int64][][2]int64{}, offersAdded: set{}, shown: set{}, rows: map[int64]catalog.Offer{},
		facilityRows: set{}, facilitiesNow: map[int64]FacilityRow{}}
	for _, c := range changes {
		if c.Op == OpTruncate {
			if !slices.Contains(im.Reload, c.Table) {
				im.Reload = append(im.Reload, c.Table)
			}
		}
		switch c.Table {
		case "offers":
			// Its treatment's record counts its offers and spans their
			// prices; its facility's lists the treatments offered, which
			// an update changes only when it moves the offer (fanOut
			// compares the references now with these).
			id := c.Int(0)
			sets.offers.add(id)
			sets.counts.add(c.Refs["treatment_id"])
			switch c.Op {
			case OpInsert:
				sets.offersAdded.add(id)
			case OpUpdate:
				sets.offerRefs[id] = append(sets.offerRefs[id], [2]int64{c.Refs["facility_id"], c.Refs["treatment_id"]})
			default:
				sets.facilities.add(c.Refs["facility_id"])
				sets.shown.add(id) // deleted, or inserted again: read whole
			}
		case "facilities":
			// Its offers and doctors show it, but the server re-reads
			// them only when they would show it otherwise: a change to
			// its rating or review count alone (its stars) is patched
			// into them where they are indexed (search.Overlay.Needs,
			// overlay_stars.go). A deleted facility's offers and doctors
			// log their own deletes. An update is patched from its row
			// unless the facility is read whole anyway.
			if c.Op == OpUpdate {
				sets.facilityRows.add(c.Int(0))
			} else {
				sets.facilities.add(c.Int(0))
			}
		case "doctors":
			sets.doctors.add(c.Int(0))
			sets.doctorRows.add(c.Int(0))
			sets.facilities.add(c.Refs["facility_id"])
			sets.doctorFacilities.add(c.Refs["facility_id"])
		case "doctor_treatments":
			sets.doctors.add(c.Int(0))
			sets.doctorTreatments = append(sets.doctorTreatments, [2]int64{c.Int(0), c.Int(1)})
		case "treatments":
			sets.treatments.add(c.Int(0))
			sets.treatmentFanout.add(c.Int(0))
		case "treatment_translations":
			sets.treatments.add(c.Int(0))
		case "countries":
			if len(c.Key) > 0 {
				sets.countries = append(sets.countries, c.Key[0])
			}
			im.Posts = true
		case "exchange_rates":
			im.Rates = true
			if len(c.Key) > 0 && !slices.Contains(sets.currencies, c.Key[0]) {
				sets.currencies = append(sets.currencies, c.Key[0])
			}
		case "synonyms":
			im.Synonyms = true
		case "posts":
			im.Posts = true
		case "price_references":
			// A reference shows on its treatment and on the treatment's
			// offers in its country.
			if len(c.Key) > 1 {
				sets.treatments.add(c.Int(0))
				sets.references = append(sets.references, referenceKey{c.Int(0), c.Key[1]})
			}
		}
	}
	if err := s.fanOut(ctx, &sets); err != nil {
		return im, fmt.Errorf("work out what changes touch: %w", err)
	}
	slices.Sort(sets.currencies)
	im.Currencies = sets.currencies
	for id := range sets.counts {
		if !sets.treatments[id] {
			im.Counts = append(im.Counts, id)
		}
	}
	slices.Sort(im.Counts)
	// A facility updated in its own row alone is patched from the row,
	// unless it is gone now or lists what another change touched.
	for id := range sets.facilityRows {
		if row, ok := sets.facilitiesNow[id]; ok && !sets.facilities[id] {
			im.Facilities = append(im.Facilities, row)
		} else {
			sets.facilities.add(id)
		}
	}
	slices.SortFunc(im.Facilities, func(a, b FacilityRow) int { return cmp.Compare(a.ID, b.ID) })
	// An offer updated in its own row alone is patched from the row, unless
	// it shows a facility or treatment that changed (read again or
	// patched: it may show their change) or a row another change touched.
	for id, row := range sets.rows {
		if !sets.shown[id] && !sets.facilities[row.FacilityID] && !sets.facilityRows[row.FacilityID] &&
			!sets.treatments[row.TreatmentID] {
			im.Offers = append(im.Offers, row)
			delete(sets.offers, id)
		}
	}
	slices.SortFunc(im.Offers, func(a, b catalog.Offer) int { return cmp.Compare(a.ID, b.ID) })
	for typ, ids := range map[string]set{search.TypeOffer: sets.offers, search.TypeFacility: sets.facilities,
		search.TypeDoctor: sets.doctors, search.TypeTreatment: sets.treatments} {
		if len(ids) > 0 {
			if im.Records == nil {
				im.Records = map[string][]int64{}
			}
			im.Records[typ] = ids.sorted()
		}
	}
	slices.Sort(im.Reload)
	return im, nil
}

// fanOut adds the records that show the changed rows as the tables are now.
func (s Source) fanOut(ctx context.Context, sets *impactSets) error {
	batch := &pgx.Batch{}
	into := func(dst set, sql string, args ...any) {
		if noneOf(args) {
			// Nothing to look up: skip the query rather than let the
			// planner scan a table for an empty list (a generic plan of
			// "currency = ANY($1)" reads every offer).
			return
		}
		batch.Queue(sql, args...).Query(func(rows pgx.Rows) error {
			var id int64
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error { dst.add(id); return nil })
			return err
		})
	}
	// The changed rows' references now (their old ones came with the
	// changes): the facility and treatment of an offer, a doctor's facility.
	// Their own columns come too: an offer updated in its row alone is
	// patched from them (Impact.Offers).
	if offers := sets.offers.sorted(); len(offers) > 0 {
		batch.Queue(`SELECT id, facility_id, treatment_id, price::float8, price_min::float8, price_max::float8,
				coalesce(currency, ''), coalesce(includes, ''), coalesce(source, '')
			FROM offers WHERE id = ANY($1)`, offers).
			Query(func(rows pgx.Rows) error {
				var o catalog.Offer
				_, err := pgx.ForEachRow(rows, []any{&o.ID, &o.FacilityID, &o.TreatmentID, &o.Price, &o.PriceMin,
					&o.PriceMax, &o.Currency, &o.Includes, &o.Source}, func() error {
					id, f, t := o.ID, o.FacilityID, o.TreatmentID
					sets.counts.add(t)
					if sets.offersAdded[id] {
						sets.facilities.add(f)
						sets.shown.add(id)
					}
					for _, was := range sets.offerRefs[id] {
						if was != [2]int64{f, t} {
							sets.facilities.add(f, was[0])
							sets.counts.add(was[1])
							sets.shown.add(id)
						}
					}
					if len(sets.offerRefs[id]) > 0 {
						sets.rows[id] = cloneOffer(o)
					}
					return nil
				})
				return err
			})
		// An updated offer that is gone now was deleted later in the
		// batch, and its delete names its facility.
	}
	if ids := sets.facilityRows.sorted(); len(ids) > 0 {
		batch.Queue(`SELECT `+facilityColumns+`, coalesce(f.address, ''), coalesce(f.description, ''), coalesce(f.website, '')
			FROM facilities f JOIN countries c ON c.code = f.country_code WHERE f.id = ANY($1)`, ids).
			Query(func(rows pgx.Rows) error {
				var row FacilityRow
				targets := append(facilityTargets(&row.Facility, &row.CountryName), &row.Address, &row.Description, &row.Website)
				_, err := pgx.ForEachRow(rows, targets, func() error {
					sets.facilitiesNow[row.ID] = FacilityRow{clone(row.Facility), row.CountryName}
					return nil
				})
				return err
			})
	}
	into(sets.doctorFacilities, `SELECT facility_id FROM doctors WHERE id = ANY($1)`, sets.doctorRows.sorted())
	// Countries reach their facilities as a facility's own change would.
	into(sets.facilityFanout, `SELECT id FROM facilities WHERE country_code = ANY($1)`, sets.countries)
	// A price reference reaches its treatment's offers in its country.
	refTreatments, refCountries := make([]int64, len(sets.references)), make([]string, len(sets.references))
	for i, k := range sets.references {
		refTreatments[i], refCountries[i] = k.treatment, k.country
	}
	into(sets.shown, `SELECT o.id FROM unnest($1::bigint[], $2::text[]) AS x (treatment_id, country_code)
		JOIN facilities f ON f.country_code = x.country_code
		JOIN offers o ON o.facility_id = f.id AND o.treatment_id = x.treatment_id`, refTreatments, refCountries)
	// Rates reach the price spans of the treatments priced in them: the
	// caller finds those (Currencies), as a server that converts prices
	// itself recounts them without reading anything.
	if err := s.send(ctx, batch); err != nil {
		return err
	}

	sets.facilities.add(sets.facilityFanout.sorted()...)
	sets.facilities.add(sets.doctorFacilities.sorted()...)
	facilities, docFacilities := sets.facilityFanout.sorted(), sets.doctorFacilities.sorted()
	treatments := sets.treatmentFanout.sorted()
	pairs := [2][]int64{make([]int64, len(sets.doctorTreatments)), make([]int64, len(sets.doctorTreatments))}
	for i, p := range sets.doctorTreatments {
		pairs[0][i], pairs[1][i] = p[0], p[1]
	}
	batch = &pgx.Batch{}
	// A facility's row shows in its offers and doctors; its doctors show in
	// its offers; a treatment's name in its offers, facilities and doctors;
	// a doctor's treatments in the offers of that treatment at its facility.
	into(sets.shown, `SELECT id FROM offers WHERE facility_id = ANY($1) OR facility_id = ANY($2) OR treatment_id = ANY($3)`,
		facilities, docFacilities, treatments)
	into(sets.doctors, `SELECT id FROM doctors WHERE facility_id = ANY($1)
		UNION SELECT doctor_id FROM doctor_treatments WHERE treatment_id = ANY($2)`, facilities, treatments)
	into(sets.facilities, `SELECT DISTINCT facility_id FROM offers WHERE treatment_id = ANY($1)`, treatments)
	into(sets.shown, `SELECT o.id FROM unnest($1::bigint[], $2::bigint[]) AS x (doctor_id, treatment_id)
		JOIN doctors d ON d.id = x.doctor_id
		JOIN offers o ON o.facility_id = d.facility_id AND o.treatment_id = x.treatment_id`, pairs[0], pairs[1])
	if err := s.send(ctx, batch); err != nil {
		return err
	}
	sets.offers.add(sets.shown.sorted()...)
	return nil
}

// send runs batch, unless it is empty.
func (s Source) send(ctx context.Context, batch *pgx.Batch) error {
	if batch.Len() == 0 {
		return nil
	}
	return s.Pool.SendBatch(ctx, batch).Close()
}

// noneOf reports whether every list in args is empty: a query over them
// would find nothing.
func noneOf(args []any) bool {
	for _, a := range args {
		switch v := a.(type) {
		case []int64:
			if len(v) > 0 {
				return false
			}
		case []string:
			if len(v) > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// RecordsByID reads the current records of type typ (search.TypeOffer,
// TypeFacility, TypeDoctor or TypeTreatment) with the given ids, built by
// the queries of a full build, and calls yield with each, in id order. An
// id with no row any more is yielded with a nil record: the record is gone
// and must be deleted. rates are the rates treatments' price spans are
// converted at, as in a build.
func (s Source) RecordsByID(ctx context.Context, rates search.Rates, typ string, ids []int64,
	yield func(id int64, rec *search.Record) error) error {
	want := slices.Clone(ids)
	slices.Sort(want)
	want = slices.Compact(want)
	if len(want) == 0 {
		return nil
	}
	next := 0 // want[next] is the first id not yielded yet
	gone := func(upTo int64) error {
		for ; next < len(want) && want[next] < upTo; next++ {
			if err := yield(want[next], nil); err != nil {
				return err
			}
		}
		return nil
	}
	err := s.records(ctx, rates, typ, idSet(want), func(r *search.Record) error {
		if err := gone(r.ID); err != nil {
			return err
		}
		next++
		return yield(r.ID, r)
	})
	if err != nil {
		return err
	}
	return gone(want[len(want)-1] + 1)
}
