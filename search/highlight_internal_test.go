package search

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func TestTextWordsKeepWhatIsAskedFor(t *testing.T) {
	// Each map holds three texts of the size of those below.
	c := textWords{kept[string, []shownWord]{maxBytes: 3 * textBytes("text 0000", splitWords("text 0000"))}}
	words := func(text string) []string {
		var out []string
		for _, w := range c.words(text) {
			if got := text[w.start:w.end]; got != w.word {
				t.Errorf("%q: word %q at %d:%d reads %q", text, w.word, w.start, w.end, got)
			}
			out = append(out, w.word)
		}
		return out
	}
	held := func(text string) bool {
		c.mu.RLock()
		defer c.mu.RUnlock()
		_, a := c.cur[text]
		_, b := c.prev[text]
		return a || b
	}
	tests := []struct {
		text string
		want []string
	}{
		{"Clínica Dental İstanbul", []string{"Clínica", "Dental", "İstanbul"}},
		{"Hüftprothese (TEP), 2. Wahl", []string{"Hüftprothese", "TEP", "2", "Wahl"}},
		{"مستشفى الحياة", []string{"مستشفى", "الحياة"}},
		{" -- ", nil},
	}
	for _, tc := range tests {
		for i := range 2 { // split, then as kept
			if got := words(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("words(%q) = %q, want %q", tc.text, got, tc.want)
			}
			if i == 0 && !held(tc.text) {
				t.Errorf("%q is not kept once split", tc.text)
			}
		}
	}
	// A text asked for again while others come stays kept; one not asked
	// for again is dropped once both maps have turned over.
	c.drop()
	popular := "text 0000"
	words(popular)
	for i := 1; i <= 30; i++ {
		words(fmt.Sprintf("text %04d", i))
		if i%2 == 0 {
			if !held(popular) {
				t.Fatalf("after %d other texts, the one asked for every other is no longer kept", i)
			}
			words(popular)
		}
	}
	if held(tests[0].text) || held("text 0001") {
		t.Errorf("after 30 texts, the first is kept %v and the second %v (want neither)", held(tests[0].text), held("text 0001"))
	}
}

// TestReleasedHighlightersComeBackEmpty: a highlighter (and the words a
// query analysed) given back to the pool after a search comes back to
// the next with nothing of the last query in it, and with the languages
// of the next: words analysed in one query's languages alone would mark
// too little for another's.
func TestReleasedHighlightersComeBackEmpty(t *testing.T) {
	reused := 0
	var last []*highlighter
	var lastWords uintptr
	for i := range 50 {
		u := &understood{langs: []string{LangGerman, LangEnglish}}
		if i%2 == 1 {
			u.langs = Languages
		}
		h, exact := u.highlighter(), u.exactHighlighter()
		for _, hl := range []*highlighter{h, exact} {
			if len(hl.seen)+len(hl.texts)+len(hl.treatments)+len(hl.cache) != 0 {
				t.Fatalf("search %d: a highlighter comes with %d words, %d texts, %d treatments and %d analysed words of another search",
					i, len(hl.seen), len(hl.texts), len(hl.treatments), len(hl.cache))
			}
			if !slices.Equal(hl.langs, u.langs) {
				t.Fatalf("search %d: a highlighter reads %v, the query %v", i, hl.langs, u.langs)
			}
			if slices.Contains(last, hl) {
				reused++
			}
		}
		if reflect.ValueOf(u.analysed).Pointer() == lastWords {
			reused++
		}
		h.text("Knieprothese und Hüftprothese in Istanbul")
		exact.treatmentMatch("treatment.", &Record{ID: 7, Name: "Knee replacement", LayNames: []string{"new knee"}})
		if len(h.seen) == 0 || len(h.texts) == 0 || len(exact.treatments) == 0 || len(u.analysed) == 0 {
			t.Fatal("the highlighters hold nothing: the test checks nothing")
		}
		last, lastWords = []*highlighter{h, exact}, reflect.ValueOf(u.analysed).Pointer()
		u.releaseHighlighters()
		if u.hl != nil || u.exactHL != nil || u.analysed != nil {
			t.Fatal("a released query keeps its highlighters")
		}
	}
	if reused == 0 {
		t.Fatal("nothing came back from the pools: the test checks nothing")
	}
}
