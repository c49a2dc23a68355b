package search

import "testing"

func TestStemPolish(t *testing.T) {
	tests := []struct{ words []string }{
		// Each row's words are forms of one word and must meet.
		{[]string{"proteza", "protezy", "protezę", "protez", "protezie"}},
		{[]string{"kolano", "kolana", "kolanie", "kolanem"}},
		{[]string{"kolanowy", "kolanowego", "kolanowej", "kolanowa", "kolanowym"}},
		{[]string{"zaćma", "zaćmy", "zacmy", "zaćmę"}},
		{[]string{"operacja", "operacji", "operację", "operacje"}},
		{[]string{"włosy", "włosów", "wlosow", "włosami", "włosach"}},
		{[]string{"zapłodnienie", "zapłodnienia", "zaplodnieniu"}},
		{[]string{"nos", "nosa", "nosie"}},
	}
	for _, tc := range tests {
		want := stemPolish(tc.words[0])
		for _, w := range tc.words[1:] {
			if got := stemPolish(w); got != want {
				t.Errorf("%q → %q, but %q → %q", w, got, tc.words[0], want)
			}
		}
	}
	// Short words keep their last letter: a stem has at least three.
	for w, want := range map[string]string{"oko": "oko", "ząb": "zab", "lipo": "lip", "ivf": "ivf"} {
		if got := stemPolish(w); got != want {
			t.Errorf("%q → %q, want %q", w, got, want)
		}
	}
}
