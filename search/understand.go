package search

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// Understanding a query: what a patient types becomes a list of groups that
// must all match. A group is one word, or a phrase the synonym graph knows;
// it matches when any of its alternatives does:
//
//   - the word itself, analysed in the request's language and in English
//     (or, without lang=, in every supported language), weight 1;
//   - what the synonym graph says the phrase may mean, weight 0.8;
//   - for a word the index does not know at all, the nearest known words
//     (one edit, two from eight letters on), weight 0.5 and 0.35.
//
// An alternative of several words ("myocardial infarction") matches when
// all of them do.
const (
	weightExact   = 1.0
	weightSynonym = 0.8
	weightTypo1   = 0.5
	weightTypo2   = 0.35
	// maxQueryWords bounds the words of a query that are searched for.
	maxQueryWords = 16
	// maxTypoCandidates bounds the known words one typo may stand for.
	maxTypoCandidates = 4
	// maxTypoWords bounds the words of one query that are typo-corrected:
	// each costs a scan of the vocabulary, and a patient misspells a word
	// or two, while a query of random words is an attack on the CPU.
	maxTypoWords = 4
)

// langTerm is an analysed term and the language it was analysed in, which
// decides the fields it is looked up in.
type langTerm struct {
	lang string
	term string
}

type alternative struct {
	terms  []langTerm
	weight float64
	label  string // the word, synonym or correction, as explain shows it
}

type group struct {
	text string // what the patient typed
	alts []alternative
	// known is false when no word of the group is in the index: only typo
	// corrections can match it.
	known bool
}

// Expansion is one way a query was read beyond its own words: a synonym or
// typo correction it was also read as, or an intent (intent.go) it became.
type Expansion struct {
	Text string `json:"text"` // the words the patient typed
	// Kind is "synonym" or "typo", or for an intent ExpandSort,
	// ExpandFilter, ExpandExclude, ExpandBoost or ExpandIgnored.
	Kind   string   `json:"kind"`
	To     []string `json:"to"`               // what they were also read as
	Source []string `json:"source,omitempty"` // where synonyms came from
	// Param and Values are what an intent became (sort=price_asc,
	// country=TR), or would have, when ignored.
	Param  string   `json:"param,omitempty"`
	Values []string `json:"values,omitempty"`
	// Reason says why an intent was ignored.
	Reason string `json:"reason,omitempty"`
	// Without is the query without the intent's words: sent as q, it
	// removes what they became.
	Without *string `json:"without,omitempty"`
}

// understood is a query ready to run.
type understood struct {
	groups     []group
	expansions []Expansion
	langs      []string
	words      []queryWord           // the query's words, stop words included
	hl         *highlighter          // made on first use
	exactHL    *highlighter          // the patient's own words only, made on first use
	analysed   map[string][]langTerm // words of hits analysed, for the highlighters
	typoWords  int                   // words typo-corrected so far (≤ maxTypoWords)
	// terms are termSet's, every term and the exact ones, once kept
	// (understandings.put); nil: made for each highlighter.
	terms [2]map[langTerm]bool
}

// queryWord is one word of a query.
type queryWord struct {
	text   string
	folded string
	terms  []langTerm // distinct per language
	en     string     // the English term, for the synonym graph
	stop   bool       // a stop word in one of the languages
}

// understand analyses q. lang is the patient's language ("" when unknown).
// A query the generation understood before is copied from what it kept
// (understandings).
func (ix *Index) understand(ctx context.Context, q, lang string, syn *Synonyms) (*understood, error) {
	if u := ix.keptUnderstood(q, lang, syn); u != nil {
		return u.copy(), nil
	}
	u, err := ix.understandAfresh(ctx, q, lang, syn)
	if err != nil {
		return nil, err
	}
	ix.keepUnderstood(q, lang, syn, u)
	return u.copy(), nil
}

func (ix *Index) understandAfresh(ctx context.Context, q, lang string, syn *Synonyms) (*understood, error) {
	u := &understood{langs: queryLanguages(lang)}
	words := ix.queryWords(q, u.langs)
	u.words = words
	for i := 0; i < len(words); {
		if err := stopped(ctx); err != nil {
			return nil, err
		}
		n := 0
		var targets []synonymTarget
		for l := min(syn.longestKey(), len(words)-i); l >= 1 && n == 0; l-- {
			en := make([]string, l)
			for j := range en {
				en[j] = words[i+j].en
			}
			if targets = syn.lookup(en); len(targets) > 0 {
				n = l
			}
		}
		if n == 0 && words[i].stop {
			i++
			continue
		}
		if n == 0 {
			g, err := ix.wordGroup(ctx, words[i], u)
			if err != nil {
				return nil, err
			}
			u.groups = append(u.groups, g)
			i++
			continue
		}
		phrase := words[i : i+n]
		texts := make([]string, n)
		for j, w := range phrase {
			texts[j] = w.text
		}
		g := group{text: strings.Join(texts, " "), known: true}
		if n == 1 {
			for _, t := range phrase[0].terms {
				g.alts = append(g.alts, alternative{terms: []langTerm{t}, weight: weightExact, label: phrase[0].text})
			}
		} else {
			exact := alternative{weight: weightExact, label: g.text}
			for _, w := range phrase {
				exact.terms = append(exact.terms, langTerm{LangEnglish, w.en})
			}
			g.alts = append(g.alts, exact)
		}
		exp := Expansion{Text: g.text, Kind: "synonym"}
		for _, t := range targets {
			alt := alternative{weight: weightSynonym, label: t.text}
			for _, term := range t.terms {
				alt.terms = append(alt.terms, langTerm{LangEnglish, term})
			}
			g.alts = append(g.alts, alt)
			exp.To = append(exp.To, t.text)
			if !slices.Contains(exp.Source, t.source) && t.source != "" {
				exp.Source = append(exp.Source, t.source)
			}
		}
		u.expansions = append(u.expansions, exp)
		u.groups = append(u.groups, g)
		i += n
	}
	return u, nil
}

// wordGroup is the group of a word the synonym graph does not know: the word
// in each language, and, when the index has none of them, its corrections.
func (ix *Index) wordGroup(ctx context.Context, w queryWord, u *understood) (group, error) {
	g := group{text: w.text}
	for _, t := range w.terms {
		g.alts = append(g.alts, alternative{terms: []langTerm{t}, weight: weightExact, label: w.text})
		if !g.known {
			ok, err := ix.termExists(ctx, t)
			if err != nil {
				return g, err
			}
			g.known = ok
		}
	}
	if g.known || ix.vocab == nil || u.typoWords == maxTypoWords {
		return g, nil
	}
	u.typoWords++
	cands := ix.vocab.near(w.folded, maxTypoCandidates)
	if len(cands) == 0 {
		return g, nil
	}
	exp := Expansion{Text: w.text, Kind: "typo"}
	for _, c := range cands {
		weight := weightTypo1
		if c.distance > 1 {
			weight = weightTypo2
		}
		seen := map[langTerm]bool{}
		for _, lang := range u.langs {
			for _, term := range Analyze(lang, c.word) {
				t := langTerm{lang, term}
				if !seen[t] {
					seen[t] = true
					g.alts = append(g.alts, alternative{terms: []langTerm{t}, weight: weight, label: c.word})
				}
			}
		}
		exp.To = append(exp.To, c.word)
	}
	u.expansions = append(u.expansions, exp)
	return g, nil
}

// queryLanguages are the languages a query is analysed in: the patient's and
// English (the catalogue's own), or every language when it is not known.
func queryLanguages(lang string) []string {
	if lang == "" {
		return Languages
	}
	if lang == LangEnglish {
		return []string{LangEnglish}
	}
	return []string{lang, LangEnglish}
}

var queryTokenizer = unicode.NewUnicodeTokenizer()

// queryWords splits q into words and analyses each in every language. A word
// that any of the languages drops as a stop word ("de", "the", "und") is
// marked stop: unless it is part of a phrase the synonym graph knows ("man
// boobs", where "man" is a German stop word), it is left out, since it says
// nothing about what the patient wants.
func (ix *Index) queryWords(q string, langs []string) []queryWord {
	var out []queryWord
	for _, tok := range queryTokenizer.Tokenize([]byte(q)) {
		if len(out) == maxQueryWords {
			break
		}
		w := queryWord{text: string(tok.Term), folded: fold(string(tok.Term))}
		stop := false
		for _, lang := range langs {
			terms := Analyze(lang, w.text)
			if len(terms) == 0 {
				stop = true
				continue
			}
			for _, t := range terms {
				if lt := (langTerm{lang, t}); !slices.Contains(w.terms, lt) {
					w.terms = append(w.terms, lt)
				}
			}
			if lang == LangEnglish {
				w.en = strings.Join(terms, " ")
			}
		}
		if w.en == "" {
			w.en = strings.Join(Analyze(LangEnglish, w.text), " ")
		}
		if w.en == "" {
			continue // an English stop word: never part of a synonym either
		}
		w.stop = stop
		out = append(out, w)
	}
	return out
}

// fold lowercases s and strips its diacritics: "Hüfte" → "hufte". ASCII
// is what the folding filter leaves as it is, so a word of ASCII alone
// (most words, and every word of a lay name in English) is only
// lowercased: the filter makes four copies of its input, one of four
// bytes a rune, and a build folds every word of the records it indexes
// (vocabCounter).
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToLower(string(foldFilter.Filter([]byte(s))))
		}
	}
	return strings.ToLower(s)
}

var foldFilter = asciifolding.New()

// termExists reports whether any document holds the term in the fields its
// language is searched in.
func (ix *Index) termExists(ctx context.Context, t langTerm) (bool, error) {
	for _, field := range termFields(t.lang) {
		n, err := ix.termCount(ctx, field, t.term)
		if err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// termFields are the fields a term of lang can match in.
func termFields(lang string) []string {
	if lang == LangEnglish {
		return []string{fieldText, fieldJoin, fieldPlace, fieldDoctors}
	}
	return []string{joinField(lang)}
}

// longestKey is how many words the longest synonym key has.
func (s *Synonyms) longestKey() int {
	if s == nil {
		return 0
	}
	return s.longest
}
