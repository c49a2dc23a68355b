package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// treatment is one row of treatments.csv.
type treatment struct {
	ID       int
	Name     string
	Category string
	Lay      []string
	Code     string

	drg      string   // DRG code ("470") for US DRG treatments
	priceKey string   // price-table treatment name for the 21 priced ones
	includes string   // what a price-table price covers
	official []string // official definition and CMS lay names (matched like the name)
}

// maxLayNames caps lay names per treatment (curated ones always come first).
const maxLayNames = 15

// drgAbbrev expands CMS abbreviations so the official definition reads as
// plain English.
var drgAbbrev = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\bW/O\b`), "without"},
	{regexp.MustCompile(`\bW\b`), "with"},
	{regexp.MustCompile(`&`), "and"},
	{regexp.MustCompile(`\bPERC\b`), "percutaneous"},
	{regexp.MustCompile(`\bCARDIOVASC\b`), "cardiovascular"},
	{regexp.MustCompile(`\bPROC\b`), "procedures"},
	{regexp.MustCompile(`\bGASTROENT\b`), "gastroenteritis"},
	{regexp.MustCompile(`\bMISC\b`), "miscellaneous"},
	{regexp.MustCompile(`\bDIGEST\b`), "digestive"},
	{regexp.MustCompile(`\bEXC\b`), "except"},
	{regexp.MustCompile(`\bFX\b`), "fracture"},
	{regexp.MustCompile(`\bSPRN\b`), "sprain"},
	{regexp.MustCompile(`\bSTRN\b`), "strain"},
	{regexp.MustCompile(`\bDISL\b`), "dislocation"},
	{regexp.MustCompile(`\bCARD CATH\b`), "cardiac catheterization"},
	{regexp.MustCompile(`\bHRS\b`), "hours"},
	{regexp.MustCompile(`\bG\.I\.`), "GI"},
	{regexp.MustCompile(`,(\S)`), ", $1"},
}

// drgAcronyms stay upper case after sentence-casing.
var drgAcronyms = map[string]bool{
	"cc": true, "mcc": true, "cc/mcc": true, "mv": true, "tpa": true, "ami": true,
	"gi": true, "c.d.e.": true, "o.r.": true,
}

// readableDRG turns "MAJOR JOINT REPLACEMENT ... W/O MCC" into
// "Major joint replacement ... without MCC".
func readableDRG(def string) string {
	s := def
	for _, a := range drgAbbrev {
		s = a.re.ReplaceAllString(s, a.repl)
	}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		core := strings.TrimRight(w, ",")
		if drgAcronyms[core] {
			words[i] = strings.ToUpper(core) + w[len(core):]
		}
	}
	s = strings.Join(words, " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fixParens closes an unbalanced "(" in CMS lay names.
func fixParens(s string) string {
	s = strings.TrimSpace(s)
	if strings.Count(s, "(") > strings.Count(s, ")") {
		s += ")"
	}
	return s
}

// buildDRGTreatments reads us_ipps_drg_catalog.csv (105 DRGs), sorted by code.
func buildDRGTreatments(src string) ([]*treatment, error) {
	t, err := readCSV(filepath.Join(src, "us_ipps_drg_catalog.csv"))
	if err != nil {
		return nil, err
	}
	var out []*treatment
	for _, r := range t.rows {
		code := t.get(r, "drg_code")
		def := t.get(r, "drg_definition_official_fy2013")
		lay11 := fixParens(t.get(r, "lay_name_fy2011"))
		lay13 := fixParens(t.get(r, "lay_name_fy2013"))
		name := readableDRG(def)
		if name == "" { // the five FY2011-only DRGs have no official definition
			name = lay11
			if name == "" {
				name = lay13
			}
		}
		cat, ok := drgCategoryOverride[code]
		if !ok {
			cat, ok = drgCategory[t.get(r, "lay_categories")]
		}
		if !ok {
			return nil, fmt.Errorf("DRG %s: no category for lay category %q", code, t.get(r, "lay_categories"))
		}
		lay := splitList(drgLay[code])
		lay = append(lay, lay11, lay13)
		out = append(out, &treatment{
			Name: name, Category: cat, Lay: lay, Code: "DRG " + code,
			drg: code, official: []string{def, lay11, lay13},
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].drg < out[j].drg })
	return out, nil
}

// buildPriceTreatments returns the 21 price-table treatments in table order.
func buildPriceTreatments() []*treatment {
	var out []*treatment
	for _, p := range priceTreatments {
		out = append(out, &treatment{
			Name: p.Name, Category: p.Cat, Lay: splitList(p.Lay),
			priceKey: p.PriceKey, includes: p.Includes,
		})
	}
	return out
}

// treatmentResolver maps raw facility treatment names to canonical
// treatments (by name) or to a generic specialty category.
type treatmentResolver struct {
	canon   map[string]string // normPhrase(raw) -> canonical treatment name
	generic map[string]string // normPhrase(raw) -> category
	facCat  map[string]string // canonical facility-derived name -> category
	facLay  map[string]string
}

func newTreatmentResolver() *treatmentResolver {
	r := &treatmentResolver{canon: map[string]string{}, generic: map[string]string{},
		facCat: map[string]string{}, facLay: map[string]string{}}
	for _, p := range priceTreatments {
		r.canon[normPhrase(p.Name)] = p.Name
		for _, a := range splitList(p.Aliases) {
			r.canon[normPhrase(a)] = p.Name
		}
	}
	for _, f := range facTreatments {
		r.facCat[f.Name] = f.Cat
		r.facLay[f.Name] = f.Lay
		r.canon[normPhrase(f.Name)] = f.Name
		for _, a := range splitList(f.Aliases) {
			r.canon[normPhrase(a)] = f.Name
		}
	}
	for raw, cat := range genericSpecialties {
		r.generic[normPhrase(raw)] = cat
	}
	return r
}

// resolve returns the canonical treatment name for a raw listing name, or
// the specialty category when the name is a specialty, or neither.
func (r *treatmentResolver) resolve(raw string) (canon, generic string) {
	k := normPhrase(raw)
	return r.canon[k], r.generic[k]
}

// buildFacilityTreatments returns the facility-derived treatments whose
// canonical name occurs at two or more (merged) facilities, sorted by name.
func buildFacilityTreatments(res *treatmentResolver, facs []*intlFacility) []*treatment {
	count := map[string]int{}
	for _, f := range facs {
		seen := map[string]bool{}
		for _, raw := range f.Treatments {
			c, _ := res.resolve(raw)
			if _, isFac := res.facCat[c]; isFac && !seen[c] {
				seen[c] = true
				count[c]++
			}
		}
	}
	var out []*treatment
	for _, name := range sortedKeys(count) {
		if count[name] < 2 {
			continue
		}
		out = append(out, &treatment{Name: name, Category: res.facCat[name], Lay: splitList(res.facLay[name])})
	}
	return out
}

// medquadEntry is one MedQuAD focus with its synonyms.
type medquadEntry struct {
	terms    []string // focus first, then synonyms, as written
	focusKey string   // phraseKey of the focus ("" if unusable)
	synKeys  []string // phraseKeys of usable synonyms
}

// medquadSkipSources are drug/supplement pages: their names never describe
// a procedure and only add noise.
var medquadSkipSources = map[string]bool{"MPlusDrugs": true, "MPlusHerbsSupplements": true}

// medquadGeneric are phrases too general to tie a MedQuAD topic to a
// treatment, or to be useful as a lay name ("Surgery", "Rupture").
var medquadGeneric = map[string]bool{}

func init() {
	for _, w := range strings.Split(`disease|disorder|infection|other|major|procedure|complication|
		system|failure|injury|cancer|bleeding|obstruction|fracture|syndrome|surgery|treatment|therapy|
		shock|rupture|strangulation|incarceration|peripheral|respiratory|chronic|acute|cardiovascular|
		blood|renal|kidney|heart|metabolism|nutrition|electrolyte|medicine|drug|alcohol|
		rehabilitation|rehab|malignancy|edema|swelling|hemorrhage|circulatory system|nervous system|
		stent|implant|transplant|removal|fusion|breast|teeth|tooth|dental|operation|imaging|
		ultrasound|sonogram|biopsy|poisoning|stress|anxiety|patche|retina|retinal|dialysis|fistula|
		tissue sampling|allergy|hypersensitivity|diagnostic imaging|cervix|intrauterine`, "|") {
		medquadGeneric[phraseKey(w)] = true
	}
}

// phraseKey normalises a phrase for equality matching: lower case,
// alphanumeric words, and a naive singular of the last word.
func phraseKey(s string) string {
	n := normPhrase(s)
	if len(n) > 4 && strings.HasSuffix(n, "s") && !strings.HasSuffix(n, "ss") {
		n = n[:len(n)-1]
	}
	return n
}

// usableKey reports whether a key is specific enough to match on.
func usableKey(k string) bool { return len(k) >= 5 && !medquadGeneric[k] }

func loadMedQuAD(src string) ([]medquadEntry, error) {
	t, err := readCSV(filepath.Join(src, "medquad_focus_synonyms.csv"))
	if err != nil {
		return nil, err
	}
	var out []medquadEntry
	for _, r := range t.rows {
		if medquadSkipSources[t.get(r, "source")] {
			continue
		}
		e := medquadEntry{terms: []string{cleanSpace(t.get(r, "focus"))}}
		if k := phraseKey(e.terms[0]); usableKey(k) {
			e.focusKey = k
		}
		for _, syn := range strings.Split(t.get(r, "synonyms"), "|") {
			if syn = cleanSpace(syn); syn == "" {
				continue
			}
			e.terms = append(e.terms, syn)
			if k := phraseKey(syn); usableKey(k) {
				e.synKeys = append(e.synKeys, k)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

var (
	parenRE      = regexp.MustCompile(`\(([^)]*)\)?`)
	cutRE        = regexp.MustCompile(`(?i)\s(with|w|without|w/o|except|exc)\s.*$`)
	separatorRE  = regexp.MustCompile(`(?i),|/|&|\sand\s|\sor\s`)
	genericTails = []string{" treatment", " surgery", " care", " management", " therapy", " repair", " correction", " injection"}
)

// phrases splits a treatment text into the phrases a MedQuAD name must
// equal: the whole text and its parts, without parenthetical remarks,
// without what follows "with/without/except", and without generic tails
// such as "treatment". "Simple pneumonia & pleurisy W MCC" gives
// "simple pneumonia and pleurisy", "simple pneumonia", "pleurisy".
func phrases(s string, into map[string]bool) {
	for _, m := range parenRE.FindAllStringSubmatch(s, -1) {
		if !strings.Contains(strings.ToLower(m[1]), "complication") {
			phrases(m[1], into)
		}
	}
	s = cutRE.ReplaceAllString(parenRE.ReplaceAllString(s, " "), "")
	parts := append([]string{s}, separatorRE.Split(s, -1)...)
	for _, p := range parts {
		k := phraseKey(p)
		into[k] = true
		for _, tail := range genericTails {
			if strings.HasSuffix(k, tail) {
				into[strings.TrimSuffix(k, tail)] = true
			}
		}
	}
}

// addMedQuADSynonyms adds the focus and synonyms of a MedQuAD topic when
// its focus equals one of the treatment's phrases (name, official
// definition, CMS or curated lay names), or one of its synonyms equals a
// phrase of the name or official definition. Equality of whole phrases,
// rather than substring search, keeps "Stress" away from "stress
// incontinence". Added names are ordered shortest first and capped.
func addMedQuADSynonyms(ts []*treatment, mq []medquadEntry) {
	for _, t := range ts {
		names := map[string]bool{}
		phrases(t.Name, names)
		for _, o := range t.official {
			phrases(o, names)
		}
		lays := map[string]bool{}
		for _, l := range t.Lay {
			phrases(l, lays)
		}
		found := map[string]bool{}
		var extra []string
		for _, e := range mq {
			if !entryMatches(e, names, lays) {
				continue
			}
			for _, term := range e.terms {
				k := strings.ToLower(term)
				if found[k] || len(term) < 3 || len(term) > 50 || strings.Contains(term, "|") ||
					strings.Contains(term, " - ") || strings.Contains(term, "(") || medquadGeneric[phraseKey(term)] {
					continue
				}
				found[k] = true
				extra = append(extra, term)
			}
		}
		sort.Slice(extra, func(i, j int) bool {
			if len(extra[i]) != len(extra[j]) {
				return len(extra[i]) < len(extra[j])
			}
			return extra[i] < extra[j]
		})
		t.Lay = capLay(t.Name, append(t.Lay, extra...))
	}
}

func entryMatches(e medquadEntry, names, lays map[string]bool) bool {
	if e.focusKey != "" && (names[e.focusKey] || lays[e.focusKey]) {
		return true
	}
	for _, k := range e.synKeys {
		if names[k] {
			return true
		}
	}
	return false
}

// capLay deduplicates lay names case-insensitively (also against the
// treatment name), drops "|" and caps the list, keeping order.
func capLay(name string, lay []string) []string {
	seen := map[string]bool{strings.ToLower(name): true}
	var out []string
	for _, l := range lay {
		l = cleanSpace(l)
		k := strings.ToLower(l)
		if l == "" || seen[k] || strings.Contains(l, "|") {
			continue
		}
		seen[k] = true
		out = append(out, l)
		if len(out) == maxLayNames {
			break
		}
	}
	return out
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// assignTreatmentIDs numbers treatments 1..n in slice order and returns
// lookup maps by DRG code, price key and name.
func assignTreatmentIDs(ts []*treatment) (byDRG, byPriceKey, byName map[string]*treatment) {
	byDRG, byPriceKey, byName = map[string]*treatment{}, map[string]*treatment{}, map[string]*treatment{}
	for i, t := range ts {
		t.ID = i + 1
		if t.drg != "" {
			byDRG[t.drg] = t
		} else {
			byName[t.Name] = t
		}
		if t.priceKey != "" {
			byPriceKey[t.priceKey] = t
		}
	}
	return byDRG, byPriceKey, byName
}

func treatmentRows(ts []*treatment) [][]string {
	rows := make([][]string, 0, len(ts))
	for _, t := range ts {
		rows = append(rows, []string{itoa(t.ID), t.Name, t.Category, joinList(t.Lay), t.Code})
	}
	return rows
}
