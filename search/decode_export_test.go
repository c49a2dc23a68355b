package search

// EachSource calls fn with the stored source of each of ix's documents.
func EachSource(ix *Index, fn func(src []byte) error) error {
	for doc := range uint32(ix.cols.docs) {
		src, err := ix.source(doc)
		if err != nil {
			return err
		}
		if err := fn(src); err != nil {
			return err
		}
	}
	return nil
}

// DecodeRecord is decodeRecord.
func DecodeRecord(src []byte, r *Record) error { return decodeRecord(src, r) }
