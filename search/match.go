package search

import (
	"cmp"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// Text matching. A query is understood as groups of alternatives (see
// understand.go); here each analysed term is looked up once, and documents
// are matched and scored from the postings.
//
// Offers are matched by a join at query time. An offer matches a term when
// its treatment does (name, lay names, code, category, translations: the
// join fields of the treatment's document), when its facility does (name,
// city, country: fieldPlace on the facility's document), or when one of its
// doctors does (fieldDoctors on the offer). A few hundred treatments stand
// behind a million offers, so matching the treatments and taking the union
// of their offers' bitmaps replaces walking hundreds of thousands of
// postings, and the build never analyses the same treatment text once per
// offer. Each word's offers are kept as the treatments and facilities it
// matched (treatPred) until the words and groups are combined, and the
// union is taken once, of the treatments every word matched.
//
// Facilities, doctors and treatments match on their own text (fieldText,
// and the join fields of other languages for treatments), a word in a name
// or lay name counting double.
//
// Scores are tf-idf: for an offer, its treatment's and its facility's weight
// for the term (idf among treatments, among facilities) plus one per term
// matched in a doctor's name. A group scores its best matching alternative
// times the alternative's weight, plus a quarter of what its other matching
// alternatives score; a document scores the sum over groups.

// otherAltsWeight is how much the alternatives of a group beyond the best
// add to its score: a treatment that matches both "nose job" and its synonym
// "rhinoplasty" ranks above one that matches only one of them.
const otherAltsWeight = 0.25

// pred is a set of offers: a membership test, and what it holds as a
// treatPred when it can be written as one (offersOf materialises those).
type pred interface {
	has(doc uint32) bool
}

// treatPred holds the offers whose treatment is marked in treat, those at
// a facility marked in fac, and those in extra (offers whose doctors match,
// or already combined). A word's offers stay in this form while the words
// and groups are combined, and are materialised once, at the end
// (offerWalk): the words of a phrase each match dozens of treatments, a
// word like "st" thousands of facilities, and a union of each one's offers
// cost more than the rest of the search. An offer has one treatment, so the
// offers every word matches through their treatment are those of the
// treatments every word matched.
type treatPred struct {
	treat      []bool // by treatment ordinal; nil: none
	n          int    // how many are marked in treat
	fac        ordSet // by facility ordinal; nil: none
	nFac       int
	extra      *roaring.Bitmap // nil: none
	tcol, fcol *keywordColumn
}

func (p *treatPred) has(doc uint32) bool {
	tord, tok := uint32(0), false
	if p.n > 0 {
		tord, tok = p.tcol.first(doc)
	}
	ford, fok := uint32(0), false
	if p.nFac > 0 {
		ford, fok = p.fcol.first(doc)
	}
	return p.hasAt(doc, tord, tok, ford, fok)
}

// throughTreatment reports whether doc is an offer of a treatment p
// marks, its ordinal in tcol, the index's column of treatment ids.
func (p *treatPred) throughTreatment(tcol *keywordColumn, doc uint32) bool {
	ord, ok := tcol.first(doc)
	return ok && int(ord) < len(p.treat) && p.treat[ord]
}

// hasAt is has for an offer whose treatment and facility ordinals are
// known (tok, fok: it has one).
func (p *treatPred) hasAt(doc, tord uint32, tok bool, ford uint32, fok bool) bool {
	return p.n > 0 && tok && p.treat[tord] || p.nFac > 0 && fok && p.fac.has(ford) ||
		p.extra != nil && p.extra.Contains(doc)
}

func (p *treatPred) empty() bool {
	return p.n == 0 && p.nFac == 0 && (p.extra == nil || p.extra.IsEmpty())
}

// ords lists the marked ordinals of marks.
func ords(marks []bool, n int) []uint32 {
	out := make([]uint32, 0, n)
	for ord, ok := range marks {
		if ok {
			out = append(out, uint32(ord))
		}
	}
	return out
}

// markOrds marks list in a new slice of size (nil when list is empty),
// and returns it and how many it marks.
func markOrds(size int, list []uint32) ([]bool, int) {
	if len(list) == 0 {
		return nil, 0
	}
	marks, n := make([]bool, size), 0
	for _, ord := range list {
		if !marks[ord] {
			marks[ord] = true
			n++
		}
	}
	return marks, n
}

// orMarks adds the n marks of from to the have marks of into (made when
// nil), and returns it and how many it marks.
func orMarks(into []bool, have int, from []bool, n int) ([]bool, int) {
	if n == 0 {
		return into, have
	}
	if into == nil {
		return slices.Clone(from), n
	}
	for ord, ok := range from {
		if ok && !into[ord] {
			into[ord] = true
			have++
		}
	}
	return into, have
}

// size is about how many offers p holds, counting twice those it holds
// two ways.
func (p *treatPred) size(cols *columns) uint64 {
	n := 0
	for ord, ok := range p.treat {
		if ok {
			n += len(cols.treatmentOfferLists.of(uint32(ord)))
		}
	}
	for ord := range p.fac.all() {
		n += len(cols.facilityOfferLists.of(ord))
	}
	if p.extra != nil {
		n += int(p.extra.GetCardinality())
	}
	return uint64(n)
}

// each calls fn with every offer p holds other than through a treatment
// marked in skip, some more than once, and with its treatment and facility
// ordinals (tok, fok: it has one).
func (p *treatPred) each(cols *columns, skip []bool, fn func(doc, tord uint32, tok bool, ford uint32, fok bool)) {
	for ord, ok := range p.treat {
		if !ok || skip != nil && skip[ord] {
			continue
		}
		start := cols.treatmentOfferLists.start[ord]
		for i, doc := range cols.treatmentOfferLists.of(uint32(ord)) {
			f := cols.treatmentOfferFacs[int(start)+i]
			fn(doc, uint32(ord), true, f-1, f != 0)
		}
	}
	for ord := range p.fac.all() {
		for _, doc := range cols.facilityOfferLists.of(ord) {
			tord, tok := p.tcol.first(doc)
			fn(doc, tord, tok, ord, true)
		}
	}
	if p.extra != nil {
		p.extra.Iterate(func(doc uint32) bool {
			tord, tok := p.tcol.first(doc)
			ford, fok := p.fcol.first(doc)
			fn(doc, tord, tok, ford, fok)
			return true
		})
	}
}

// combine makes the AND (or OR) of ps, which are all treatPreds.
func (m *matcher) combine(ps []pred, and bool) pred {
	if len(ps) == 1 {
		return ps[0]
	}
	tps := make([]*treatPred, len(ps))
	for i, p := range ps {
		tps[i] = p.(*treatPred)
	}
	out := &treatPred{tcol: m.tcol, fcol: m.fcol}
	if !and {
		var extras []*roaring.Bitmap
		for _, tp := range tps {
			out.treat, out.n = orMarks(out.treat, out.n, tp.treat, tp.n)
			out.fac, out.nFac = orOrdSets(out.fac, tp.fac, tp.nFac)
			if tp.extra != nil {
				extras = append(extras, tp.extra)
			}
		}
		if len(extras) > 0 {
			out.extra = roaring.FastOr(extras...)
		}
		return out
	}
	// Through their treatments, the offers of the treatments every part
	// marks.
	out.treat, out.n = slices.Clone(tps[0].treat), tps[0].n
	for _, tp := range tps[1:] {
		if out.n == 0 || tp.n == 0 {
			out.treat, out.n = nil, 0
			break
		}
		out.n = 0
		for ord, ok := range tp.treat {
			out.treat[ord] = out.treat[ord] && ok
			if out.treat[ord] {
				out.n++
			}
		}
	}
	// The others, when a part holds offers through their facility or
	// doctor: those of the smallest part that every other part holds.
	// (Making each part's bitmap and intersecting them cost 30-50% more
	// at a million offers, for "new hip" as for "ST-elevation myocardial
	// infarction": a union of a big part allocates, and asking stops at
	// the first part that does not hold the offer.)
	if !slices.ContainsFunc(tps, func(tp *treatPred) bool { return tp.nFac > 0 || tp.extra != nil }) {
		return out
	}
	gen, least := 0, uint64(math.MaxUint64)
	for i, tp := range tps {
		if n := tp.size(m.ix.cols); n < least {
			gen, least = i, n
		}
	}
	var kept []uint32
	tps[gen].each(m.ix.cols, out.treat, func(doc, tord uint32, tok bool, ford uint32, fok bool) {
		for j, tp := range tps {
			if j != gen && !tp.hasAt(doc, tord, tok, ford, fok) {
				return
			}
		}
		kept = append(kept, doc)
	})
	if len(kept) > 0 {
		out.extra = roaring.BitmapOf(kept...)
	}
	return out
}

// offersOf materialises p.
func (m *matcher) offersOf(p *treatPred) *roaring.Bitmap {
	cols := m.ix.cols
	var bms []*roaring.Bitmap
	if p.n > 0 {
		bms = append(bms, m.treatmentUnion(ords(p.treat, p.n), false))
	}
	if p.extra != nil {
		bms = append(bms, p.extra)
	}
	if p.nFac > 0 {
		return unionOf(bms, cols.facilityOfferLists, p.fac.ords(p.nFac), cols.docs)
	}
	switch len(bms) {
	case 0:
		return roaring.New()
	case 1:
		return bms[0] // may be shared: not changed
	}
	return roaring.Or(bms[0], bms[1])
}

// termHits is what one analysed term matches, as one matcher reads it.
// What the term matches (termData) is shared by the matchers that read a
// segment's kept hits (termCache); each has its own cursor over the
// documents' weights (other) and its own number for the term (idx). A
// matcher copied the whole of it for every cached term it looked up, a
// twentieth of what searches allocated under writes.
type termHits struct {
	*termData
	other docWeights // facilities, doctors, treatments → weight
	// idx numbers the term in its matcher (matcher.viaBest).
	idx int
}

// termData is what one analysed term matches in one index.
type termData struct {
	treat []float64 // by treatment ordinal: weight
	// treatOrds are the ordinals treat weighs, each once, in order: the
	// walks over a term's treatments visit these, not every treatment of
	// the index (each segment's column holds hundreds).
	treatOrds []uint32
	// fac is the weight by facility ordinal (nil: none), and facOrds the
	// facilities it holds. A word like "st" is in thousands of places, and
	// a slice costs a fraction of a map's inserts.
	fac     []float64
	facOrds []uint32
	doctor  *roaring.Bitmap // offers whose doctors' names hold the term
	offers  pred
	others  *roaring.Bitmap
	// viaTreatments: facilities and doctors match through their treatments.
	viaTreatments bool
	// kept: a segment keeps these hits for every search (termCache), so
	// their weights are not pooled, and nothing writes them once made.
	kept bool
	// empty: kept, and matching nothing for the matcher's types.
	empty bool
}

// matcher runs one understood query against one index.
type matcher struct {
	ix                   *Index
	u                    *understood
	wantOffers, wantRest bool
	// onlyTreatments: of the other types, only treatments are wanted, so
	// their join fields stand in for the much larger fieldText.
	onlyTreatments      bool
	hits                map[langTerm]*termHits
	offers, treatments  *roaring.Bitmap
	tcol, fcol          *keywordColumn
	nTreat, nFac, nRest float64
	groups              []matchGroup
	// The cache of scoreOffer (prepareOfferScores): scores of offers
	// matched only through their treatment, by treatment ordinal (NaN: not
	// yet computed); the facilities and doctors' offers that a term
	// matched, which are scored one by one.
	byTreatment []float64
	viaFacility []bool   // by facility ordinal, from viaFacilityPool
	viaFacs     []uint32 // the ordinals set in viaFacility
	viaDoctor   *roaring.Bitmap
	// For scoring facilities and doctors through their treatments: the
	// terms each treatment ordinal matched, and each term's best weight
	// among the treatments of the document being scored (see scoreRest).
	treatTerms [][]termWeight
	viaBest    []float64
	// The cache of scoreRest: a facility or doctor that no term matched on
	// its own text (own) scores what its matched treatments give, so its
	// score is kept under the list of those treatments' ordinals (restKey,
	// reused). A lay phrase matches dozens of treatments and through them
	// most facilities and doctors, which share a few hundred such lists.
	own       *roaring.Bitmap
	restCache map[string]float64
	restKey   []byte
	restByOne []float64 // by treatment ordinal, for keys of one (NaN: not yet)
	// unions holds the unions treatmentUnion made too large for the
	// index to keep, by which column and which ordinals.
	unions map[string]*roaring.Bitmap
	// offersAll is the offers every group holds (offerWalk; nil: not yet),
	// and offersPred the treatPred it was made of.
	offersAll  *roaring.Bitmap
	offersPred *treatPred
}

// noOffers is the offers of a part that matches none.
var noOffers pred = &treatPred{}

// noDocs is the documents other than offers of a part that matches none,
// shared as noOffers is: nothing changes it.
var noDocs = roaring.New()

// termWeight is a term's weight for one treatment.
type termWeight struct {
	term int
	w    float64
}

type matchGroup struct {
	alts   []matchAlt
	offers pred
	rest   *roaring.Bitmap
}

type matchAlt struct {
	alt    *alternative
	hits   []*termHits
	offers pred
	rest   *roaring.Bitmap
	// restIt walks rest alongside the documents scoreRest is asked, which
	// come in ascending order (restHas); restAt is the last asked.
	restIt roaring.IntPeekable
	restAt uint32
}

// restHas reports whether rest holds doc: with an iterator that moves
// forward while the documents asked do, a search of a container when one
// is asked again from the start.
func (a *matchAlt) restHas(doc uint32) bool {
	if a.restIt == nil || doc < a.restAt {
		a.restIt = a.rest.Iterator()
	}
	a.restAt = doc
	a.restIt.AdvanceIfNeeded(doc)
	return a.restIt.HasNext() && a.restIt.PeekNext() == doc
}

func (ix *Index) newMatcher(ctx context.Context, u *understood, wanted []string) (*matcher, error) {
	wantOffers := len(wanted) == 0 || slices.Contains(wanted, TypeOffer)
	wantRest := len(wanted) == 0 || slices.ContainsFunc(wanted, func(t string) bool { return t != TypeOffer })
	onlyTreatments := len(wanted) > 0 && !slices.ContainsFunc(wanted, func(t string) bool {
		return t == TypeFacility || t == TypeDoctor
	})
	cols := ix.cols
	types := cols.keywords[fieldType]
	terms := 0
	for gi := range u.groups {
		for ai := range u.groups[gi].alts {
			terms += len(u.groups[gi].alts[ai].terms)
		}
	}
	// A generation's map is sized for the query's terms, ten languages'
	// worth for each word, as it numbers them all. A segment numbers only
	// the few it holds (term hands back the empty unnumbered), and a map
	// sized for twenty was most of what its matcher allocated.
	hitsSize := terms
	if ix.mem != nil {
		hitsSize = 0
	}
	m := &matcher{ix: ix, u: u, wantOffers: wantOffers, wantRest: wantRest, onlyTreatments: onlyTreatments,
		hits:   make(map[langTerm]*termHits, hitsSize),
		groups: make([]matchGroup, 0, len(u.groups)),
		offers: types.bitmap(TypeOffer), treatments: types.bitmap(TypeTreatment), tcol: cols.keywords[fieldTreatmentID], fcol: cols.keywords[fieldFacilityID],
		nTreat: float64(cols.nTreatments), nFac: float64(cols.nFacilities)}
	m.nRest = float64(cols.docs) - float64(cols.nOffers)
	hitsBuf := make([]*termHits, terms)
	var ops, offerPreds []pred
	var rbs, restBMs []*roaring.Bitmap
	for gi := range u.groups {
		g := &u.groups[gi]
		mg := matchGroup{}
		offerPreds, restBMs = offerPreds[:0], restBMs[:0]
		for ai := range g.alts {
			a := &g.alts[ai]
			// An alternative's hits are its own (scoring reads them), cut
			// from one list for the query; ops and rbs are only combined.
			ma := matchAlt{alt: a, hits: hitsBuf[:0:len(a.terms)]}
			ops, rbs = ops[:0], rbs[:0]
			for _, t := range a.terms {
				h, err := m.term(ctx, t)
				if err != nil {
					return nil, err
				}
				ma.hits = append(ma.hits, h)
				if wantOffers {
					ops = append(ops, h.offers)
				}
				if wantRest {
					rbs = append(rbs, h.others)
				}
			}
			ma.offers, ma.rest = noOffers, noDocs
			if wantOffers {
				ma.offers = m.combine(ops, true)
			}
			if wantRest {
				ma.rest = roaring.FastAnd(rbs...)
				if len(rbs) == 1 {
					ma.rest = rbs[0]
				}
			}
			// An alternative that matches nothing (most words in most
			// languages) is dropped, so that scoring a match only visits
			// the alternatives that can hold it.
			if tp, ok := ma.offers.(*treatPred); ok && tp.empty() && ma.rest.IsEmpty() {
				continue
			}
			offerPreds = append(offerPreds, ma.offers)
			restBMs = append(restBMs, ma.rest)
			hitsBuf = hitsBuf[len(ma.hits):]
			mg.alts = append(mg.alts, ma)
		}
		mg.offers, mg.rest = noOffers, noDocs
		if wantOffers && len(offerPreds) > 0 {
			mg.offers = m.combine(offerPreds, false)
		}
		if wantRest && len(restBMs) > 0 {
			mg.rest = roaring.FastOr(restBMs...)
		}
		m.groups = append(m.groups, mg)
	}
	m.viaBest = make([]float64, len(m.hits))
	for _, h := range m.hits {
		if !h.viaTreatments {
			continue
		}
		if m.treatTerms == nil {
			m.treatTerms = make([][]termWeight, len(m.tcol.values))
		}
		for _, ord := range h.treatOrds {
			if w := h.treat[ord]; w > 0 {
				m.treatTerms[ord] = append(m.treatTerms[ord], termWeight{h.idx, w})
			}
		}
	}
	return m, nil
}

// matchFields are the fields term reads a term of lang in.
func matchFields(lang string) []string {
	if lang == LangEnglish {
		return []string{fieldJoin, fieldName, fieldPlace, fieldDoctors, fieldText, fieldLay}
	}
	return []string{joinField(lang)}
}

// mayMatch reports whether ix could match u: whether every group of u has
// an alternative whose every term ix holds, in one of the fields term
// reads it in (matchFields). A term held nowhere matches nothing, an
// alternative needs all its terms and a query every group, so an index
// for which this is false matches nothing of u, whatever a search filters.
// An overlay's search passes such a segment by (Overlay.search): most
// small segments, for most queries, hold none of the query's treatments,
// places or doctors, and a matcher, a plan and a collector cost the same
// for an empty side.
func (ix *Index) mayMatch(ctx context.Context, u *understood) (bool, error) {
	if len(u.groups) == 0 {
		return true, nil
	}
	for gi := range u.groups {
		found := false
		for ai := range u.groups[gi].alts {
			a := &u.groups[gi].alts[ai]
			all := true
			for _, t := range a.terms {
				held, err := ix.holdsTerm(ctx, t)
				if err != nil {
					return false, err
				}
				if !held {
					all = false
					break
				}
			}
			if all { // an alternative of no terms included: kept, as term would
				found = true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

// holdsTerm reports whether ix holds t in a field term reads it in.
func (ix *Index) holdsTerm(ctx context.Context, t langTerm) (bool, error) {
	for _, field := range matchFields(t.lang) {
		n, err := ix.termCount(ctx, field, t.term)
		if err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// term looks a term up, once per query. The fields it reads are
// matchFields'.
func (m *matcher) term(ctx context.Context, t langTerm) (*termHits, error) {
	if h, ok := m.hits[t]; ok {
		return h, nil
	}
	ix := m.ix
	var key termKey
	if ix.mem != nil {
		key = termKey{t: t, wantOffers: m.wantOffers, wantRest: m.wantRest, onlyTreatments: m.onlyTreatments}
		if kept := ix.mem.terms.get(key); kept != nil {
			if kept.empty {
				// Held nowhere the matcher reads: its alternatives are
				// dropped (newMatcher), so it is not numbered or copied.
				// Most of a query's terms, in most languages, in most
				// segments.
				return kept, nil
			}
			h := *kept
			h.idx = len(m.hits)
			m.hits[t] = &h
			return &h, nil
		}
	}
	h := &termHits{termData: &termData{doctor: roaring.New(), others: roaring.New(), kept: ix.mem != nil}}
	h.treat = weights(&treatWeightPool, len(m.tcol.values), h.kept)
	var tords, facilities []uint32
	treatments := ix.cols.keywords[fieldType].bitmap(TypeTreatment)

	// The treatment's names in the term's language: they find the treatment
	// itself and, through it, its offers.
	var pass weightPass
	err := ix.eachPosting(ctx, joinField(t.lang), t.term, m.nTreat, 1, func(doc uint32, w float64) {
		if ord, ok := m.tcol.first(doc); ok {
			h.weighTreatment(ord, w)
			tords = append(tords, ord)
		}
		if t.lang != LangEnglish {
			pass.add(doc, 2*w)
		} else if m.onlyTreatments {
			pass.add(doc, w) // the join field holds what fieldText does
		}
	})
	if err != nil {
		return nil, err
	}
	h.others.AddMany(pass.docs)
	h.other.merge(pass)
	if t.lang == LangEnglish {
		// The name field is read once for both: the treatments' names find
		// them and their offers, and every name counts double for the
		// document's own score. It holds every offer's name too, which is
		// most of its postings.
		var names weightPass
		if m.wantOffers || m.wantRest {
			p, err := ix.openPostings(ctx, fieldName, t.term)
			if err != nil {
				return nil, err
			}
			if m.wantRest {
				names = newWeightPass(p.count)
			}
			err = p.each(ctx, m.nTreat, m.nRest, 2, func(doc uint32, wTreat, wRest float64) {
				treatment := treatments.Contains(doc)
				if treatment && m.wantOffers {
					if ord, ok := m.tcol.first(doc); ok {
						h.weighTreatment(ord, wTreat)
					}
				}
				if m.wantRest && (treatment || !m.onlyTreatments && !m.offers.Contains(doc)) {
					names.add(doc, wRest)
				}
			})
			if err != nil {
				return nil, err
			}
		}
		if m.wantOffers {
			p, err := ix.openPostings(ctx, fieldPlace, t.term)
			if err != nil {
				return nil, err
			}
			if p.count > 0 {
				h.fac, facilities = weights(&facWeightPool, len(m.fcol.values), h.kept), make([]uint32, 0, p.count)
			}
			err = p.each(ctx, m.nFac, m.nFac, 1, func(doc uint32, w, _ float64) {
				if ord, ok := m.fcol.first(doc); ok {
					h.fac[ord] += w
					facilities = append(facilities, ord)
				}
			})
			if err != nil {
				return nil, err
			}
		}
		if m.wantOffers {
			err = ix.eachPosting(ctx, fieldDoctors, t.term, m.nRest, 1, func(doc uint32, _ float64) {
				h.doctor.Add(doc)
			})
			if err != nil {
				return nil, err
			}
		}
		if m.wantRest && !m.onlyTreatments {
			pass, err := ix.weighPostings(ctx, fieldText, t.term, m.nRest, 1, nil)
			if err != nil {
				return nil, err
			}
			h.others.AddMany(pass.docs)
			h.other.merge(pass)
		}
		if m.wantRest {
			h.other.merge(names)
			pass, err := ix.weighPostings(ctx, fieldLay, t.term, m.nRest, 2, func(doc uint32) bool {
				return !m.offers.Contains(doc) && (!m.onlyTreatments || treatments.Contains(doc))
			})
			if err != nil {
				return nil, err
			}
			h.other.merge(pass)
		}
	}
	if m.wantRest && !m.onlyTreatments && len(tords) > 0 {
		// Facilities and doctors that provide a matching treatment.
		h.others.Or(m.treatmentUnion(tords, true))
		h.viaTreatments = true
	}
	if m.wantOffers {
		tp := &treatPred{tcol: m.tcol, fcol: m.fcol}
		tp.treat, tp.n = markOrds(len(m.tcol.values), tords)
		tp.fac, tp.nFac = newOrdSet(len(m.fcol.values), facilities)
		h.facOrds = facilities
		if !h.doctor.IsEmpty() {
			tp.extra = h.doctor
		}
		h.offers = tp
	}
	slices.Sort(h.treatOrds)
	h.treatOrds = slices.Compact(h.treatOrds)
	h.idx = len(m.hits)
	m.hits[t] = h
	if h.kept {
		h.empty = len(h.treatOrds) == 0 && len(h.facOrds) == 0 && h.doctor.IsEmpty() &&
			h.others.IsEmpty() && len(h.other.docs) == 0
		kept := *h
		ix.mem.terms.put(key, &kept)
	}
	return h, nil
}

// treatmentUnion is the union over ords of the treatments' offers (or,
// with rest, of the facilities and doctors providing them), made once for
// each list and kept by the index for the searches after (unionCache):
// the words of a phrase, and their synonyms and other languages, often
// match the same treatments, and patients search the same words. The
// bitmap is shared: nothing may change it.
func (m *matcher) treatmentUnion(ords []uint32, rest bool) *roaring.Bitmap {
	of, key := m.ix.cols.treatmentOffers, make([]byte, 1, 1+4*len(ords))
	if rest {
		of, key[0] = m.ix.cols.treatmentRest, 'r'
	}
	for _, ord := range ords {
		key = binary.LittleEndian.AppendUint32(key, ord)
	}
	unions := m.ix.cols.unions
	if b := unions.get(string(key)); b != nil {
		return b
	}
	if b, ok := m.unions[string(key)]; ok {
		return b // made by this search, too large to keep
	}
	bms := make([]*roaring.Bitmap, len(ords))
	for i, ord := range ords {
		bms[i] = of[ord]
	}
	// The facilities and doctors providing dozens of treatments overlap
	// most: roaring's own union, which ORs bitmap containers word by
	// word, beats setting each one's bits in a bitset of every document
	// (a lay phrase's searches 25% faster, "surgery" 18%). The offers of
	// hundreds of treatments do not overlap, and the bitset wins there.
	var b *roaring.Bitmap
	if rest {
		b = roaring.FastOr(bms...)
	} else {
		b = unionMany(bms, m.ix.cols.docs)
	}
	if unions.put(string(key), b) {
		return b
	}
	if m.unions == nil {
		m.unions = map[string]*roaring.Bitmap{}
	}
	m.unions[string(key)] = b
	return b
}

// facWeightPool holds termHits.fac slices, all zero, for matchers to
// reuse: one is as long as the index has facilities (800 KB at 100,000),
// and a word in thousands of places would otherwise make one per search.
var facWeightPool sync.Pool

// treatWeightPool holds termHits.treat slices for matchers to reuse: a
// query's words, synonyms, corrections and languages are dozens of terms,
// each looked up in the generation and in every segment of an overlay.
var treatWeightPool sync.Pool

// offerScorePool holds matcher.byTreatment slices, and viaFacilityPool
// matcher.viaFacility slices, all false, and partPool runOffersTop's
// parts: each is as long as the index has treatments or facilities, and
// every search of offers by text takes one.
var offerScorePool, viaFacilityPool, partPool sync.Pool

// weights returns n zero weights: from pool when it holds a slice long
// enough, unless they are to be kept (termHits.kept).
func weights(pool *sync.Pool, n int, kept bool) []float64 {
	if kept {
		return make([]float64, n)
	}
	return fromPool[float64](pool, n)
}

// release gives back what m took from pools; m is not used after it.
func (m *matcher) release() {
	if m.byTreatment != nil {
		toPool(&offerScorePool, m.byTreatment)
		m.byTreatment = nil
	}
	if m.viaFacility != nil {
		for _, ord := range m.viaFacs {
			m.viaFacility[ord] = false
		}
		toPool(&viaFacilityPool, m.viaFacility)
		m.viaFacility, m.viaFacs = nil, nil
	}
	for _, h := range m.hits {
		if h.kept {
			continue
		}
		if h.treat != nil {
			for _, ord := range h.treatOrds {
				h.treat[ord] = 0
			}
			toPool(&treatWeightPool, h.treat)
			h.treat = nil
		}
		if h.fac != nil {
			for _, ord := range h.facOrds {
				h.fac[ord] = 0
			}
			toPool(&facWeightPool, h.fac)
			h.fac = nil
		}
	}
}

// termPostings is a term's postings in one field, open for one walk: read
// from the generation's segments (fp), a segment's own (list), or through
// Bleve's reader (tfr) when the index is not Bleve's scorch. each, or
// else close, hands the reader back.
type termPostings struct {
	zap   *segmentReader
	fp    *fieldPostings
	tfr   index.TermFieldReader
	list  []memoPosting
	count int // how many documents hold the term
}

func (ix *Index) openPostings(ctx context.Context, field, term string) (termPostings, error) {
	if ix.mem != nil {
		list := ix.mem.postings(field, term)
		return termPostings{list: list, count: len(list)}, nil
	}
	if ix.zap != nil {
		fp, n, err := ix.zap.open(field, term, true)
		if err != nil {
			return termPostings{}, err
		}
		return termPostings{zap: ix.zap, fp: fp, count: n}, nil
	}
	tfr, err := ix.reader.TermFieldReader(ctx, []byte(term), field, true, true, false)
	if err != nil {
		return termPostings{}, err
	}
	return termPostings{tfr: tfr, count: int(tfr.Count())}, nil
}

// termCount is how many documents hold term in field.
func (ix *Index) termCount(ctx context.Context, field, term string) (int, error) {
	p, err := ix.openPostings(ctx, field, term)
	if err != nil {
		return 0, err
	}
	p.close()
	return p.count, nil
}

// baseDoc is the document of the generation with DocID key, and whether it
// has one (live).
func (ix *Index) baseDoc(key string) (uint32, bool, error) {
	if ix.zap != nil {
		return ix.zap.docOf(key)
	}
	id, err := ix.reader.InternalID(key)
	if err != nil || len(id) == 0 {
		return 0, false, err
	}
	return uint32(id.Value()), true, nil
}

// close hands the postings' reader back without reading them.
func (p termPostings) close() {
	switch {
	case p.fp != nil:
		p.zap.done(p.fp)
	case p.tfr != nil:
		p.tfr.Close()
	}
}

// each calls fn with every document holding the term and its tf-idf
// weights times boost, idf taken over n1 and over n2 documents, and
// closes the postings.
func (p termPostings) each(ctx context.Context, n1, n2, boost float64, fn func(doc uint32, w1, w2 float64)) error {
	idf1 := max(1+math.Log(n1/float64(p.count+1)), 0.1)
	idf2 := max(1+math.Log(n2/float64(p.count+1)), 0.1)
	if p.fp != nil {
		defer p.zap.done(p.fp)
		return p.zap.each(ctx, p.fp, func(doc uint32, freq uint64, norm float64) {
			tf := boost * math.Sqrt(float64(freq)) * norm
			fn(doc, tf*idf1, tf*idf2)
		})
	}
	if p.tfr == nil {
		for _, d := range p.list {
			tf := boost * math.Sqrt(float64(d.freq)) * float64(d.norm)
			fn(d.doc, tf*idf1, tf*idf2)
		}
		return nil
	}
	defer p.tfr.Close()
	var doc index.TermFieldDoc
	for i := 1; ; i++ {
		if i%checkDoneEvery == 0 {
			if err := stopped(ctx); err != nil {
				return err
			}
		}
		d, err := p.tfr.Next(&doc)
		if err != nil {
			return err
		}
		if d == nil {
			return nil
		}
		tf := boost * math.Sqrt(float64(d.Freq)) * d.Norm
		fn(uint32(d.ID.Value()), tf*idf1, tf*idf2)
	}
}

// eachPosting calls fn with every document holding term in field and its
// tf-idf weight times boost, idf taken over n documents.
func (ix *Index) eachPosting(ctx context.Context, field, term string, n, boost float64, fn func(doc uint32, weight float64)) error {
	p, err := ix.openPostings(ctx, field, term)
	if err != nil {
		return err
	}
	return p.each(ctx, n, n, boost, func(doc uint32, w, _ float64) { fn(doc, w) })
}

// weighPostings collects into a pass the weights eachPosting gives, of
// the documents keep accepts (nil: all), its lists sized for the term's
// postings.
func (ix *Index) weighPostings(ctx context.Context, field, term string, n, boost float64, keep func(doc uint32) bool) (weightPass, error) {
	p, err := ix.openPostings(ctx, field, term)
	if err != nil {
		return weightPass{}, err
	}
	pass := newWeightPass(p.count)
	err = p.each(ctx, n, n, boost, func(doc uint32, w, _ float64) {
		if keep == nil || keep(doc) {
			pass.add(doc, w)
		}
	})
	return pass, err
}

// weighTreatment adds w to the term's weight of treatment ordinal ord.
func (h *termHits) weighTreatment(ord uint32, w float64) {
	if h.treat[ord] == 0 {
		h.treatOrds = append(h.treatOrds, ord)
	}
	h.treat[ord] += w
}

// offerScore is an offer's weight for one term.
func (h *termHits) offerScore(doc uint32, tord, ford uint32, hasT, hasF bool) float64 {
	v := 0.0
	if hasT {
		v += h.treat[tord]
	}
	if hasF && h.fac != nil {
		v += h.fac[ford]
	}
	if h.doctor.Contains(doc) {
		v++
	}
	return v
}

// prepareOfferScores sets up the cache of scoreOffer: an offer matched
// through neither its facility nor a doctor's name scores what its
// treatment gives, the same for all of that treatment's offers.
// Both caches come from pools and go back at release: as long as the
// index has treatments and facilities, they were a fifth of what a
// search allocated at a million offers, and so of how often the
// collector ran.
func (m *matcher) prepareOfferScores() {
	if m.byTreatment == nil {
		m.byTreatment = weights(&offerScorePool, len(m.tcol.values), false)
	}
	for i := range m.byTreatment {
		m.byTreatment[i] = math.NaN()
	}
	if m.viaFacility == nil {
		m.viaFacility = fromPool[bool](&viaFacilityPool, len(m.fcol.values)) // all false
	}
	for _, ord := range m.viaFacs {
		m.viaFacility[ord] = false
	}
	m.viaFacs = m.viaFacs[:0]
	var doctors []*roaring.Bitmap
	for _, h := range m.hits {
		for _, ford := range h.facOrds {
			if !m.viaFacility[ford] {
				m.viaFacility[ford] = true
				m.viaFacs = append(m.viaFacs, ford)
			}
		}
		if !h.doctor.IsEmpty() {
			doctors = append(doctors, h.doctor)
		}
	}
	if len(doctors) > 0 {
		m.viaDoctor = roaring.FastOr(doctors...)
	}
}

// scoreOffer is an offer's text relevance: over groups, the best matching
// alternative's weight times the sum of its terms' weights.
func (m *matcher) scoreOffer(doc uint32) float64 {
	tord, hasT := m.tcol.first(doc)
	ford, hasF := m.fcol.first(doc)
	plain := hasT && m.byTreatment != nil && !(hasF && m.viaFacility[ford]) &&
		(m.viaDoctor == nil || !m.viaDoctor.Contains(doc))
	if plain {
		if v := m.byTreatment[tord]; v == v { // not NaN: computed
			return v
		}
	}
	v := m.scoreOfferUncached(doc, tord, ford, hasT, hasF)
	if plain {
		m.byTreatment[tord] = v
	}
	return v
}

func (m *matcher) scoreOfferUncached(doc, tord, ford uint32, hasT, hasF bool) float64 {
	return m.score(
		func(a *matchAlt) bool { return a.offers.has(doc) },
		func(h *termHits) float64 { return h.offerScore(doc, tord, ford, hasT, hasF) })
}

// scoreRest is a facility's, doctor's or treatment's text relevance, scored
// as scoreOffer's.
func (m *matcher) scoreRest(doc uint32) float64 {
	treatment := m.treatments.Contains(doc)
	if treatment || m.treatTerms == nil || m.own.Contains(doc) {
		return m.scoreRestUncached(doc, treatment)
	}
	// Matched only through its treatments: whether each alternative holds
	// it (a.rest) and each term's weight for it (viaBest) depend on nothing
	// but which of its treatments matched.
	key := m.restKey[:0]
	matched, one := 0, uint32(0)
	for _, ord := range m.tcol.ords[m.tcol.start[doc]:m.tcol.start[doc+1]] {
		if m.treatTerms[ord] != nil {
			key = binary.LittleEndian.AppendUint32(key, ord)
			matched, one = matched+1, ord
		}
	}
	m.restKey = key
	if matched == 1 { // most doctors: one matching treatment, no map
		if v := m.restByOne[one]; v == v { // not NaN: computed
			return v
		}
		v := m.scoreRestUncached(doc, false)
		m.restByOne[one] = v
		return v
	}
	if v, ok := m.restCache[string(key)]; ok {
		return v
	}
	v := m.scoreRestUncached(doc, false)
	m.restCache[string(key)] = v
	return v
}

// prepareRestScores sets up the cache of scoreRest.
func (m *matcher) prepareRestScores() {
	m.own = roaring.New()
	for _, h := range m.hits {
		m.own.AddMany(h.other.docs)
	}
	m.restCache = map[string]float64{}
	m.restByOne = make([]float64, len(m.tcol.values))
	for i := range m.restByOne {
		m.restByOne[i] = math.NaN()
	}
}

func (m *matcher) scoreRestUncached(doc uint32, treatment bool) float64 {
	if !treatment && m.treatTerms != nil {
		// Each term's best weight among the document's treatments, in one
		// pass over them (a facility offers dozens; a query's words in
		// every language make dozens of terms).
		clear(m.viaBest)
		for _, ord := range m.tcol.ords[m.tcol.start[doc]:m.tcol.start[doc+1]] {
			for _, tw := range m.treatTerms[ord] {
				m.viaBest[tw.term] = max(m.viaBest[tw.term], tw.w)
			}
		}
	}
	return m.score(
		func(a *matchAlt) bool { return a.restHas(doc) },
		func(h *termHits) float64 {
			s := h.other.get(doc)
			if h.viaTreatments && !treatment {
				s += treatmentJoinWeight * m.viaBest[h.idx]
			}
			return s
		})
}

// score sums over groups the best matching alternative's weighted score
// plus otherAltsWeight of the others'. has says whether an alternative
// matches the document (only asked when a group has several); term is a
// term's weight for it.
func (m *matcher) score(has func(*matchAlt) bool, term func(*termHits) float64) float64 {
	total := 0.0
	for gi := range m.groups {
		g := &m.groups[gi]
		best, sum := 0.0, 0.0
		for ai := range g.alts {
			a := &g.alts[ai]
			if len(g.alts) > 1 && !has(a) {
				continue
			}
			s := 0.0
			for _, h := range a.hits {
				s += term(h)
			}
			best, sum = max(best, s*a.alt.weight), sum+s*a.alt.weight
		}
		total += best + otherAltsWeight*(sum-best)
	}
	return total
}

// treatmentJoinWeight is how much a facility or doctor scores for a word
// that matches one of its treatments, relative to the treatment itself.
const treatmentJoinWeight = 0.5

// matchedLabels lists, for explain, what matched doc in each group.
func (m *matcher) matchedLabels(doc uint32) []string {
	var out []string
	isOffer := m.offers.Contains(doc)
	for _, g := range m.groups {
		for _, a := range g.alts {
			ok := false
			if isOffer && a.offers != nil {
				ok = a.offers.has(doc)
			} else if !isOffer && a.rest != nil {
				ok = a.rest.Contains(doc)
			}
			if ok && !slices.Contains(out, a.alt.label) {
				out = append(out, a.alt.label)
				break
			}
		}
	}
	return out
}

// run calls yield for every document matching every group, within filter
// (nil: no filter).
func (m *matcher) run(ctx context.Context, filter *roaring.Bitmap, yield func(doc uint32, score float64)) error {
	if len(m.groups) == 0 {
		return nil
	}
	if m.wantOffers {
		if err := m.runOffers(ctx, filter, yield); err != nil {
			return err
		}
	}
	return m.runRest(ctx, filter, yield)
}

// runFor is run into a collector, taking the shortcut of runOffersTop
// when the collector allows it.
func (m *matcher) runFor(ctx context.Context, filter *roaring.Bitmap, c *collector) error {
	if len(m.groups) == 0 {
		return nil
	}
	if m.wantOffers {
		done := false
		var err error
		if c.onlyTop() && offersTopShortcut {
			if done, err = m.runOffersTop(ctx, filter, c); err != nil {
				return err
			}
		} else if c.walksOrders() && offersTopShortcut {
			m.prepareOfferScores()
			if done, err = c.sortedTop(ctx, m.offerWalk(filter), m.scoreOffer); err != nil {
				return err
			}
		}
		if !done {
			if err := m.runOffers(ctx, filter, c.add); err != nil {
				return err
			}
		}
	}
	if c.onlyTop() && offersTopShortcut {
		return m.runRestTop(ctx, filter, c)
	}
	return m.runRest(ctx, filter, c.add)
}

// runRest is run's part for facilities, doctors and treatments.
func (m *matcher) runRest(ctx context.Context, filter *roaring.Bitmap, yield func(doc uint32, score float64)) error {
	if !m.wantRest {
		return nil
	}
	m.prepareRestScores()
	return m.walkRest(ctx, m.restWalk(filter), yield)
}

// restWalk is the facilities, doctors and treatments every group holds,
// within filter.
func (m *matcher) restWalk(filter *roaring.Bitmap) *roaring.Bitmap {
	bms := make([]*roaring.Bitmap, 0, len(m.groups)+1)
	for _, g := range m.groups {
		bms = append(bms, g.rest)
	}
	if filter != nil {
		bms = append(bms, filter)
	}
	if len(bms) == 1 {
		return bms[0]
	}
	return roaring.FastAnd(bms...)
}

func (m *matcher) walkRest(ctx context.Context, all *roaring.Bitmap, yield func(doc uint32, score float64)) error {
	return eachDoc(ctx, all, func(doc uint32) bool {
		yield(doc, m.scoreRest(doc))
		return true
	})
}

// runRestTop is runRest for a collector that wants only counts and the
// best k by relevance (collector.onlyTop). A facility or doctor matched
// only through its treatments scores at most restBound times its trust.
// The others (matched on their own text, and treatments), which score
// highest, are scored first, as runRest does; then, once k are kept, a
// document matched only through its treatments whose bound is below the
// k-th score kept cannot rank, and is counted without being scored: all
// of them on their bitmap when even the highest trust cannot lift one
// there, else one by one.
func (m *matcher) runRestTop(ctx context.Context, filter *roaring.Bitmap, c *collector) error {
	if !m.wantRest {
		return nil
	}
	m.prepareRestScores()
	all := m.restWalk(filter)
	if m.treatTerms == nil {
		return m.walkRest(ctx, all, c.add)
	}
	visit := roaring.Or(m.own, m.treatments)
	visit.And(all)
	through := roaring.AndNot(all, visit)
	bound, withOwn := m.restBound()
	trust := m.ix.cols.trust
	// Those matched on their own text (a word like "st" is in thousands of
	// facilities' texts) are weighed when what their own text and the best
	// treatments could give them, times their trust, might rank.
	err := eachDoc(ctx, visit, func(doc uint32) bool {
		if c.full() && withOwn(doc)*float64(trust[doc]) < c.worst().score {
			c.tally(doc)
		} else {
			c.add(doc, m.scoreRest(doc))
		}
		return true
	})
	if err != nil {
		return err
	}
	if c.full() && bound*float64(m.ix.cols.maxTrustRest) < c.worst().score {
		c.countAll(through)
		return nil
	}
	if order, _ := m.ix.trustOrder(); order != nil && c.p.k > 0 {
		// Most trusted first, until even the best treatments' score
		// cannot lift one over the k-th kept: so it is for every one
		// after it. A lay phrase's words reach tens of thousands of
		// facilities and doctors through their treatments, and the page
		// is made of the first few hundred. (None of them is starred:
		// only offers are, starSet.)
		in := denseOf(through, m.ix.cols.docs)
		defer releaseDense(in)
		c.countAllIn(through, in)
		for i, doc := range order.rest {
			if i%checkDoneEvery == checkDoneEvery-1 {
				if err := stopped(ctx); err != nil {
					return err
				}
			}
			if c.full() && bound*float64(trust[doc]) < c.worst().score {
				break
			}
			if (*in)[doc>>6]&(1<<(doc&63)) != 0 {
				c.consider(doc, m.scoreRest(doc))
			}
		}
		return nil
	}
	return eachDoc(ctx, through, func(doc uint32) bool {
		if c.full() && bound*float64(trust[doc]) < c.worst().score {
			c.tally(doc)
		} else {
			c.add(doc, m.scoreRest(doc))
		}
		return true
	})
}

// restBound returns the most a facility or doctor matched only through
// its treatments can score before its trust: every alternative counted as
// matching, and each term at its best weight among all treatments (score
// grows with both; see scoreRestUncached); and, for one matched on its own
// text too, that bound with its own weights added.
func (m *matcher) restBound() (float64, func(doc uint32) float64) {
	best := make([]float64, len(m.hits))
	for _, h := range m.hits {
		if h.viaTreatments {
			for _, ord := range h.treatOrds {
				best[h.idx] = max(best[h.idx], treatmentJoinWeight*h.treat[ord])
			}
		}
	}
	always := func(*matchAlt) bool { return true }
	bound := m.score(always, func(h *termHits) float64 { return best[h.idx] })
	withOwn := func(doc uint32) float64 {
		return m.score(always, func(h *termHits) float64 { return h.other.get(doc) + best[h.idx] })
	}
	return bound, withOwn
}

// runOffers walks the offers every group holds (and the filter) and
// scores each.
func (m *matcher) runOffers(ctx context.Context, filter *roaring.Bitmap, yield func(doc uint32, score float64)) error {
	walk := m.offerWalk(filter)
	m.prepareOfferScores()
	return eachDoc(ctx, walk, func(doc uint32) bool {
		yield(doc, m.scoreOffer(doc))
		return true
	})
}

// offerWalk is the offers every group holds (and the filter). The groups
// are combined as treatPreds first, so that the offers are materialised
// once.
func (m *matcher) offerWalk(filter *roaring.Bitmap) *roaring.Bitmap {
	if m.offersAll == nil {
		ps := make([]pred, len(m.groups))
		for i, g := range m.groups {
			ps[i] = g.offers
		}
		m.offersPred = m.combine(ps, true).(*treatPred)
		m.offersAll = m.offersOf(m.offersPred)
	}
	if filter = m.offerFilter(filter); filter != nil {
		return roaring.And(m.offersAll, filter)
	}
	return m.offersAll
}

// offerFilter is filter as a walk of offers sees it: nil (none) when it is
// type=offer alone, the column's own bitmap of every offer, which every
// offer passes. Intersecting offersAll with it copied offersAll for
// nearly every text search, and counting the offers one by one
// (runOffersTop) cost a treatment column read each.
func (m *matcher) offerFilter(filter *roaring.Bitmap) *roaring.Bitmap {
	if filter == m.offers {
		return nil
	}
	return filter
}

// scoredOffers is the offers of walk matched through a facility or a
// doctor, which runOffersTop scores one by one. whole says that walk is
// offersPred's offers, with no facility marked: its treatments' lists and
// extra.
func (m *matcher) scoredOffers(walk *roaring.Bitmap, whole bool) *roaring.Bitmap {
	cols := m.ix.cols
	facs := m.viaFacs
	atFacs := 0 // how many offers the facilities hold
	for _, ord := range facs {
		atFacs += len(cols.facilityOfferLists.of(ord))
	}
	if uint64(atFacs) > walk.GetCardinality() {
		// A word like "st" matches thousands of facilities' places: the
		// walk is the smaller side.
		return m.scoredInWalk(walk, whole)
	}
	var bms []*roaring.Bitmap
	if m.viaDoctor != nil {
		bms = append(bms, m.viaDoctor)
	}
	return roaring.And(walk, unionOf(bms, cols.facilityOfferLists, facs, cols.docs))
}

// scoredInWalk is scoredOffers read offer by offer from walk. When it is
// whole, its treatments' lists give each offer's facility alongside, read
// in order instead of looked up in a column of every document.
func (m *matcher) scoredInWalk(walk *roaring.Bitmap, whole bool) *roaring.Bitmap {
	var kept []uint32
	via := func(doc, ford uint32, fok bool) {
		if fok && m.viaFacility[ford] || m.viaDoctor != nil && m.viaDoctor.Contains(doc) {
			kept = append(kept, doc)
		}
	}
	if whole {
		m.offersPred.each(m.ix.cols, nil, func(doc, _ uint32, _ bool, ford uint32, fok bool) { via(doc, ford, fok) })
	} else {
		walk.Iterate(func(doc uint32) bool {
			ford, fok := m.fcol.first(doc)
			via(doc, ford, fok)
			return true
		})
	}
	return roaring.BitmapOf(kept...)
}

// matchedTreatments marks the treatments any term matched.
func (m *matcher) matchedTreatments() []bool {
	matched := make([]bool, len(m.tcol.values))
	for _, h := range m.hits {
		for _, ord := range h.treatOrds {
			matched[ord] = matched[ord] || h.treat[ord] > 0
		}
	}
	return matched
}

// countPlainDocs counts the plain offers by treatment into parts, keeping
// one of each, in one pass over them; false when one has no matched
// treatment.
func countPlainDocs(ctx context.Context, parts []part, plain *roaring.Bitmap, tcol *keywordColumn, matched []bool, touched *[]uint32) (bool, error) {
	it := plain.ManyIterator()
	var buf [256]uint32
	for i, k := 0, it.NextMany(buf[:]); k > 0; i, k = i+k, it.NextMany(buf[:]) {
		if i%checkDoneEvery < k {
			if err := stopped(ctx); err != nil {
				return false, err
			}
		}
		for _, doc := range buf[:k] {
			ord, ok := tcol.first(doc)
			if !ok || !matched[ord] {
				return false, nil // not accounted for by a matched treatment
			}
			p := &parts[ord]
			if p.n == 0 {
				p.ord, p.some = ord, doc
				*touched = append(*touched, ord)
			}
			p.n++
		}
	}
	return true, nil
}

// countPlain is countPlainDocs for a walk that is offersPred's bitmap:
// a treatment's plain offers are its offers less those scored.
func (m *matcher) countPlain(parts []part, scored *roaring.Bitmap, matched []bool, touched *[]uint32) bool {
	tp, cols, tcol := m.offersPred, m.ix.cols, m.tcol
	var scoredOf []uint64 // most searches score none one by one
	if !scored.IsEmpty() {
		scoredOf = make([]uint64, len(tcol.values))
		scored.Iterate(func(doc uint32) bool {
			if ord, ok := tcol.first(doc); ok && tp.n > 0 && tp.treat[ord] {
				scoredOf[ord]++
			}
			return true
		})
	}
	for ord, ok := range tp.treat {
		if !ok {
			continue
		}
		o := uint32(ord)
		docs := cols.treatmentOffers[o]
		n := docs.GetCardinality()
		if scoredOf != nil {
			n -= scoredOf[o]
		}
		if n == 0 {
			continue
		}
		p := &parts[o]
		p.ord, p.n = o, n
		*touched = append(*touched, o)
		docs.Iterate(func(doc uint32) bool {
			if scored.Contains(doc) {
				return true
			}
			p.some = doc
			return false
		})
	}
	if tp.extra == nil {
		return true
	}
	// An offer of extra not scored matched every word through its
	// treatment, so it was counted above; this holds whatever else.
	ok := true
	tp.extra.Iterate(func(doc uint32) bool {
		if scored.Contains(doc) {
			return true
		}
		ord, has := tcol.first(doc)
		if has && tp.n > 0 && tp.treat[ord] {
			return true // counted with its treatment
		}
		if !has || !matched[ord] {
			ok = false
			return false
		}
		p := &parts[ord]
		if p.n == 0 {
			p.ord, p.some = ord, doc
			*touched = append(*touched, ord)
		}
		p.n++
		return true
	})
	return ok
}

// part is a treatment's plain offers in runOffersTop.
type part struct {
	ord   uint32
	n     uint64 // its offers in the walk
	some  uint32 // one of them
	score float64
	bound float64 // the best any of them scores with its trust
}

// runOffersTop is runOffers for a collector that wants only counts and the
// best k by relevance (collector.onlyTop). An offer matched only through
// its treatment scores its treatment's text score (scoreOffer's cache)
// times its own trust, so the treatment's best trust bounds what any of
// its offers can score. The total and facets are counted on the walk's
// bitmap (collector.countAll); offers matched through a facility or a
// doctor are scored one by one; the rest treatment by treatment, best
// bound first, until a bound falls below the k-th score kept: the offers
// after it cannot rank, and are counted but never visited. It returns
// false, having changed nothing in c, when the offers are not all
// accounted for that way (an offer without a treatment); runOffers then
// does it.
func (m *matcher) runOffersTop(ctx context.Context, filter *roaring.Bitmap, c *collector) (bool, error) {
	walk := m.offerWalk(filter)
	m.prepareOfferScores()
	cols := m.ix.cols
	// Without a filter, the walk holds every offer of the treatments the
	// words all matched (offersPred): those that are plain are counted
	// from the treatments' bitmaps and the few scored ones, and only the
	// offers matched otherwise (offersPred.extra) are visited.
	whole := m.offerFilter(filter) == nil && m.offersPred.nFac == 0 // offerWalk set offersPred
	scored := m.scoredOffers(walk, whole)
	// plain is the offers of the walk not scored one by one. With the
	// whole walk, most of the offers of the words' treatments, it is made
	// only where a part needs it: copying the walk for it was most of what
	// a search for a common treatment allocated.
	var plain *roaring.Bitmap
	if !whole {
		plain = roaring.AndNot(walk, scored)
	}
	// One pass over the plain offers counts them by treatment and keeps
	// one of each (intersecting the walk with each matched treatment's
	// offers read the walk once per treatment, for dozens of them).
	tcol := m.tcol
	var matched []bool // read only for offers matched otherwise
	if !whole || m.offersPred.extra != nil {
		matched = m.matchedTreatments()
	}
	parts := fromPool[part](&partPool, len(tcol.values))
	clear(parts)
	defer toPool(&partPool, parts)
	// touched lists the treatments given a part, so that those counted
	// are gathered without reading all of the column's hundreds (every
	// segment's too) for the few a query matches.
	var touchedBuf [64]uint32
	touched := touchedBuf[:0]
	counted := whole && m.countPlain(parts, scored, matched, &touched)
	if !whole {
		var err error
		if counted, err = countPlainDocs(ctx, parts, plain, tcol, matched, &touched); err != nil {
			return false, err
		}
	}
	if !counted {
		return false, nil
	}
	// In place: the i-th smallest ordinal is at least i, so no part is
	// overwritten before it is read.
	slices.Sort(touched)
	for i, ord := range touched {
		parts[i] = parts[ord]
	}
	parts = parts[:len(touched)]
	switch {
	case whole:
		c.countAllOf(walk, m.offersPred, m.tcol, m.offersPred.extra)
	case m.offerFilter(filter) == nil:
		// The found treatments' offers whole, and the found facilities'
		// ("heart" finds heart hospitals): those through no found
		// treatment are the ones counted one by one.
		p := m.offersPred
		var bms []*roaring.Bitmap
		if p.extra != nil {
			bms = append(bms, p.extra)
		}
		c.countAllOf(walk, p, m.tcol, unionOf(bms, cols.facilityOfferLists, p.fac.ords(p.nFac), cols.docs))
	default:
		c.countAll(walk)
	}
	if c.p.k == 0 {
		return true, nil
	}
	err := eachDoc(ctx, scored, func(doc uint32) bool {
		s := m.scoreOffer(doc)
		// Its treatment's best trust bounds what it can score: an offer
		// below the k-th kept is not weighed (its trust, read from a
		// column of every document, is most of what weighing it costs).
		if c.full() {
			if tord, ok := tcol.first(doc); ok && s*float64(cols.maxTrust[tord]) < c.worst().score {
				return true
			}
		}
		c.consider(doc, s)
		return true
	})
	if err != nil {
		return true, err
	}
	for i := range parts {
		p := &parts[i]
		p.score = m.scoreOffer(p.some)
		p.bound = p.score * float64(cols.maxTrust[p.ord])
	}
	slices.SortFunc(parts, func(a, b part) int { return cmp.Compare(b.bound, a.bound) })
	var byTrust [][]uint32
	order, starred := m.ix.trustOrder()
	if order != nil {
		byTrust = order.byTreatment
	}
	var inPlain *[]uint64 // plain as a bit set, made when a part needs it
	defer func() {
		if inPlain != nil {
			releaseDense(inPlain)
		}
	}()
	for _, p := range parts {
		if c.full() && p.bound < c.worst().score {
			break // and so is every part after it
		}
		docs := cols.treatmentOffers[p.ord]
		all := docs.GetCardinality() == p.n // else some are outside the walk
		if byTrust != nil {
			// The part's offers, most trusted first, until one scores
			// below the k-th kept: so does every one after it.
			if !all && !whole && inPlain == nil {
				inPlain = denseOf(plain, cols.docs)
			}
			// The part's starred offers are weighed below: their trust is
			// not where the order has it. Most treatments have none, and
			// then no offer is looked for among them.
			stars := starred.ofTreatment(p.ord)
			for i, doc := range byTrust[p.ord] {
				if i%checkDoneEvery == checkDoneEvery-1 {
					if err := stopped(ctx); err != nil {
						return true, err
					}
				}
				if len(stars) > 0 && starred.has(doc) {
					continue
				}
				if c.full() && p.score*float64(cols.trust[doc]) < c.worst().score {
					break
				}
				if all || whole && !scored.Contains(doc) || !whole && (*inPlain)[doc>>6]&(1<<(doc&63)) != 0 {
					c.consider(doc, p.score)
				}
			}
			// The starred are a few offers of a few treatments, listed
			// by treatment.
			for _, doc := range stars {
				if all || whole && walk.Contains(doc) && !scored.Contains(doc) || !whole && plain.Contains(doc) {
					c.consider(doc, p.score)
				}
			}
			continue
		}
		if !all {
			if plain == nil {
				plain = roaring.AndNot(walk, scored)
			}
			docs = roaring.And(plain, docs)
		}
		err := eachDoc(ctx, docs, func(doc uint32) bool {
			c.consider(doc, p.score)
			return true
		})
		if err != nil {
			return true, err
		}
	}
	return true, nil
}

// offersTopShortcut turns runOffersTop on; a test turns it off to compare.
var offersTopShortcut = true

// checkDoneEvery is how many documents a loop visits between looks at
// whether its request was cancelled or ran out of time.
const checkDoneEvery = 1 << 14
