package indexer

import (
	"cmp"
	"fmt"
	"io/fs"
	"slices"

	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/search"
)

// FileSynonyms reads the synonym graph from synonyms.csv in a catalogue
// directory (as Catalogue resolves it: "" is the demo catalogue), for a
// server that runs without a database. A catalogue without the file has no
// synonyms. Edges are ordered as LoadSynonyms orders them.
func FileSynonyms(dir string) ([]search.SynonymEdge, error) {
	return FileSynonymsFS(Catalogue(dir), CatalogueName(dir))
}

// FileSynonymsFS is FileSynonyms over the catalogue files in fsys.
func FileSynonymsFS(fsys fs.FS, name string) ([]search.SynonymEdge, error) {
	r, err := catalog.OpenFS(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read synonyms: %w", err)
	}
	var out []search.SynonymEdge
	for s, err := range r.Synonyms() {
		if err != nil {
			return nil, fmt.Errorf("read synonyms: %w", err)
		}
		out = append(out, search.SynonymEdge{Term: s.Term, Synonym: s.Synonym, Source: s.Source})
	}
	slices.SortFunc(out, func(a, b search.SynonymEdge) int {
		return cmp.Or(cmp.Compare(a.Term, b.Term), cmp.Compare(a.Synonym, b.Synonym))
	})
	return out, nil
}
