// Package careatlas holds what the whole product shares and no package owns:
// the demo catalogue, built into every binary.
package careatlas

import (
	"embed"
	"io/fs"
)

// The demo catalogue is embedded by pattern, not by name, so that a file
// added to testdata/catalog (price_references.csv, say) comes along without
// an edit here. A directory named testdata is invisible to the go tool as a
// package but not to go:embed, and it is part of the module zip, so the
// files are there after 'go install …/cmd/careatlas@latest' too.
//
//go:embed testdata/catalog/*.csv testdata/catalog/*.md
var demo embed.FS

// DemoCatalog is the bundled demo catalogue (testdata/catalog) as read-only
// files, so that 'careatlas serve' and 'careatlas load' work from any
// directory, without a checkout.
func DemoCatalog() fs.FS {
	sub, err := fs.Sub(demo, "testdata/catalog")
	if err != nil {
		panic(err) // the pattern above is fixed: a failure is a bug
	}
	return sub
}
