package replica

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/careatlas/careatlas/search"
	"golang.org/x/sync/errgroup"
)

// ErrCorrupt is returned when a downloaded file's size or checksum differs
// from the manifest's, or a file the manifest lists is missing: the
// generation in the store is not the one that was built, and is refused.
var ErrCorrupt = errors.New("generation in the store does not match its manifest")

const buildingSuffix = ".building"

// Download fetches the generation m describes into indexDir and makes it
// the local current one with search.Publish, so a server switches to it as
// it does after a local build. The files go to NAME.building first and
// every one is checked against the manifest; any failure (a checksum, a
// missing object, the store, the context) deletes that directory and
// leaves current as it was. It returns the published path.
func Download(ctx context.Context, s *Store, m *Manifest, indexDir string) (string, error) {
	if err := m.validate(); err != nil {
		return "", fmt.Errorf("download %s: %w", m.Generation, err)
	}
	final := filepath.Join(indexDir, m.Generation)
	if cur, err := search.Current(indexDir); err == nil && cur == final {
		return final, nil
	}
	building := final + buildingSuffix
	// A download that was interrupted (a kill, a crash) left this
	// behind; start over rather than trust half-written files.
	if err := os.RemoveAll(building); err != nil {
		return "", fmt.Errorf("download %s: %w", m.Generation, err)
	}
	if err := fetchAll(ctx, s, m, building); err != nil {
		os.RemoveAll(building)
		return "", fmt.Errorf("download %s: %w", m.Generation, err)
	}
	// The name is taken only when an earlier copy was published and then
	// replaced (a rollback): that copy is no longer current, so it goes.
	if err := os.RemoveAll(final); err != nil {
		os.RemoveAll(building)
		return "", fmt.Errorf("download %s: %w", m.Generation, err)
	}
	path, err := search.Publish(indexDir, building)
	if err != nil {
		os.RemoveAll(building)
		return "", fmt.Errorf("download %s: %w", m.Generation, err)
	}
	return path, nil
}

// fetchAll downloads every file of m into dir, a few at a time.
func fetchAll(ctx context.Context, s *Store, m *Manifest, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(transfers)
	for _, f := range m.Files {
		g.Go(func() error { return fetch(gctx, s, m.Generation, f, dir) })
	}
	return g.Wait()
}

// fetch downloads one file, hashing it as it is written, and syncs it: the
// symlink flip that follows must not publish data still in the page cache
// that a crash could lose.
func fetch(ctx context.Context, s *Store, gen string, f File, dir string) error {
	r, err := s.get(ctx, s.fileKey(gen, f.Path))
	if errors.Is(err, errNotFound) {
		return fmt.Errorf("%s: missing from the store: %w", f.Path, ErrCorrupt)
	}
	if err != nil {
		return err
	}
	defer r.Close()
	p := filepath.Join(dir, filepath.FromSlash(f.Path))
	if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
		return fmt.Errorf("%s: outside the generation: %w", f.Path, ErrCorrupt)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	h := sha256.New()
	// One byte more than expected, to notice an object that is too long
	// without reading an unbounded one.
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(r, f.Size+1))
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if n != f.Size {
		return fmt.Errorf("%s: %d bytes in the store, the manifest says %d: %w", f.Path, n, f.Size, ErrCorrupt)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return fmt.Errorf("%s: SHA-256 %s, the manifest says %s: %w", f.Path, sum, f.SHA256, ErrCorrupt)
	}
	if err := out.Sync(); err != nil {
		return err
	}
	return out.Close()
}

// CleanBuilding removes the NAME.building directories a killed download
// left in indexDir. A replica calls it once at start, before anything
// else writes there.
func CleanBuilding(indexDir string) error {
	entries, err := os.ReadDir(indexDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("clean %s: %w", indexDir, err)
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "gen-") && strings.HasSuffix(e.Name(), buildingSuffix) {
			if err := os.RemoveAll(filepath.Join(indexDir, e.Name())); err != nil {
				return fmt.Errorf("clean %s: %w", indexDir, err)
			}
		}
	}
	return nil
}
