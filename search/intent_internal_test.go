package search

import (
	"slices"
	"strings"
	"testing"
)

// TestQueryWordsTable checks the table of intent and place words: it
// reads, it has a column for every supported language (a new language is
// a new column, filled for countries by querywords_gen.go), and no phrase
// stands for two different things.
func TestQueryWordsTable(t *testing.T) {
	tab, err := parseWordTable(queryWordsCSV)
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Split(strings.SplitN(string(queryWordsCSV), "\n", 2)[0], ",")
	for _, lang := range Languages {
		if !slices.Contains(header[2:], lang) {
			t.Errorf("querywords.csv has no column for the supported language %q", lang)
		}
	}
	seen := map[string]string{}
	rows := strings.Split(strings.TrimSpace(string(queryWordsCSV)), "\n")[1:]
	for _, row := range rows {
		w, err := parseWordTable([]byte(strings.Join(header, ",") + "\n" + row + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		for key, word := range w.words {
			id := word.kind + ":" + word.key
			if prev, ok := seen[key]; ok && prev != id {
				t.Errorf("%q is both %s and %s", key, prev, id)
			}
			seen[key] = id
		}
	}
	for _, c := range []struct{ phrase, want string }{
		{"Türkei", "country:TR"}, {"turquía", "country:TR"}, {"Турция", "country:TR"}, {"Polen", "country:PL"},
		{"Stany Zjednoczone", "country:US"}, {"Estambul", "city:Istanbul"}, {"Stambuł", "city:Istanbul"},
		{"Praha", "city:Prague"}, {"günstig", "sort:price_asc"}, {"ucuz", "sort:price_asc"}, {"barato", "sort:price_asc"},
		{"top rated", "sort:rating"}, {"en iyi", "sort:rating"}, {"near me", "near:near"}, {"im Ausland", "abroad:abroad"},
	} {
		w, ok := tab.words[phraseKey(c.phrase)]
		if got := w.kind + ":" + w.key; !ok || got != c.want {
			t.Errorf("%q reads as %q, want %q", c.phrase, got, c.want)
		}
	}
}

// TestCityNames: the names a catalogue's city value is known by.
func TestCityNames(t *testing.T) {
	for _, c := range []struct {
		value string
		want  []string
	}{
		{"İstanbul", []string{"İstanbul"}},
		{"Beşiktaş, İstanbul", []string{"Beşiktaş, İstanbul", "İstanbul"}},
		{"Praha 4", []string{"Praha 4", "Praha"}},
		{"Praga-Południe - Warszawa", []string{"Praga-Południe - Warszawa", "Warszawa"}},
	} {
		if got := cityNames(c.value); !slices.Equal(got, c.want) {
			t.Errorf("cityNames(%q) = %q, want %q", c.value, got, c.want)
		}
	}
}

// BenchmarkFindIntents is the per-query cost of reading intents off a
// query of the mini catalogue: a lookup per word.
func BenchmarkFindIntents(b *testing.B) {
	b.ReportAllocs()
	ix := &Index{placeSet: &places{}}
	ix.placeSet.once.Do(func() {}) // no index: the table's words only
	queryWords()
	for b.Loop() {
		ix.findIntents("cheap knee replacement surgery in turkey near me")
	}
}
