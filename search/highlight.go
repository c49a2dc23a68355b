package search

import (
	"html"
	"slices"
	"strings"
	"sync"
)

// highlightHit marks the query's words in the fields a result shows.
func highlightHit(r *Record, u *understood) map[string]string {
	hl := u.highlighter()
	out := map[string]string{}
	put := func(field, text string) {
		if h, ok := hl.text(text); ok {
			out[field] = h
		}
	}
	first := func(field string, texts []string) {
		for _, t := range texts {
			if h, ok := hl.text(t); ok {
				out[field] = h
				return
			}
		}
	}
	switch r.Type {
	case TypeTreatment:
		put("name", r.Name)
		first("lay_names", r.LayNames)
		for _, lang := range u.langs {
			if tr, ok := r.Translations[lang]; ok {
				put("translations."+lang+".name", tr.Name)
				first("translations."+lang+".lay_names", tr.LayNames)
			}
		}
	case TypeOffer:
		if r.Treatment != nil {
			put("treatment.name", r.Treatment.Name)
		}
		if r.Facility != nil {
			put("facility.name", r.Facility.Name)
			put("facility.city", r.Facility.City)
		}
		names := make([]string, len(r.Doctors))
		for i, d := range r.Doctors {
			names[i] = d.Name
		}
		first("doctors", names)
	case TypeFacility:
		put("name", r.Name)
		put("city", r.City)
	case TypeDoctor:
		put("name", r.Name)
		first("specialties", r.Specialties)
		if r.Facility != nil {
			put("facility.name", r.Facility.Name)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// termSet is every term the query searched for, in every language; with
// exact, only the patient's own words (not synonyms or corrections).
// Only read it: it may be the one every search of the query shares.
func (u *understood) termSet(exact bool) map[langTerm]bool {
	i := 0
	if exact {
		i = 1
	}
	if set := u.terms[i]; set != nil {
		return set
	}
	return u.buildTermSet(exact)
}

func (u *understood) buildTermSet(exact bool) map[langTerm]bool {
	set := map[langTerm]bool{}
	for _, g := range u.groups {
		for _, a := range g.alts {
			if exact && a.weight != weightExact {
				continue
			}
			for _, t := range a.terms {
				set[t] = true
			}
		}
	}
	return set
}

// highlighter marks the words of a query in a page of hits. It remembers
// each word it has analysed: the same names recur across a page.
type highlighter struct {
	langs []string
	terms map[langTerm]bool
	seen  map[string]bool       // word → whether it is marked
	cache map[string][]langTerm // word → its terms, shared (analyzed)
	// treatments memoises treatmentMatch by field prefix and id.
	treatments map[string]bestMatch
	// texts memoises text: a page of facilities and doctors lists the same
	// treatment names again and again, and tokenising is the cost.
	texts map[string]markedText
}

// markedText is a text's highlighted form, ok when it marked a word.
type markedText struct {
	s  string
	ok bool
}

func (u *understood) highlighter() *highlighter {
	if u.hl == nil {
		u.hl = newHighlighter(u, false)
	}
	return u.hl
}

// exactHighlighter marks only the patient's own words.
func (u *understood) exactHighlighter() *highlighter {
	if u.exactHL == nil {
		u.exactHL = newHighlighter(u, true)
	}
	return u.exactHL
}

// highlighters keeps highlighters between searches, their maps emptied
// but grown: a page of offers shows a few hundred words and texts (each
// of its treatments' names in a dozen languages), and growing four maps
// from nothing to that for every search was a fifth of what highlighting
// cost, a twentieth of a text search sorted by price at a million offers.
var highlighters = sync.Pool{New: func() any {
	return &highlighter{seen: map[string]bool{}, texts: map[string]markedText{}, treatments: map[string]bestMatch{}}
}}

// analysedPool keeps understood.analysed maps between searches, as
// highlighters does the highlighters' own.
var analysedPool = sync.Pool{New: func() any { return map[string][]langTerm{} }}

// maxPooledWords bounds the entries a pooled map may have held: a page of
// unusual size gives its maps back to the collector, not to the pool.
const maxPooledWords = 4096

func newHighlighter(u *understood, exact bool) *highlighter {
	h := highlighters.Get().(*highlighter)
	h.langs, h.terms, h.cache = u.langs, u.termSet(exact), u.analysedWords()
	return h
}

// releaseHighlighters gives u's highlighters and analysed words back to
// their pools, once a search has built its page: the texts and matches
// its hits show are strings and Matches of their own, kept by the hits,
// not by the maps. u highlights nothing after.
func (u *understood) releaseHighlighters() {
	for _, h := range []*highlighter{u.hl, u.exactHL} {
		if h == nil {
			continue
		}
		big := len(h.seen) > maxPooledWords || len(h.texts) > maxPooledWords || len(h.treatments) > maxPooledWords
		h.langs, h.terms, h.cache = nil, nil, nil
		clear(h.seen)
		clear(h.texts)
		clear(h.treatments)
		if !big {
			highlighters.Put(h)
		}
	}
	u.hl, u.exactHL = nil, nil
	if u.analysed != nil {
		if len(u.analysed) <= maxPooledWords {
			clear(u.analysed)
			analysedPool.Put(u.analysed)
		}
		u.analysed = nil
	}
}

// marked reports whether word's analysed form, in any of the languages, is
// one the query searched for.
func (h *highlighter) marked(word string) bool {
	if m, ok := h.seen[word]; ok {
		return m
	}
	m := false
	for _, t := range h.analyzed(word) {
		if h.terms[t] {
			m = true
		}
	}
	h.seen[word] = m
	return m
}

// analyzed is word analysed in the query's languages, shared by the
// query's highlighters: analysing is what highlighting costs.
func (h *highlighter) analyzed(word string) []langTerm {
	if ts, ok := h.cache[word]; ok {
		return ts
	}
	if h.cache == nil {
		h.cache = map[string][]langTerm{}
	}
	ts := analyzeEveryLanguage(word)
	if len(h.langs) != len(Languages) {
		ts = slices.DeleteFunc(slices.Clone(ts), func(t langTerm) bool { return !slices.Contains(h.langs, t.lang) })
	}
	h.cache[word] = ts
	return ts
}

// text HTML-escapes text and wraps each marked word in <mark>…</mark>.
func (h *highlighter) text(text string) (string, bool) {
	if m, ok := h.texts[text]; ok {
		return m.s, m.ok
	}
	s, ok := h.mark(text)
	if h.texts == nil {
		h.texts = map[string]markedText{}
	}
	h.texts[text] = markedText{s, ok}
	return s, ok
}

func (h *highlighter) mark(text string) (string, bool) {
	var b strings.Builder
	last, found := 0, false
	for _, tok := range shownTexts.words(text) {
		if !h.marked(tok.word) {
			continue
		}
		found = true
		start, end := int(tok.start), int(tok.end)
		b.WriteString(html.EscapeString(text[last:start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[start:end]))
		b.WriteString("</mark>")
		last = end
	}
	if !found {
		return "", false
	}
	b.WriteString(html.EscapeString(text[last:]))
	return b.String(), true
}

// Match is what a hit matched, for a page to show why it is there: the
// field and its text with the matched words in <mark>…</mark> (adjacent
// ones merged: "<mark>hip replacement</mark>"). For a treatment or an offer
// that is often a lay name or a translation, not the official name:
// "Hip replacement (DRG 470: Major joint replacement…)".
type Match struct {
	Field string `json:"field"`
	Text  string `json:"text"`
}

// matchOf picks the field of r (and, for an offer, of its treatment t,
// nil when unknown) that holds most of the query's words; ties go to the
// name before lay names before translations.
func matchOf(r *Record, t *Record, u *understood) *Match {
	// The patient's own words first ("rhinoplasty" shows the name, not the
	// synonym "cosmetic nose surgery"), then what they were read as.
	if m := matchWith(r, t, u, u.exactHighlighter()); m != nil {
		return m
	}
	return matchWith(r, t, u, u.highlighter())
}

// bestMatch is the best field found so far and how many words it marks.
type bestMatch struct {
	m    *Match
	most int
}

func (b *bestMatch) try(hl *highlighter, field, text string) {
	if h, ok := hl.text(text); ok {
		if n := strings.Count(h, "<mark>"); n > b.most {
			b.most, b.m = n, &Match{Field: field, Text: strings.ReplaceAll(h, "</mark> <mark>", " ")}
		}
	}
}

// treatmentMatch is the best field of a treatment's names, once per
// treatment and highlighter: a page of offers shares a few treatments.
func (hl *highlighter) treatmentMatch(prefix string, t *Record) bestMatch {
	key := prefix + itoa(t.ID)
	if b, ok := hl.treatments[key]; ok {
		return b
	}
	var b bestMatch
	b.try(hl, prefix+"name", t.Name)
	for _, l := range t.LayNames {
		b.try(hl, prefix+"lay_names", l)
	}
	for _, lang := range hl.langs {
		if tr, ok := t.Translations[lang]; ok {
			b.try(hl, prefix+"translations."+lang+".name", tr.Name)
			for _, l := range tr.LayNames {
				b.try(hl, prefix+"translations."+lang+".lay_names", l)
			}
		}
	}
	b.try(hl, prefix+"code", t.Code)
	if hl.treatments == nil {
		hl.treatments = map[string]bestMatch{}
	}
	hl.treatments[key] = b
	return b
}

func matchWith(r *Record, t *Record, u *understood, hl *highlighter) *Match {
	var b bestMatch
	switch r.Type {
	case TypeTreatment:
		b = hl.treatmentMatch("", r)
	case TypeOffer:
		if t != nil {
			b = hl.treatmentMatch("treatment.", t)
		} else if r.Treatment != nil {
			b.try(hl, "treatment.name", r.Treatment.Name)
		}
		if r.Facility != nil {
			b.try(hl, "facility.name", r.Facility.Name)
			b.try(hl, "facility.city", r.Facility.City)
		}
		for _, d := range r.Doctors {
			b.try(hl, "doctors", d.Name)
		}
	default:
		b.try(hl, "name", r.Name)
		b.try(hl, "city", r.City)
		for _, s := range r.Specialties {
			b.try(hl, "specialties", s)
		}
		if r.Facility != nil {
			b.try(hl, "facility.name", r.Facility.Name)
		}
		for _, t := range r.Treatments {
			b.try(hl, "treatments", t.Name)
		}
	}
	return b.m
}

func (u *understood) analysedWords() map[string][]langTerm {
	if u.analysed == nil {
		u.analysed = analysedPool.Get().(map[string][]langTerm)
	}
	return u.analysed
}

// shownWord is a word of a text a hit shows, and where it is in the text.
type shownWord struct {
	start, end int32
	word       string
}

// shownTexts are the texts hits showed lately, split into words as a
// query is (queryTokenizer), kept across searches. Hits show the same
// names again and again (a treatment's names on each of its offers, a
// facility's on each of its offers, the cities), and splitting them was
// a third of what highlighting cost, which was a tenth of the CPU of the
// searches bench fresh sends (a profile under writes at a million offers).
// Which words a search marks depends on its query; where the words are
// does not.
var shownTexts = textWords{kept[string, []shownWord]{maxBytes: shownTextsBytes}}

// shownTextsBytes bounds each of shownTexts' two maps: a text and its
// words hold 200 to 300 bytes, so some ten thousand texts a map.
const shownTextsBytes = 3 << 20

// textWords keeps texts' words (kept: two maps that rotate, the texts
// still asked for staying).
type textWords struct{ kept[string, []shownWord] }

// words returns text's words, split once and kept.
func (c *textWords) words(text string) []shownWord {
	if ws, ok := c.get(text); ok {
		return ws
	}
	ws := splitWords(text)
	// A copy of the key: text may be a part of a larger string (a decoded
	// document) that the map would keep alive.
	c.put(strings.Clone(text), ws, textBytes(text, ws))
	return ws
}

// textBytes is about what text and its words hold in a textWords.
func textBytes(text string, ws []shownWord) int {
	n := 64 + len(text)
	for _, w := range ws {
		n += 40 + len(w.word)
	}
	return n
}

// splitWords splits text into words as a query is split.
func splitWords(text string) []shownWord {
	toks := queryTokenizer.Tokenize([]byte(text))
	if len(toks) == 0 {
		return nil
	}
	ws := make([]shownWord, len(toks))
	for i, tok := range toks {
		ws[i] = shownWord{start: int32(tok.Start), end: int32(tok.End), word: string(tok.Term)}
	}
	return ws
}
