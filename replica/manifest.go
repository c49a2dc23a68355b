package replica

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"
)

const manifestName = "manifest.json"

// Manifest describes one published generation: every file with its size
// and SHA-256, so a replica can prove what it downloaded is what was built.
// It is the last object written, and a copy of it is the generation's row
// in PostgreSQL.
type Manifest struct {
	Generation string    `json:"generation"` // gen-20261123T101500.123456789: the local directory name too
	Created    time.Time `json:"created"`    // when the build started
	Docs       int       `json:"docs"`       // documents in the index
	// ChangelogPosition is the catalogue change-log position the build
	// read up to, so a replica can replay later changes on top. Empty
	// until the change log exists.
	ChangelogPosition string `json:"changelog_position"`
	Files             []File `json:"files"`
}

// File is one file of a generation, its path relative to the generation's
// directory with forward slashes.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lower-case hex
}

// Bytes is the generation's total size.
func (m *Manifest) Bytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// ParseManifest decodes and validates a manifest.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("manifest of %q: %w", m.Generation, err)
	}
	return &m, nil
}

// validate refuses a manifest that could make a download write outside its
// directory or that cannot describe a generation: a manifest comes from a
// bucket, which is input like any other.
func (m *Manifest) validate() error {
	if !isGenerationName(m.Generation) {
		return fmt.Errorf("%q is not a generation name", m.Generation)
	}
	if len(m.Files) == 0 {
		return errors.New("lists no files")
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		if f.Path == "" || f.Path != path.Clean(f.Path) || path.IsAbs(f.Path) || f.Path == ".." ||
			strings.HasPrefix(f.Path, "../") || strings.Contains(f.Path, `\`) {
			return fmt.Errorf("file path %q is not a plain relative path", f.Path)
		}
		if seen[f.Path] {
			return fmt.Errorf("file %q is listed twice", f.Path)
		}
		seen[f.Path] = true
		if f.Size < 0 {
			return fmt.Errorf("file %q has size %d", f.Path, f.Size)
		}
		if b, err := hex.DecodeString(f.SHA256); err != nil || len(b) != sha256.Size || f.SHA256 != strings.ToLower(f.SHA256) {
			return fmt.Errorf("file %q has checksum %q, not a SHA-256 in lower-case hex", f.Path, f.SHA256)
		}
	}
	return nil
}

// isGenerationName reports whether name is a published generation's name:
// gen-TIMESTAMP, one path element, not a build under way.
func isGenerationName(name string) bool {
	return strings.HasPrefix(name, "gen-") && len(name) > len("gen-") && !strings.ContainsAny(name, `/\`) &&
		!strings.HasSuffix(name, ".building") && name != "." && name != ".."
}

// createdAt reads the build time from a generation's name, which
// search.NewGeneration stamps; a name it cannot read gives the zero time.
func createdAt(name string) time.Time {
	t, err := time.Parse("20060102T150405.000000000", strings.TrimPrefix(name, "gen-"))
	if err != nil {
		return time.Time{}
	}
	return t
}

// hashFile returns the size and SHA-256 of the file at p.
func hashFile(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
