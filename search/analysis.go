package search

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/tr"
	"github.com/blevesearch/bleve/v2/analysis/token/apostrophe"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/kljensen/snowball"
)

// Languages a treatment's names and a query can be in. English is the
// catalogue's own language; the others come from its translations.
const (
	LangEnglish = "en"
	LangSpanish = "es"
	LangFrench  = "fr"
	LangGerman  = "de"
	LangTurkish = "tr"
)

// Languages lists the supported languages, English first.
var Languages = []string{LangEnglish, LangSpanish, LangFrench, LangGerman, LangTurkish}

// snowballLanguages maps the languages github.com/kljensen/snowball stems to
// its names for them. The others use Bleve's own analysers.
var snowballLanguages = map[string]string{
	LangEnglish: "english",
	LangSpanish: "spanish",
	LangFrench:  "french",
}

// snowballFilter is the Bleve token filter that stems with
// github.com/kljensen/snowball.
const snowballFilter = "careatlas_snowball"

func init() {
	err := registry.RegisterTokenFilter(snowballFilter,
		func(config map[string]any, _ *registry.Cache) (analysis.TokenFilter, error) {
			lang, _ := config["language"].(string)
			if _, err := snowball.Stem("a", lang, true); err != nil {
				return nil, fmt.Errorf("%s: %w", snowballFilter, err)
			}
			return &stemFilter{lang: lang, cache: map[string][]byte{}}, nil
		})
	if err != nil {
		panic(err)
	}
}

// stemFilter replaces every token by its snowball stem. Stems are cached:
// names repeat across thousands of documents, and stemming costs far more
// than a map lookup.
type stemFilter struct {
	lang  string
	mu    sync.RWMutex
	cache map[string][]byte
}

// maxStemCache bounds the cache; past it, new words are stemmed each time.
const maxStemCache = 200_000

func (f *stemFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, tok := range in {
		f.mu.RLock()
		stem, ok := f.cache[string(tok.Term)]
		f.mu.RUnlock()
		if !ok {
			s, err := snowball.Stem(string(tok.Term), f.lang, true)
			if err != nil || s == "" {
				continue
			}
			stem = []byte(s)
			f.mu.Lock()
			if len(f.cache) < maxStemCache {
				f.cache[string(tok.Term)] = stem
			}
			f.mu.Unlock()
		}
		tok.Term = append(tok.Term[:0], stem...) // the cached slice is shared: copy
	}
	return in
}

// analyzerName is the Bleve analyser of a language.
func analyzerName(lang string) string { return "careatlas_" + lang }

// addLanguageAnalyzers registers one analyser per language in the mapping.
// Snowball languages are folded to ASCII first, so "protesis" and "prótesis"
// meet; German and Turkish use Bleve's analysers, which normalise umlauts
// and Turkish letters their own way.
func addLanguageAnalyzers(im *mapping.IndexMappingImpl) {
	for _, lang := range Languages {
		name, ok := snowballLanguages[lang]
		if !ok {
			continue
		}
		filter := snowballFilter + "_" + lang
		mustAdd(im.AddCustomTokenFilter(filter, map[string]any{"type": snowballFilter, "language": name}))
		filters := []string{lowerName}
		switch lang {
		case LangEnglish:
			filters = []string{en.PossessiveName, lowerName, en.StopName}
		case LangSpanish:
			filters = append(filters, es.StopName)
		case LangFrench:
			filters = []string{fr.ElisionName, lowerName, fr.StopName}
		}
		mustAdd(im.AddCustomAnalyzer(analyzerName(lang), map[string]any{
			"type": custom.Name, "char_filters": []string{asciifolding.Name}, "tokenizer": unicode.Name,
			"token_filters": append(filters, filter)}))
	}
	// Bleve's German and Turkish analysers, filter for filter, but with
	// lowerName for Bleve's lowercase filter (see lowercase.go).
	for lang, filters := range map[string][]string{
		LangGerman:  {lowerName, de.StopName, de.NormalizeName, de.LightStemmerName},
		LangTurkish: {apostrophe.Name, lowerName, tr.StopName, tr.SnowballStemmerName},
	} {
		mustAdd(im.AddCustomAnalyzer(analyzerName(lang), map[string]any{
			"type": custom.Name, "tokenizer": unicode.Name, "token_filters": filters}))
	}
}

var (
	normOnce     sync.Once
	normMapping  mapping.IndexMapping
	normAnalyzer map[string]analysis.Analyzer
)

// Analyze returns the terms that text analyses to in lang: tokenised,
// lowercased, stop words dropped, stemmed. It is the one normaliser that the
// index, queries and the post matcher share, so that a keyword means the
// same thing to all of them. An unsupported lang falls back to English.
//
// Bytes that are not UTF-8 separate words, as U+FFFD does: the analysers
// would pass them into terms (found by FuzzAnalyze), and terms end up in
// PostgreSQL text, which refuses them.
func Analyze(lang, text string) []string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	var out []string
	for _, tok := range analyzer(lang).Analyze([]byte(text)) {
		out = append(out, string(tok.Term))
	}
	return out
}

// analyzer returns the analyser of lang, English when lang is unsupported.
func analyzer(lang string) analysis.Analyzer {
	normOnce.Do(func() {
		normMapping = NewMapping()
		normAnalyzer = map[string]analysis.Analyzer{}
		for _, l := range Languages {
			normAnalyzer[l] = normMapping.AnalyzerNamed(analyzerName(l))
		}
	})
	if a := normAnalyzer[lang]; a != nil {
		return a
	}
	return normAnalyzer[LangEnglish]
}

// SupportedLanguage reports whether lang is one of Languages.
func SupportedLanguage(lang string) bool { return slices.Contains(Languages, lang) }
