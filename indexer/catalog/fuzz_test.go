package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/careatlas/careatlas/search"
)

// The fuzz targets feed an operator's catalogue files to the reader: one
// file replaced by the fuzzer's bytes, the others the mini catalogue's, so
// that rows which parse are also checked against the other tables. What
// must hold for any bytes: no panic; a failure is a *FieldError naming the
// file and a line (and the field, once a row is split into fields); and
// every string read is valid UTF-8 without NUL, as PostgreSQL's text type
// requires (else COPY fails later, naming no line).

// miniFS is the mini catalogue in memory, with file replaced by data.
func miniFS(t *testing.T, file string, data []byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, tbl := range Tables {
		b, err := os.ReadFile(filepath.Join(mini, tbl.File))
		if err != nil {
			t.Fatal(err)
		}
		fsys[tbl.File] = &fstest.MapFile{Data: b}
	}
	fsys[file] = &fstest.MapFile{Data: data}
	return fsys
}

// checkCatalogue reads every table in order and checks the invariants.
func checkCatalogue(t *testing.T, fsys fstest.MapFS) {
	r, err := OpenFS(fsys, "fuzz")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	seqs := []func(func(any, error) bool){
		erase(r.ExchangeRates()), erase(r.Countries()), erase(r.Treatments()), erase(r.Facilities()),
		erase(r.Doctors()), erase(r.DoctorTreatments()), erase(r.Offers()), erase(r.TreatmentTranslations()),
		erase(r.Synonyms()), erase(r.Posts()), erase(r.PriceReferences()),
	}
	if len(seqs) != len(Tables) {
		t.Fatalf("the fuzz targets read %d tables of %d: add the new one", len(seqs), len(Tables))
	}
	for _, seq := range seqs {
		for v, err := range seq {
			if err != nil {
				checkError(t, err)
				return
			}
			checkStrings(t, reflect.ValueOf(v))
		}
	}
}

func checkError(t *testing.T, err error) {
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %q (%T) names no file and line", err, err)
	}
	if fe.File == "" || fe.Line < 1 {
		t.Fatalf("error %q: file %q line %d", err, fe.File, fe.Line)
	}
	if !strings.Contains(err.Error(), "line") {
		t.Fatalf("error %q does not say the line", err)
	}
	if !utf8.ValidString(err.Error()) {
		t.Fatalf("error message is not valid UTF-8: %q", err)
	}
}

// checkStrings walks a parsed row and checks every string in it.
func checkStrings(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			t.Fatalf("read %q: not valid UTF-8 text", s)
		}
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			checkStrings(t, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			checkStrings(t, v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			checkStrings(t, v.Field(i))
		}
	}
}

// FuzzTable replaces one table's file (chosen by table) with data.
func FuzzTable(f *testing.F) {
	for i, tbl := range Tables {
		b, err := os.ReadFile(filepath.Join(mini, tbl.File))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
	}
	f.Fuzz(func(t *testing.T, table uint8, data []byte) {
		tbl := Tables[int(table)%len(Tables)]
		checkCatalogue(t, miniFS(t, tbl.File, data))
	})
}

// FuzzPosts replaces posts.csv, the file providers' posts come in.
func FuzzPosts(f *testing.F) {
	b, err := os.ReadFile(filepath.Join(mini, "posts.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCatalogue(t, miniFS(t, "posts.csv", data))
	})
}

// FuzzSynonyms replaces synonyms.csv and builds the synonym graph from
// what it reads, as a server does.
func FuzzSynonyms(f *testing.F) {
	b, err := os.ReadFile(filepath.Join(mini, "synonyms.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := miniFS(t, "synonyms.csv", data)
		checkCatalogue(t, fsys)
		r, err := OpenFS(fsys, "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		var edges []search.SynonymEdge
		for s, err := range r.Synonyms() {
			if err != nil {
				return
			}
			if s.Term == "" || s.Term != NormalizeTerm(s.Term) || s.Term == s.Synonym {
				t.Fatalf("edge %q → %q is not normalised", s.Term, s.Synonym)
			}
			edges = append(edges, search.SynonymEdge{Term: s.Term, Synonym: s.Synonym, Source: s.Source})
		}
		if g := search.NewSynonyms(edges); g.Len() < 0 {
			t.Fatal("negative graph")
		}
	})
}
