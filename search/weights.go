package search

import "sort"

// docWeights holds a term's weight for each document it matches outside
// offers: a list sorted by document, read with a cursor. The matcher visits
// documents in ascending order, so a lookup is usually a step or two from
// the last; with a few hundred thousand matches (a word every facility and
// doctor name holds) this costs a fraction of a map's inserts and lookups.
type docWeights struct {
	docs []uint32
	ws   []float64
	at   int // where the last lookup ended
}

// weightPass collects one field's postings, which come in ascending
// document order, before they are merged into a docWeights.
type weightPass struct {
	docs []uint32
	ws   []float64
}

// newWeightPass returns a pass with room for n postings.
func newWeightPass(n int) weightPass {
	return weightPass{docs: make([]uint32, 0, n), ws: make([]float64, 0, n)}
}

func (p *weightPass) add(doc uint32, w float64) {
	if n := len(p.docs); n > 0 && p.docs[n-1] == doc {
		p.ws[n-1] += w
		return
	}
	p.docs = append(p.docs, doc)
	p.ws = append(p.ws, w)
}

// merge adds a pass's weights, summing those of documents both hold.
func (d *docWeights) merge(p weightPass) {
	if len(p.docs) == 0 {
		return
	}
	if len(d.docs) == 0 {
		d.docs, d.ws = p.docs, p.ws
		return
	}
	docs := make([]uint32, 0, len(d.docs)+len(p.docs))
	ws := make([]float64, 0, cap(docs))
	i, j := 0, 0
	for i < len(d.docs) || j < len(p.docs) {
		switch {
		case j == len(p.docs) || i < len(d.docs) && d.docs[i] < p.docs[j]:
			docs, ws = append(docs, d.docs[i]), append(ws, d.ws[i])
			i++
		case i == len(d.docs) || p.docs[j] < d.docs[i]:
			docs, ws = append(docs, p.docs[j]), append(ws, p.ws[j])
			j++
		default:
			docs, ws = append(docs, d.docs[i]), append(ws, d.ws[i]+p.ws[j])
			i, j = i+1, j+1
		}
	}
	d.docs, d.ws, d.at = docs, ws, 0
}

// get returns doc's weight, 0 when it has none. Lookups in ascending order
// gallop forward from the last; one behind it starts over.
func (d *docWeights) get(doc uint32) float64 {
	lo := d.at
	if lo >= len(d.docs) || d.docs[lo] > doc {
		lo = 0
	}
	hi, step := lo, 1
	for hi < len(d.docs) && d.docs[hi] < doc {
		lo = hi
		hi += step
		step *= 2
	}
	hi = min(hi+1, len(d.docs))
	k := lo + sort.Search(hi-lo, func(k int) bool { return d.docs[lo+k] >= doc })
	d.at = k
	if k < len(d.docs) && d.docs[k] == doc {
		return d.ws[k]
	}
	return 0
}
