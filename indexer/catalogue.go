package indexer

import (
	"io/fs"
	"os"

	"github.com/careatlas/careatlas"
)

// Catalogue returns the files of the catalogue at dir, or of the demo
// catalogue built into the binary when dir is "". The empty name is the
// default of every command's catalogue flag, so that 'careatlas serve' and
// 'careatlas load' need no checkout and no working directory of any kind,
// and a directory given on the command line still wins.
func Catalogue(dir string) fs.FS {
	if dir == "" {
		return careatlas.DemoCatalog()
	}
	return os.DirFS(dir)
}

// CatalogueName names the catalogue at dir in messages.
func CatalogueName(dir string) string {
	if dir == "" {
		return DemoCatalogueName
	}
	return dir
}

// DemoCatalogueName is how messages name the built-in demo catalogue.
const DemoCatalogueName = "the built-in demo catalogue"
