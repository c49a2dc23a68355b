package search

import (
	"fmt"
	"sort"
)

// source is the stored record JSON of document doc (nil: it has none),
// read straight from the segment that holds it. Bleve's own way,
// ExternalID then Document(id), reads the document's identifier, looks it
// up again in the identifier field's dictionary and copies every stored
// field into a Document: three times the work for the one field a hit
// needs.
func (s *segmentReader) source(doc uint32) ([]byte, error) {
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
