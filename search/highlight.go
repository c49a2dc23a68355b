package search

import (
	"html"
	"strings"
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
func (u *understood) termSet(exact bool) map[langTerm]bool {
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
	seen  map[string]bool // word → whether it is marked
}

func (u *understood) highlighter() *highlighter {
	if u.hl == nil {
		u.hl = &highlighter{langs: u.langs, terms: u.termSet(false), seen: map[string]bool{}}
	}
	return u.hl
}

// exactHighlighter marks only the patient's own words.
func (u *understood) exactHighlighter() *highlighter {
	if u.exactHL == nil {
		u.exactHL = &highlighter{langs: u.langs, terms: u.termSet(true), seen: map[string]bool{}}
	}
	return u.exactHL
}

// marked reports whether word's analysed form, in any of the languages, is
// one the query searched for.
func (h *highlighter) marked(word string) bool {
	if m, ok := h.seen[word]; ok {
		return m
	}
	m := false
	for _, lang := range h.langs {
		for _, t := range Analyze(lang, word) {
			if h.terms[langTerm{lang, t}] {
				m = true
			}
		}
	}
	h.seen[word] = m
	return m
}

// text HTML-escapes text and wraps each marked word in <mark>…</mark>.
func (h *highlighter) text(text string) (string, bool) {
	var b strings.Builder
	last, found := 0, false
	for _, tok := range queryTokenizer.Tokenize([]byte(text)) {
		if !h.marked(string(tok.Term)) {
			continue
		}
		found = true
		b.WriteString(html.EscapeString(text[last:tok.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[tok.Start:tok.End]))
		b.WriteString("</mark>")
		last = tok.End
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

func matchWith(r *Record, t *Record, u *understood, hl *highlighter) *Match {
	var best *Match
	most := 0
	try := func(field, text string) {
		if h, ok := hl.text(text); ok {
			if n := strings.Count(h, "<mark>"); n > most {
				most, best = n, &Match{Field: field, Text: strings.ReplaceAll(h, "</mark> <mark>", " ")}
			}
		}
	}
	treatment := func(prefix string, t *Record) {
		try(prefix+"name", t.Name)
		for _, l := range t.LayNames {
			try(prefix+"lay_names", l)
		}
		for _, lang := range u.langs {
			if tr, ok := t.Translations[lang]; ok {
				try(prefix+"translations."+lang+".name", tr.Name)
				for _, l := range tr.LayNames {
					try(prefix+"translations."+lang+".lay_names", l)
				}
			}
		}
		try(prefix+"code", t.Code)
	}
	switch r.Type {
	case TypeTreatment:
		treatment("", r)
	case TypeOffer:
		if t != nil {
			treatment("treatment.", t)
		} else if r.Treatment != nil {
			try("treatment.name", r.Treatment.Name)
		}
		if r.Facility != nil {
			try("facility.name", r.Facility.Name)
			try("facility.city", r.Facility.City)
		}
		for _, d := range r.Doctors {
			try("doctors", d.Name)
		}
	default:
		try("name", r.Name)
		try("city", r.City)
		for _, s := range r.Specialties {
			try("specialties", s)
		}
		if r.Facility != nil {
			try("facility.name", r.Facility.Name)
		}
		for _, t := range r.Treatments {
			try("treatments", t.Name)
		}
	}
	return best
}
