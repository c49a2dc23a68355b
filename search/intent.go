package search

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
)

// Intents: words a patient types that are not text to match but ask for
// an order or name a place. "cheap ivf" asks for IVF sorted by price,
// "hip replacement abroad" (from=US) for hip replacements outside the US,
// "knee surgery turkey" for knee surgery in Turkey. They are read off the
// query before it is understood (readIntents) and become a sort, a filter,
// an exclusion or a boost on the request; the response's expansions say
// what each became, with the parameter and values, so a client can show
// "Turkey" as a filter and remove it (send Expansion.Without as q).
//
// What the words are is data, in one table (querywords.csv, one column per
// language, variants separated by "|"): the order words, "abroad", "near
// me", and the names of countries (filled from the Unicode CLDR by
// querywords_gen.go) and of the big destinations' cities in each language.
// The catalogue's own cities are places too, by their names as it spells
// them. A place counts only where the index knows it.
//
// Rules, in order:
//   - A parameter the client gave wins over what a word implies: the word
//     is then left out and its expansion says "ignored" and why.
//   - A place word that is also a word of a treatment's names is text.
//   - A place word that also names a facility or doctor outside the place
//     ("Turkey Dental" in Ohio) is ambiguous: it stays text to match, and
//     what lies in the place is boosted (×placeBoost) instead of filtered,
//     so both the clinic and the place's offers are found.
//   - Several places of one kind are alternatives (country=TR,HU).
//
// Detection is a map lookup per query word (and per phrase starting with
// a word that begins a known phrase), never a scan.

//go:embed querywords.csv
var queryWordsCSV []byte

// placeBoost multiplies the score of what lies in an ambiguous place.
const placeBoost = 2.0

// Kinds of query word, as querywords.csv names them.
const (
	wordSort    = "sort"
	wordAbroad  = "abroad"
	wordNear    = "near"
	wordCountry = "country"
	wordCity    = "city"
)

// Expansion kinds of intents.
const (
	ExpandSort    = "sort"    // the word set the sort
	ExpandFilter  = "filter"  // the word became a filter (param=values)
	ExpandExclude = "exclude" // the word excludes param=values ("abroad")
	ExpandBoost   = "boost"   // the word stays text; param=values rank first
	ExpandIgnored = "ignored" // the word was dropped; Reason says why
)

// queryWord is one row of the table: a kind and its key (a sort order, an
// ISO country code, a city's English name).
type tableWord struct {
	kind, key string
	label     string // the row's first English name
}

// wordTable is querywords.csv read: folded phrase → its row.
type wordTable struct {
	words map[string]tableWord
	// starts: the longest phrase (in words) that begins with a word.
	starts map[string]int
	// cities: each city row's folded names.
	cities map[string][]string
}

var queryWords = sync.OnceValue(func() *wordTable {
	t, err := parseWordTable(queryWordsCSV)
	if err != nil {
		panic(err) // the embedded table is checked by its tests
	}
	return t
})

func parseWordTable(data []byte) (*wordTable, error) {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read querywords.csv: %w", err)
	}
	if len(rows) < 1 || len(rows[0]) < 3 || rows[0][0] != "kind" || rows[0][1] != "key" || rows[0][2] != LangEnglish {
		return nil, fmt.Errorf("read querywords.csv: the header is kind,key,en,<languages>")
	}
	t := &wordTable{words: map[string]tableWord{}, starts: map[string]int{}, cities: map[string][]string{}}
	for n, r := range rows[1:] {
		if !slices.Contains([]string{wordSort, wordAbroad, wordNear, wordCountry, wordCity}, r[0]) || r[1] == "" {
			return nil, fmt.Errorf("read querywords.csv: line %d: unknown kind %q or no key", n+2, r[0])
		}
		w := tableWord{kind: r[0], key: r[1], label: strings.Split(r[2], "|")[0]}
		if w.label == "" {
			w.label = w.key
		}
		for _, cell := range r[2:] {
			for _, name := range strings.Split(cell, "|") {
				key := phraseKey(name)
				if key == "" {
					continue
				}
				if _, dup := t.words[key]; !dup { // the first row wins
					t.words[key] = w
				}
				words := strings.Fields(key)
				t.starts[words[0]] = max(t.starts[words[0]], len(words))
				if w.kind == wordCity && !slices.Contains(t.cities[w.key], key) {
					t.cities[w.key] = append(t.cities[w.key], key)
				}
			}
		}
	}
	return t, nil
}

// phraseKey is a name as a lookup key: its words folded, one space apart.
func phraseKey(s string) string {
	var words []string
	for _, tok := range queryTokenizer.Tokenize([]byte(s)) {
		words = append(words, fold(string(tok.Term)))
	}
	return strings.Join(words, " ")
}

// place is a place an index knows: the filter it becomes.
type place struct {
	param  string // FilterCountry or "city"
	values []string
	label  string
}

// places are an index's places by folded name, made on first use.
type places struct {
	once   sync.Once
	byName map[string]place
	starts map[string]int
}

func (ix *Index) places() *places {
	p := ix.placeSet
	p.once.Do(func() { p.build(ix.cols) })
	return p
}

// minCityLetters: a catalogue city of fewer letters ("Eye", "Ely", "Son",
// "Van") is a place only when the table names it.
const minCityLetters = 4

func (p *places) build(cols *columns) {
	t := queryWords()
	p.byName, p.starts = map[string]place{}, map[string]int{}
	add := func(key string, pl place) {
		if _, dup := p.byName[key]; dup || len(pl.values) == 0 {
			return
		}
		p.byName[key] = pl
		words := strings.Fields(key)
		p.starts[words[0]] = max(p.starts[words[0]], len(words))
	}
	countries := cols.keywords[fieldCountry]
	for key, w := range t.words {
		if _, ok := countries.ordinal[w.key]; w.kind == wordCountry && ok {
			add(key, place{param: FilterCountry, values: []string{w.key}, label: w.label})
		}
	}
	// The catalogue's cities by the names a patient types: the city, the
	// city of "district, city" or "district - city", "Praha" of "Praha 4".
	cityValues := map[string][]string{}
	label := map[string]string{}
	for _, v := range cols.keywords[fieldCity].values {
		for _, name := range cityNames(v) {
			key := phraseKey(name)
			if key != "" && !slices.Contains(cityValues[key], v) {
				cityValues[key] = append(cityValues[key], v)
				if label[key] == "" {
					label[key] = name
				}
			}
		}
	}
	for key, w := range t.words {
		if w.kind != wordCity {
			continue
		}
		var values []string
		for _, name := range t.cities[w.key] {
			for _, v := range cityValues[name] {
				if !slices.Contains(values, v) {
					values = append(values, v)
				}
			}
		}
		slices.Sort(values)
		add(key, place{param: fieldCity, values: values, label: w.label})
	}
	for key, values := range cityValues {
		if utf8.RuneCountInString(key) < minCityLetters || isStopWord(key) {
			continue
		}
		slices.Sort(values)
		add(key, place{param: fieldCity, values: values, label: label[key]})
	}
}

// cityNames are the names a city value is known by.
func cityNames(v string) []string {
	out := []string{v}
	for _, sep := range []string{", ", " - "} {
		if i := strings.LastIndex(v, sep); i >= 0 {
			out = append(out, v[i+len(sep):])
		}
	}
	if i := strings.LastIndexByte(v, ' '); i > 0 && strings.IndexFunc(v[i+1:], func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		out = append(out, v[:i])
	}
	return out
}

// isStopWord reports whether any supported language drops the words.
func isStopWord(key string) bool {
	for _, w := range strings.Fields(key) {
		for _, lang := range Languages {
			if len(Analyze(lang, w)) == 0 {
				return true
			}
		}
	}
	return false
}

// intent is a phrase of the query read as an intent.
type intent struct {
	text       string // as typed
	start, end int    // its bytes in the query
	word       tableWord
	place      *place
}

// findIntents finds the query's intent phrases, longest first at each word.
func (ix *Index) findIntents(q string) []intent {
	t := queryWords()
	var pl *places
	toks := queryTokenizer.Tokenize([]byte(q))
	toks = toks[:min(len(toks), maxQueryWords)]
	folded := make([]string, len(toks))
	for i, tok := range toks {
		folded[i] = fold(string(tok.Term))
	}
	var out []intent
	for i := 0; i < len(toks); {
		longest := t.starts[folded[i]]
		if ix.placeSet != nil {
			if pl == nil {
				pl = ix.places()
			}
			longest = max(longest, pl.starts[folded[i]])
		}
		found := 0
		for n := min(longest, len(toks)-i); n >= 1 && found == 0; n-- {
			key := folded[i]
			if n > 1 {
				key = strings.Join(folded[i:i+n], " ")
			}
			in := intent{start: toks[i].Start, end: toks[i+n-1].End}
			if w, ok := t.words[key]; ok && w.kind != wordCountry && w.kind != wordCity {
				in.word = w
			} else if p, ok := pl.lookup(key); ok {
				in.place = &p
			} else {
				continue
			}
			in.text = q[in.start:in.end]
			out = append(out, in)
			found = n
		}
		i += max(found, 1)
	}
	return out
}

func (p *places) lookup(key string) (place, bool) {
	if p == nil {
		return place{}, false
	}
	pl, ok := p.byName[key]
	return pl, ok
}

// readIntents reads r's query for intents and returns the request they
// make: its text the rest of the query, with the sorts, filters,
// exclusions and boosts the intents became, and their expansions.
func (ix *Index) readIntents(ctx context.Context, r Request) (Request, error) {
	if r.intentsRead {
		return r, nil
	}
	r.intentsRead, r.text = true, r.Query
	found := ix.findIntents(r.Query)
	if len(found) == 0 {
		return r, nil
	}
	clientGave := func(params ...string) string {
		for _, p := range params {
			if r.Filter(p) != nil {
				return p
			}
		}
		return ""
	}
	sortSet := !r.sortDefault
	placed := map[string][]string{} // param → values, in order
	var kept []intent               // phrases that stay text
	var exps []Expansion
	for _, in := range found {
		rest := without(r.Query, in)
		e := Expansion{Text: in.text, Without: &rest}
		ignore := func(reason string) { e.Kind, e.Reason = ExpandIgnored, reason }
		switch {
		case in.place != nil:
			e.Param, e.Values, e.To = in.place.param, in.place.values, []string{in.place.label}
			how, err := ix.placeWord(ctx, in)
			if err != nil {
				return r, err
			}
			switch {
			case how == placeText:
				kept = append(kept, in)
				continue // an ordinary word: no expansion
			case clientGave(FilterCountry, fieldCity) != "":
				ignore(clientGave(FilterCountry, fieldCity) + "= was given")
			case how == placeBoostOnly:
				e.Kind = ExpandBoost
				kept = append(kept, in)
				r.boosts = append(slices.Clip(r.boosts), clause{filter: mustFilter(in.place.param), values: in.place.values})
			default:
				e.Kind = ExpandFilter
				for _, v := range in.place.values {
					if !slices.Contains(placed[in.place.param], v) {
						placed[in.place.param] = append(placed[in.place.param], v)
					}
				}
			}
		case in.word.kind == wordSort || in.word.kind == wordNear:
			order := in.word.key
			if in.word.kind == wordNear {
				order = SortDistance
			}
			e.Param, e.Values, e.To = "sort", []string{order}, []string{order}
			switch {
			case in.word.kind == wordNear && r.Near == nil:
				ignore("needs near=lat,lon")
			case sortSet && r.sortDefault:
				ignore("an earlier word set the sort")
			case sortSet:
				ignore("sort=" + r.Sort + " was given")
			default:
				e.Kind, r.Sort, sortSet = ExpandSort, order, true
			}
		case in.word.kind == wordAbroad:
			e.Param, e.To = FilterCountry, []string{"outside " + r.From}
			switch {
			case r.From == "":
				e.To = nil
				ignore("needs from=<country>")
			case clientGave(FilterCountry, fieldCity) != "":
				e.Values = []string{r.From}
				ignore(clientGave(FilterCountry, fieldCity) + "= was given")
			default:
				e.Kind, e.Values = ExpandExclude, []string{r.From}
				r.excludes = append(slices.Clip(r.excludes), clause{filter: mustFilter(FilterCountry), values: []string{r.From}})
			}
		}
		exps = append(exps, e)
	}
	for _, param := range []string{FilterCountry, fieldCity} {
		if vs := placed[param]; len(vs) > 0 {
			r.clauses = append(slices.Clip(r.clauses), clause{filter: mustFilter(param), values: vs, fromWords: true})
		}
	}
	r.text = textWithout(r.Query, found, kept)
	r.intents = exps
	return r, nil
}

func mustFilter(param string) *Filter {
	f, ok := filterNamed(param)
	if !ok {
		panic("no filter " + param)
	}
	return f
}

// without is q with in's words taken out.
func without(q string, in intent) string {
	return strings.Join(strings.Fields(q[:in.start]+" "+q[in.end:]), " ")
}

// textWithout is q without the intents found, except those kept as text.
func textWithout(q string, found, kept []intent) string {
	var b strings.Builder
	last := 0
	for _, in := range found {
		if slices.ContainsFunc(kept, func(k intent) bool { return k.start == in.start }) {
			continue
		}
		b.WriteString(q[last:in.start])
		b.WriteByte(' ')
		last = in.end
	}
	b.WriteString(q[last:])
	return strings.Join(strings.Fields(b.String()), " ")
}

// How a place word is read.
const (
	placeFilter = iota
	placeBoostOnly
	placeText
)

// placeWord decides how a place word is read: as text when it is a word of
// a treatment's names, as a boost when it names a facility or doctor
// outside the place, else as a filter.
func (ix *Index) placeWord(ctx context.Context, in intent) (int, error) {
	var named *roaring.Bitmap
	for _, tok := range queryTokenizer.Tokenize([]byte(in.text)) {
		word := string(tok.Term)
		for _, lang := range Languages {
			for _, term := range Analyze(lang, word) {
				b, err := postings(ctx, ix.reader, joinField(lang), term)
				if err != nil {
					return 0, err
				}
				if !b.IsEmpty() {
					return placeText, nil
				}
			}
		}
		terms := Analyze(LangEnglish, word)
		if len(terms) == 0 {
			continue
		}
		b, err := postings(ctx, ix.reader, fieldName, terms[0])
		if err != nil {
			return 0, err
		}
		if named == nil {
			named = b
		} else {
			named.And(b)
		}
	}
	if named == nil || named.IsEmpty() {
		return placeFilter, nil
	}
	// A facility or doctor elsewhere makes the word ambiguous; one whose
	// place is not known ("Saint Roch Hospital in Budapest", no city)
	// does not.
	types := ix.cols.keywords[fieldType]
	col := ix.cols.keywords[mustFilter(in.place.param).Field]
	named.And(roaring.Or(types.bitmap(TypeFacility), types.bitmap(TypeDoctor)))
	elsewhere := false
	named.Iterate(func(doc uint32) bool {
		if ord, ok := col.first(doc); ok && !slices.Contains(in.place.values, col.values[ord]) {
			elsewhere = true
		}
		return !elsewhere
	})
	if elsewhere {
		return placeBoostOnly, nil
	}
	return placeFilter, nil
}

// intentWords are the query's words that became intents, as typed.
func (r *Request) intentWords() string {
	var words []string
	for _, e := range r.intents {
		if e.Kind != ExpandBoost { // a boost's words stayed in the text
			words = append(words, e.Text)
		}
	}
	return strings.Join(words, " ")
}

// withoutEmptyPlaces runs search on r, and when the places its words
// became leave nothing ("dental implants budapest" in a catalogue with no
// dental implants in Budapest), runs it again without them: the patient
// sees the treatment elsewhere, and the expansions say the place was
// ignored and why, rather than an empty page.
func withoutEmptyPlaces(r Request, search func(Request) (*Result, error)) (*Result, error) {
	res, err := search(r)
	if err != nil || res.Total > 0 || r.PerPage == 0 ||
		!slices.ContainsFunc(r.clauses, func(c clause) bool { return c.fromWords }) {
		return res, err
	}
	r.clauses = slices.DeleteFunc(slices.Clone(r.clauses), func(c clause) bool { return c.fromWords })
	r.intents = slices.Clone(r.intents)
	for i, e := range r.intents {
		if e.Kind == ExpandFilter {
			r.intents[i].Kind, r.intents[i].Reason = ExpandIgnored, "nothing in "+strings.Join(e.To, ", ")+" matched the rest of the query"
		}
	}
	return search(r)
}
