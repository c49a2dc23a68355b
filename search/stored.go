package search

import (
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// storedFields reads a document's stored record by its number, straight
// from the segment that holds it. Bleve's own way, ExternalID then
// Document(id), reads the document's identifier, looks it up again in the
// identifier field's dictionary and copies every stored field into a
// Document: three times the work for the one field a hit needs.
type storedFields struct {
	segs    []*scorch.SegmentSnapshot
	offsets []uint64 // the first document number of each segment, as the snapshot numbers them
}

// newStoredFields is r's segments, or nil when r is not a scorch
// snapshot (then source takes Bleve's way).
func newStoredFields(r index.IndexReader) *storedFields {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	s := &storedFields{segs: snap.Segments()}
	var at uint64
	for _, seg := range s.segs {
		// As the snapshot counts: every document a segment holds, deleted
		// or not (scorch's introducer and persister).
		s.offsets = append(s.offsets, at)
		at += seg.Segment().Count()
	}
	return s
}

// source is the stored record JSON of document doc (nil: it has none).
func (s *storedFields) source(doc uint32) ([]byte, error) {
	i := sort.Search(len(s.offsets), func(i int) bool { return s.offsets[i] > uint64(doc) }) - 1
	if i < 0 {
		return nil, fmt.Errorf("document number %d not found", doc)
	}
	var src []byte
	err := s.segs[i].VisitDocument(uint64(doc)-s.offsets[i], func(name string, _ byte, val []byte, _ []uint64) bool {
		if name != fieldSource {
			// Not stopping at _id: zap returns its visit context to
			// the pool twice when a visit stops there.
			return true
		}
		src = append([]byte(nil), val...) // val is the segment's buffer, reused
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("read document %d: %w", doc, err)
	}
	return src, nil
}
