package search

import (
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// cleanKeys remembers, for one overlay, by side key (sideKey), what its
// changes leave of the searches made before: whether their matches in
// the generation hold a document it left out, and whether its segments
// found nothing for them. A search of a key whose matches there hold
// none is collected as the generation collects it, with no dead set:
// nothing to test a match against, no dead counted and taken off again,
// the generation's kept counts and lists read as they are. A key its
// segments found nothing for reads none of them again. Testing every
// match against the dead set, finding the dead among the bulk counts, and
// looking each segment's kept side up were most of what an overlay of a
// few changes added to a query whose answer it did not change (bench
// overlay, issue 12), though each cost little looped alone: what they
// read beside the generation's own was cold after other queries.
//
// A key is learnt on its second search (the first only notes it, so a
// query searched once pays for no record): that search records the base
// documents it matched (collector.seen, the dead among them too), and the
// key is clean when none of them is dead, dirty otherwise. The overlays
// after carry what they can (next): the documents an overlay leaves out
// only grow, so a dirty key stays dirty, and a clean key stays clean
// until a newly dead document is among its matches. A view at other
// exchange rates matches other offers by price: nothing is carried then.
// What the segments found is the overlay's own, never carried.
//
// Keys are held by their hash (cleanKey), not as the side key itself:
// comparing a lay phrase's key (hundreds of bytes: every synonym in
// every language) with the one held, cold after other queries, was a
// measurable part of what a search untouched by the changes paid for the
// overlay (bench overlay, issue 12).
type cleanKeys struct {
	dead  *deadDocs // the base's dead set the keys are of; nil: none
	rates Rates
	mu    sync.RWMutex
	m     map[cleanKey]*keyInfo
	size  int // bytes held, roughly
}

// cleanKey is a side key (sideKey) by two 64-bit hashes of it under
// seeds of their own, made at random when the process starts: no client
// can aim at them, and two of the keys a cleanKeys holds (a few tens of
// thousands: maxCleanBytes) share both hashes with a chance of about one
// in 10^29.
type cleanKey [2]uint64

var cleanSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func cleanKeyOf(key []byte) cleanKey {
	return cleanKey{maphash.Bytes(cleanSeeds[0], key), maphash.Bytes(cleanSeeds[1], key)}
}

// keyInfo is what is known of a key.
type keyInfo struct {
	state uint8           // never changed: a key learnt is a new keyInfo
	seen  *roaring.Bitmap // keyClean's, when learnt (nil: clean as there is no dead set)
	// segsEmpty is set once a search found nothing for the key in each
	// of the overlay's segments (each side empty): the next skip them.
	segsEmpty atomic.Bool
}

const (
	keyNoted uint8 = iota
	keyClean
	keyDirty
)

// maxCleanBytes bounds a cleanKeys: past it, it forgets every key before
// it notes another (its queries are learnt again on their next two
// searches).
const maxCleanBytes = 4 << 20

// next is the set of keys of an overlay whose base leaves dead out at
// rates, from c's (nil: none), the overlay's it is made from.
func (c *cleanKeys) next(dead *deadDocs, rates Rates) *cleanKeys {
	n := &cleanKeys{dead: dead, rates: rates}
	if c == nil || !sameRates(c.rates, rates) {
		return n
	}
	added := deadBitmap(dead)
	if was := deadBitmap(c.dead); !was.IsEmpty() {
		if !roaring.AndNot(was, added).IsEmpty() {
			return n // a document came back: not an overlay of the same generation
		}
		added = roaring.AndNot(added, was)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	n.m = make(map[cleanKey]*keyInfo, len(c.m))
	for key, k := range c.m {
		state, seen := k.state, k.seen
		switch {
		case state == keyClean && seen == nil && !added.IsEmpty():
			state = keyNoted // clean with nothing dead: learnt now there is
		case state == keyClean && seen != nil && seen.Intersects(added):
			state, seen = keyNoted, nil // learnt again on its next search
		}
		info := &keyInfo{state: state, seen: seen}
		n.m[key] = info
		n.size += info.bytes()
	}
	return n
}

func deadBitmap(d *deadDocs) *roaring.Bitmap {
	if d == nil {
		return roaring.New()
	}
	return d.b
}

func (k *keyInfo) bytes() int {
	n := 64
	if k.seen != nil {
		n += int(k.seen.GetSizeInBytes())
	}
	return n
}

// lookup returns what is known of key; a key not seen before is noted
// (clean at once when nothing is dead), and first is true.
func (c *cleanKeys) lookup(key cleanKey) (k *keyInfo, first bool) {
	c.mu.RLock()
	k = c.m[key]
	c.mu.RUnlock()
	if k != nil {
		return k, false
	}
	k = &keyInfo{state: keyNoted}
	if c.dead == nil {
		k.state = keyClean
	}
	return c.store(key, k), true
}

// learn records what the search of key matched in the base (seen, the
// dead among them too): clean when none of them is dead. segsEmpty: each
// of the overlay's segments found nothing for it.
func (c *cleanKeys) learn(key cleanKey, seen *seenDocs, segsEmpty bool) {
	b := seen.bitmap()
	k := &keyInfo{state: keyDirty}
	if c.dead == nil || !b.Intersects(c.dead.b) {
		k = &keyInfo{state: keyClean, seen: b}
	}
	k.segsEmpty.Store(segsEmpty)
	c.store(key, k)
}

// store keeps k under key, unless a key learnt meanwhile is there (k
// only noted); it returns what is kept.
func (c *cleanKeys) store(key cleanKey, k *keyInfo) *keyInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	was := c.m[key]
	if was != nil && was.state != keyNoted && k.state == keyNoted {
		return was
	}
	size := k.bytes()
	if c.m == nil || c.size+size > maxCleanBytes {
		c.m, c.size = map[cleanKey]*keyInfo{}, 0
		was = nil
	}
	if was != nil {
		c.size -= was.bytes()
	}
	c.m[key] = k
	c.size += size
	return k
}
