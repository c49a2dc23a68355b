package web

import (
	"slices"
	"testing"
)

// aggressiveCSS is a clinic's style sheet at its worst: global rules with
// !important on every element, inputs, list items and divs.
const aggressiveCSS = `
* { font: italic 22px/3 "Comic Sans MS", cursive !important; color: #f0f !important; background: #ff0 !important;
    margin: 7px !important; padding: 9px !important; border: 3px dashed green !important; box-sizing: content-box !important;
    letter-spacing: 3px !important; text-transform: uppercase !important; text-align: right !important; opacity: .9 !important;
    float: none !important; }
div { display: flex !important; flex-direction: row-reverse !important; }
input { height: 80px !important; width: 30px !important; font-size: 40px !important; border-radius: 20px !important; display: inline !important; }
li { list-style: square inside !important; display: inline !important; float: right !important; }
button { all: unset !important; }
h3 { font-size: 60px !important; }
`

// styled lists, for each element of the widget that matters to its
// layout, the computed styles a clinic's CSS could reach.
const styled = `(() => {
	const host = document.querySelector('[data-careatlas]'), root = host.shadowRoot;
	const props = ['display', 'font-family', 'font-size', 'font-style', 'font-weight', 'line-height', 'color', 'background-color',
		'margin-top', 'margin-left', 'padding-top', 'padding-left', 'border-top-width', 'border-top-style', 'box-sizing',
		'list-style-type', 'letter-spacing', 'text-transform', 'text-align', 'opacity', 'float', 'width', 'height'];
	const sels = ['.ca', 'input.q', 'button.go', '.status', '.gh', '.fv', '.sort', '.hits', '.hit', '.hit .t2', '.hit .meta',
		'.price', '.post', '.badge', '.link', '.by'];
	const out = [];
	const note = (name, el) => {
		if (!el) { out.push(name + ': missing'); return; }
		const cs = getComputedStyle(el);
		for (const p of props) out.push(name + ' ' + p + ': ' + cs.getPropertyValue(p));
	};
	note('host', host);
	for (const s of sels) note(s, root.querySelector(s));
	return out;
})()`

// TestWidgetStyleIsolation: the clinic's CSS changes nothing in the widget,
// and the widget nothing in the page (see checkGlobals).
func TestWidgetStyleIsolation(t *testing.T) {
	base := startCareAtlas(t)
	site := startClinic(t, "")
	b := newBrowser(t)
	var styles [2][]string
	for i, css := range []string{"#w { width: 760px }", "#w { width: 760px }" + aggressiveCSS} {
		b.open(site.page("/clinic.html", clinicHTML("en", css, `<div id="w"></div>`+widgetTag(base, `data-target="#w"`, `data-currency="EUR"`))))
		b.waitWidget("the search box", `$('input[role=combobox]') !== null`)
		b.widget(`$('input').focus()`, nil)
		b.keys("knee replacement\r")
		b.waitWidget("results with a post", `$('[data-post-id]') !== null && $('.res').getAttribute('aria-busy') === 'false'`)
		b.eval(styled, &styles[i])
		b.checkGlobals()
	}
	if len(styles[0]) < 300 || slices.Contains(styles[0], "missing") {
		t.Fatalf("styles of a plain page: %v", styles[0])
	}
	for i := range styles[0] {
		if styles[0][i] != styles[1][i] {
			t.Errorf("the clinic's CSS changed %s (was %s)", styles[1][i], styles[0][i])
		}
	}
}
