package gen

import (
	"slices"
	"testing"
)

// TestModelDrawsOnBundledCatalogue plans (without a database) the default
// benchmark catalogue on the bundled one: its 60 countries are the bundled
// catalogue's best-covered, each with real facilities to take cities and
// coordinates from, and countries' price levels come from the price
// references.
func TestModelDrawsOnBundledCatalogue(t *testing.T) {
	b, err := readBase("../../testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Config{Offers: 20_000}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	m, err := newModel(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.countries) != 60 {
		t.Fatalf("%d countries, want 60", len(m.countries))
	}
	var codes []string
	for _, c := range m.countries {
		codes = append(codes, c.Code)
		if len(c.templates) < 25 {
			t.Errorf("%s: %d base facilities to model on, want 25 or more", c.Code, len(c.templates))
		}
	}
	for _, cc := range []string{"US", "GB", "TR", "IN", "TH", "MX", "KR", "MY", "SG", "AE", "DE", "ES", "PL", "HU", "CZ", "IL", "BR"} {
		if !slices.Contains(codes, cc) {
			t.Errorf("%s is not among the countries %v", cc, codes)
		}
	}
	level := map[string]float64{}
	for _, c := range m.countries {
		level[c.Code] = c.level
	}
	if level["US"] != 1 || !(level["TR"] > 0.1 && level["TR"] < 0.6) || !(level["IN"] > 0.05 && level["IN"] < level["TR"]) {
		t.Errorf("price levels US %.2f, TR %.2f, IN %.2f: want 1, then Turkey's and India's typical prices beside the US ones",
			level["US"], level["TR"], level["IN"])
	}
	if n := len(m.referenceRows()); n == 0 || n > len(b.references) {
		t.Errorf("%d price references copied of %d", n, len(b.references))
	}
}
