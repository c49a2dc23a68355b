package search

import (
	"encoding/binary"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
)

// CheckKeptUnions reports how many unions of treatments' documents ix
// keeps (unionCache), and an error if one is not the union of its
// treatments' documents made afresh: a search changed a shared bitmap.
func CheckKeptUnions(ix *Index) (int, error) {
	c := ix.cols.unions
	c.mu.RLock()
	defer c.mu.RUnlock()
	for key, kept := range c.m {
		of := ix.cols.treatmentOffers
		if key[0] == 'r' {
			of = ix.cols.treatmentRest
		}
		fresh := roaring.New()
		for k := 1; k+4 <= len(key); k += 4 {
			fresh.Or(of[binary.LittleEndian.Uint32([]byte(key[k:k+4]))])
		}
		if !fresh.Equals(kept) {
			return len(c.m), fmt.Errorf("a kept union of %d documents holds %d", fresh.GetCardinality(), kept.GetCardinality())
		}
	}
	return len(c.m), nil
}

// DropKeptUnions empties ix's unionCache, for a benchmark of the searches
// that find their unions not kept.
func DropKeptUnions(ix *Index) {
	c := ix.cols.unions
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.bytes = nil, 0
}
