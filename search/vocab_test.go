package search

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"knee", "knee", 2, 0},
		{"kne", "knee", 2, 1},
		{"catarct", "cataract", 2, 1},
		{"denatl", "dental", 2, 1}, // neighbours swapped
		{"rhinoplasy", "rhinoplasty", 2, 1},
		{"hip", "knee", 2, 3}, // more than max: max+1
		{"hüfte", "hufte", 2, 1},
	}
	for _, tc := range tests {
		if got := editDistance([]rune(tc.a), []rune(tc.b), tc.max); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestVocabularyNear(t *testing.T) {
	c := newVocabCounter()
	c.add("Knee replacement", "Knee arthroscopy", "One day surgery", "Hüftprothese", "Cataract surgery")
	raw, err := c.marshal()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := loadVocabulary(raw)
	if err != nil {
		t.Fatal(err)
	}
	v := loaded
	tests := []struct {
		word string
		want string // "" for none
	}{
		{"kne", "knee"}, // not "one": short words keep their first letter
		{"replacment", "replacement"},
		{"huftprotese", "hüftprothese"}, // the catalogue's spelling comes back
		{"catarct", "cataract"},
		{"xylophone", ""},
		{"ab", ""}, // too short to correct
	}
	for _, tc := range tests {
		got := v.near(tc.word, 1)
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("near(%q) = %+v, want nothing", tc.word, got)
		case tc.want != "" && (len(got) == 0 || got[0].word != tc.want):
			t.Errorf("near(%q) = %+v, want %q", tc.word, got, tc.want)
		}
	}
}

func TestHighlightText(t *testing.T) {
	terms := map[langTerm]bool{{LangEnglish, "knee"}: true, {LangEnglish, "replac"}: true}
	tests := []struct {
		text, want string
		ok         bool
	}{
		{"Knee replacement", "<mark>Knee</mark> <mark>replacement</mark>", true},
		{"Total knee replacements <b>", "Total <mark>knee</mark> <mark>replacements</mark> &lt;b&gt;", true},
		{"Hip & spine", "", false},
	}
	for _, tc := range tests {
		h := &highlighter{langs: []string{LangEnglish}, terms: terms, seen: map[string]bool{}}
		got, ok := h.text(tc.text)
		if got != tc.want || ok != tc.ok {
			t.Errorf("highlight %q: = %q, %v; want %q, %v", tc.text, got, ok, tc.want, tc.ok)
		}
	}
	// The texts' words are kept across searches (shownTexts); what another
	// query marks in them is its own.
	h := &highlighter{langs: []string{LangEnglish}, terms: map[langTerm]bool{{LangEnglish, "hip"}: true}, seen: map[string]bool{}}
	for text, want := range map[string]string{
		"Knee replacement": "",
		"Hip & spine":      "<mark>Hip</mark> &amp; spine",
	} {
		if got, _ := h.text(text); got != want {
			t.Errorf("highlight %q for hip: = %q, want %q", text, got, want)
		}
	}
}

func TestTrustOf(t *testing.T) {
	n := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	few := trustOf(&Record{Type: TypeFacility, Rating: f(5.0), ReviewCount: n(2)})
	many := trustOf(&Record{Type: TypeFacility, Rating: f(4.7), ReviewCount: n(2000)})
	if few.Trust >= many.Trust {
		t.Errorf("5.0 from 2 reviews (trust %.3f) must not beat 4.7 from 2000 (%.3f)", few.Trust, many.Trust)
	}
	unrated := trustOf(&Record{Type: TypeFacility})
	if unrated.BayesRating != trustPriorRating {
		t.Errorf("unrated bayes rating %.3f, want the prior %.1f", unrated.BayesRating, trustPriorRating)
	}
	accredited := trustOf(&Record{Type: TypeFacility, Accreditations: []string{"JCI"}})
	if accredited.Trust-unrated.Trust < 0.099 {
		t.Errorf("accreditation adds %.3f, want 0.1", accredited.Trust-unrated.Trust)
	}
	priced := trustOf(&Record{Type: TypeOffer, Price: &Money{Amount: 1, Currency: "USD"}})
	ranged := trustOf(&Record{Type: TypeOffer, PriceRange: &MoneyRange{Min: 1, Max: 2, Currency: "USD"}})
	bare := trustOf(&Record{Type: TypeOffer})
	if !(priced.Trust > ranged.Trust && ranged.Trust > bare.Trust) {
		t.Errorf("price completeness: exact %.3f, range %.3f, none %.3f", priced.Trust, ranged.Trust, bare.Trust)
	}
	for _, tf := range []TrustFactors{few, many, unrated, accredited, priced, ranged, bare} {
		if tf.Trust < trustBase || tf.Trust > 1 {
			t.Errorf("trust %.3f outside [%.1f, 1]", tf.Trust, trustBase)
		}
	}
}

// TestFold: a word is folded as the folding filter and lowercasing fold
// it, whether it is ASCII (lowercased alone) or not.
func TestFold(t *testing.T) {
	filtered := func(s string) string { return strings.ToLower(string(foldFilter.Filter([]byte(s)))) }
	words := []string{"", "knee", "KNEE", "Knee Replacement", "hüfte", "Hüftprothese", "ÇAKIR", "İstanbul",
		"straße", "Ærø", "zahn-implantat", "IVF 2", "\x80\xff", "a\tb"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.IntN(128)) // every ASCII byte, controls too
		}
		words = append(words, string(b))
	}
	for _, w := range words {
		if got, want := fold(w), filtered(w); got != want {
			t.Errorf("fold(%q) = %q, the filter and lowercase give %q", w, got, want)
		}
	}
}
