package search

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
