package search

import (
	"context"
	"html"
	"strings"
)

// highlightHit marks the query's words in the fields a result shows.
func highlightHit(r *Record, u *understood) map[string]string {
	terms := u.termSet()
	out := map[string]string{}
	put := func(field, text string) {
		if h, ok := highlightText(text, u.langs, terms); ok {
			out[field] = h
		}
	}
	first := func(field string, texts []string) {
		for _, t := range texts {
			if h, ok := highlightText(t, u.langs, terms); ok {
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

// termSet is every term the query searched for, in every language.
func (u *understood) termSet() map[langTerm]bool {
	set := map[langTerm]bool{}
	for _, g := range u.groups {
		for _, a := range g.alts {
			for _, t := range a.terms {
				set[t] = true
			}
		}
	}
	return set
}

// highlightText HTML-escapes text and wraps each word whose analysed form
// (in any of langs) the query searched for in <mark>…</mark>.
func highlightText(text string, langs []string, terms map[langTerm]bool) (string, bool) {
	var b strings.Builder
	last, found := 0, false
	for _, tok := range queryTokenizer.Tokenize([]byte(text)) {
		word := string(tok.Term)
		hit := false
		for _, lang := range langs {
			for _, t := range Normalize(lang, word) {
				if terms[langTerm{lang, t}] {
					hit = true
				}
			}
		}
		if !hit {
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

// explain says how a hit's score was made.
func (p *plan) explain(h *Hit, doc uint32) *Explanation {
	f := trustOf(&h.Record)
	e := &Explanation{TrustFactors: f, Score: round3(h.Score), Formula: trustFormulaString, Relevance: 1}
	if p.m != nil {
		e.Matched = p.m.matchedLabels(doc)
		if f.Trust > 0 {
			e.Relevance = round3(h.Score / f.Trust)
		}
	}
	return e
}

// maxDidYouMeanWords bounds the queries tried by dropping one word.
const maxDidYouMeanWords = 6

// didYouMean looks for a query like r's that finds something: its unknown
// words spelt as the nearest known ones, or else r without one of its words.
func (ix *Index) didYouMean(ctx context.Context, r Request, u *understood, syn *Synonyms) (*DidYouMean, error) {
	words := ix.queryWords(r.Query, u.langs)
	if len(words) == 0 {
		return nil, nil
	}
	try := func(q string) (*DidYouMean, error) {
		if strings.EqualFold(q, r.Query) || q == "" {
			return nil, nil
		}
		alt := r
		alt.Query, alt.Page, alt.PerPage, alt.Facets, alt.Explain = q, 1, 1, nil, false
		p, err := ix.compile(ctx, &alt, syn)
		if err != nil {
			return nil, err
		}
		c := &collector{cols: ix.cols, p: p, best: candidates{sort: alt.Sort}}
		if err := ix.run(ctx, p, c); err != nil {
			return nil, err
		}
		if c.total == 0 {
			return nil, nil
		}
		return &DidYouMean{Query: q, Total: c.total}, nil
	}

	if ix.vocab != nil {
		fixed := make([]string, len(words))
		changed := false
		for i, w := range words {
			fixed[i] = w.text
			if ix.vocab.has(w.folded) {
				continue
			}
			if cs := ix.vocab.near(w.folded, 1); len(cs) > 0 {
				fixed[i], changed = cs[0].word, true
			}
		}
		if changed {
			if d, err := try(strings.Join(fixed, " ")); d != nil || err != nil {
				return d, err
			}
		}
	}
	if len(words) < 2 || len(words) > maxDidYouMeanWords {
		return nil, nil
	}
	for i := len(words) - 1; i >= 0; i-- {
		var rest []string
		for j, w := range words {
			if j != i {
				rest = append(rest, w.text)
			}
		}
		if d, err := try(strings.Join(rest, " ")); d != nil || err != nil {
			return d, err
		}
	}
	return nil, nil
}
