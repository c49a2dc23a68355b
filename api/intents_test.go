package api_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// intentsServer serves testdata/intents: the mini catalogue with a US
// practice called "Turkey Dental", dental implants, knee replacement in
// Turkey and IVF in Prague, priced on request with country references.
func intentsServer(t *testing.T) *httptest.Server {
	t.Helper()
	return serverOf(t, "../testdata/intents")
}

// TestIntentsInTheResponse: what order and place words became, in the
// shape a client shows and removes them; what each hit matched; and
// typical prices, labelled as the country's, converted like prices.
func TestIntentsInTheResponse(t *testing.T) {
	srv := intentsServer(t)
	type response struct {
		Total int `json:"total"`
		Hits  []struct {
			Type         string          `json:"type"`
			ID           int64           `json:"id"`
			Matched      json.RawMessage `json:"matched"`
			TypicalPrice json.RawMessage `json:"typical_price"`
		} `json:"hits"`
		Expansions []json.RawMessage `json:"expansions"`
	}
	tests := []struct {
		query string
		hits  []string // type:id matched typical_price
		exps  []string // JSON
	}{
		{"q=cheap+ivf&type=offer&currency=EUR", []string{
			`offer:1006 {"field":"treatment.name","text":"In vitro fertilisation (<mark>IVF</mark>)"} {"country":"TR","amount":3500,"currency":"USD","source":"Medical-tourism cost comparison table (one typical price per country)","converted":{"amount":2800,"currency":"EUR"}}`,
			`offer:1005 {"field":"treatment.name","text":"In vitro fertilisation (<mark>IVF</mark>)"} null`,
			`offer:1010 {"field":"treatment.name","text":"In vitro fertilisation (<mark>IVF</mark>)"} {"country":"CZ","amount":3500,"currency":"EUR","source":"Test table","converted":{"amount":3500,"currency":"EUR"}}`,
		}, []string{`{"text":"cheap","kind":"sort","to":["price_asc"],"param":"sort","values":["price_asc"],"without":"ivf"}`}},
		{"q=knee+replacement+turkey&type=offer", []string{
			`offer:1009 {"field":"treatment.lay_names","text":"<mark>knee replacement</mark>"} {"country":"TR","amount":6000,"currency":"USD","source":"Test table"}`,
		}, []string{`{"text":"turkey","kind":"boost","to":["Turkey"],"param":"country","values":["TR"],"without":"knee replacement"}`}},
		{"q=hip+replacement+abroad&from=US&type=offer", []string{
			`offer:1009 {"field":"treatment.lay_names","text":"<mark>hip replacement</mark>"} {"country":"TR","amount":6000,"currency":"USD","source":"Test table"}`,
		}, []string{`{"text":"abroad","kind":"exclude","to":["outside US"],"param":"country","values":["US"],"without":"hip replacement"}`}},
		{"q=ivf+germany&type=offer&country=TR", []string{
			`offer:1006 {"field":"treatment.name","text":"In vitro fertilisation (<mark>IVF</mark>)"} {"country":"TR","amount":3500,"currency":"USD","source":"Medical-tourism cost comparison table (one typical price per country)"}`,
		}, []string{`{"text":"germany","kind":"ignored","to":["Germany"],"param":"country","values":["DE"],"reason":"country= was given","without":"ivf"}`}},
		{"q=Praga&type=facility", []string{`facility:15 null null`},
			[]string{`{"text":"Praga","kind":"filter","to":["Prague"],"param":"city","values":["Praha 4"],"without":""}`}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			var res response
			if code := get(t, srv, "/v1/search?"+tc.query, &res); code != 200 {
				t.Fatalf("status %d", code)
			}
			var hits, exps []string
			for _, h := range res.Hits {
				hits = append(hits, fmt.Sprintf("%s:%d %s %s", h.Type, h.ID, orNull(h.Matched), orNull(h.TypicalPrice)))
			}
			for _, e := range res.Expansions {
				if !strings.Contains(string(e), `"kind":"synonym"`) && !strings.Contains(string(e), `"kind":"typo"`) {
					exps = append(exps, string(e))
				}
			}
			if !slices.Equal(hits, tc.hits) {
				t.Errorf("hits\n%s\nwant\n%s", strings.Join(hits, "\n"), strings.Join(tc.hits, "\n"))
			}
			if !slices.Equal(exps, tc.exps) {
				t.Errorf("expansions\n%s\nwant\n%s", strings.Join(exps, "\n"), strings.Join(tc.exps, "\n"))
			}
		})
	}
}

// orNull is a raw JSON value as text, "null" when absent, with the HTML
// escapes Echo writes (\u003c) read back.
func orNull(m json.RawMessage) string {
	if m == nil {
		return "null"
	}
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(string(m))
}

// TestTreatmentTypicalPrices: a treatment's page lists its references by
// country in the patient's currency, and its offers carry theirs.
func TestTreatmentTypicalPrices(t *testing.T) {
	srv := intentsServer(t)
	var tr struct {
		TypicalPrices json.RawMessage `json:"typical_prices"`
		Offers        []struct {
			ID           int64           `json:"id"`
			TypicalPrice json.RawMessage `json:"typical_price"`
		} `json:"offers"`
	}
	if code := get(t, srv, "/v1/treatments/4?currency=EUR", &tr); code != 200 {
		t.Fatalf("status %d", code)
	}
	want := `[{"country":"CZ","amount":3500,"currency":"EUR","source":"Test table","converted":{"amount":3500,"currency":"EUR"}},` +
		`{"country":"TR","amount":3500,"currency":"USD","source":"Medical-tourism cost comparison table (one typical price per country)","converted":{"amount":2800,"currency":"EUR"}}]`
	if string(tr.TypicalPrices) != want {
		t.Errorf("typical_prices %s, want %s", tr.TypicalPrices, want)
	}
	var got []string
	for _, o := range tr.Offers {
		got = append(got, fmt.Sprintf("%d %s", o.ID, orNull(o.TypicalPrice)))
	}
	wantOffers := []string{`1006 {"country":"TR","amount":3500,"currency":"USD","source":"Medical-tourism cost comparison table (one typical price per country)","converted":{"amount":2800,"currency":"EUR"}}`, "1005 null",
		`1010 {"country":"CZ","amount":3500,"currency":"EUR","source":"Test table","converted":{"amount":3500,"currency":"EUR"}}`}
	if !slices.Equal(got, wantOffers) {
		t.Errorf("offers\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantOffers, "\n"))
	}
	var e struct {
		Error struct{ Param string } `json:"error"`
	}
	if code := get(t, srv, "/v1/treatments/4?currency=XYZ", &e); code != 400 || e.Error.Param != "currency" {
		t.Errorf("currency=XYZ: %d %+v", code, e)
	}
}
