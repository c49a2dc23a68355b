package api_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/search"
)

// TestOpenAPILanguagesAreSearchLanguages holds the document's lang= enums
// to search.Languages: JSON cannot range over the table, so this test does.
func TestOpenAPILanguagesAreSearchLanguages(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				In     string `json:"in"`
				Schema struct {
					Enum []string `json:"enum"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			for _, p := range op.Parameters {
				if p.Name != "lang" || p.In != "query" {
					continue
				}
				n++
				if !slices.Equal(p.Schema.Enum, search.Languages) {
					t.Errorf("%s %s: lang enum %v, search supports %v", method, path, p.Schema.Enum, search.Languages)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no lang= parameter in api/openapi.json")
	}
}
