package search

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"
)

// lowerName is the lowercase token filter every analyser here uses instead
// of Bleve's. Bleve's lowercases in place, and when a rune's lower case is
// shorter in UTF-8 than the rune (Turkish İ → i, the Kelvin sign → k) it
// stops moving the bytes after it: "İstanbul" came out "i\xb0stanbu",
// invalid UTF-8, in the German and Turkish analysers (found by
// FuzzAnalyze; such terms broke the COPY of search analytics). This
// filter first lowercases those few runes into a new slice, then lets
// Bleve's filter do the rest, so every other term is unchanged.
const lowerName = "careatlas_lowercase"

type lowerFilter struct{ bleve analysis.TokenFilter }

func (f lowerFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, tok := range in {
		if narrows(tok.Term) {
			tok.Term = lowerNarrowing(tok.Term)
		}
	}
	return f.bleve.Filter(in)
}

// narrows reports whether s holds a rune whose lower case is shorter.
func narrows(s []byte) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if l := unicode.ToLower(r); l != r && utf8.RuneLen(l) < n {
			return true
		}
		i += n
	}
	return false
}

// lowerNarrowing returns s with the runes whose lower case is shorter
// lowercased, and every other byte as it was.
func lowerNarrowing(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		if l := unicode.ToLower(r); r >= utf8.RuneSelf && l != r && utf8.RuneLen(l) < n {
			out = utf8.AppendRune(out, l)
		} else {
			out = append(out, s[i:i+n]...)
		}
		i += n
	}
	return out
}

func init() {
	err := registry.RegisterTokenFilter(lowerName,
		func(config map[string]any, cache *registry.Cache) (analysis.TokenFilter, error) {
			bleve, err := cache.TokenFilterNamed(lowercase.Name)
			if err != nil {
				return nil, err
			}
			return lowerFilter{bleve: bleve}, nil
		})
	if err != nil {
		panic(err)
	}
}
