package main

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ---- deterministic pseudo-randomness ----

// hashKey returns a stable 64-bit FNV-1a hash of the parts. Every
// "random" choice in this program goes through it, so the output depends
// only on the input data and never on map order, time or a global seed.
func hashKey(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	// FNV's low bits are weak for short similar keys; mix them (splitmix64 finaliser).
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// pick returns a stable index in [0, n) for the key.
func pick(n int, parts ...string) int {
	if n <= 0 {
		return 0
	}
	return int(hashKey(parts...) % uint64(n))
}

// frac returns a stable number in [0, 1) for the key.
func frac(parts ...string) float64 {
	return float64(hashKey(parts...)>>11) / float64(uint64(1)<<53)
}

// ---- CSV input ----

// table is a CSV file read into memory with a header index.
type table struct {
	header map[string]int
	rows   [][]string
}

// get returns the named column of row i ("" when absent).
func (t *table) get(row []string, col string) string {
	i, ok := t.header[col]
	if !ok || i >= len(row) {
		return ""
	}
	return row[i]
}

func readCSV(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("gunzip %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("parse %s: empty file", path)
	}
	t := &table{header: map[string]int{}, rows: recs[1:]}
	for i, h := range recs[0] {
		t.header[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	return t, nil
}

// ---- CSV output ----

// writeCSV writes header + rows with encoding/csv (RFC 4180 quoting) and
// returns the number of bytes written.
func writeCSV(dir, name string, header []string, rows [][]string) (int64, error) {
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", path, err)
	}
	w := csv.NewWriter(f)
	if err := w.Write(header); err != nil {
		f.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	for _, r := range rows {
		if len(r) != len(header) {
			f.Close()
			return 0, fmt.Errorf("write %s: row has %d fields, header %d: %q", path, len(r), len(header), r)
		}
	}
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("close %s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("stat %s: %w", path, err)
	}
	return st.Size(), nil
}

// ---- formatting ----

func fmtMoney(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
func fmtCoord(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
func fmtRating(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
}

// roundSig rounds v to n significant figures; clinic price lists quote
// round numbers, so converted prices are rounded the same way.
func roundSig(v float64, n int) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// joinList joins list values with "|" after dropping empties, values that
// contain "|" (the list separator) and case-insensitive duplicates.
func joinList(vals []string) string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vals {
		v = strings.TrimSpace(v)
		k := strings.ToLower(v)
		if v == "" || strings.Contains(v, "|") || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return strings.Join(out, "|")
}

// ---- text helpers ----

var spaceRE = regexp.MustCompile(`\s+`)

// cleanSpace removes zero-width characters and collapses whitespace.
func cleanSpace(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\ufeff':
			return -1
		case '\u00a0':
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
}

var nonAlnumRE = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// normPhrase lowercases and reduces s to space-separated alphanumeric
// words, for whole-phrase matching.
func normPhrase(s string) string {
	return strings.TrimSpace(nonAlnumRE.ReplaceAllString(strings.ToLower(s), " "))
}

// truncateWords cuts s to at most max bytes on a word boundary, adding "…".
func truncateWords(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndex(s[:max], " ")
	if cut < max/2 {
		cut = max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:.-") + "…"
}

// upperKeep lists tokens that stay upper case when title-casing CMS text.
var upperKeep = map[string]bool{
	"US": true, "USA": true, "PO": true, "NE": true, "NW": true, "SE": true, "SW": true,
	"II": true, "III": true, "IV": true, "VA": true, "LLC": true, "UCLA": true, "UC": true,
	"UCSF": true, "UNC": true, "MC": true, "HCA": true, "CHI": true, "SSM": true, "OSF": true,
	"UPMC": true, "UAB": true, "UT": true, "LDS": true, "HWY": false,
}

// titleCase turns CMS ALL-CAPS text into "Title Case" ("1108 ROSS CLARK
// CIRCLE" -> "1108 Ross Clark Circle"), keeping known acronyms.
func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		core := strings.Trim(w, ",.()")
		if upperKeep[core] {
			continue
		}
		words[i] = titleWord(w)
	}
	return strings.Join(words, " ")
}

func titleWord(w string) string {
	rs := []rune(strings.ToLower(w))
	capNext := true
	for i, r := range rs {
		if unicode.IsLetter(r) {
			if capNext {
				rs[i] = unicode.ToUpper(r)
			}
			capNext = false
			continue
		}
		if unicode.IsDigit(r) {
			capNext = false
			continue
		}
		// Capitalise after hyphen, slash or bracket, and after an apostrophe
		// unless it is a possessive "'s".
		switch r {
		case '-', '/', '(':
			capNext = true
		case '\'', '’':
			capNext = i+2 < len(rs) && unicode.IsLetter(rs[i+1])
		}
	}
	return string(rs)
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}

func parseFloat(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}
