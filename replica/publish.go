package replica

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// transfers is how many files move at once: enough to hide a store's
// per-request latency, few enough not to swamp a replica that is serving.
const transfers = 4

// ErrNoGeneration is returned when the store or the database has no
// published generation yet.
var ErrNoGeneration = errors.New("no generation published yet")

// Info is what the builder knows about a generation that its files do not
// say cheaply.
type Info struct {
	Docs              int    // documents indexed
	ChangelogPosition string // change-log position the build read up to; empty for now
}

// Publish uploads the finished generation in dir (a directory that
// search.Publish named) to the store: every file, then its manifest. Until
// the manifest is written no reader sees the generation, so an upload that
// fails half-way leaves the store's newest generation as it was; its
// stray files are deleted here when the store allows, else by GC.
func Publish(ctx context.Context, s *Store, dir string, info Info) (*Manifest, error) {
	m := &Manifest{Generation: filepath.Base(dir), Docs: info.Docs, ChangelogPosition: info.ChangelogPosition}
	m.Created = createdAt(m.Generation)
	if !isGenerationName(m.Generation) {
		return nil, fmt.Errorf("publish %s: not a published generation directory", dir)
	}
	files, err := localFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("publish %s: %w", m.Generation, err)
	}
	m.Files = make([]File, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(transfers)
	for i, rel := range files {
		g.Go(func() error {
			f, err := upload(gctx, s, m.Generation, dir, rel)
			m.Files[i] = f
			return err
		})
	}
	if err := g.Wait(); err != nil {
		s.discard(ctx, m.Generation)
		return nil, fmt.Errorf("publish %s: %w", m.Generation, err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("publish %s: %w", m.Generation, err)
	}
	if err := s.put(ctx, s.manifestKey(m.Generation), bytes.NewReader(b), int64(len(b)), "application/json"); err != nil {
		s.discard(ctx, m.Generation)
		return nil, fmt.Errorf("publish %s: %w", m.Generation, err)
	}
	return m, nil
}

// localFiles lists the regular files under dir, relative, slash-separated
// and sorted, so a manifest is the same for the same build.
func localFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("the generation has no files")
	}
	slices.Sort(files)
	return files, nil
}

// upload hashes one file and puts it in the store. The hash is taken
// before the upload, from the same bytes the builder left on disk.
func upload(ctx context.Context, s *Store, gen, dir, rel string) (File, error) {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	size, sum, err := hashFile(p)
	if err != nil {
		return File{}, err
	}
	f, err := os.Open(p)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	if err := s.put(ctx, s.fileKey(gen, rel), f, size, "application/octet-stream"); err != nil {
		return File{}, err
	}
	return File{Path: rel, Size: size, SHA256: sum}, nil
}

// discard deletes what a failed upload of gen left, best effort: when the
// store is the reason for the failure this fails too, and GC deletes the
// orphan later.
func (s *Store) discard(ctx context.Context, gen string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	s.deleteGeneration(ctx, gen)
}

// deleteGeneration deletes gen's manifest first, so the generation stops
// being visible before any of its files go, then the files.
func (s *Store) deleteGeneration(ctx context.Context, gen string) error {
	if err := s.remove(ctx, []string{s.manifestKey(gen)}); err != nil {
		return err
	}
	objs, err := s.objects(ctx, gen)
	if err != nil {
		return err
	}
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	return s.remove(ctx, keys)
}

// FetchManifest reads the manifest of generation gen from the store; a
// generation whose upload has not finished has none, and gives
// ErrNoGeneration.
func FetchManifest(ctx context.Context, s *Store, gen string) (*Manifest, error) {
	r, err := s.get(ctx, s.manifestKey(gen))
	if errors.Is(err, errNotFound) {
		return nil, fmt.Errorf("generation %s: %w", gen, ErrNoGeneration)
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxManifest))
	if err != nil {
		return nil, fmt.Errorf("read manifest of %s: %w", gen, err)
	}
	return ParseManifest(b)
}

// maxManifest bounds what a manifest download may hold: a generation has
// tens of files, not millions.
const maxManifest = 16 << 20

// Latest returns the manifest of the newest generation in the store whose
// upload finished. It is how a replica with no database follows; with one,
// the generations table answers without listing the bucket.
func Latest(ctx context.Context, s *Store) (*Manifest, error) {
	names, err := s.generationNames(ctx)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Backward(names) {
		m, err := FetchManifest(ctx, s, name)
		if errors.Is(err, ErrNoGeneration) {
			continue // an upload under way, or one that failed
		}
		return m, err
	}
	return nil, fmt.Errorf("%s: %w", s.URL(), ErrNoGeneration)
}

// Record makes m, already uploaded to s, the newest published generation
// in PostgreSQL and wakes the replicas that follow s, in one transaction.
// It is the second half of a publish, after Publish.
func Record(ctx context.Context, pool *pgxpool.Pool, s *Store, m *Manifest) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("record %s: %w", m.Generation, err)
	}
	return postgres.PublishGeneration(ctx, pool, s.URL(), m.Generation, b)
}
