package gen

import (
	"slices"
	"testing"
)

// TestModelDrawsOnBundledCatalogue plans (without a database) the default
// benchmark catalogue on the bundled one: every country of the bundled
// catalogue, each with real facilities to take cities and coordinates
// from, and countries' price levels come from the price references.
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
	if len(m.countries) != len(b.countries) || len(b.countries) < 100 {
		t.Fatalf("%d countries, want the bundled catalogue's %d", len(m.countries), len(b.countries))
	}
	var codes []string
	well := 0 // countries with 25 or more base facilities to model on
	for _, c := range m.countries {
		codes = append(codes, c.Code)
		if len(c.templates) == 0 {
			t.Errorf("%s: no base facility to model on", c.Code)
		}
		if len(c.templates) >= 25 {
			well++
		}
	}
	if well < 60 {
		t.Errorf("%d countries with 25 or more base facilities, want 60 or more", well)
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
