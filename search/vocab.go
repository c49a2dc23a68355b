package search

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// vocabulary is the words patients search by: treatment names, lay names and
// translations, facility names and places, doctors' names and specialties,
// folded to lowercase ASCII, with how many records use each. Typo tolerance
// and "did you mean" correct a query word to its nearest entries. It is
// collected while an index is built and stored in it, so a served index
// needs no second pass over its records.
type vocabulary struct {
	// byLen[n] lists the words of n runes, most used first.
	byLen map[int][]vocabWord
	// original maps a folded word to its most used spelling ("hufte" →
	// "hüfte"), which languages with their own letters analyse correctly.
	original map[string]string
}

type vocabWord struct {
	word  string
	count int
}

var vocabKey = []byte("careatlas.vocabulary")

// maxVocabWordLen bounds the words kept: longer ones are codes and compounds
// nobody retypes.
const maxVocabWordLen = 30

// vocabCounter counts words while an index is built.
type vocabCounter struct {
	counts   map[string]int
	original map[string]string
}

func newVocabCounter() *vocabCounter {
	return &vocabCounter{counts: map[string]int{}, original: map[string]string{}}
}

// add counts each distinct word of texts once.
func (v *vocabCounter) add(texts ...string) {
	seen := map[string]bool{}
	for _, text := range texts {
		for _, tok := range queryTokenizer.Tokenize([]byte(text)) {
			w := string(tok.Term)
			f := fold(w)
			n := utf8.RuneCountInString(f)
			if n < 3 || n > maxVocabWordLen || seen[f] || isNumber(f) {
				continue
			}
			seen[f] = true
			v.counts[f]++
			if _, ok := v.original[f]; !ok {
				v.original[f] = strings.ToLower(w)
			}
		}
	}
}

func (v *vocabCounter) addRecord(r *Record) {
	switch r.Type {
	case TypeTreatment:
		v.add(r.Name, r.Category)
		v.add(r.LayNames...)
		for _, t := range r.Translations {
			v.add(t.Name)
			v.add(t.LayNames...)
		}
	case TypeFacility:
		v.add(r.Name, r.City, r.CountryName)
	case TypeDoctor:
		v.add(r.Name)
		v.add(r.Specialties...)
	}
}

// vocabFile is the stored form: folded word → count, and the spellings
// that differ from the folded word.
type vocabFile struct {
	Counts   map[string]int    `json:"counts"`
	Original map[string]string `json:"original,omitempty"`
}

func (v *vocabCounter) marshal() ([]byte, error) {
	return json.Marshal(vocabFile{Counts: v.counts, Original: v.respelled()})
}

// respelled is the spellings that differ from their folded word.
func (v *vocabCounter) respelled() map[string]string {
	out := map[string]string{}
	for folded, orig := range v.original {
		if orig != folded {
			out[folded] = orig
		}
	}
	return out
}

func loadVocabulary(raw []byte) (*vocabulary, error) {
	var f vocabFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, err
	}
	return newVocabulary(f.Counts, f.Original), nil
}

// newVocabulary is the vocabulary of words counted, spelled as original
// says where they differ from their folded form.
func newVocabulary(counts map[string]int, original map[string]string) *vocabulary {
	v := &vocabulary{byLen: map[int][]vocabWord{}, original: original}
	for w, n := range counts {
		l := utf8.RuneCountInString(w)
		v.byLen[l] = append(v.byLen[l], vocabWord{w, n})
	}
	for _, ws := range v.byLen {
		slices.SortFunc(ws, func(a, b vocabWord) int {
			if a.count != b.count {
				return b.count - a.count
			}
			return cmp.Compare(a.word, b.word)
		})
	}
	return v
}

// correction is a known word near a typed one.
type correction struct {
	word     string // as spelled in the catalogue
	distance int
	count    int
}

// maxTypoDistance is how many edits a word of n runes may be from its
// correction: none below 3 runes, one up to 7, two from 8.
func maxTypoDistance(n int) int {
	switch {
	case n < 3:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// near returns up to limit known words within maxTypoDistance of the folded
// word w, nearest first, then most used. Words of four letters or fewer must
// keep their first letter, or "kne" would also be "one".
func (v *vocabulary) near(w string, limit int) []correction {
	rw := []rune(w)
	d := maxTypoDistance(len(rw))
	if d == 0 {
		return nil
	}
	var out []correction
	for l := len(rw) - d; l <= len(rw)+d; l++ {
		for _, cand := range v.byLen[l] {
			cr := []rune(cand.word)
			if len(rw) <= 4 && cr[0] != rw[0] {
				continue
			}
			if dist := editDistance(rw, cr, d); dist <= d && dist > 0 {
				out = append(out, correction{word: v.spelling(cand.word), distance: dist, count: cand.count})
			}
		}
	}
	slices.SortFunc(out, func(a, b correction) int {
		if a.distance != b.distance {
			return a.distance - b.distance
		}
		if a.count != b.count {
			return b.count - a.count
		}
		return cmp.Compare(a.word, b.word)
	})
	return out[:min(limit, len(out))]
}

// has reports whether the folded word is known.
func (v *vocabulary) has(w string) bool {
	for _, cand := range v.byLen[utf8.RuneCountInString(w)] {
		if cand.word == w {
			return true
		}
	}
	return false
}

func (v *vocabulary) spelling(folded string) string {
	if o, ok := v.original[folded]; ok {
		return o
	}
	return folded
}

// editDistance is the optimal-string-alignment distance between a and b
// (insertions, deletions, substitutions and swaps of neighbours each cost
// one), or max+1 as soon as it must exceed max.
func editDistance(a, b []rune, maxD int) int {
	if abs(len(a)-len(b)) > maxD {
		return maxD + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > maxD {
			return maxD + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
