package search

import (
	"context"
	"strings"
)

// maxDidYouMeanWords bounds the queries tried by dropping one word.
const maxDidYouMeanWords = 6

// didYouMean looks for a query like r's that finds something: its unknown
// words spelt as the nearest known ones, or else r without one of its words.
func (ix *Index) didYouMean(ctx context.Context, r Request, u *understood, syn *Synonyms) (*DidYouMean, error) {
	words := u.words
	if len(words) == 0 {
		return nil, nil
	}
	try := func(q string) (*DidYouMean, error) {
		if strings.EqualFold(q, r.textQuery()) || q == "" {
			return nil, nil
		}
		alt := r
		alt.Query, alt.text, alt.Page, alt.PerPage, alt.Facets, alt.Explain = q, q, 1, 1, nil, false
		p, err := ix.compile(ctx, &alt, syn)
		if err != nil {
			return nil, err
		}
		c := &collector{ix: ix, cols: ix.cols, p: p, best: candidates{sort: alt.Sort}}
		if err := ix.run(ctx, p, c); err != nil {
			return nil, err
		}
		if c.total == 0 {
			return nil, nil
		}
		// The patient's intent words come back with the corrected text,
		// to be read again.
		return &DidYouMean{Query: strings.TrimSpace(q + " " + r.intentWords()), Total: c.total}, nil
	}

	if ix.vocab != nil {
		fixed := make([]string, len(words))
		changed := false
		scans := 0
		for i, w := range words {
			fixed[i] = w.text
			if ix.vocab.has(w.folded) || scans == maxTypoWords {
				continue
			}
			scans++
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
