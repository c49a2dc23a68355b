package web

import (
	"fmt"
	"strings"
	"testing"
)

// TestWidgetLanguages: the widget speaks data-lang, or the page's language,
// in each of the five; several tags share one page.
func TestWidgetLanguages(t *testing.T) {
	base := startCareAtlas(t)
	site := startClinic(t, "")
	b := newBrowser(t)
	want := []struct{ lang, label, button string }{
		{"en", "Search treatments, clinics and doctors", "Search"},
		{"es", "Buscar tratamientos, clínicas y médicos", "Buscar"},
		{"fr", "Rechercher des traitements, cliniques et médecins", "Rechercher"},
		{"de", "Behandlungen, Kliniken und Ärzte suchen", "Suchen"},
		{"tr", "Tedavi, klinik ve doktor arayın", "Ara"},
	}
	var body strings.Builder
	for _, w := range want {
		fmt.Fprintf(&body, `<div id="w-%s"></div>%s`, w.lang, widgetTag(base, `data-target="#w-`+w.lang+`"`, `data-lang="`+w.lang+`"`))
	}
	// The page is German; the last widget says no language, so it follows the page.
	body.WriteString(`<div id="w-page"></div>` + widgetTag(base, `data-target="#w-page"`))
	b.open(site.page("/languages.html", clinicHTML("de", "", body.String())))
	b.waitFor("six widgets", `document.querySelectorAll('[data-careatlas]').length === 6`)
	want = append(want, want[3])
	for i, w := range want {
		var got struct{ Label, Button, Lang string }
		b.eval(widgetJS(i, `({label: $('label').textContent, button: $('button.go').textContent, lang: $('.ca').lang})`), &got)
		if got.Label != w.label || got.Button != w.button || got.Lang != w.lang {
			t.Errorf("widget %d: %+v, want %+v", i, got, w)
		}
	}
	b.checkGlobals()
}
