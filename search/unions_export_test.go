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

// CheckOrderLists reports how many kept filter sets ix's made orders list
// (orderlists.go), and an error if a list is not its set's documents the
// order keys, in the order's order: made wrong, or written by a search.
func CheckOrderLists(ix *Index) (int, error) {
	fs := ix.cols.filters
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	n := 0
	for name, ko := range map[string]*keyOrder{"price_asc": ix.cols.orders.priceAsc, "price_desc": ix.cols.orders.priceDesc, "rating": ix.cols.orders.rating} {
		if ko == nil || ko.made == nil {
			continue
		}
		o := ko.made
		o.lists.mu.RLock()
		for key, list := range o.lists.m {
			s, ok := fs.sets[key]
			if !ok {
				continue // the set was dropped since
			}
			n++
			var want []uint32
			for _, doc := range o.docs {
				if s.b.Contains(doc) {
					want = append(want, doc)
				}
			}
			if fmt.Sprint(want) != fmt.Sprint(list) {
				o.lists.mu.RUnlock()
				return n, fmt.Errorf("%s order: set %q lists %d documents, want %d in order", name, key, len(list), len(want))
			}
		}
		o.lists.mu.RUnlock()
	}
	return n, nil
}

// CheckKeptFacetCounts reports how many facet counts ix's kept filter sets
// keep (keptSet.counts), and an error if one is not its set's counts made
// afresh, or the bytes counted are not theirs.
func CheckKeptFacetCounts(ix *Index) (int, error) {
	fs := ix.cols.filters
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	n, bytes := 0, int64(0)
	var err error
	for key, s := range fs.sets {
		s.counts.Range(func(k, v any) bool {
			col, kept := k.(*keywordColumn), v.([]int)
			n++
			bytes += int64(8 * len(col.values))
			fresh := make([]int, len(col.values))
			for ord := range fresh {
				fresh[ord] = int(s.b.AndCardinality(col.valueBitmap(uint32(ord))))
			}
			if fmt.Sprint(fresh) != fmt.Sprint(kept) {
				err = fmt.Errorf("set %q: kept counts %v, counted afresh %v", key, kept, fresh)
				return false
			}
			return true
		})
		if err != nil {
			return n, err
		}
	}
	if bytes != fs.countBytes.Load() {
		return n, fmt.Errorf("the kept counts take %d bytes, counted %d", bytes, fs.countBytes.Load())
	}
	return n, nil
}
