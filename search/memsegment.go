package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
)

// An overlay's segment is a memSegment: the postings of its documents kept
// as they were analysed, term by term in maps, and their records as they
// came. It was a Bleve index of its own, and Bleve encodes every batch into
// a zap segment (dictionaries as finite state transducers, postings
// compressed in chunks) that the follower then paid for again at every
// merge, on a core the searches wanted: most of the follower's work, and
// the slow searches under writes. A segment lives for minutes and holds a
// few thousand records; it needs none of that.
//
// memSegment is a Bleve index.IndexReader, so what reads a generation
// reads a segment alike: columns, postings, query understanding, and
// Bleve's own searchers for suggestions. Its document numbers are the
// order of the records it was built from; it deletes nothing (the overlay
// keeps a segment's deletions beside it).
type memSegment struct {
	ids        []string // by document number
	byID       map[string]uint32
	sources    [][]byte // each document's stored field: its record JSON (fieldSource), nil when none
	sourceOpts index.FieldIndexingOptions
	fields     map[string]*memField
	terms      termCache
}

// termCache keeps a segment's term lookups (matcher.term) for the
// searches after: a segment never changes, and every search that cannot
// pass it by looks up each of its words in every language and field, and
// joins the treatments' names to the treatments the segment holds, as the
// generation already did (the segment holds the treatment of each of its
// offers). That was about half of what the segments cost a search under
// writes at a million offers. The hits kept are shared by every matcher
// that reads them: each gets a copy numbered in its own terms, and none
// writes them.
type termCache struct {
	mu   sync.RWMutex
	hits map[termKey]*termHits
}

// termKey is what a term's hits depend on besides the segment: the term
// and the types the matcher wants.
type termKey struct {
	t                                    langTerm
	wantOffers, wantRest, onlyTreatments bool
}

// maxKeptTerms bounds a segment's termCache: past it, a term's hits are
// made for each search as before. One term's hits weigh the segment's
// few hundred treatments, a few kilobytes, so a full cache is a few
// megabytes, for a segment that lives minutes.
const maxKeptTerms = 1024

func (c *termCache) get(k termKey) *termHits {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.hits[k]
}

func (c *termCache) put(k termKey, h *termHits) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hits == nil {
		c.hits = map[termKey]*termHits{}
	}
	if len(c.hits) < maxKeptTerms {
		c.hits[k] = h
	}
}

// memField is one field's postings, kept flat: its terms, sorted as
// Bleve's dictionaries are (by bytes), one after another in one string,
// and their postings one after another in one list. A map of each term's
// postings made a segment hundreds of thousands of objects, most of what
// the collector marked under writes; this is four, none of them holding
// pointers but the string.
type memField struct {
	terms string        // every term, sorted, one after another
	ends  []uint32      // term i ends at ends[i] in terms
	first []uint32      // term i's postings are list[first[i]:first[i+1]]
	list  []memoPosting // by term, then document
}

// size is how many terms the field has.
func (f *memField) size() int { return len(f.ends) }

// term is term i.
func (f *memField) term(i int) string {
	from := uint32(0)
	if i > 0 {
		from = f.ends[i-1]
	}
	return f.terms[from:f.ends[i]]
}

// postingsOf is term i's postings, in document order.
func (f *memField) postingsOf(i int) []memoPosting { return f.list[f.first[i]:f.first[i+1]] }

// search is the index of the first term for which where holds (size:
// none), where being false and then true over the sorted terms.
func (f *memField) search(where func(term string) bool) int {
	return sort.Search(f.size(), func(i int) bool { return where(f.term(i)) })
}

// memoPosting is one posting, with what the tf-idf weight is made of: 12
// bytes, its norm a float32 as Bleve's zap segments keep it (the
// postings lists were the most a batch's segment allocated).
type memoPosting struct {
	doc  uint32
	freq uint32
	norm float32
}

// fieldNorm is the norm of a field of length terms, as Bleve's zap segments
// keep it and give it back.
func fieldNorm(length int) float32 {
	return float32(1 / math.Sqrt(float64(uint32(length))))
}

// fieldBuild gathers one field's postings for newMemSegment: its terms
// numbered as first seen, and each term's postings counted, then placed.
type fieldBuild struct {
	ids   map[string]uint32 // the terms point into the documents' own strings
	terms []string
	count []uint32 // postings by term number; then where the next goes
	f     *memField
}

// fieldBuilds keeps the term maps and lists of segments built before:
// grown afresh for each field of each segment, they were a quarter of
// what a merge allocated.
var fieldBuilds sync.Pool

func newFieldBuild() *fieldBuild {
	if b, ok := fieldBuilds.Get().(*fieldBuild); ok {
		b.f = &memField{}
		return b
	}
	return &fieldBuild{ids: map[string]uint32{}, f: &memField{}}
}

// release gives b's scratch back for the next build; the field it built
// is the segment's.
func (b *fieldBuild) release() {
	clear(b.ids) // it held the documents' strings
	clear(b.terms)
	b.terms, b.count, b.f = b.terms[:0], b.count[:0], nil
	fieldBuilds.Put(b)
}

// newMemSegment indexes docs, document number i being docs[i] under keys[i].
func newMemSegment(keys []string, docs []*analyzed) (*memSegment, error) {
	s := &memSegment{ids: keys, byID: make(map[string]uint32, len(keys)), sources: make([][]byte, len(keys)),
		fields: map[string]*memField{}}
	builds := map[string]*fieldBuild{}
	var order []*fieldBuild
	defer func() {
		for _, b := range order {
			b.release()
		}
	}()
	field := func(name string) *fieldBuild {
		b := builds[name]
		if b == nil {
			b = newFieldBuild()
			builds[name] = b
			order = append(order, b)
			s.fields[name] = b.f
		}
		return b
	}
	postings, fields := 0, 0
	for _, a := range docs {
		postings += 1 + len(a.counts)/2 // its identifier, and each term of each field
		fields += len(a.fields)
	}
	// each calls fn with every posting of the segment, in document order:
	// as Bleve indexes every document's identifier, then its fields. The
	// first walk looks each document's fields up by name and notes them
	// (picked); the second takes them from the note.
	picked := make([]*fieldBuild, 0, fields)
	second := false
	each := func(fn func(b *fieldBuild, term string, p memoPosting)) {
		ids := field(fieldID)
		k := 0
		for i, a := range docs {
			doc := uint32(i)
			fn(ids, keys[i], memoPosting{doc: doc, freq: 1, norm: fieldNorm(1)})
			start := 0
			for _, af := range a.fields {
				var b *fieldBuild
				if second {
					b = picked[k]
					k++
				} else {
					b = field(af.name)
					picked = append(picked, b)
				}
				norm := fieldNorm(af.length)
				if af.from > 0 {
					start = int(a.counts[af.from-2])
				}
				for j := af.from; j < af.to; j += 2 {
					end := int(a.counts[j])
					fn(b, a.terms[start:end], memoPosting{doc: doc, freq: a.counts[j+1], norm: norm})
					start = end
				}
			}
		}
	}
	for i, a := range docs {
		key := keys[i]
		if _, dup := s.byID[key]; dup {
			return nil, fmt.Errorf("segment: %s given twice", key)
		}
		s.byID[key] = uint32(i)
		if a.source != nil {
			s.sources[i], s.sourceOpts = a.source, a.sourceOpts
			field(fieldSource) // a field, of no terms, as Bleve lists it
		}
	}
	// Count each term's postings, and note each posting's term number for
	// the second walk, which then looks nothing up.
	seq := make([]uint32, 0, postings)
	each(func(b *fieldBuild, term string, _ memoPosting) {
		id, ok := b.ids[term]
		if !ok {
			id = uint32(len(b.terms))
			b.ids[term] = id
			b.terms = append(b.terms, term)
			b.count = append(b.count, 0)
		}
		b.count[id]++
		seq = append(seq, id)
	})
	// Lay the terms out sorted, and each one's postings after the last's.
	for _, b := range order {
		byTerm := make([]uint32, len(b.terms))
		for i := range byTerm {
			byTerm[i] = uint32(i)
		}
		slices.SortFunc(byTerm, func(x, y uint32) int { return strings.Compare(b.terms[x], b.terms[y]) })
		f := b.f
		size, total := 0, uint32(0)
		for _, t := range b.terms {
			size += len(t)
		}
		text := make([]byte, 0, size)
		f.ends = make([]uint32, len(byTerm))
		f.first = make([]uint32, len(byTerm)+1)
		for r, id := range byTerm {
			text = append(text, b.terms[id]...)
			f.ends[r] = uint32(len(text))
			f.first[r] = total
			n := b.count[id]
			b.count[id] = total // where its next posting goes
			total += n
		}
		f.first[len(byTerm)] = total
		f.terms = string(text)
		f.list = make([]memoPosting, total)
	}
	// Place the postings: in document order within each term.
	k := 0
	second = true
	each(func(b *fieldBuild, _ string, p memoPosting) {
		id := seq[k]
		k++
		b.f.list[b.count[id]] = p
		b.count[id]++
	})
	return s, nil
}

// fieldID is the field Bleve keeps each document's identifier in.
const fieldID = "_id"

// postings is term's postings in field, in document order (nil: none).
func (s *memSegment) postings(field, term string) []memoPosting {
	if f := s.fields[field]; f != nil {
		if i := f.search(func(t string) bool { return t >= term }); i < f.size() && f.term(i) == term {
			return f.postingsOf(i)
		}
	}
	return nil
}

// keyword is loadKeyword's column of field, read off the segment's own
// terms and postings in their order: sized once, and each value's bitmap
// made from its postings at once, where through a dictionary each term's
// postings were looked up and added one by one into a bitmap and the
// column's map and lists grew value by value (a merge made a tenth of
// its allocations there).
func (s *memSegment) keyword(field string) *keywordColumn {
	f := s.fields[field]
	if f == nil {
		return &keywordColumn{ordinal: map[string]uint32{}}
	}
	n := f.size()
	kc := &keywordColumn{ordinal: make(map[string]uint32, n), values: make([]string, n), bitmaps: make([]*roaring.Bitmap, n)}
	var docs []uint32
	for i := range n {
		docs = docs[:0]
		for _, p := range f.postingsOf(i) {
			docs = append(docs, p.doc)
		}
		b := roaring.BitmapOf(docs...)
		b.RunOptimize()
		term := f.term(i)
		kc.ordinal[term], kc.values[i], kc.bitmaps[i] = uint32(i), term, b
	}
	return kc
}

// source is document doc's stored record JSON (nil: it has none).
func (s *memSegment) source(doc uint32) ([]byte, error) {
	if int(doc) >= len(s.sources) {
		return nil, fmt.Errorf("document number %d not found", doc)
	}
	return s.sources[doc], nil
}

func (s *memSegment) TermFieldReader(_ context.Context, term []byte, field string, _, _, _ bool) (index.TermFieldReader, error) {
	return &memTermReader{term: string(term), list: s.postings(field, string(term))}, nil
}

func (s *memSegment) DocIDReaderAll() (index.DocIDReader, error) {
	docs := make([]uint32, len(s.ids))
	for i := range docs {
		docs[i] = uint32(i)
	}
	return &memDocIDReader{docs: docs}, nil
}

func (s *memSegment) DocIDReaderOnly(ids []string) (index.DocIDReader, error) {
	var docs []uint32
	for _, id := range ids {
		if d, ok := s.byID[id]; ok {
			docs = append(docs, d)
		}
	}
	slices.Sort(docs)
	return &memDocIDReader{docs: slices.Compact(docs)}, nil
}

func (s *memSegment) FieldDict(field string) (index.FieldDict, error) {
	return s.dictWhere(field, func(string) int { return 0 })
}

// FieldDictRange is the terms from startTerm up to, as scorch reads an
// inclusive end, the first term past endTerm with its last byte
// incremented ("c" takes in "cl").
func (s *memSegment) FieldDictRange(field string, startTerm, endTerm []byte) (index.FieldDict, error) {
	var past string // nothing past: no end
	if len(endTerm) > 0 {
		b := []byte(string(endTerm))
		if last := len(b) - 1; b[last] < 0xff {
			b[last]++
		} else {
			b = append(b, 0)
		}
		past = string(b)
	}
	return s.dictWhere(field, func(t string) int {
		switch {
		case t < string(startTerm):
			return -1
		case past != "" && t >= past:
			return 1
		}
		return 0
	})
}

func (s *memSegment) FieldDictPrefix(field string, prefix []byte) (index.FieldDict, error) {
	p := string(prefix)
	return s.dictWhere(field, func(t string) int {
		if strings.HasPrefix(t, p) {
			return 0
		}
		return strings.Compare(t, p)
	})
}

// dictWhere is field's dictionary over the sorted run of terms for which
// where is 0 (-1: before the run, 1: after it).
func (s *memSegment) dictWhere(field string, where func(term string) int) (index.FieldDict, error) {
	f := s.fields[field]
	if f == nil {
		return &memDict{}, nil
	}
	from := f.search(func(t string) bool { return where(t) >= 0 })
	to := f.search(func(t string) bool { return where(t) > 0 })
	return &memDict{f: f, from: from, at: from, to: max(from, to)}, nil
}

func (s *memSegment) Document(id string) (index.Document, error) {
	doc, ok := s.byID[id]
	if !ok {
		return nil, nil
	}
	d := document.NewDocument(id)
	if src := s.sources[doc]; src != nil {
		d.AddField(document.NewTextFieldWithIndexingOptions(fieldSource, nil, src, s.sourceOpts))
	}
	return d, nil
}

// DocValueReader reads nothing: a segment's documents have no doc values
// (analyze refuses fields that ask for them).
func (s *memSegment) DocValueReader([]string) (index.DocValueReader, error) {
	return memDocValues{}, nil
}

func (s *memSegment) Fields() ([]string, error) {
	return slices.Sorted(func(yield func(string) bool) {
		for name := range s.fields {
			if !yield(name) {
				return
			}
		}
	}), nil
}

// GetInternal finds nothing: a segment keeps no internal values (the
// generation's rates and vocabulary are the generation's).
func (s *memSegment) GetInternal([]byte) ([]byte, error) { return nil, nil }

func (s *memSegment) DocCount() (uint64, error) { return uint64(len(s.ids)), nil }

func (s *memSegment) ExternalID(id index.IndexInternalID) (string, error) {
	if len(id) != 8 {
		return "", fmt.Errorf("%x is not a document number", []byte(id))
	}
	if doc := id.Value(); doc >= uint64(len(s.ids)) {
		return "", fmt.Errorf("document number %d not found", doc)
	}
	return s.ids[id.Value()], nil
}

// InternalID is nil, as scorch's, when no document has the identifier.
func (s *memSegment) InternalID(id string) (index.IndexInternalID, error) {
	doc, ok := s.byID[id]
	if !ok {
		return nil, nil
	}
	return index.NewIndexInternalID(nil, uint64(doc)), nil
}

func (s *memSegment) Close() error { return nil }

// memTermReader walks one term's postings.
type memTermReader struct {
	term string
	list []memoPosting
	at   int
}

func (r *memTermReader) Next(pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	if r.at >= len(r.list) {
		return nil, nil
	}
	p := r.list[r.at]
	r.at++
	if pre == nil {
		pre = &index.TermFieldDoc{}
	}
	*pre = index.TermFieldDoc{Term: r.term, ID: index.NewIndexInternalID(pre.ID, uint64(p.doc)),
		Freq: uint64(p.freq), Norm: float64(p.norm)}
	return pre, nil
}

func (r *memTermReader) Advance(id index.IndexInternalID, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	doc := id.Value()
	r.at += sort.Search(len(r.list)-r.at, func(i int) bool { return uint64(r.list[r.at+i].doc) >= doc })
	return r.Next(pre)
}

func (r *memTermReader) Count() uint64 { return uint64(len(r.list)) }
func (r *memTermReader) Close() error  { return nil }
func (r *memTermReader) Size() int     { return 64 + len(r.term) }

// memDict walks a run of a field's sorted terms, from up to to.
type memDict struct {
	f            *memField
	from, at, to int
	entry        index.DictEntry
}

func (d *memDict) Next() (*index.DictEntry, error) {
	if d.at >= d.to {
		return nil, nil
	}
	d.entry = index.DictEntry{Term: d.f.term(d.at), Count: uint64(len(d.f.postingsOf(d.at)))}
	d.at++
	return &d.entry, nil
}

func (d *memDict) Close() error      { return nil }
func (d *memDict) Cardinality() int  { return d.to - d.from }
func (d *memDict) BytesRead() uint64 { return 0 }

// memDocIDReader walks sorted document numbers.
type memDocIDReader struct {
	docs []uint32
	at   int
}

func (r *memDocIDReader) Next() (index.IndexInternalID, error) {
	if r.at >= len(r.docs) {
		return nil, nil
	}
	r.at++
	return index.NewIndexInternalID(nil, uint64(r.docs[r.at-1])), nil
}

func (r *memDocIDReader) Advance(id index.IndexInternalID) (index.IndexInternalID, error) {
	doc := id.Value()
	r.at += sort.Search(len(r.docs)-r.at, func(i int) bool { return uint64(r.docs[r.at+i]) >= doc })
	return r.Next()
}

func (r *memDocIDReader) Size() int    { return 64 + 4*len(r.docs) }
func (r *memDocIDReader) Close() error { return nil }

type memDocValues struct{}

func (memDocValues) VisitDocValues(index.IndexInternalID, index.DocValueVisitor) error { return nil }
func (memDocValues) BytesRead() uint64                                                 { return 0 }
