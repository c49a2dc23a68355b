package search

import (
	"context"
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// Text search over offers is a join at query time. An offer matches a word
// when its treatment does (name, lay names, code, category: fieldJoin on the
// treatment's document), when its facility does (name, city, country:
// fieldPlace on the facility's document), or when one of its doctors does
// (fieldText on the offer). It matches a query when it matches every word.
//
// A few hundred treatments stand behind a million offers, so matching the
// treatments and taking the union of their offers' bitmaps replaces walking
// hundreds of thousands of postings; and the build no longer analyses the
// same treatment text once per offer.
//
// An offer's score is the sum, over the words, of its treatment's and its
// facility's tf-idf for that word (idf within treatments, within facilities),
// a word in the treatment's name counting double, plus one per word matched
// in a doctor's name.

// termMatch is what one word of the query matches among offers.
type termMatch struct {
	direct     *roaring.Bitmap // offers of matching treatments, small sets of facilities, doctors
	facilities []bool          // by facility ordinal, when too many facilities match to union
}

// maxFacilityUnion is how many matching facilities are unioned into a
// bitmap; beyond it (a word like "hospital") membership is checked per offer.
const maxFacilityUnion = 2000

func (m *termMatch) contains(doc uint32, fcol *keywordColumn) bool {
	if m.direct.Contains(doc) {
		return true
	}
	if m.facilities != nil {
		if ord, ok := fcol.first(doc); ok {
			return m.facilities[ord]
		}
	}
	return false
}

type offerScorer struct {
	tcol, fcol *keywordColumn
	treatment  map[uint32]float64 // by treatment ordinal
	facility   map[uint32]float64 // by facility ordinal
	doctor     map[uint32]float64 // by offer document
}

func (s *offerScorer) score(doc uint32) float64 {
	v := s.doctor[doc]
	if ord, ok := s.tcol.first(doc); ok {
		v += s.treatment[ord]
	}
	if ord, ok := s.fcol.first(doc); ok {
		v += s.facility[ord]
	}
	return v
}

// joinOffers calls yield for every offer matching every word of q.
func (ix *Index) joinOffers(ctx context.Context, q string, yield func(doc uint32, score float64)) error {
	terms := ix.analyze(q)
	if len(terms) == 0 {
		return nil
	}
	cols := ix.cols
	offers := cols.keywords[fieldType].bitmap(TypeOffer)
	sc := &offerScorer{tcol: cols.keywords[fieldTreatmentID], fcol: cols.keywords[fieldFacilityID],
		treatment: map[uint32]float64{}, facility: map[uint32]float64{}, doctor: map[uint32]float64{}}
	nTreatments := float64(cols.keywords[fieldType].bitmap(TypeTreatment).GetCardinality())
	nFacilities := float64(cols.keywords[fieldType].bitmap(TypeFacility).GetCardinality())

	matches := make([]*termMatch, 0, len(terms))
	for _, t := range terms {
		m := &termMatch{direct: roaring.New()}
		var parts []*roaring.Bitmap
		err := ix.eachPosting(ctx, fieldJoin, t, nTreatments, func(doc uint32, w float64) {
			if ord, ok := sc.tcol.first(doc); ok {
				sc.treatment[ord] += w
				parts = append(parts, sc.tcol.bitmaps[ord])
			}
		})
		if err != nil {
			return err
		}
		err = ix.eachPosting(ctx, fieldName, t, nTreatments, func(doc uint32, w float64) {
			if ord, ok := sc.tcol.first(doc); ok && cols.isType(doc, TypeTreatment) {
				sc.treatment[ord] += w
			}
		})
		if err != nil {
			return err
		}
		var facilities []uint32
		err = ix.eachPosting(ctx, fieldPlace, t, nFacilities, func(doc uint32, w float64) {
			if ord, ok := sc.fcol.first(doc); ok {
				sc.facility[ord] += w
				facilities = append(facilities, ord)
			}
		})
		if err != nil {
			return err
		}
		if len(facilities) <= maxFacilityUnion {
			for _, ord := range facilities {
				parts = append(parts, sc.fcol.bitmaps[ord])
			}
		} else {
			m.facilities = make([]bool, len(sc.fcol.values))
			for _, ord := range facilities {
				m.facilities[ord] = true
			}
		}
		doctors, err := postings(ctx, ix.reader, fieldText, t)
		if err != nil {
			return err
		}
		doctors.And(offers)
		doctors.Iterate(func(d uint32) bool { sc.doctor[d]++; return true })
		parts = append(parts, doctors)
		m.direct = roaring.FastOr(parts...)
		m.direct.And(offers) // treatment and facility bitmaps hold their own documents too
		matches = append(matches, m)
	}

	// Walk the smallest word's offers when one has no large facility set;
	// otherwise every offer.
	slices.SortFunc(matches, func(a, b *termMatch) int {
		if (a.facilities == nil) != (b.facilities == nil) {
			if a.facilities == nil {
				return -1
			}
			return 1
		}
		return int(int64(a.direct.GetCardinality()) - int64(b.direct.GetCardinality()))
	})
	walk, rest := offers, matches
	if matches[0].facilities == nil {
		walk, rest = matches[0].direct, matches[1:]
	}
	n := 0
	var err error
	walk.Iterate(func(doc uint32) bool {
		if n++; n&0xffff == 0 {
			if err = ctx.Err(); err != nil {
				return false
			}
		}
		for _, m := range rest {
			if !m.contains(doc, sc.fcol) {
				return true
			}
		}
		yield(doc, sc.score(doc))
		return true
	})
	return err
}

// eachPosting calls fn with every document holding term in field and its
// tf-idf weight, idf taken over n documents.
func (ix *Index) eachPosting(ctx context.Context, field, term string, n float64, fn func(doc uint32, weight float64)) error {
	tfr, err := ix.reader.TermFieldReader(ctx, []byte(term), field, true, true, false)
	if err != nil {
		return err
	}
	defer tfr.Close()
	idf := 1 + math.Log(n/float64(tfr.Count()+1))
	boost := 1.0
	if field == fieldName {
		boost = 2
	}
	var doc index.TermFieldDoc
	for {
		d, err := tfr.Next(&doc)
		if err != nil {
			return err
		}
		if d == nil {
			return nil
		}
		fn(uint32(d.ID.Value()), boost*math.Sqrt(float64(d.Freq))*d.Norm*max(idf, 0.1))
	}
}

// analyze returns the distinct terms the text analyser makes of q.
func (ix *Index) analyze(q string) []string {
	a := ix.mapping.AnalyzerNamed(textAnalyzer)
	if a == nil {
		return nil
	}
	var out []string
	for _, tok := range a.Analyze([]byte(q)) {
		if t := string(tok.Term); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// isType reports whether doc is of type typ.
func (c *columns) isType(doc uint32, typ string) bool {
	kc := c.keywords[fieldType]
	ord, ok := kc.first(doc)
	return ok && kc.values[ord] == typ
}
