package search

import (
	"context"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segapi "github.com/blevesearch/scorch_segment_api/v2"
)

// segmentReader reads a generation's stored records (stored.go) and
// postings straight from its segments, each field's dictionaries,
// postings lists and iterators kept for the next term read in it. Bleve's
// TermFieldReader makes them anew for every term (its recycling is off by
// default, for panics of its own): a dictionary, a vellum reader, a
// postings list and an iterator per segment, for each of a search's
// dozens of terms, were a fifth of what a search allocated, and every
// document an overlay's batch looks up by identifier cost the same again.
// Fewer allocations are fewer collections, each of which slows the
// searches running through it. (zap hands out a shared empty postings
// list and iterator for a term a segment lacks, and takes them back as
// preallocated ones without writing to them.)
type segmentReader struct {
	segs    []*scorch.SegmentSnapshot
	offsets []uint64 // the first document number of each segment, as the snapshot numbers them
	fields  sync.Map // field name → *sync.Pool of *fieldPostings
}

// fieldPostings is one reader's dictionaries, postings lists and
// iterators for one field, one of each per segment.
type fieldPostings struct {
	field string
	term  []byte // the term being read, a buffer reused
	dicts []segapi.TermDictionary
	lists []segapi.PostingsList
	iters []segapi.PostingsIterator
	// spare holds each segment's own iterator: for a term a segment lacks,
	// iters holds zap's shared empty one, and spare keeps ours for the
	// next term.
	spare []segapi.PostingsIterator
}

// newSegmentReader reads r's segments, or is nil when r is not a scorch
// snapshot (then postings are read through r).
func newSegmentReader(r index.IndexReader) *segmentReader {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	p := &segmentReader{segs: snap.Segments()}
	var at uint64
	for _, seg := range p.segs {
		// As the snapshot counts: every document a segment holds, deleted
		// or not (scorch's introducer and persister).
		p.offsets = append(p.offsets, at)
		at += seg.Segment().Count()
	}
	return p
}

// open positions a reader of field at term in every segment and returns
// it with how many live documents hold the term. The caller hands it back
// with done once it has read the postings.
func (p *segmentReader) open(field, term string, freqNorm bool) (*fieldPostings, int, error) {
	pool, ok := p.fields.Load(field)
	if !ok {
		pool, _ = p.fields.LoadOrStore(field, &sync.Pool{})
	}
	fp, _ := pool.(*sync.Pool).Get().(*fieldPostings)
	if fp == nil {
		fp = &fieldPostings{field: field, dicts: make([]segapi.TermDictionary, len(p.segs)),
			lists: make([]segapi.PostingsList, len(p.segs)), iters: make([]segapi.PostingsIterator, len(p.segs)),
			spare: make([]segapi.PostingsIterator, len(p.segs))}
		for i, s := range p.segs {
			d, err := s.Segment().Dictionary(field)
			if err != nil {
				return nil, 0, fmt.Errorf("dictionary of %s: %w", field, err)
			}
			fp.dicts[i] = d
		}
	}
	fp.term = append(fp.term[:0], term...)
	n := 0
	for i, s := range p.segs {
		pl, err := fp.dicts[i].PostingsList(fp.term, s.Deleted(), fp.lists[i])
		if err != nil {
			p.done(fp)
			return nil, 0, fmt.Errorf("postings of %s in %s: %w", term, field, err)
		}
		fp.lists[i] = pl
		held := int(pl.Count())
		n += held
		fp.iters[i] = pl.Iterator(freqNorm, freqNorm, false, fp.spare[i])
		if held > 0 {
			fp.spare[i] = fp.iters[i] // the spare reused, or a new one
		}
	}
	return fp, n, nil
}

// done hands fp back for the next term read in its field.
func (p *segmentReader) done(fp *fieldPostings) {
	if pool, ok := p.fields.Load(fp.field); ok {
		pool.(*sync.Pool).Put(fp)
	}
}

// each calls fn with every live document of fp's term, in order, with
// its frequency and norm (when fp was opened with them).
func (p *segmentReader) each(ctx context.Context, fp *fieldPostings, fn func(doc uint32, freq uint64, norm float64)) error {
	n := 0
	for i, it := range fp.iters {
		for {
			if n++; n%checkDoneEvery == 0 {
				if err := stopped(ctx); err != nil {
					return err
				}
			}
			post, err := it.Next()
			if err != nil {
				return fmt.Errorf("postings of %s in %s: %w", fp.term, fp.field, err)
			}
			if post == nil {
				break
			}
			fn(uint32(p.offsets[i]+post.Number()), post.Frequency(), post.Norm())
		}
	}
	return nil
}

// count is how many live documents hold term in field.
func (p *segmentReader) count(field, term string) (int, error) {
	fp, n, err := p.open(field, term, false)
	if err != nil {
		return 0, err
	}
	p.done(fp)
	return n, nil
}

// docOf is the document with identifier id (DocID), and whether there is
// a live one.
func (p *segmentReader) docOf(id string) (uint32, bool, error) {
	fp, n, err := p.open(fieldID, id, false)
	if err != nil {
		return 0, false, err
	}
	defer p.done(fp)
	if n == 0 {
		return 0, false, nil
	}
	for i, it := range fp.iters {
		post, err := it.Next()
		if err != nil {
			return 0, false, fmt.Errorf("postings of %s: %w", id, err)
		}
		if post != nil {
			return uint32(p.offsets[i] + post.Number()), true, nil
		}
	}
	return 0, false, nil
}
