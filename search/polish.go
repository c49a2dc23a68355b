package search

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Polish has no stemmer in github.com/kljensen/snowball, and Bleve's
// (lang/pl) is Stempel, a statistical stemmer trained on a general corpus.
// On the words patients type for treatments it was erratic: "zaćma" →
// "zaćmieć" but "zaćmy" → "zacić" (cataract and "of cataract", the usual
// "operacja zaćmy"), "zębów" → "zć", "kolana" → "kol", "lipo" → "lt"; it
// needs the diacritics that Polish patients often leave out ("zacma",
// "wlosow"), and it brings a 3 MB table into the binary. So Polish is
// folded to ASCII and then stripped of one inflectional ending by the small,
// predictable rule below (a light stemmer in the manner of the Czech and
// Portuguese ones Bleve ships): "proteza", "protezy", "protezę" → "protez";
// "kolano", "kolana", "kolanie" → "kolan"; "zaćma", "zaćmy", "zacmy" →
// "zacm". It does not join stem alternations ("ząb"/"zęby"); the
// translations list the forms patients use, and typo tolerance covers
// near misses.
const polishStemFilter = "careatlas_stem_pl"

// polishEndings are the case endings of Polish nouns and adjectives, folded
// to ASCII, longest first so that "kolanowego" loses "ego", not "o".
var polishEndings = []string{
	"owie", "iego", "iemu",
	"ego", "emu", "ych", "ich", "ymi", "imi", "ami", "ach", "owi", "iej", "iem",
	"ow", "om", "em", "ej", "ie", "ia", "iu", "ii", "ym", "im",
	"a", "e", "i", "o", "u", "y",
}

// minPolishStem is the fewest letters a stem keeps: "nosa" → "nos", but
// "oko" stays "oko".
const minPolishStem = 3

// stemPolish folds a lowercased Polish word to ASCII and strips one ending.
func stemPolish(word string) string {
	w := fold(word)
	n := utf8.RuneCountInString(w)
	for _, e := range polishEndings {
		if strings.HasSuffix(w, e) && n-len(e) >= minPolishStem {
			return w[:len(w)-len(e)]
		}
	}
	return w
}

type polishFilter struct{}

// Filter stems each token, and drops one that folds to nothing (a lone
// combining mark): the char-filter folding of the other languages drops
// those before tokenising.
func (polishFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := in[:0]
	for _, tok := range in {
		if tok.Term = []byte(stemPolish(string(tok.Term))); len(tok.Term) > 0 {
			out = append(out, tok)
		}
	}
	return out
}

func init() {
	err := registry.RegisterTokenFilter(polishStemFilter,
		func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) { return polishFilter{}, nil })
	if err != nil {
		panic(err)
	}
}

// polishStopWords are the prepositions and conjunctions of treatment names
// and queries ("wymiana stawu i protezy", "operacja w znieczuleniu"): a
// short list, not a general one, because without lang= a stop word in any
// language is dropped from the query.
var polishStopWords = []any{"i", "w", "we", "z", "ze", "na", "do", "od", "dla", "po", "przy", "oraz", "lub",
	"albo", "bez", "pod", "nad", "u", "się", "jest", "to", "czy", "jak"}
