package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// columns hold, in memory and by Bleve's internal document number, what
// filters, facets and sorts read: one bitmap per value of each keyword field,
// each document's value ordinals, and the price and rating as numbers.
//
// Bleve's own facets and sorts decode doc values per hit, which costs
// hundreds of milliseconds once a query matches 100k documents; counting
// ordinals in arrays and intersecting bitmaps costs a few. An index is
// read-only once published, so the columns are built once, when it opens.
type columns struct {
	docs     uint64 // one past the highest document number
	keywords map[string]*keywordColumn
	// filters keeps intersections of keywords' bitmaps, and unions the
	// unions of treatments' offers (filterset.go); copies of the columns
	// share them.
	filters *filterSets
	unions  *unionCache
	// treatFacets keeps each treatment's offers' facet values
	// (treatfacets.go); copies share it.
	treatFacets *treatmentFacets
	price       []float64 // USD; NaN when unpriced
	// amount and currency are each priced offer's price as its source
	// states it: what price is converted from again at other rates
	// (atRates). converts says every priced document has them (a
	// generation built before they were indexed has not).
	amount   []float64
	currency *keywordColumn
	converts bool
	rating   []float32 // NaN when unrated
	trust    []float32 // the ranking's trust factor (trust.go); 1 when unknown
	lat, lon []float32 // degrees; NaN when unknown
	// treatmentDoc is the document of each treatment, by the ordinal of its
	// id in the treatment_id column; -1 when the id has no document.
	treatmentDoc []int64
	// facilityDoc is the document of each facility, by the ordinal of its
	// id in the facility_id column; -1 when the id has no document.
	facilityDoc []int64
	// The treatment_id and facility_id bitmaps split in two, by ordinal:
	// the offers, and the rest (the treatment or facility itself, and the
	// facilities and doctors that carry the id). Text matching unions the
	// offers of the treatments and facilities a word finds, and the rest
	// of the treatments; splitting once at open keeps those unions to the
	// documents they are for.
	treatmentOffers, treatmentRest []*roaring.Bitmap
	// nOffers, nTreatments and nFacilities count the documents of each
	// type, counted once with the split: a matcher weighs its words by
	// them, and counting the type's bitmap (runs) each search cost about a
	// microsecond of it.
	nOffers, nTreatments, nFacilities uint64
	// byLat lists the facilities with a place, by ordinal, in ascending
	// latitude (latOf and lonOf hold their places alongside): a radius
	// measures only those in its band of latitude.
	byLat        []uint32
	latOf, lonOf []float32
	// xyzOf holds their places alongside as points on the unit sphere, x,
	// y and z: whether one is within a radius is then a few
	// multiplications, where the haversine formula takes four
	// trigonometric functions (a 500 km radius in Europe measures 20,000).
	xyzOf []float64
	// The facility_id bitmaps, all and offers only, as lists: a radius
	// or a place word unions thousands of them (unionOf).
	facilityLists, facilityOfferLists csr
	// treatmentOfferLists holds each treatment's offers as a list, and
	// treatmentOfferFacs each listed offer's facility ordinal plus one (0:
	// none), alongside: combining a phrase's words asks each offer of its
	// rarest word for its facility, and reading it in order beside the
	// list costs a fraction of a lookup in the column (matcher.combine).
	treatmentOfferLists csr
	treatmentOfferFacs  []uint32
	// maxTrust is the highest trust among each treatment's offers, by
	// ordinal: what bounds their scores (matcher.runOffersTop).
	maxTrust []float32
	// maxTrustRest is the highest trust of any facility or doctor.
	maxTrustRest float32
	// orders are the documents in the order of each sort by a column,
	// made on first use (sorted.go); starred are the documents whose
	// rating and trust changed since the orders were made (withStars),
	// which the rating and trust orders may hold elsewhere, and sincePrev
	// those starred since the orders these replaced were (with the
	// orders' prevStarred), weighed apart while searches walk those.
	orders    *sortOrders
	starred   *starSet
	sincePrev *starSet
	// starSeq is the version of rating and trust: 0 as the index opened
	// them, else the one withStars made (starPatches).
	starSeq uint64
}

// keywordColumn is one keyword field: its values, a bitmap of the documents
// holding each, and each document's ordinals (CSR: ords[start[d]:start[d+1]]).
type keywordColumn struct {
	values  []string
	ordinal map[string]uint32
	bitmaps []*roaring.Bitmap
	// lists holds each value's documents instead of bitmaps (nil) in a
	// column of a value per facility: 100,000 bitmaps of a few documents
	// each were most of the small objects every garbage collection marks,
	// and searches read the lists (valueBitmap makes a bitmap when asked).
	lists *csr
	// made keeps the bitmaps valueBitmap makes from lists, by ordinal, in
	// a segment (listsOver): a filter on a country or category made its
	// bitmap twice per search in each of a dozen segments, a third of
	// what the segments cost a search. nil: not kept (the generation's
	// facility ids, which few searches filter by).
	made  []atomic.Pointer[roaring.Bitmap]
	start []uint32
	ords  []uint32
	// single is each document's ordinal plus one (0: none) when no
	// document holds two values (a country, a treatment id): one read where
	// start and ords take two, for the columns read per match (densify).
	// A column of fewer than 65,535 values (every one but a facility's id
	// at a million offers) keeps it in 16 bits instead (single16, single
	// nil): counting a facet reads the column at every match, and half the
	// bytes is half the memory a broad search streams through.
	single   []uint32
	single16 []uint16
	// inBase maps a segment's column's ordinals to those of the same
	// values in its generation's column (inBaseOf), made on first use.
	inBase atomic.Pointer[baseOrdinals]
}

// baseOrdinals are a segment column's ordinals in base, a generation's
// column of the same field: of[ord] is the base's ordinal of value ord,
// or -1 when the base has no such value.
type baseOrdinals struct {
	base *keywordColumn
	of   []int32
}

// inBaseOf returns the ordinals of kc's values in base (-1: not there).
// A segment and its generation never change, and a segment's facet
// counts are added to the generation's by value on every search that
// counts them (mergeFacets): looked up by string, thousands of cities
// in each of a few segments, once per search. They are made once.
func (kc *keywordColumn) inBaseOf(base *keywordColumn) []int32 {
	if b := kc.inBase.Load(); b != nil && b.base == base {
		return b.of
	}
	of := make([]int32, len(kc.values))
	for ord, v := range kc.values {
		of[ord] = -1
		if bord, ok := base.ordinal[v]; ok {
			of[ord] = int32(bord)
		}
	}
	kc.inBase.Store(&baseOrdinals{base: base, of: of})
	return of
}

func loadColumns(ctx context.Context, r index.IndexReader) (*columns, error) {
	c := &columns{keywords: map[string]*keywordColumn{}, filters: &filterSets{}, unions: &unionCache{}, treatFacets: &treatmentFacets{}}
	// Every filter gets a column: what a client filters or facets on, and
	// the treatment and facility ids that text search joins offers through.
	for _, filter := range Filters {
		f := filter.Field
		kc, err := loadKeyword(ctx, r, f)
		if err != nil {
			return nil, fmt.Errorf("load column %s: %w", f, err)
		}
		c.keywords[f] = kc
		for _, b := range kc.bitmaps {
			if !b.IsEmpty() {
				c.docs = max(c.docs, uint64(b.Maximum())+1)
			}
		}
	}
	for _, kc := range c.keywords {
		kc.index(c.docs)
	}
	var err error
	if c.price, err = loadNumbers(ctx, r, fieldPriceUSD, c.docs); err != nil {
		return nil, fmt.Errorf("load column %s: %w", fieldPriceUSD, err)
	}
	if c.amount, err = loadNumbers(ctx, r, fieldPriceAmount, c.docs); err != nil {
		return nil, fmt.Errorf("load column %s: %w", fieldPriceAmount, err)
	}
	if c.currency, err = loadKeyword(ctx, r, fieldPriceCurrency); err != nil {
		return nil, fmt.Errorf("load column %s: %w", fieldPriceCurrency, err)
	}
	c.currency.index(c.docs)
	c.converts = c.convertible()
	for _, f := range []struct {
		field string
		dst   *[]float32
	}{{fieldRating, &c.rating}, {fieldLat, &c.lat}, {fieldLon, &c.lon}, {fieldTrust, &c.trust}} {
		vs, err := loadNumbers(ctx, r, f.field, c.docs)
		if err != nil {
			return nil, fmt.Errorf("load column %s: %w", f.field, err)
		}
		*f.dst = make([]float32, len(vs))
		for i, v := range vs {
			(*f.dst)[i] = float32(v)
		}
	}
	for i, t := range c.trust {
		if t != t { // NaN
			c.trust[i] = 1
		}
	}
	c.inherit()
	c.orders = newSortOrders(c.rating, c.trust)
	return c, nil
}

// convertible reports whether every priced document has an amount and a
// currency to convert its price from.
func (c *columns) convertible() bool {
	withCurrency := roaring.New()
	for _, b := range c.currency.bitmaps {
		withCurrency.Or(b)
	}
	for doc, p := range c.price {
		if !math.IsNaN(p) && (math.IsNaN(c.amount[doc]) || !withCurrency.Contains(uint32(doc))) {
			return false
		}
	}
	return true
}

// atRates returns the columns with the price column converted from rates
// from (those it was computed at) to rates to, and price orders to be
// remade for the offers whose price keys moved: those priced in a
// currency whose rate changed, and typicalMoved's (the offers whose
// typical price did). c itself when none moved; else a copy sharing all
// but the price column and those orders. Only columns that convert may be
// asked.
func (c *columns) atRates(from, to Rates, typicalMoved func() *roaring.Bitmap) *columns {
	var changed []int
	for ord, cur := range c.currency.values {
		if from.Rates[cur] != to.Rates[cur] && !c.currency.bitmaps[ord].IsEmpty() {
			changed = append(changed, ord)
		}
	}
	moved := roaring.New()
	if c.orders != nil {
		moved = typicalMoved()
	}
	if len(changed) == 0 && moved.IsEmpty() {
		return c
	}
	n := *c
	if len(changed) > 0 {
		n.price = slices.Clone(c.price)
	}
	for _, ord := range changed {
		cur := c.currency.values[ord]
		b := c.currency.bitmaps[ord]
		moved.Or(b)
		b.Iterate(func(doc uint32) bool {
			usd, ok := to.ToUSD(c.amount[doc], cur)
			if !ok {
				usd = math.NaN()
			}
			n.price[doc] = usd
			return true
		})
	}
	if c.orders != nil {
		n.orders = c.orders.atOtherRates(moved)
	}
	return &n
}

// inherit gives every offer its treatment's category and its facility's
// country, city, kind, accreditations, languages, rating and position. Offers
// do not index these (a million offers share a few hundred treatments and a
// hundred thousand facilities), so filters, facets and sorts would not see
// them otherwise.
func (c *columns) inherit() {
	types := c.keywords[fieldType]
	offers := types.bitmap(TypeOffer)
	for _, from := range []struct {
		typ  string
		link *keywordColumn
	}{
		{TypeTreatment, c.keywords[fieldTreatmentID]},
		{TypeFacility, c.keywords[fieldFacilityID]},
	} {
		owners := types.bitmap(from.typ)
		// owner[ord] is the document of the treatment or facility whose id
		// has ordinal ord in the link column.
		owner := make([]int64, len(from.link.values))
		for i := range owner {
			owner[i] = -1
		}
		owners.Iterate(func(doc uint32) bool {
			if ord, ok := from.link.first(doc); ok {
				owner[ord] = int64(doc)
			}
			return true
		})
		var inherited []*keywordColumn
		for _, filter := range Filters {
			if filter.Inherit == from.typ {
				inherited = append(inherited, c.keywords[filter.Field])
			}
		}
		// An owner's offers are found once for every column they inherit
		// (a facility's five), not once for each, and each value's are
		// gathered and added in one union: a union for every owner and
		// value made the value's bitmap anew each time (its runs copied),
		// most of what a merged segment's columns allocated.
		adds := make([][][]uint32, len(inherited)) // by column, by value ordinal
		var theirs []uint32
		for ord, doc := range owner {
			if doc < 0 {
				continue
			}
			theirs = theirs[:0]
			found := false
			for k, kc := range inherited {
				vals := kc.ords[kc.start[doc]:kc.start[doc+1]]
				if len(vals) == 0 {
					continue
				}
				if !found {
					found = true
					roaring.And(from.link.bitmaps[ord], offers).Iterate(func(o uint32) bool {
						theirs = append(theirs, o)
						return true
					})
				}
				if adds[k] == nil {
					adds[k] = make([][]uint32, len(kc.bitmaps))
				}
				for _, v := range vals {
					adds[k][v] = append(adds[k][v], theirs...)
				}
			}
		}
		for k, kc := range inherited {
			for v, docs := range adds[k] {
				if len(docs) > 0 {
					slices.Sort(docs) // owners' offers come owner by owner
					kc.bitmaps[v].Or(roaring.BitmapOf(docs...))
				}
			}
			kc.index(c.docs)
		}
		if from.typ == TypeTreatment {
			c.treatmentDoc = owner
			continue
		}
		c.facilityDoc = owner
		offers.Iterate(func(doc uint32) bool {
			if ord, ok := from.link.first(doc); ok && owner[ord] >= 0 {
				o := owner[ord]
				c.rating[doc], c.lat[doc], c.lon[doc] = c.rating[o], c.lat[o], c.lon[o]
			}
			return true
		})
	}
}

// postings returns the documents holding term in field.
func postings(ctx context.Context, r index.IndexReader, field, term string) (*roaring.Bitmap, error) {
	b := roaring.New()
	if err := eachPosting(ctx, r, field, term, func(doc uint32) { b.Add(doc) }); err != nil {
		return nil, err
	}
	return b, nil
}

// eachPosting calls fn with each document holding term in field, in
// order. An overlay's segment lists them itself: through a
// TermFieldReader every document is made an identifier to parse back,
// which was half of what loading a merged segment's columns allocated.
func eachPosting(ctx context.Context, r index.IndexReader, field, term string, fn func(doc uint32)) error {
	if s, ok := r.(*memSegment); ok {
		for _, p := range s.postings(field, term) {
			fn(p.doc)
		}
		return nil
	}
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return err
	}
	defer tfr.Close()
	var doc index.TermFieldDoc
	for {
		d, err := tfr.Next(&doc)
		if err != nil {
			return err
		}
		if d == nil {
			return nil
		}
		fn(uint32(d.ID.Value()))
	}
}

func loadKeyword(ctx context.Context, r index.IndexReader, field string) (*keywordColumn, error) {
	if s, ok := r.(*memSegment); ok {
		return s.keyword(field), nil
	}
	dict, err := r.FieldDict(field)
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	kc := &keywordColumn{ordinal: map[string]uint32{}}
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		b, err := postings(ctx, r, field, e.Term)
		if err != nil {
			return nil, err
		}
		b.RunOptimize()
		kc.ordinal[e.Term] = uint32(len(kc.values))
		kc.values = append(kc.values, e.Term)
		kc.bitmaps = append(kc.bitmaps, b)
	}
	return kc, nil
}

// index builds the per-document ordinals from the bitmaps.
func (kc *keywordColumn) index(docs uint64) {
	// Iterate, not an Iterator per value: those were a tenth of what a
	// segment's columns allocated.
	counts := make([]uint32, docs+1)
	for _, b := range kc.bitmaps {
		b.Iterate(func(d uint32) bool {
			counts[d+1]++
			return true
		})
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	kc.start = counts
	kc.ords = make([]uint32, counts[docs])
	fill := slices.Clone(counts[:docs])
	for ord, b := range kc.bitmaps {
		b.Iterate(func(d uint32) bool {
			kc.ords[fill[d]] = uint32(ord)
			fill[d]++
			return true
		})
	}
	kc.densify()
}

// densify sets single or single16 when no document holds two values.
func (kc *keywordColumn) densify() {
	docs := len(kc.start) - 1
	if docs < 0 || len(kc.ords) > docs {
		return
	}
	for doc := range docs {
		if kc.start[doc+1]-kc.start[doc] > 1 {
			return
		}
	}
	if len(kc.values) < math.MaxUint16 {
		kc.single16 = singleOf[uint16](kc.start, kc.ords)
	} else {
		kc.single = singleOf[uint32](kc.start, kc.ords)
	}
}

// singleOf is each document's only ordinal plus one, 0 for none, of a
// column where no document holds two.
func singleOf[T uint16 | uint32](start, ords []uint32) []T {
	out := make([]T, len(start)-1)
	for doc := range out {
		if start[doc] < start[doc+1] {
			out[doc] = T(ords[start[doc]] + 1)
		}
	}
	return out
}

// one is doc's ordinal plus one (0: none) in a column where no document
// holds two values (kc.dense()).
func (kc *keywordColumn) one(doc uint32) uint32 {
	if kc.single16 != nil {
		return uint32(kc.single16[doc])
	}
	return kc.single[doc]
}

// dense reports whether no document holds two values: one reads them.
func (kc *keywordColumn) dense() bool { return kc.single16 != nil || kc.single != nil }

// loadNumbers reads a number field (numbers written as keyword terms) into a
// column, NaN where a document has none.
func loadNumbers(ctx context.Context, r index.IndexReader, field string, docs uint64) ([]float64, error) {
	out := make([]float64, docs)
	for i := range out {
		out[i] = math.NaN()
	}
	dict, err := r.FieldDict(field)
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return out, nil
		}
		v, err := strconv.ParseFloat(e.Term, 64)
		if err != nil {
			return nil, fmt.Errorf("term %q is not a number", e.Term)
		}
		err = eachPosting(ctx, r, field, e.Term, func(doc uint32) {
			if uint64(doc) < docs {
				out[doc] = v
			}
		})
		if err != nil {
			return nil, err
		}
	}
}

// first returns the first ordinal of doc, or false when it has none.
func (kc *keywordColumn) first(doc uint32) (uint32, bool) {
	if kc.dense() {
		v := kc.one(doc)
		return v - 1, v != 0
	}
	if kc.start[doc] == kc.start[doc+1] {
		return 0, false
	}
	return kc.ords[kc.start[doc]], true
}

// holds reports whether doc holds the value of ordinal ord.
func (kc *keywordColumn) holds(doc, ord uint32) bool {
	if kc.dense() {
		return kc.one(doc) == ord+1
	}
	return slices.Contains(kc.ords[kc.start[doc]:kc.start[doc+1]], ord)
}

// bitmap returns the documents holding value (empty when none do).
func (kc *keywordColumn) bitmap(value string) *roaring.Bitmap {
	if ord, ok := kc.ordinal[value]; ok {
		return kc.valueBitmap(ord)
	}
	return roaring.New()
}

// valueBitmap returns the documents holding the value of ordinal ord; a
// column's own bitmap, which nothing may change, unless it keeps lists
// and does not keep what it makes of them (made).
func (kc *keywordColumn) valueBitmap(ord uint32) *roaring.Bitmap {
	if kc.lists != nil {
		if kc.made == nil {
			return roaring.BitmapOf(kc.lists.of(ord)...)
		}
		if b := kc.made[ord].Load(); b != nil {
			return b
		}
		b := roaring.BitmapOf(kc.lists.of(ord)...)
		if !kc.made[ord].CompareAndSwap(nil, b) {
			return kc.made[ord].Load()
		}
		return b
	}
	return kc.bitmaps[ord]
}

// ordinals returns the ordinals of those of values the column holds
// (empty, not nil, when none).
func (kc *keywordColumn) ordinals(values []string) []uint32 {
	out := make([]uint32, 0, len(values))
	for _, v := range values {
		if ord, ok := kc.ordinal[v]; ok {
			out = append(out, ord)
		}
	}
	return out
}

// anyOf returns the documents holding any of values in field; values the
// index does not know match nothing.
func (kc *keywordColumn) anyOf(values []string) *roaring.Bitmap {
	var bs []*roaring.Bitmap
	for _, v := range values {
		if ord, ok := kc.ordinal[v]; ok {
			bs = append(bs, kc.valueBitmap(ord))
		}
	}
	switch len(bs) {
	case 0:
		return roaring.New()
	case 1:
		return bs[0]
	}
	return roaring.FastOr(bs...)
}

// distanceKM is the great-circle distance from p to doc's place, NaN when
// doc has none.
func (c *columns) distanceKM(doc uint32, p *GeoPoint) float64 {
	lat, lon := c.lat[doc], c.lon[doc]
	if lat != lat || lon != lon { // NaN
		return math.NaN()
	}
	return haversineKM(p.Lat, p.Lon, float64(lat), float64(lon))
}

const earthRadiusKM = 6371.0088

// unitVector is a place as a point on the unit sphere.
func unitVector(lat, lon float64) (x, y, z float64) {
	rad := math.Pi / 180
	cosLat := math.Cos(lat * rad)
	return cosLat * math.Cos(lon*rad), cosLat * math.Sin(lon*rad), math.Sin(lat * rad)
}

// chordKM is the distance along the sphere between two points on the unit
// sphere chord2 (the square of the straight line between them) apart: the
// haversine formula's, whose haversine is chord2/4.
func chordKM(chord2 float64) float64 {
	return 2 * earthRadiusKM * math.Asin(math.Min(1, math.Sqrt(chord2)/2))
}

// haversineKM is the distance between two points on a sphere the Earth's
// mean radius, accurate to about 0.5% on the real ellipsoid.
func haversineKM(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKM * math.Asin(math.Min(1, math.Sqrt(a)))
}

// within returns every document within km of p: facilities, and the doctors
// and offers of those facilities, whose places are their facility's. Only
// the facilities' places are measured (a hundred thousand, where their
// offers are a million), each first against a bounding box, and the answer
// is the union of their facility_id bitmaps.
//
// With offersOnly, only the facilities' offers: the search wants no other
// type.
//
// It also returns the distance of each facility measured, by facility
// ordinal (NaN for the others), which sorting by distance reads instead of
// measuring each offer again, and the ordinals of those measured.
func (c *columns) within(p *GeoPoint, km float64, offersOnly bool) (*roaring.Bitmap, []float32, []uint32) {
	const kmPerDegree = 111.2
	dLat := km / kmPerDegree
	dLon := 360.0 // near a pole, or a radius past half the globe: every longitude
	if maxLat := math.Abs(p.Lat) + dLat; maxLat < 89 {
		dLon = dLat / math.Cos(maxLat*math.Pi/180)
	}
	dist := make([]float32, len(c.facilityDoc))
	for i := range dist {
		dist[i] = float32(math.NaN())
	}
	var in []uint32
	px, py, pz := unitVector(p.Lat, p.Lon)
	// The longest chord within km, with room for rounding: chordKM decides.
	maxChord2 := math.Inf(1)
	if half := km / (2 * earthRadiusKM); half < math.Pi/2 {
		maxChord2 = 4*math.Sin(half)*math.Sin(half)*(1+1e-9) + 1e-15
	}
	from, _ := slices.BinarySearch(c.latOf, float32(p.Lat-dLat))
	for i := from; i < len(c.byLat) && float64(c.latOf[i]) <= p.Lat+dLat; i++ {
		lat, lon := float64(c.latOf[i]), float64(c.lonOf[i])
		if math.Abs(lat-p.Lat) > dLat {
			continue // float32 rounding at the band's edges
		}
		if dl := math.Abs(lon - p.Lon); min(dl, 360-dl) > dLon {
			continue
		}
		dx, dy, dz := c.xyzOf[3*i]-px, c.xyzOf[3*i+1]-py, c.xyzOf[3*i+2]-pz
		chord2 := dx*dx + dy*dy + dz*dz
		if chord2 > maxChord2 {
			continue
		}
		if d := chordKM(chord2); d <= km {
			ord := c.byLat[i]
			in = append(in, ord)
			dist[ord] = float32(d)
		}
	}
	lists := c.facilityLists
	if offersOnly {
		lists = c.facilityOfferLists // a quarter fewer documents to mark
	}
	return unionOf(nil, lists, in, c.docs), dist, in
}

// segmentListsOver is how many values a segment's keyword column may have
// and keep a bitmap per value (see listsOver); a variable for the tests.
var segmentListsOver = 16

// listsOver makes every keyword column of more than n values keep each
// value's documents as a list instead of a bitmap (keywordColumn.lists),
// as the generation keeps its facility ids. A segment holds a few
// documents per city, treatment or facility, and a bitmap per value in
// every segment of the overlay was a tenth of the objects each garbage
// collection marked under writes; a filter on such a value makes its
// bitmap from the list (valueBitmap), and facets count from the columns.
// The columns few values share (the type, a kind) keep their bitmaps,
// which every search reads.
func (c *columns) listsOver(n int) {
	for _, kc := range c.keywords {
		if kc.lists == nil && len(kc.bitmaps) > n {
			l := newCSR(kc.bitmaps)
			kc.lists, kc.made, kc.bitmaps = &l, make([]atomic.Pointer[roaring.Bitmap], len(kc.bitmaps)), nil
		}
	}
}

// split fills the offer and rest halves of the treatment and facility
// columns (see columns.treatmentOffers).
func (c *columns) split() {
	types := c.keywords[fieldType]
	offers := types.bitmap(TypeOffer)
	c.nOffers, c.nTreatments = offers.GetCardinality(), types.bitmap(TypeTreatment).GetCardinality()
	c.nFacilities = types.bitmap(TypeFacility).GetCardinality()
	tcol, fcol := c.keywords[fieldTreatmentID], c.keywords[fieldFacilityID]
	c.treatmentOffers = make([]*roaring.Bitmap, len(tcol.bitmaps))
	c.treatmentRest = make([]*roaring.Bitmap, len(tcol.bitmaps))
	for i, b := range tcol.bitmaps {
		c.treatmentOffers[i] = roaring.And(b, offers)
		// In place on a copy: roaring's AndNot of a list of documents and
		// a run of them (a segment's offers, numbered by DocID, are one
		// run) makes an 8 KB bitset of each, and a segment's build made
		// one per treatment it holds, most of what the follower allocated.
		rest := b.Clone()
		rest.AndNot(offers)
		c.treatmentRest[i] = rest
	}
	c.byLat, c.latOf = c.byLat[:0], c.latOf[:0]
	for ord, doc := range c.facilityDoc {
		if doc >= 0 && c.lat[doc] == c.lat[doc] && c.lon[doc] == c.lon[doc] { // not NaN
			c.byLat = append(c.byLat, uint32(ord))
		}
	}
	slices.SortFunc(c.byLat, func(a, b uint32) int {
		return cmp.Or(cmp.Compare(c.lat[c.facilityDoc[a]], c.lat[c.facilityDoc[b]]), cmp.Compare(a, b))
	})
	c.latOf, c.lonOf = make([]float32, len(c.byLat)), make([]float32, len(c.byLat))
	c.xyzOf = make([]float64, 3*len(c.byLat))
	for i, ord := range c.byLat {
		c.latOf[i], c.lonOf[i] = c.lat[c.facilityDoc[ord]], c.lon[c.facilityDoc[ord]]
		c.xyzOf[3*i], c.xyzOf[3*i+1], c.xyzOf[3*i+2] = unitVector(float64(c.latOf[i]), float64(c.lonOf[i]))
	}
	// A facility's offers are kept as a list only: a bitmap each, for
	// 100,000 facilities, was hundreds of thousands of small objects that
	// every garbage collection marks again.
	c.facilityLists = newCSR(fcol.bitmaps)
	c.facilityOfferLists = c.facilityLists.filter(offers.Contains)
	fcol.lists, fcol.bitmaps = &c.facilityLists, nil
	c.treatmentOfferLists = newCSR(c.treatmentOffers)
	c.treatmentOfferFacs = make([]uint32, len(c.treatmentOfferLists.docs))
	for i, doc := range c.treatmentOfferLists.docs {
		if ord, ok := fcol.first(doc); ok {
			c.treatmentOfferFacs[i] = ord + 1
		}
	}
	c.maxTrustRest = 0
	for d := range uint32(c.docs) {
		if !offers.Contains(d) {
			c.maxTrustRest = max(c.maxTrustRest, c.trust[d])
		}
	}
	c.maxTrust = make([]float32, len(c.treatmentOffers))
	for i, b := range c.treatmentOffers {
		b.Iterate(func(d uint32) bool {
			c.maxTrust[i] = max(c.maxTrust[i], c.trust[d])
			return true
		})
	}
}
