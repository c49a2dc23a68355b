package search

import (
	"path/filepath"
	"strings"
	"time"
)

// What an operator's dashboard shows of an open index, read off what the
// index already holds in memory: nothing here touches Bleve.

// DocsByType counts the index's documents of each type (every one of
// Types, zero included), from the type column.
func (ix *Index) DocsByType() map[string]uint64 {
	col := ix.cols.keywords[fieldType]
	out := make(map[string]uint64, len(Types))
	for _, t := range Types {
		out[t] = col.bitmap(t).GetCardinality()
	}
	return out
}

// GenerationTime is when the generation at path was started, read from its
// name (NewGeneration writes the time into it); ok is false for a path not
// named like a generation. The age of the served generation is how stale
// search is behind the catalogue.
func GenerationTime(path string) (t time.Time, ok bool) {
	name := strings.TrimSuffix(filepath.Base(path), buildingSufix)
	stamp, found := strings.CutPrefix(name, genPrefix)
	if !found {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102T150405.000000000", stamp)
	return t, err == nil
}
