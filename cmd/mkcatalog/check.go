package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// checkBundled regenerates the catalogue from the raw data and compares it
// with the bundled files byte for byte, and checks the Turkish province
// table against the Ministry's own list: the bundled catalogue is exactly
// what this code makes. It needs the raw data, which is not part of the
// repository, so it is a command (.ci/test runs it where the data is)
// rather than a test that would have to skip without it.
func checkBundled(src, bundled string) error {
	out, err := os.MkdirTemp("", "mkcatalog-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	if err := run(src, out, false); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(out, "*.csv"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no files written (%v)", err)
	}
	var differ []string
	for _, f := range files {
		got, _ := os.ReadFile(f)
		want, err := os.ReadFile(filepath.Join(bundled, filepath.Base(f)))
		if err != nil || !bytes.Equal(got, want) {
			differ = append(differ, filepath.Base(f))
		}
	}
	if len(differ) > 0 {
		return fmt.Errorf("%s differ from what mkcatalog makes: run go run ./cmd/mkcatalog --out %s",
			strings.Join(differ, ", "), bundled)
	}
	sites, err := loadTurkey(src)
	if err != nil {
		return err
	}
	if len(sites) != 571+1095 {
		return fmt.Errorf("%d Ministry records, want 571 private and 1,095 public", len(sites))
	}
	for _, s := range sites {
		if s.City == "" || !slices.Contains(trProvinces[1:], s.City) {
			return fmt.Errorf("%q: province %q is not in the province table", s.Name, s.City)
		}
	}
	fmt.Printf("mkcatalog --check: %d files as bundled, %d Ministry records in known provinces\n", len(files), len(sites))
	return nil
}
