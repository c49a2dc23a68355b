package search

import (
	"slices"
	"strings"
)

// SynonymEdge says that a patient who types Term may mean Synonym: "nose job"
// → "rhinoplasty". Edges are directed; an equivalence is two edges. Source
// says where the edge came from (medquad, drg, curated).
type SynonymEdge struct {
	Term    string
	Synonym string
	Source  string
}

// Synonyms is the synonym graph as queries use it: from a run of normalised
// English words to what it may also mean. It is applied when a query is
// understood, not when documents are indexed, so the graph can change (it
// lives in PostgreSQL) without rebuilding the index.
type Synonyms struct {
	byKey   map[string][]synonymTarget
	longest int // words in the longest key
	edges   int
}

type synonymTarget struct {
	text   string   // as written in the graph
	terms  []string // normalised English terms
	source string
}

// maxSynonymPhrase bounds how many query words one synonym key may span.
const maxSynonymPhrase = 6

// maxExpansions bounds the synonyms one phrase of a query expands to.
const maxExpansions = 8

// NewSynonyms builds the graph from its edges. Edges whose term or synonym
// analyse to nothing (only stop words) are dropped.
func NewSynonyms(edges []SynonymEdge) *Synonyms {
	s := &Synonyms{byKey: map[string][]synonymTarget{}}
	for _, e := range edges {
		key := Analyze(LangEnglish, e.Term)
		terms := Analyze(LangEnglish, e.Synonym)
		if len(key) == 0 || len(terms) == 0 || len(key) > maxSynonymPhrase || slices.Equal(key, terms) {
			continue
		}
		k := strings.Join(key, " ")
		if slices.ContainsFunc(s.byKey[k], func(t synonymTarget) bool { return slices.Equal(t.terms, terms) }) {
			continue
		}
		s.byKey[k] = append(s.byKey[k], synonymTarget{text: e.Synonym, terms: terms, source: e.Source})
		s.longest = max(s.longest, len(key))
		s.edges++
	}
	return s
}

// Len is how many distinct edges the graph holds.
func (s *Synonyms) Len() int {
	if s == nil {
		return 0
	}
	return s.edges
}

// lookup returns what the normalised words may also mean.
func (s *Synonyms) lookup(words []string) []synonymTarget {
	if s == nil {
		return nil
	}
	ts := s.byKey[strings.Join(words, " ")]
	return ts[:min(len(ts), maxExpansions)]
}
