package web

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAccessibility runs axe-core on the search page, the embedding example
// and a clinic page, in each state a patient sees: the empty box, open
// suggestions, results, and a clinic's page. Serious and critical
// violations fail.
func TestAccessibility(t *testing.T) {
	axe, err := os.ReadFile(filepath.Join(nodeModules(t), "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	base := startCareAtlas(t)
	site := startClinic(t, "")
	b := newBrowser(t)
	pages := []struct{ name, url string }{
		{"search page", base + "/"},
		{"embedding example", base + "/embed-example.html"},
		{"clinic page", site.page("/clinic.html", clinicHTML("en", "", widgetTag(base, `data-currency="EUR"`, `data-from="DE"`)))},
	}
	for i, p := range pages {
		b.open(p.url)
		b.waitWidget("the search box", `$('input[role=combobox]') !== null`)
		b.eval(string(axe), nil)
		if i == 0 {
			// axe sees into the widget's shadow root: a nameless button
			// there is a critical violation.
			var ids []string
			b.eval(`(async () => { const root = document.querySelector('[data-careatlas]').shadowRoot;
				const bad = root.querySelector('.ca').appendChild(document.createElement('button'));
				const r = await axe.run(document, {resultTypes: ['violations']});
				bad.remove();
				return r.violations.map(v => v.id); })()`, &ids)
			if !slices.Contains(ids, "button-name") {
				t.Fatalf("axe does not see into the widget: %v", ids)
			}
		}
		b.checkAxe(p.name + ", empty")
		b.widget(`$('input').focus()`, nil)
		b.keys("kne rep")
		b.waitWidget("suggestions", `!$('[role=listbox]').hidden`)
		b.key("\u0301") // ArrowDown: an active option
		b.checkAxe(p.name + ", suggestions open")
		b.keys("lacement\r")
		b.waitWidget("results", `$('[data-hit-id]') !== null && $('.res').getAttribute('aria-busy') === 'false'`)
		b.checkAxe(p.name + ", results")
		b.widget(`$('[data-facility-id]').click()`, nil)
		b.waitWidget("a clinic's page", `!$('.detail').hidden`)
		b.checkAxe(p.name + ", a clinic's page")
	}
}

// checkAxe runs axe-core (already in the page): serious or critical
// violations fail, others are logged.
func (b *browser) checkAxe(where string) {
	b.t.Helper()
	var violations []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	b.eval(`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => JSON.stringify(n.target) + ' ' + n.failureSummary)})))`, &violations)
	for _, v := range violations {
		report := b.t.Logf
		if v.Impact == "serious" || v.Impact == "critical" {
			report = b.t.Errorf
		}
		report("%s: %s (%s): %s\n\t%s", where, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
	if len(violations) == 0 {
		b.t.Logf("%s: no violations", where)
	}
}
