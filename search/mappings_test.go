package search_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/careatlas/careatlas/search"
)

// TestOlderMappingsStillBuild loads the mappings that published
// generations were built with (testdata/mappings, one file each time the
// analysers changed, taken from a generation of that version) and checks
// that every analyser they name still builds, so such a generation opens
// after an upgrade, and that each analyses its language's text as
// search.Analyze does now: queries are analysed with today's analysers and
// looked up in the old generation's terms.
func TestOlderMappingsStillBuild(t *testing.T) {
	files, err := filepath.Glob("testdata/mappings/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no mappings in testdata/mappings (%v)", err)
	}
	const text = "Künstliches Kniegelenk, prótesis de rodilla, l'opération du genou, İstanbul'da diz protezi, knee replacements"
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			im := mapping.NewIndexMapping()
			if err := json.Unmarshal(raw, im); err != nil {
				t.Fatal(err)
			}
			if err := im.Validate(); err != nil {
				t.Fatalf("the mapping no longer builds: %v", err)
			}
			n := 0
			for name := range im.CustomAnalysis.Analyzers {
				a := im.AnalyzerNamed(name)
				if a == nil {
					t.Errorf("analyser %s does not build", name)
					continue
				}
				lang, ok := strings.CutPrefix(name, "careatlas_")
				if !ok || !search.SupportedLanguage(lang) {
					continue
				}
				n++
				var got []string
				for _, tok := range a.Analyze([]byte(text)) {
					got = append(got, string(tok.Term))
				}
				if want := search.Analyze(lang, text); !slices.Equal(got, want) {
					t.Errorf("%s: the old analyser gives %q, today's %q", lang, got, want)
				}
			}
			if n == 0 {
				t.Error("no language analyser in the mapping")
			}
		})
	}
}
