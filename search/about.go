package search

import (
	"cmp"
	"slices"
	"strconv"
)

// about reads what a search was about off its plan: the analysed words,
// and the treatments every group of the query matched through the
// treatments' own text (the join fields), with their categories.
func (ix *Index) about(r *Request, p *plan) About {
	a := About{Categories: slices.Clone(r.Filter(FilterCategory))}
	if p.u == nil {
		return a
	}
	lang := r.Lang
	if lang == "" {
		lang = LangEnglish
	}
	for _, w := range p.u.words {
		for _, t := range w.terms {
			if t.lang == lang {
				a.Terms = append(a.Terms, t.term)
			}
		}
	}
	if p.m == nil || len(p.m.groups) == 0 {
		return a
	}
	type found struct {
		ord   int
		score float64
	}
	var hits []found
	for ord := range p.m.tcol.values {
		total := 0.0
		for _, g := range p.m.groups {
			best := 0.0
			for _, alt := range g.alts {
				s := 0.0
				for _, h := range alt.hits {
					if h.treat[ord] <= 0 {
						s = 0
						break
					}
					s += h.treat[ord]
				}
				best = max(best, s*alt.alt.weight)
			}
			if best == 0 {
				total = 0
				break
			}
			total += best
		}
		if total > 0 {
			hits = append(hits, found{ord, total})
		}
	}
	slices.SortFunc(hits, func(x, y found) int {
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		return cmp.Compare(x.ord, y.ord)
	})
	cats := ix.cols.keywords[fieldCategory]
	for _, h := range hits[:min(len(hits), maxAboutTreatments)] {
		id, err := strconv.ParseInt(p.m.tcol.values[h.ord], 10, 64)
		if err != nil {
			continue
		}
		a.Treatments = append(a.Treatments, id)
		if h.ord < len(ix.cols.treatmentDoc) {
			if doc := ix.cols.treatmentDoc[h.ord]; doc >= 0 {
				if c, ok := cats.first(uint32(doc)); ok && !slices.Contains(a.Categories, cats.values[c]) {
					a.Categories = append(a.Categories, cats.values[c])
				}
			}
		}
	}
	return a
}
