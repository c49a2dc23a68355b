package search

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	regexpchar "github.com/blevesearch/bleve/v2/analysis/char/regexp"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/lang/tr"
	"github.com/blevesearch/bleve/v2/analysis/token/apostrophe"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/kljensen/snowball"
)

// Languages a treatment's names and a query can be in. English is the
// catalogue's own language; the others come from its translations.
const (
	LangEnglish    = "en"
	LangSpanish    = "es"
	LangFrench     = "fr"
	LangGerman     = "de"
	LangTurkish    = "tr"
	LangRussian    = "ru"
	LangArabic     = "ar"
	LangItalian    = "it"
	LangPortuguese = "pt"
	LangPolish     = "pl"
)

// language is how one supported language is analysed. The table below is
// the one place a language is defined: Languages, the analysers, the index
// field of its translations (joinField), lang= and the catalogue's
// translation languages all range over it.
type language struct {
	code string
	// chars are the char filters applied before the unicode tokenizer.
	chars []string
	// filters are the token filters, in order; when snowball names a
	// language of github.com/kljensen/snowball, its stemmer ends the chain.
	filters  []string
	snowball string
}

// foldChars folds Latin letters to ASCII before tokenising, so that "protesis"
// and "prótesis" meet: patients often leave accents out.
var foldChars = []string{asciifolding.Name}

// languages, English first. The Latin-script languages that Bleve's or
// snowball's stemmers do not normalise themselves are folded to ASCII
// (German and Turkish keep Bleve's analysers, which normalise umlauts and
// Turkish letters their own way; Polish folds after its stop words, see
// polish.go). Cyrillic and Arabic are never folded: ASCII folding does not
// touch them, and their own normalisers (ё → е; Arabic's alef forms,
// tashkeel and teh marbuta) stand in for it.
var languages = []language{
	{code: LangEnglish, chars: foldChars, filters: []string{en.PossessiveName, lowerName, en.StopName}, snowball: "english"},
	{code: LangSpanish, chars: foldChars, filters: []string{lowerName, es.StopName}, snowball: "spanish"},
	{code: LangFrench, chars: foldChars, filters: []string{fr.ElisionName, lowerName, fr.StopName}, snowball: "french"},
	// Bleve's German and Turkish analysers, filter for filter, but with
	// lowerName for Bleve's lowercase filter (see lowercase.go).
	{code: LangGerman, filters: []string{lowerName, de.StopName, de.NormalizeName, de.LightStemmerName}},
	{code: LangTurkish, filters: []string{apostrophe.Name, lowerName, tr.StopName, tr.SnowballStemmerName}},
	{code: LangRussian, chars: []string{russianYo}, filters: []string{lowerName, ru.StopName}, snowball: "russian"},
	// Bleve's Arabic analyser: stop words, normalisation, light stemming of
	// the article and common suffixes ("الركبة" → "ركب").
	{code: LangArabic, filters: []string{lowerName, ar.StopName, ar.NormalizeName, ar.StemmerName}},
	// Bleve's Italian and Portuguese analysers (light stemmers), folded.
	{code: LangItalian, chars: foldChars, filters: []string{it.ElisionName, lowerName, it.StopName, it.LightStemmerName}},
	{code: LangPortuguese, chars: foldChars, filters: []string{lowerName, pt.StopName, pt.LightStemmerName}},
	{code: LangPolish, filters: []string{lowerName, polishStopFilter, polishStemFilter}},
}

// Languages lists the supported languages' codes (ISO 639-1), English first.
var Languages = func() []string {
	codes := make([]string, len(languages))
	for i, l := range languages {
		codes[i] = l.code
	}
	return codes
}()

// russianYo is the char filter that writes ё as е, as Russian text mostly
// does: snowball stems "ёлка" and "елка" differently.
const russianYo = "careatlas_ru_yo"

// polishStopFilter drops polishStopWords (see polish.go).
const polishStopFilter = "careatlas_stop_pl"

// snowballFilter is the Bleve token filter that stems with
// github.com/kljensen/snowball.
const snowballFilter = "careatlas_snowball"

// nonEmptyFilter drops the tokens a filter before it emptied: Arabic
// normalisation takes a word of tatweels (ـ) to nothing (found by
// FuzzAnalyze), and an empty term would be stored, and matched by other
// words that analyse to nothing. Last in every language's chain.
const nonEmptyFilter = "careatlas_nonempty"

type dropEmpty struct{}

func (dropEmpty) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := in[:0]
	for _, tok := range in {
		if len(tok.Term) > 0 {
			out = append(out, tok)
		}
	}
	return out
}

func init() {
	if err := registry.RegisterTokenFilter(nonEmptyFilter,
		func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) { return dropEmpty{}, nil }); err != nil {
		panic(err)
	}
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

// addLanguageAnalyzers registers the analyser of every language in
// languages in the mapping, with the filters of its own that it uses.
func addLanguageAnalyzers(im *mapping.IndexMappingImpl) {
	mustAdd(im.AddCustomCharFilter(russianYo, map[string]any{"type": regexpchar.Name, "regexp": "[ёЁ]", "replace": "е"}))
	mustAdd(im.AddCustomTokenMap(polishStopFilter, map[string]any{"type": tokenmap.Name, "tokens": polishStopWords}))
	mustAdd(im.AddCustomTokenFilter(polishStopFilter, map[string]any{"type": stop.Name, "stop_token_map": polishStopFilter}))
	for _, l := range languages {
		filters := slices.Clone(l.filters)
		if l.snowball != "" {
			filter := snowballFilter + "_" + l.code
			mustAdd(im.AddCustomTokenFilter(filter, map[string]any{"type": snowballFilter, "language": l.snowball}))
			filters = append(filters, filter)
		}
		filters = append(filters, nonEmptyFilter)
		a := map[string]any{"type": custom.Name, "tokenizer": unicode.Name, "token_filters": filters}
		if len(l.chars) > 0 {
			a["char_filters"] = l.chars
		}
		mustAdd(im.AddCustomAnalyzer(analyzerName(l.code), a))
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

// analyzeWord is Analyze of one word, remembered: highlighting analyses
// every word of every hit it shows in each of the query's languages, and
// that analysis (Bleve's token streams) cost more than finding the hits.
// The words shown come from the catalogue, a bounded vocabulary; the cache
// is emptied when it passes wordCacheMax entries all the same. The slice
// returned is shared: callers must not change it.
func analyzeWord(lang, word string) []string {
	k := langTerm{lang, word}
	wordCache.RLock()
	ts, ok := wordCache.m[k]
	wordCache.RUnlock()
	if ok {
		return ts
	}
	ts = Analyze(lang, word)
	wordCache.Lock()
	if len(wordCache.m) >= wordCacheMax || wordCache.m == nil {
		wordCache.m = make(map[langTerm][]string, 1024)
	}
	wordCache.m[k] = ts
	wordCache.Unlock()
	return ts
}

const wordCacheMax = 1 << 18

// analyzeEveryLanguage is word analysed in each of Languages, shared (not
// to be changed): highlighting asks it of every word of every hit, and one
// lookup costs less than one per language.
func analyzeEveryLanguage(word string) []langTerm {
	everyCache.RLock()
	ts, ok := everyCache.m[word]
	everyCache.RUnlock()
	if ok {
		return ts
	}
	for _, lang := range Languages {
		for _, t := range analyzeWord(lang, word) {
			ts = append(ts, langTerm{lang, t})
		}
	}
	everyCache.Lock()
	if len(everyCache.m) >= wordCacheMax/len(Languages) || everyCache.m == nil {
		everyCache.m = make(map[string][]langTerm, 1024)
	}
	everyCache.m[word] = ts
	everyCache.Unlock()
	return ts
}

var everyCache struct {
	sync.RWMutex
	m map[string][]langTerm
}

var wordCache struct {
	sync.RWMutex
	m map[langTerm][]string
}

// sharedMapping is one mapping, made once, for what analyses without an
// index of its own: queries and the overlay's segments. A mapping is only
// read once made; making one builds every language's analysers.
func sharedMapping() mapping.IndexMapping {
	normOnce.Do(func() {
		normMapping = NewMapping()
		normAnalyzer = map[string]analysis.Analyzer{}
		for _, l := range Languages {
			normAnalyzer[l] = normMapping.AnalyzerNamed(analyzerName(l))
		}
	})
	return normMapping
}

// analyzer returns the analyser of lang, English when lang is unsupported.
func analyzer(lang string) analysis.Analyzer {
	sharedMapping()
	if a := normAnalyzer[lang]; a != nil {
		return a
	}
	return normAnalyzer[LangEnglish]
}

// SupportedLanguage reports whether lang is one of Languages.
func SupportedLanguage(lang string) bool { return slices.Contains(Languages, lang) }

// aliasAnalyzer is how generations built before the German and Turkish
// analysers were CareAtlas's own named Bleve's (an analyser that names
// another). New mappings do not use it; it stays registered so that such a
// generation, published before an upgrade, still opens.
const aliasAnalyzer = "careatlas_alias"

func init() {
	err := registry.RegisterAnalyzer(aliasAnalyzer,
		func(config map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
			name, _ := config["analyzer"].(string)
			return cache.AnalyzerNamed(name)
		})
	if err != nil {
		panic(err)
	}
}
