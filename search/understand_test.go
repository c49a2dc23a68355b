package search_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/search"
)

func TestSynonymsChangeWithoutRebuild(t *testing.T) {
	live, _ := miniIndex(t)
	ctx := context.Background()
	req := search.Request{Query: "schnozz fix"}.MustWhere(search.FilterType, search.TypeTreatment)
	res, err := live.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 {
		t.Fatalf("before the synonym: %d hits, want none", res.Total)
	}

	live.SetSynonyms(search.NewSynonyms([]search.SynonymEdge{{Term: "Schnozz fix", Synonym: "rhinoplasty", Source: "curated"}}))
	res, err = live.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res.Hits); !slices.Equal(got, []int64{2}) {
		t.Fatalf("with the synonym: got %v, want [2] (Rhinoplasty)", got)
	}
	want := search.Expansion{Text: "schnozz fix", Kind: "synonym", To: []string{"rhinoplasty"}, Source: []string{"curated"}}
	if len(res.Expansions) != 1 || !expansionEqual(res.Expansions[0], want) {
		t.Errorf("expansions = %+v, want [%+v]", res.Expansions, want)
	}

	live.SetSynonyms(nil)
	if res, err = live.Search(ctx, req); err != nil || res.Total != 0 {
		t.Errorf("after removing the synonym: %d hits (err %v), want none", res.Total, err)
	}
}

func expansionEqual(a, b search.Expansion) bool {
	return a.Text == b.Text && a.Kind == b.Kind && slices.Equal(a.To, b.To) && slices.Equal(a.Source, b.Source)
}

func TestTypos(t *testing.T) {
	live, _ := miniIndex(t)
	tests := []struct {
		q    string
		want int64  // the treatment that must come first
		typo string // the word corrected
		to   string // what it must be read as
	}{
		{"rhinoplasy", 2, "rhinoplasy", "rhinoplasty"},
		{"kne replacment", 1, "kne", "knee"},
		{"acute myocardail infarction", 3, "myocardail", "myocardial"},
		{"in vitro fertilsation", 4, "fertilsation", "fertilisation"},
		{"Rhinoplsaty", 2, "Rhinoplsaty", "rhinoplasty"}, // a swap of neighbours is one edit
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			res, err := live.Search(context.Background(), search.Request{Query: tc.q}.MustWhere(search.FilterType, search.TypeTreatment))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].ID != tc.want {
				t.Fatalf("got %v, want %d first", ids(res.Hits), tc.want)
			}
			found := slices.ContainsFunc(res.Expansions, func(e search.Expansion) bool {
				return e.Kind == "typo" && e.Text == tc.typo && slices.Contains(e.To, tc.to)
			})
			if !found {
				t.Errorf("expansions %+v do not say %q was read as %q", res.Expansions, tc.typo, tc.to)
			}
		})
	}
}

func TestExactOutranksTypo(t *testing.T) {
	live, _ := miniIndex(t)
	ctx := context.Background()
	score := func(q string) float64 {
		res, err := live.Search(ctx, search.Request{Query: q}.MustWhere(search.FilterType, search.TypeOffer).MustWhere(search.FilterCountry, "TR"))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			t.Fatalf("%q found nothing", q)
		}
		return res.Hits[0].Score
	}
	exact, typo := score("rhinoplasty"), score("rhinoplasy")
	if !(exact > typo) {
		t.Errorf("exact score %.3f, typo score %.3f: the exact match must rank higher", exact, typo)
	}
	// A known word is never "corrected".
	res, err := live.Search(ctx, search.Request{Query: "knee"}.MustWhere(search.FilterType, search.TypeTreatment))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Expansions) != 0 {
		t.Errorf("knee was expanded: %+v", res.Expansions)
	}
}

func TestDidYouMean(t *testing.T) {
	live, _ := miniIndex(t)
	tests := []struct {
		q, want string
	}{
		{"knee xylophone", "knee"},               // a word nothing has: drop it
		{"rhinoplasty Methodist", "rhinoplasty"}, // words that exist but never together
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			res, err := live.Search(context.Background(), search.Request{Query: tc.q}.MustWhere(search.FilterType, search.TypeOffer))
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 0 {
				t.Fatalf("%q found %d; the test needs a query that finds nothing", tc.q, res.Total)
			}
			if res.DidYouMean == nil || res.DidYouMean.Query != tc.want || res.DidYouMean.Total == 0 {
				t.Fatalf("did_you_mean = %+v, want %q with results", res.DidYouMean, tc.want)
			}
			again, err := live.Search(context.Background(), search.Request{Query: res.DidYouMean.Query}.MustWhere(search.FilterType, search.TypeOffer))
			if err != nil {
				t.Fatal(err)
			}
			if again.Total != res.DidYouMean.Total {
				t.Errorf("the suggestion finds %d, did_you_mean says %d", again.Total, res.DidYouMean.Total)
			}
		})
	}
	res, err := live.Search(context.Background(), search.Request{Query: "knee"})
	if err != nil {
		t.Fatal(err)
	}
	if res.DidYouMean != nil {
		t.Errorf("did_you_mean offered for a query with %d results", res.Total)
	}
	// A facet-only request (per_page=0) pays for no suggestions.
	facets, err := search.ParseRequest(search.Params{"q": {"knee xylophone"}, "per_page": {"0"}}, search.Rates{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err = live.Search(context.Background(), facets); err != nil || res.DidYouMean != nil || len(res.Hits) != 0 {
		t.Errorf("per_page=0: did_you_mean %+v, %d hits, err %v", res.DidYouMean, len(res.Hits), err)
	}
}

func TestHighlightAndExplain(t *testing.T) {
	live, _ := miniIndex(t)
	res, err := live.Search(context.Background(), search.Request{Query: "nose job", Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	var treatment, offer *search.Hit
	for i := range res.Hits {
		switch h := &res.Hits[i]; h.Type {
		case search.TypeTreatment:
			treatment = h
		case search.TypeOffer:
			offer = h
		}
	}
	if treatment == nil || offer == nil {
		t.Fatalf("want a treatment and an offer among %v", ids(res.Hits))
	}
	if got := treatment.Highlight["lay_names"]; got != "<mark>nose</mark> <mark>job</mark>" {
		t.Errorf("treatment lay_names highlight = %q", got)
	}
	if got := offer.Highlight["treatment.name"]; got != "" && !strings.Contains(got, "<mark>") {
		t.Errorf("offer treatment.name highlight = %q", got)
	}
	for _, h := range res.Hits {
		e := h.Explain
		if e == nil {
			t.Fatalf("%s %d has no explanation", h.Type, h.ID)
		}
		if math.Abs(e.Relevance*e.Trust-h.Score) > 0.01 {
			t.Errorf("%s %d: relevance %.3f × trust %.3f ≠ score %.3f", h.Type, h.ID, e.Relevance, e.Trust, h.Score)
		}
		if e.Trust < 0.6 || e.Trust > 1 || e.Formula == "" || len(e.Matched) == 0 {
			t.Errorf("%s %d: explanation %+v", h.Type, h.ID, e)
		}
	}
}

func TestTrustOrdersEqualRelevance(t *testing.T) {
	live, _ := miniIndex(t)
	// No text: every facility is equally relevant, so trust decides. The
	// Istanbul clinic's 4.5 from 120 reviews (and JCI) beats Mayo's 5.0
	// from an unknown number of reviews; a facility with no rating at all
	// comes last.
	res, err := live.Search(context.Background(), search.Request{Explain: true}.MustWhere(search.FilterType, search.TypeFacility))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(res.Hits), []int64{12, 11, 10, 13}; !slices.Equal(got, want) {
		for _, h := range res.Hits {
			t.Logf("%d %+v", h.ID, h.Explain)
		}
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestLanguages(t *testing.T) {
	live, _ := miniIndex(t)
	tests := []struct {
		q, lang string
		want    int64 // the treatment that must come first
	}{
		{"Knieprothese", "de", 1},
		{"Knieprothese", "", 1},             // no lang: every language is tried
		{"huftprothese", "de", 1},           // umlaut left out
		{"prótesis de rodilla", "es", 1},    // "de" is a Spanish stop word
		{"protesis de cadera", "", 1},       // accents left out, no lang
		{"burun estetiği", "tr", 2},         // Turkish letters
		{"rhinoplastie", "fr", 2},           // French name
		{"fecundación in vitro", "es", 4},   // "in" is an English stop word
		{"knee replacement", "de", 1},       // English still works with another lang
		{"künstliches Kniegelenk", "de", 1}, // a German lay name of two words
	}
	for _, tc := range tests {
		t.Run(tc.q+"/"+tc.lang, func(t *testing.T) {
			res, err := live.Search(context.Background(), search.Request{Query: tc.q, Lang: tc.lang}.MustWhere(search.FilterType, search.TypeTreatment))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].ID != tc.want {
				t.Fatalf("got %v, want %d first", ids(res.Hits), tc.want)
			}
			if res.Lang != tc.lang {
				t.Errorf("lang %q, want %q", res.Lang, tc.lang)
			}
		})
	}
	// The offers of a treatment are found by its translated names too.
	res, err := live.Search(context.Background(), search.Request{Query: "Knieprothese", Lang: "de"}.MustWhere(search.FilterType, search.TypeOffer))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Treatment == nil || h.Treatment.ID != 1 {
			t.Errorf("offer %d is not of treatment 1", h.ID)
		}
	}
	if res.Total == 0 {
		t.Error("Knieprothese found no offers")
	}
	// An unsupported language is a clear error.
	var se *search.Error
	if _, err := live.Search(context.Background(), search.Request{Query: "knee", Lang: "xx"}); !errors.As(err, &se) || se.Param != "lang" {
		t.Errorf("lang=xx: %v, want an invalid lang error", err)
	}
}

func TestFacilitiesMatchThroughTheirTreatments(t *testing.T) {
	live, _ := miniIndex(t)
	// No facility's own text says "nose job"; the Istanbul clinic offers
	// rhinoplasty, whose lay name it is.
	res, err := live.Search(context.Background(), search.Request{Query: "nose job"}.MustWhere(search.FilterType, search.TypeFacility))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res.Hits); !slices.Contains(got, 12) {
		t.Errorf("facilities for nose job: %v, want 12 among them", got)
	}
}
