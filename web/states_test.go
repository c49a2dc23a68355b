package web

import (
	"net/url"
	"slices"
	"testing"
)

// TestWidgetStates walks the widget through what else a patient meets:
// one clinic's own search, did-you-mean, paging, sorting, a clinic's page
// and back, and clearing the box.
func TestWidgetStates(t *testing.T) {
	base := startCareAtlas(t)
	site := startClinic(t, "")
	b := newBrowser(t)

	// data-facility: the clinic's own offers, doctors and page, at once.
	b.open(site.page("/mayo.html", clinicHTML("en", "", widgetTag(base, `data-facility="11"`))))
	b.waitWidget("the clinic's records", `$$('[data-hit-id]').length > 0`)
	b.expectResults(apiSearch(t, base, url.Values{"facility": {"11"}, "facets": {"type,country,category,price"}}))
	b.widget(`$('input').focus()`, nil)
	b.keys("heart")
	b.waitWidget("suggestions", `!$('[role=listbox]').hidden`)
	var types []string
	b.widget(`$$('[role=option]').map(o => o.dataset.type)`, &types)
	if slices.ContainsFunc(types, func(s string) bool { return s != "treatment" }) {
		t.Errorf("a clinic's search suggests %v, want treatments only", types)
	}

	b.open(site.page("/clinic.html", clinicHTML("en", "", widgetTag(base, `data-per-page="2"`))))

	// Nothing found: did-you-mean, and a click on it searches.
	b.search("zzzz knee")
	// Typed key by key, a half-typed query ("zzzz kne") may show its own
	// did-you-mean first when a key comes late: wait for the full one's.
	b.waitFor("results for zzzz knee", `__events.some(e => e.name === 'results' && e.detail.q === 'zzzz knee')`)
	b.waitWidget("did-you-mean", `$('.dym button') !== null && $('.res').getAttribute('aria-busy') === 'false'`)
	var dym string
	b.widget(`$('.dym button').dataset.q`, &dym)
	if want := "knee"; dym != want {
		t.Errorf("did you mean %q, want %q", dym, want)
	}
	b.widget(`$('.dym button').click()`, nil)
	b.waitWidget("results for knee", `$('input').value === 'knee' && $$('[data-hit-id]').length === 2`)
	q := url.Values{"q": {"knee"}, "per_page": {"2"}, "facets": {"type,country,category,price"}}
	b.expectResults(apiSearch(t, base, q))

	// Paging and sorting.
	b.widget(`$('[data-page=next]').click()`, nil)
	q.Set("page", "2")
	b.waitWidget("page 2", `$('.pager span').textContent.startsWith('Page 2 of')`)
	b.expectResults(apiSearch(t, base, q))
	b.widget(`(s => { s.value = 'price_asc'; s.dispatchEvent(new Event('change')); })($('select'))`, nil)
	q.Del("page")
	q.Set("sort", "price_asc")
	b.waitWidget("sorted by price", `$('.pager span').textContent.startsWith('Page 1 of') && $('.res').getAttribute('aria-busy') === 'false'`)
	b.expectResults(apiSearch(t, base, q))

	// A clinic's page, and back to the same results.
	var before []string
	b.widget(`$$('[data-hit-id]').map(h => h.dataset.hitId)`, &before)
	b.widget(`$('.hit [data-facility-id]').click()`, nil)
	b.waitWidget("a clinic's page", `!$('.detail').hidden && $('.main').hidden`)
	b.widget(`$('.detail .link').click()`, nil)
	var after []string
	b.widget(`$('.detail').hidden && !$('.main').hidden && $$('[data-hit-id]').map(h => h.dataset.hitId)`, &after)
	if !slices.Equal(before, after) {
		t.Errorf("back from a clinic's page: %v, before %v", after, before)
	}

	// Escape empties the box and the results.
	b.widget(`$('input').focus()`, nil)
	b.key("\u001b")
	b.waitWidget("an empty widget", `$('input').value === '' && $$('[data-hit-id]').length === 0`)
}
