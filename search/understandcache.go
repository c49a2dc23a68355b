package search

// understandings keeps the queries a generation understood, for the
// searches that ask the same again: patients type the same few thousand
// treatments, and understanding one (its words analysed in every
// language, each looked up in the index's dictionaries, its typos
// corrected against the vocabulary) cost 13 to 39 µs and 130 to 270
// allocations of a 150 to 400 µs text search at a million offers, and
// a sixth of a text search on the bundled catalogue, a third of one with
// a typo (BenchmarkSearch: text against text_not_understood_before).
// What a query is understood as depends only on the generation (its
// dictionaries and vocabulary), the text, the language and the synonym
// graph, all fixed for an entry: an entry of another graph is
// understood afresh.
//
// An entry is read, never written: each search gets a copy of its own
// (understood.copy) for what it makes as it goes (highlighters), and the
// overlay's typo check copies the groups it changes (knownInDelta).
type understandings = kept[understandKey, understandEntry]

type understandKey struct{ q, lang string }

type understandEntry struct {
	syn *Synonyms
	u   *understood
}

// maxUnderstoodBytes bounds each of understandings' two maps. Understood
// in every language at a million offers, "knee 12" held 7 KB, "knee
// replacement" and a word corrected 12 KB, five words with one
// corrected 24 KB (its terms, and its two term sets): a map holds a
// thousand or two.
const maxUnderstoodBytes = 16 << 20

// keptUnderstood is q in lang understood with syn, as ix keeps it (nil:
// not kept). The caller copies it before use.
func (ix *Index) keptUnderstood(q, lang string, syn *Synonyms) *understood {
	e, ok := ix.understood.get(understandKey{q, lang})
	if !ok || e.syn != syn {
		return nil
	}
	return e.u
}

// keepUnderstood keeps u, q in lang understood with syn; u is never
// written after.
func (ix *Index) keepUnderstood(q, lang string, syn *Synonyms, u *understood) {
	if ix.understood == nil {
		return
	}
	u.memoTerms()
	ix.understood.put(understandKey{q, lang}, understandEntry{syn, u}, u.bytes())
}

// bytes is about what u holds on the heap: its words, groups and
// expansions, and its term sets (a little more than measured, for the
// queries above).
func (u *understood) bytes() int {
	const header, term = 64, 48 // a struct's or slice's overhead; a langTerm and its map entry
	n := header * 4
	for _, w := range u.words {
		n += header + 2*len(w.text) + len(w.folded) + len(w.en) + len(w.terms)*term
	}
	terms := 0
	for _, g := range u.groups {
		n += header + len(g.text)
		for _, a := range g.alts {
			n += header + len(a.label) + len(a.terms)*term
			terms += len(a.terms)
		}
	}
	for _, e := range u.expansions {
		n += header * 2
		for _, to := range e.To {
			n += len(to) + 16
		}
	}
	return (n + 2*terms*term) * 3 / 2
}

// copy is u for one search: what it shares with u's other searches is
// only read, and it makes its own highlighters.
func (u *understood) copy() *understood {
	c := *u
	c.hl, c.exactHL, c.analysed = nil, nil, nil
	return &c
}

// memoTerms keeps u's term sets (termSet), for each search's highlighters
// to share rather than each building its own.
func (u *understood) memoTerms() {
	if u.terms[0] == nil {
		u.terms = [2]map[langTerm]bool{u.buildTermSet(false), u.buildTermSet(true)}
	}
}
