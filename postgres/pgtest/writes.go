package pgtest

import (
	"fmt"
	"math/rand/v2"
)

// CatalogueIDs are the ids random writes use: a few rows of each table and
// a few new ones, few enough that writes collide and refer to each other.
type CatalogueIDs struct{ Facilities, Doctors, Treatments, Offers []int64 }

// RandomWrite returns one random statement on a catalogue table,
// over ids few enough that rows collide and refer to each other (the
// generator of postgres.TestImpactKeepsRecordsEqualToARebuild, plus posts,
// lay names and price references).
func RandomWrite(rng *rand.Rand, ids CatalogueIDs) string {
	from := func(xs []int64) int64 { return xs[rng.IntN(len(xs))] }
	fac := func() int64 { return from(ids.Facilities) }
	doc := func() int64 { return from(ids.Doctors) }
	tr := func() int64 { return from(ids.Treatments) }
	off := func() int64 { return from(ids.Offers) }
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	word := func() string { return pick("knee", "hip", "nose", "heart", "eye", "clinic", "care", "new") }
	country := func() string { return pick("US", "TR", "DE", "GB") }
	cur := func() string { return pick("USD", "EUR", "TRY", "GBP") }
	switch rng.IntN(29) {
	case 0:
		return fmt.Sprintf(`INSERT INTO offers (id, facility_id, treatment_id, price, currency) VALUES (%d, %d, %d, %d, '%s')`,
			off(), fac(), tr(), 100+rng.IntN(20000), cur())
	case 1, 26:
		// New prices are most of what changes (and are patched into the
		// record a server holds: postgres.Impact.Offers).
		return fmt.Sprintf(`UPDATE offers SET price = %d, currency = '%s' WHERE id = %d`, 100+rng.IntN(20000), cur(), off())
	case 27:
		return fmt.Sprintf(`UPDATE offers SET price = NULL, price_min = %d, price_max = %d, includes = '%s' WHERE id = %d`,
			100+rng.IntN(5000), 5100+rng.IntN(5000), pick("", "hotel", "flights"), off())
	case 28:
		return fmt.Sprintf(`UPDATE offers SET price = %s, price_min = NULL, price_max = NULL, source = '%s' WHERE id = %d`,
			pick("NULL", "900"), pick("list", ""), off())
	case 2:
		return fmt.Sprintf(`UPDATE offers SET facility_id = %d, treatment_id = %d WHERE id = %d`, fac(), tr(), off())
	case 3:
		return fmt.Sprintf(`DELETE FROM offers WHERE id = %d`, off())
	case 4:
		return fmt.Sprintf(`INSERT INTO facilities (id, name, kind, country_code, accreditations, rating) VALUES (%d, '%s %s', 'clinic', '%s', '{%s}', %d.5)`,
			fac(), word(), word(), country(), pick("JCI", "ISO 9001"), rng.IntN(5))
	case 5:
		return fmt.Sprintf(`UPDATE facilities SET name = '%s %s', accreditations = '{%s}', country_code = '%s' WHERE id = %d`,
			word(), word(), pick("JCI", "TEMOS", ""), country(), fac())
	case 6:
		return fmt.Sprintf(`DELETE FROM facilities WHERE id = %d`, fac())
	case 7:
		return fmt.Sprintf(`INSERT INTO doctors (id, facility_id, name, rating, review_count) VALUES (%d, %d, 'Dr. %s', 4.%d, %d)`,
			doc(), fac(), word(), rng.IntN(10), rng.IntN(300))
	case 8:
		return fmt.Sprintf(`UPDATE doctors SET name = 'Dr. %s %s' WHERE id = %d`, word(), word(), doc())
	case 9:
		return fmt.Sprintf(`UPDATE doctors SET facility_id = %d WHERE id = %d`, fac(), doc())
	case 10:
		return fmt.Sprintf(`DELETE FROM doctors WHERE id = %d`, doc())
	case 11, 12:
		return fmt.Sprintf(`INSERT INTO doctor_treatments (doctor_id, treatment_id) VALUES (%d, %d)`, doc(), tr())
	case 13:
		return fmt.Sprintf(`DELETE FROM doctor_treatments WHERE doctor_id = %d AND treatment_id = %d`, doc(), tr())
	case 14:
		return fmt.Sprintf(`INSERT INTO treatments (id, name, category, lay_names) VALUES (%d, '%s surgery', '%s', '{%s}')`,
			tr(), word(), pick("Orthopaedics", "Cardiology", "Ophthalmology"), word())
	case 15:
		return fmt.Sprintf(`UPDATE treatments SET name = '%s %s', category = '%s', code = %s WHERE id = %d`,
			word(), word(), pick("Orthopaedics", "Cardiology", "Fertility"), pick("NULL", "'DRG 1'"), tr())
	case 16:
		return fmt.Sprintf(`DELETE FROM treatments WHERE id = %d`, tr())
	case 17:
		return fmt.Sprintf(`INSERT INTO treatment_translations (treatment_id, lang, name) VALUES (%d, '%s', '%s')
			ON CONFLICT (treatment_id, lang) DO UPDATE SET name = excluded.name`, tr(), pick("es", "fr", "de", "tr"), word())
	case 18:
		return fmt.Sprintf(`DELETE FROM treatment_translations WHERE treatment_id = %d`, tr())
	case 19:
		return fmt.Sprintf(`UPDATE countries SET name = '%s land' WHERE code = '%s'`, word(), country())
	case 20:
		return fmt.Sprintf(`INSERT INTO exchange_rates VALUES ('%s', %d.%d, '2025-11-%02d')
			ON CONFLICT (currency, as_of) DO UPDATE SET rate = excluded.rate`, cur(), 1+rng.IntN(40), rng.IntN(10), 1+rng.IntN(28))
	case 21:
		return fmt.Sprintf(`UPDATE treatments SET lay_names = '{%s %s}' WHERE id = %d`, word(), word(), tr())
	case 22:
		return fmt.Sprintf(`UPDATE posts SET published = %s WHERE id = %d`, pick("true", "false"), 1+rng.IntN(6))
	case 23:
		return fmt.Sprintf(`INSERT INTO price_references VALUES (%d, '%s', %d, '%s', 'test')
			ON CONFLICT (treatment_id, country_code) DO UPDATE SET amount = excluded.amount, currency = excluded.currency`,
			tr(), country(), 100+rng.IntN(20000), cur())
	case 24:
		return fmt.Sprintf(`DELETE FROM price_references WHERE treatment_id = %d AND country_code = '%s'`, tr(), country())
	default:
		return fmt.Sprintf(`DELETE FROM exchange_rates WHERE currency = '%s' AND as_of > '2025-10-01'`, pick("EUR", "TRY", "GBP"))
	}
}
