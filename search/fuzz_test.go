package search_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
)

// FuzzAnalyze feeds the one text analyser (index, queries, posts'
// keywords) any text in any language code. It must not panic, and every
// term must be non-empty valid UTF-8: terms are stored, compared, and
// written to PostgreSQL (search_events.keywords) as they come out.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []struct{ lang, text string }{
		{"en", "knee replacement"}, {"es", "reemplazo de rodilla"}, {"fr", "prothèse du genou"},
		{"de", "Kniegelenkersatz"}, {"tr", "diz protezi İstanbul"}, {"", "IVF"}, {"xx", "nose job"},
		{"ru", "Замена колена, ёлка"}, {"ar", "زراعة الأسنان"}, {"it", "protesi dell’anca"},
		{"pt", "prótese de joelho"}, {"pl", "operacja zaćmy \u0301"},
	} {
		f.Add(s.lang, s.text)
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		for _, term := range search.Analyze(lang, text) {
			if term == "" || !utf8.ValidString(term) {
				t.Fatalf("Analyze(%q, %q) gave the term %q", lang, text, term)
			}
		}
	})
}

// FuzzQuery runs what a patient types (and the language they say they
// write in) through query understanding — words, stop words, synonyms,
// typo corrections — and autocomplete, on an index of the mini catalogue
// built once per run. A query may be refused with a *search.Error that
// names the parameter; it must never fail otherwise or panic, and what the
// response shows of the query (expansions, did-you-mean) is valid UTF-8.
func FuzzQuery(f *testing.F) {
	dir := f.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: mini}, dir, nil); err != nil {
		f.Fatal(err)
	}
	gen, err := search.Current(dir)
	if err != nil {
		f.Fatal(err)
	}
	ix, err := search.Open(gen)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ix.Close() })
	edges, err := indexer.FileSynonyms(mini)
	if err != nil {
		f.Fatal(err)
	}
	syn := search.NewSynonyms(edges)
	for _, s := range []struct{ q, lang string }{
		{"knee replacement", ""}, {"nose job", "en"}, {"kne replacment", ""}, {"heart attack istanbul", "tr"},
		{"prothèse du genou", "fr"}, {"the of and", ""}, {"IVF", "es"}, {"\xff\xfe", ""}, {"", ""},
	} {
		f.Add(s.q, s.lang)
	}
	f.Fuzz(func(t *testing.T, q, lang string) {
		ctx := context.Background()
		res, err := ix.Search(ctx, search.Request{Query: q, Lang: lang}, syn)
		if err != nil {
			var se *search.Error
			if !errors.As(err, &se) || se.Param == "" {
				t.Fatalf("Search(q=%q, lang=%q): %v; want a result or an *Error naming the parameter", q, lang, err)
			}
		} else {
			for _, e := range res.Expansions {
				if !utf8.ValidString(e.Text) || !utf8.ValidString(strings.Join(e.To, " ")) {
					t.Fatalf("Search(q=%q): expansion %+v is not valid UTF-8", q, e)
				}
			}
			if res.DidYouMean != nil && !utf8.ValidString(res.DidYouMean.Query) {
				t.Fatalf("Search(q=%q): did you mean %q", q, res.DidYouMean.Query)
			}
		}
		if _, err := ix.Suggest(ctx, q, 8); err != nil {
			var se *search.Error
			if !errors.As(err, &se) {
				t.Fatalf("Suggest(%q): %v", q, err)
			}
		}
	})
}

// TestAnalyzeNarrowingRunes pins what FuzzAnalyze found: runes whose
// lower case is shorter in UTF-8 came out of the German and Turkish
// analysers as invalid bytes.
func TestAnalyzeNarrowingRunes(t *testing.T) {
	for _, c := range []struct {
		lang, text string
		want       []string
	}{
		{"tr", "İstanbul", []string{"istanbul"}},
		{"de", "İstanbul", []string{"istanbul"}},
		{"tr", "İSTANBUL", []string{"istanbul"}},
		{"de", "\u212aniegelenk", []string{"kniegelenk"}}, // the Kelvin sign
		{"en", "İstanbul", []string{"istanbul"}},
		{"tr", "Diz protezi", []string{"diz", "protez"}},
	} {
		if got := search.Analyze(c.lang, c.text); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Analyze(%q, %q) = %q, want %q", c.lang, c.text, got, c.want)
		}
	}
}
