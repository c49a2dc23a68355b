package search

import (
	"slices"
	"testing"
)

func TestTextWordsKeepWhatIsAskedFor(t *testing.T) {
	c := textWords{max: 2}
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
		_, b := c.older[text]
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
		for range 2 { // split, then as kept
			if got := words(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("words(%q) = %q, want %q", tc.text, got, tc.want)
			}
		}
	}
	// Four texts fill both maps of two.
	if n := c.len(); n != 4 {
		t.Fatalf("kept %d texts, want 4", n)
	}
	// A text asked for again is kept when the maps turn over; one not
	// asked for since the newer map started is dropped.
	words(tests[0].text) // found in the older, copied into a new newer: {2, 3} and {0}
	if !held(tests[0].text) || held(tests[1].text) || !held(tests[2].text) || c.len() != 3 {
		t.Errorf("after a turn: first %v (want kept), second %v (want dropped), third %v (want kept), %d kept (want 3)",
			held(tests[0].text), held(tests[1].text), held(tests[2].text), c.len())
	}
}
