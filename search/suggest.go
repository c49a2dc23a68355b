package search

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	bcollector "github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Limits on autocomplete.
const (
	MinSuggestLength = 2
	MaxSuggestLength = 100
	DefaultSuggest   = 8
	MaxSuggest       = 20
)

// Suggestion is one autocomplete entry: a treatment, facility or doctor.
type Suggestion struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Detail helps tell entries apart: a treatment's category, a facility's
	// or doctor's city and country.
	Detail string  `json:"detail,omitempty"`
	Score  float64 `json:"score"`
	// Fuzzy marks a completion of a misspelt prefix.
	Fuzzy bool `json:"fuzzy,omitempty"`
}

// Suggest completes what a patient has typed so far. Every word must begin a
// word of the name (a lay name, or a translation); treatments rank first
// when scores tie, since that is what most patients are looking for. When
// that finds nothing, misspelt prefixes are completed instead.
func (ix *Index) Suggest(ctx context.Context, q string, limit int) ([]Suggestion, error) {
	q = strings.TrimSpace(q)
	switch n := utf8.RuneCountInString(q); {
	case n < MinSuggestLength:
		return nil, invalid("q", "needs at least %d characters", MinSuggestLength)
	case len(q) > MaxSuggestLength:
		return nil, invalid("q", "is longer than %d bytes", MaxSuggestLength)
	}
	switch {
	case limit == 0:
		limit = DefaultSuggest
	case limit < 1 || limit > MaxSuggest:
		return nil, invalid("limit", "must be between 1 and %d", MaxSuggest)
	}
	words := strings.Fields(strings.ToLower(q))
	for i, w := range words {
		if utf8.RuneCountInString(w) > suggestMaxPrefix {
			words[i] = string([]rune(w)[:suggestMaxPrefix])
		}
	}
	match := bleve.NewMatchQuery(strings.Join(words, " "))
	match.SetField(fieldSuggest)
	match.Analyzer = suggestQueryAnalyzer
	match.Operator = query.MatchQueryOperatorAnd
	out, err := ix.suggest(ctx, match, limit, nil)
	if err != nil {
		return nil, fmt.Errorf("suggest %q: %w", q, err)
	}
	if len(out) > 0 {
		return out, nil
	}
	// No completion: let each word of four letters or more be an edit or
	// two away from a prefix ("rinopl" → "rhinopl"). Fuzzy matching over
	// every prefix of every name costs more than the exact pass, so a
	// prefix that completes to anything at all does not pay for it.
	fuzzy := bleve.NewConjunctionQuery()
	anyFuzzy := false
	for _, w := range words {
		w = fold(w)
		term := bleve.NewTermQuery(w)
		term.SetField(fieldSuggest)
		d := maxTypoDistance(utf8.RuneCountInString(w))
		if utf8.RuneCountInString(w) < 4 || d == 0 {
			fuzzy.AddQuery(term)
			continue
		}
		fq := bleve.NewFuzzyQuery(w)
		fq.SetField(fieldSuggest)
		fq.SetFuzziness(d)
		fuzzy.AddQuery(bleve.NewDisjunctionQuery(term, fq))
		anyFuzzy = true
	}
	if !anyFuzzy {
		return out, nil
	}
	seen := map[string]bool{}
	for _, s := range out {
		seen[DocID(s.Type, s.ID)] = true
	}
	more, err := ix.suggest(ctx, fuzzy, limit+len(out), seen)
	if err != nil {
		return nil, fmt.Errorf("suggest %q: fuzzy: %w", q, err)
	}
	for _, s := range more {
		if len(out) == limit {
			break
		}
		s.Fuzzy = true
		s.Score /= 2
		out = append(out, s)
	}
	return out, nil
}

// suggest runs one suggestion query, treatments first when scores tie,
// leaving out the documents in skip. It runs Bleve's searchers on the
// index's reader, a generation's or a segment's alike (memsegment.go).
func (ix *Index) suggest(ctx context.Context, q query.Query, limit int, skip map[string]bool) ([]Suggestion, error) {
	preferTreatments := bleve.NewTermQuery(TypeTreatment)
	preferTreatments.SetField(fieldType)
	preferTreatments.SetBoost(0.5)
	b := bleve.NewBooleanQuery()
	b.AddMust(q) // only treatments, facilities and doctors have the field
	b.AddShould(preferTreatments)

	searcher, err := b.Searcher(ctx, ix.reader, ix.mapping, bsearch.SearcherOptions{})
	if err != nil {
		return nil, err
	}
	defer searcher.Close()
	coll := bcollector.NewTopNCollector(limit, 0, bsearch.SortOrder{&bsearch.SortScore{Desc: true}})
	if err := coll.Collect(ctx, searcher, ix.reader); err != nil {
		return nil, err
	}
	hits := coll.Results()
	out := make([]Suggestion, 0, len(hits))
	for _, h := range hits {
		if skip[h.ID] {
			continue
		}
		src, err := ix.source(uint32(h.IndexInternalID.Value()))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", h.ID, err)
		}
		var r Record
		if err := decodeRecord(src, &r); err != nil {
			return nil, fmt.Errorf("decode %s: %w", h.ID, err)
		}
		out = append(out, Suggestion{Type: r.Type, ID: r.ID, Name: r.Name, Detail: detail(&r), Score: h.Score})
	}
	return out, nil
}

func detail(r *Record) string {
	switch {
	case r.Type == TypeTreatment:
		return r.Category
	case r.Facility != nil:
		return join(r.Facility.Name, r.Facility.City, r.Facility.CountryName)
	default:
		return join(r.City, r.CountryName)
	}
}

func join(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ", ")
}
