//go:build ignore

// querywords_gen.go fills querywords.csv's country rows with each country
// of the bundled catalogue's name in every language column, from the
// Unicode CLDR (golang.org/x/text/language/display), keeping the names
// written in by hand (UK, USA, …) and every other row as it is. A new
// language is a new column: add it to the header and run
//
//	go run querywords_gen.go
package main

import (
	"encoding/csv"
	"log"
	"os"
	"slices"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

func main() {
	rows := read("querywords.csv")
	header, rows := rows[0], rows[1:]
	countries := read("../testdata/catalog/countries.csv")[1:]
	byCode := map[string][]string{}
	var other, cities [][]string
	for _, r := range rows {
		switch r[0] {
		case "country":
			byCode[r[1]] = r
		case "city":
			cities = append(cities, r)
		default:
			other = append(other, r)
		}
	}
	var out [][]string
	out = append(out, header)
	out = append(out, other...)
	var codes []string
	for _, c := range countries {
		codes = append(codes, c[0])
	}
	slices.Sort(codes)
	for _, code := range codes {
		r := byCode[code]
		if r == nil {
			r = make([]string, len(header))
			r[0], r[1] = "country", code
		}
		for len(r) < len(header) {
			r = append(r, "")
		}
		for i, lang := range header[2:] {
			name := display.Regions(language.Make(lang)).Name(language.MustParseRegion(code))
			cell := r[2+i]
			var names []string
			if cell != "" {
				names = strings.Split(cell, "|")
			}
			if name != "" && !slices.Contains(names, name) {
				names = append([]string{name}, names...)
			}
			r[2+i] = strings.Join(names, "|")
		}
		out = append(out, r)
	}
	out = append(out, cities...)
	f, err := os.Create("querywords.csv")
	if err != nil {
		log.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(out); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func read(path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	return rows
}
