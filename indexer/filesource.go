package indexer

import (
	"context"
	"fmt"
	"io/fs"
	"slices"

	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/search"
)

// FileSource builds the index straight from catalogue files, so the demo
// runs without PostgreSQL. It validates the files exactly as Load does and
// joins them in memory, which suits a catalogue of demo size; anything
// larger belongs in PostgreSQL.
type FileSource struct {
	// FS holds the catalogue's files; when nil, they are read from Dir as
	// Catalogue resolves it (so an empty Dir is the demo catalogue).
	FS  fs.FS
	Dir string
	cat *fileCatalog
}

// name says which catalogue this is, for errors.
func (s *FileSource) name() string { return CatalogueName(s.Dir) }

type fileCatalog struct {
	rates      search.Rates
	countries  map[string]catalog.Country
	treatments []catalog.Treatment
	facilities []catalog.Facility
	doctors    []catalog.Doctor
	performs   map[int64][]int64 // doctor id → treatment ids
	offers     []catalog.Offer
	posts      []catalog.Post
	// translations: treatment id → language → name and lay names.
	translations map[int64]map[string]search.Translation
	references   PriceReferences
}

func (s *FileSource) load() (*fileCatalog, error) {
	if s.cat != nil {
		return s.cat, nil
	}
	fsys := s.FS
	if fsys == nil {
		fsys = Catalogue(s.Dir)
	}
	r, err := catalog.OpenFS(fsys, s.name())
	if err != nil {
		return nil, err
	}
	c := &fileCatalog{rates: search.Rates{Rates: map[string]float64{}}, countries: map[string]catalog.Country{},
		performs: map[int64][]int64{}}
	asOf := map[string]catalog.ExchangeRate{}
	for x, err := range r.ExchangeRates() {
		if err != nil {
			return nil, err
		}
		if prev, ok := asOf[x.Currency]; !ok || x.AsOf.After(prev.AsOf) {
			asOf[x.Currency] = x
			c.rates.Rates[x.Currency] = x.Rate
		}
		if x.AsOf.After(c.rates.AsOf) {
			c.rates.AsOf = x.AsOf
		}
	}
	for x, err := range r.Countries() {
		if err != nil {
			return nil, err
		}
		c.countries[x.Code] = x
	}
	if c.treatments, err = collect(r.Treatments()); err != nil {
		return nil, err
	}
	if c.facilities, err = collect(r.Facilities()); err != nil {
		return nil, err
	}
	if c.doctors, err = collect(r.Doctors()); err != nil {
		return nil, err
	}
	for x, err := range r.DoctorTreatments() {
		if err != nil {
			return nil, err
		}
		c.performs[x.DoctorID] = append(c.performs[x.DoctorID], x.TreatmentID)
	}
	if c.offers, err = collect(r.Offers()); err != nil {
		return nil, err
	}
	c.translations = map[int64]map[string]search.Translation{}
	for x, err := range r.TreatmentTranslations() {
		if err != nil {
			return nil, err
		}
		if c.translations[x.TreatmentID] == nil {
			c.translations[x.TreatmentID] = map[string]search.Translation{}
		}
		c.translations[x.TreatmentID][x.Lang] = search.Translation{Name: x.Name, LayNames: x.LayNames}
	}
	c.references = PriceReferences{}
	for x, err := range r.PriceReferences() {
		if err != nil {
			return nil, err
		}
		c.references.Add(x)
	}
	if c.posts, err = collect(r.Posts()); err != nil {
		return nil, err
	}
	s.cat = c
	return c, nil
}

func collect[T any](seq func(func(T, error) bool)) ([]T, error) {
	var out []T
	for x, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// Rates returns the latest rate of every currency in the files.
func (s *FileSource) Rates(ctx context.Context) (search.Rates, error) {
	c, err := s.load()
	if err != nil {
		return search.Rates{}, fmt.Errorf("read catalogue %s: %w", s.name(), err)
	}
	return c.rates, nil
}

// Count returns the number of records the files make.
func (s *FileSource) Count(ctx context.Context) (int, error) {
	c, err := s.load()
	if err != nil {
		return 0, fmt.Errorf("read catalogue %s: %w", s.name(), err)
	}
	return len(c.treatments) + len(c.facilities) + len(c.doctors) + len(c.offers), nil
}

// Records yields every record, in the order PGSource does.
func (s *FileSource) Records(ctx context.Context, rates search.Rates, yield func(*search.Record) error) error {
	c, err := s.load()
	if err != nil {
		return fmt.Errorf("read catalogue %s: %w", s.name(), err)
	}
	treatments := map[int64]catalog.Treatment{}
	for _, t := range c.treatments {
		treatments[t.ID] = t
	}
	facilities := map[int64]catalog.Facility{}
	for _, f := range c.facilities {
		facilities[f.ID] = f
	}
	offered := map[int64][]int64{} // facility → treatments
	offerCount := map[int64]int{}
	stats := map[int64]map[string]*PriceStat{}
	for _, o := range c.offers {
		offered[o.FacilityID] = append(offered[o.FacilityID], o.TreatmentID)
		offerCount[o.TreatmentID]++
		from := o.Price
		if from == nil {
			from = o.PriceMin
		}
		if from == nil {
			continue
		}
		byCur := stats[o.TreatmentID]
		if byCur == nil {
			byCur = map[string]*PriceStat{}
			stats[o.TreatmentID] = byCur
		}
		if st := byCur[o.Currency]; st == nil {
			byCur[o.Currency] = &PriceStat{Currency: o.Currency, Min: *from, Max: *from}
		} else {
			st.Min, st.Max = min(st.Min, *from), max(st.Max, *from)
		}
	}
	doctors := sortedByID(c.doctors, func(d catalog.Doctor) int64 { return d.ID })
	staff := map[int64][]catalog.Doctor{} // facility → doctors, by id
	for _, d := range doctors {
		staff[d.FacilityID] = append(staff[d.FacilityID], d)
	}
	performs := func(d catalog.Doctor, treatment int64) bool {
		return slices.Contains(c.performs[d.ID], treatment)
	}
	treatmentRefs := func(ids []int64) []search.TreatmentRef {
		ids = slices.Sorted(slices.Values(ids))
		var out []search.TreatmentRef
		for _, id := range ids {
			out = append(out, treatmentRef(treatments[id]))
		}
		return out
	}
	ref := func(f catalog.Facility) *search.FacilityRef {
		return FacilityRef(f, c.countries[f.CountryCode].Name)
	}

	for _, t := range sortedByID(c.treatments, func(t catalog.Treatment) int64 { return t.ID }) {
		var st []PriceStat
		for _, s := range stats[t.ID] {
			st = append(st, *s)
		}
		rec := TreatmentRecord(t, c.translations[t.ID], offerCount[t.ID], st, rates)
		rec.TypicalPrices = c.references.ForTreatment(t.ID)
		if err := yield(rec); err != nil {
			return err
		}
	}
	for _, f := range sortedByID(c.facilities, func(f catalog.Facility) int64 { return f.ID }) {
		var docs []search.Ref
		for _, d := range staff[f.ID] {
			docs = append(docs, search.Ref{ID: d.ID, Name: d.Name})
		}
		if err := yield(FacilityRecord(f, c.countries[f.CountryCode].Name, treatmentRefs(offered[f.ID]), docs)); err != nil {
			return err
		}
	}
	for _, d := range doctors {
		if err := yield(DoctorRecord(d, ref(facilities[d.FacilityID]), treatmentRefs(c.performs[d.ID]))); err != nil {
			return err
		}
	}
	for _, o := range sortedByID(c.offers, func(o catalog.Offer) int64 { return o.ID }) {
		if err := ctx.Err(); err != nil {
			return err
		}
		var docs []search.Ref
		for _, d := range staff[o.FacilityID] {
			if performs(d, o.TreatmentID) {
				docs = append(docs, search.Ref{ID: d.ID, Name: d.Name})
			}
		}
		rec := OfferRecord(o, treatments[o.TreatmentID], ref(facilities[o.FacilityID]), docs)
		rec.TypicalPrice = c.references.ForOffer(o.TreatmentID, facilities[o.FacilityID].CountryCode)
		if err := yield(rec); err != nil {
			return err
		}
	}
	return nil
}

func sortedByID[T any](xs []T, id func(T) int64) []T {
	out := slices.Clone(xs)
	slices.SortFunc(out, func(a, b T) int {
		switch ia, ib := id(a), id(b); {
		case ia < ib:
			return -1
		case ia > ib:
			return 1
		}
		return 0
	})
	return out
}
