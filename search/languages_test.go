package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/careatlas/careatlas/search"
)

// TestEveryLanguageFindsWhatEnglishFinds searches the bundled catalogue, in
// every supported language, for what a patient calls a common treatment,
// and wants first the treatment the English query puts first, with lang=
// and without it (when every language is tried).
func TestEveryLanguageFindsWhatEnglishFinds(t *testing.T) {
	ix := bundledIndex(t)
	tests := []struct {
		english string
		name    string            // the treatment the English query must find first
		in      map[string]string // the query in each language
	}{
		{"knee replacement", "Knee replacement", map[string]string{
			"es": "prótesis de rodilla", "fr": "prothèse du genou", "de": "Knieprothese", "tr": "diz protezi",
			"ru": "замена коленного сустава", "ar": "استبدال مفصل الركبة", "it": "protesi del ginocchio",
			"pt": "prótese de joelho", "pl": "proteza kolana"}},
		{"hip replacement", "Hip replacement", map[string]string{
			"es": "prótesis de cadera", "fr": "prothèse de hanche", "de": "Hüftprothese", "tr": "kalça protezi",
			"ru": "эндопротезирование тазобедренного сустава", "ar": "استبدال مفصل الورك", "it": "protesi d'anca",
			"pt": "prótese de quadril", "pl": "proteza biodra"}},
		{"hair transplant", "Hair transplant", map[string]string{
			"es": "trasplante capilar", "fr": "greffe de cheveux", "de": "Haartransplantation", "tr": "saç ekimi",
			"ru": "пересадка волос", "ar": "زراعة الشعر", "it": "trapianto di capelli",
			"pt": "transplante capilar", "pl": "przeszczep włosów"}},
		{"ivf", "In vitro fertilisation (IVF)", map[string]string{
			"es": "fecundación in vitro", "fr": "fécondation in vitro", "de": "künstliche Befruchtung", "tr": "tüp bebek",
			"ru": "ЭКО", "ar": "أطفال الأنابيب", "it": "fecondazione in vitro",
			"pt": "fertilização in vitro", "pl": "zapłodnienie in vitro"}},
		{"cataract surgery", "Cataract surgery", map[string]string{
			"es": "operación de cataratas", "fr": "opération de la cataracte", "de": "Grauer Star Operation", "tr": "katarakt ameliyatı",
			"ru": "удаление катаракты", "ar": "إزالة المياه البيضاء", "it": "operazione di cataratta",
			"pt": "cirurgia de catarata", "pl": "operacja zaćmy"}},
		{"dental implant", "Dental implant", map[string]string{
			"es": "implantes dentales", "fr": "implant dentaire", "de": "Zahnimplantat", "tr": "diş implantı",
			"ru": "импланты зубов", "ar": "زراعة الأسنان", "it": "impianti dentali",
			"pt": "implante dentário", "pl": "implanty zębów"}},
		{"rhinoplasty", "Rhinoplasty", map[string]string{
			"es": "rinoplastia", "fr": "rhinoplastie", "de": "Nasenkorrektur", "tr": "burun estetiği",
			"ru": "пластика носа", "ar": "تجميل الأنف", "it": "rinoplastica",
			"pt": "cirurgia do nariz", "pl": "plastyka nosa"}},
		{"gastric sleeve", "Gastric sleeve", map[string]string{
			"es": "manga gástrica", "fr": "sleeve gastrectomie", "de": "Schlauchmagen", "tr": "tüp mide",
			"ru": "рукавная гастрэктомия", "ar": "تكميم المعدة", "it": "gastrectomia verticale",
			"pt": "gastrectomia vertical", "pl": "rękawowa resekcja żołądka"}},
	}
	top := func(t *testing.T, q, lang string) *search.Hit {
		t.Helper()
		res, err := ix.Search(context.Background(), search.Request{Query: q, Lang: lang}.MustWhere(search.FilterType, search.TypeTreatment))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			t.Fatalf("%q (lang %q) found nothing", q, lang)
		}
		return &res.Hits[0]
	}
	for _, tc := range tests {
		t.Run(tc.english, func(t *testing.T) {
			want := top(t, tc.english, search.LangEnglish)
			if want.Name != tc.name {
				t.Fatalf("%q finds %q first, want %q", tc.english, want.Name, tc.name)
			}
			for _, lang := range search.Languages[1:] {
				q, ok := tc.in[lang]
				if !ok {
					t.Errorf("no %s query", lang)
					continue
				}
				for _, l := range []string{lang, ""} {
					if got := top(t, q, l); got.ID != want.ID {
						t.Errorf("%q (lang %q) finds %d %q first, want %d %q", q, l, got.ID, got.Name, want.ID, want.Name)
					}
				}
			}
		})
	}
}

// TestRightToLeftHighlights checks that a query in Arabic (and Russian)
// comes back marked in the hit's translation, with the text between the
// marks exactly as the catalogue has it: nothing reordered, folded or
// re-encoded.
func TestRightToLeftHighlights(t *testing.T) {
	ix := bundledIndex(t)
	tests := []struct {
		q, lang, field, want string
	}{
		{"زراعة الشعر", "ar", "translations.ar.name", "<mark>زراعة</mark> <mark>الشعر</mark>"},
		{"الركبة", "ar", "translations.ar.name", "استبدال مفصل <mark>الركبة</mark>"},
		{"пересадка волос", "ru", "translations.ru.name", "<mark>Пересадка</mark> <mark>волос</mark>"},
		{"przeszczep wlosow", "pl", "translations.pl.name", "<mark>Przeszczep</mark> <mark>włosów</mark>"},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			res, err := ix.Search(context.Background(), search.Request{Query: tc.q, Lang: tc.lang}.MustWhere(search.FilterType, search.TypeTreatment))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				t.Fatalf("%q found nothing", tc.q)
			}
			h := res.Hits[0]
			if got := h.Highlight[tc.field]; got != tc.want {
				t.Errorf("%s of %q = %q, want %q (all: %v)", tc.field, h.Name, got, tc.want, h.Highlight)
			}
			plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h.Highlight[tc.field])
			if tr := h.Translations[tc.lang]; plain != tr.Name {
				t.Errorf("highlight without marks %q ≠ the name %q", plain, tr.Name)
			}
		})
	}
}

// TestSuggestInEveryLanguage completes a treatment's name typed in each new
// language, Cyrillic and Arabic included.
func TestSuggestInEveryLanguage(t *testing.T) {
	ix := bundledIndex(t)
	for _, tc := range []struct{ q, want string }{
		{"пересадка вол", "Hair transplant"},
		{"زراعة الش", "Hair transplant"},
		{"trapianto di cap", "Hair transplant"},
		{"transplante capi", "Hair transplant"},
		{"przeszczep wl", "Hair transplant"},
		{"эндопротезирование колен", "Knee replacement"},
	} {
		got, err := ix.Suggest(context.Background(), tc.q, 8)
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		names := make([]string, len(got))
		for i, s := range got {
			names[i] = s.Name
		}
		if !slices.Contains(names, tc.want) {
			t.Errorf("suggest %q = %q, want %q among them", tc.q, names, tc.want)
		}
	}
}

// TestNonLatinScriptsSurviveAnalysis analyses Cyrillic and Arabic text in
// every supported language: the terms keep their script (ASCII folding
// would drop or mangle them), and in its own language each is stemmed as
// pinned here.
func TestNonLatinScriptsSurviveAnalysis(t *testing.T) {
	scripts := []struct {
		text   string
		script *unicode.RangeTable
	}{
		{"Замена коленного сустава", unicode.Cyrillic},
		{"زراعة الأسنان", unicode.Arabic},
	}
	for _, lang := range search.Languages {
		for _, s := range scripts {
			terms := search.Analyze(lang, s.text)
			if len(terms) == 0 {
				t.Errorf("%s: %q analyses to nothing", lang, s.text)
			}
			for _, term := range terms {
				for _, r := range term {
					if !unicode.Is(s.script, r) {
						t.Errorf("%s: %q gave term %q, out of its script", lang, s.text, term)
						break
					}
				}
			}
		}
	}
	for _, tc := range []struct {
		lang, text string
		want       []string
	}{
		{"ru", "Замена коленного сустава", []string{"зам", "колен", "сустав"}},
		{"ru", "ёлка Елка", []string{"елк", "елк"}}, // ё is written е
		{"ar", "زراعة الأسنان", []string{"زراع", "اسن"}},
		{"ar", "أطفال الأنابيب", []string{"اطفال", "انابيب"}},
		{"it", "protesi dell'anca", []string{"protes", "anca"}},
		{"pt", "prótese de joelho", []string{"protes", "joelh"}},
		{"pl", "operacja zaćmy", []string{"operacj", "zacm"}},
		{"pl", "zacma", []string{"zacm"}}, // typed without diacritics
	} {
		if got := search.Analyze(tc.lang, tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Analyze(%s, %q) = %q, want %q", tc.lang, tc.text, got, tc.want)
		}
	}
}
