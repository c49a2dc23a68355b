package replica_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/replica"
	"github.com/careatlas/careatlas/replica/s3test"
	"github.com/careatlas/careatlas/search"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/minio/minio-go/v7"
)

func TestMain(m *testing.M) {
	code := pgtest.Run(m)
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

const mini = "../testdata/mini"

// built is one generation of the mini catalogue, built once per test
// binary; tests copy it under new names, which is all that tells two
// generations apart here.
var built struct {
	once sync.Once
	dir  string
	path string
	docs int
	err  error
}

// generation returns a published generation named name in a new index
// directory of its own, as the indexer leaves it.
func generation(t *testing.T, name string) (path string, docs int) {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "replica-build-")
		if built.err != nil {
			return
		}
		stats, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: mini}, built.dir, nil)
		built.path, built.docs, built.err = stats.Path, stats.Docs, err
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	path = filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(path, os.DirFS(built.path)); err != nil {
		t.Fatal(err)
	}
	return path, built.docs
}

// genName returns the name of a generation built i hours ago.
func genName(i int) string {
	return "gen-" + time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour).
		Format("20060102T150405.000000000")
}

// newStore starts a store with a bucket and returns it opened at s3://idx/PREFIX.
func newStore(t *testing.T) (*s3test.Server, *replica.Store) {
	t.Helper()
	srv := s3test.Start(t)
	srv.Bucket("idx")
	st, err := replica.Open(srv.Config("idx", "catalogue/main"))
	if err != nil {
		t.Fatal(err)
	}
	return srv, st
}

func publish(t *testing.T, st *replica.Store, name string) *replica.Manifest {
	t.Helper()
	dir, docs := generation(t, name)
	m, err := replica.Publish(context.Background(), st, dir, replica.Info{Docs: docs})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sameTree fails unless the two directories hold the same files with the
// same bytes.
func sameTree(t *testing.T, want, got string) {
	t.Helper()
	files := map[string][]byte{}
	fs.WalkDir(os.DirFS(want), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files[p], _ = os.ReadFile(filepath.Join(want, p))
		}
		return err
	})
	n := 0
	err := fs.WalkDir(os.DirFS(got), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(filepath.Join(got, p))
		if w, ok := files[p]; err != nil || !ok || !bytes.Equal(b, w) {
			t.Errorf("%s differs from the built generation (%v)", p, err)
		}
		return nil
	})
	if err != nil || n != len(files) || n == 0 {
		t.Errorf("%d files downloaded, %d built (%v)", n, len(files), err)
	}
}

func TestPublishDownloadRoundTrip(t *testing.T) {
	ctx := context.Background()
	_, st := newStore(t)
	if _, err := replica.Latest(ctx, st); !errors.Is(err, replica.ErrNoGeneration) {
		t.Fatalf("an empty store: %v, want ErrNoGeneration", err)
	}
	name := genName(0)
	src, docs := generation(t, name)
	m, err := replica.Publish(ctx, st, src, replica.Info{Docs: docs})
	if err != nil {
		t.Fatal(err)
	}
	if m.Generation != name || m.Docs != docs || docs == 0 || !m.Created.Equal(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) ||
		m.ChangelogPosition != "" || len(m.Files) < 3 {
		t.Errorf("manifest %+v", m)
	}
	latest, err := replica.Latest(ctx, st)
	if err != nil || latest.Generation != name || len(latest.Files) != len(m.Files) {
		t.Fatalf("latest: %+v, %v", latest, err)
	}

	dir := t.TempDir()
	path, err := replica.Download(ctx, st, latest, dir)
	if err != nil {
		t.Fatal(err)
	}
	if cur, err := search.Current(dir); err != nil || cur != path || filepath.Base(path) != name {
		t.Fatalf("current %s (%v), downloaded to %s", cur, err, path)
	}
	sameTree(t, src, path)
	ix, err := search.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n, err := ix.DocCount(); err != nil || int(n) != docs {
		t.Errorf("the downloaded index holds %d documents (%v), want %d", n, err, docs)
	}
	// Downloading what is already current does nothing.
	if again, err := replica.Download(ctx, st, latest, dir); err != nil || again != path {
		t.Errorf("second download: %s %v", again, err)
	}
}

func TestDownloadRefusesWhatTheManifestDoesNotDescribe(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		damage func(t *testing.T, cl *minio.Client, key string, body []byte)
	}{
		{"a byte flipped", func(t *testing.T, cl *minio.Client, key string, body []byte) {
			body[len(body)/2] ^= 0x40
			put(t, cl, key, body)
		}},
		{"truncated", func(t *testing.T, cl *minio.Client, key string, body []byte) { put(t, cl, key, body[:len(body)-1]) }},
		{"longer", func(t *testing.T, cl *minio.Client, key string, body []byte) { put(t, cl, key, append(body, 0)) }},
		{"missing", func(t *testing.T, cl *minio.Client, key string, body []byte) {
			if err := cl.RemoveObject(ctx, "idx", key, minio.RemoveObjectOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, st := newStore(t)
			dir := t.TempDir()
			old := publish(t, st, genName(0))
			oldPath, err := replica.Download(ctx, st, old, dir)
			if err != nil {
				t.Fatal(err)
			}
			m := publish(t, st, genName(1))
			f := largest(m)
			key := "catalogue/main/" + m.Generation + "/files/" + f.Path
			body, err := os.ReadFile(filepath.Join(srv.Dir, "idx", key))
			if err != nil {
				t.Fatal(err)
			}
			c.damage(t, srv.Client(), key, body)

			_, err = replica.Download(ctx, st, m, dir)
			if !errors.Is(err, replica.ErrCorrupt) || !strings.Contains(err.Error(), f.Path) {
				t.Fatalf("download of a damaged generation: %v, want ErrCorrupt naming %s", err, f.Path)
			}
			if cur, err := search.Current(dir); err != nil || cur != oldPath {
				t.Errorf("current is %s (%v), want the old %s", cur, err, oldPath)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), m.Generation) {
					t.Errorf("the refused download left %s behind", e.Name())
				}
			}
		})
	}
}

func put(t *testing.T, cl *minio.Client, key string, body []byte) {
	t.Helper()
	if _, err := cl.PutObject(context.Background(), "idx", key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestManifestValidation(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	for _, c := range []struct {
		json string
		ok   bool
	}{
		{`{"generation":"gen-1","files":[{"path":"store/a.zap","size":3,"sha256":"` + sum + `"}]}`, true},
		{`{"generation":"gen-1","files":[]}`, false},
		{`{"generation":"../x","files":[{"path":"a","size":3,"sha256":"` + sum + `"}]}`, false},
		{`{"generation":"gen-1.building","files":[{"path":"a","size":3,"sha256":"` + sum + `"}]}`, false},
		{`{"generation":"gen-1","files":[{"path":"../../etc/passwd","size":3,"sha256":"` + sum + `"}]}`, false},
		{`{"generation":"gen-1","files":[{"path":"/etc/passwd","size":3,"sha256":"` + sum + `"}]}`, false},
		{`{"generation":"gen-1","files":[{"path":"a/./b","size":3,"sha256":"` + sum + `"}]}`, false},
		{`{"generation":"gen-1","files":[{"path":"a","size":-1,"sha256":"` + sum + `"}]}`, false},
		{`{"generation":"gen-1","files":[{"path":"a","size":3,"sha256":"abc"}]}`, false},
		{`{"generation":"gen-1","files":[{"path":"a","size":3,"sha256":"` + sum + `"},{"path":"a","size":3,"sha256":"` + sum + `"}]}`, false},
	} {
		_, err := replica.ParseManifest([]byte(c.json))
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.json, err, c.ok)
		}
	}
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct{ in, bucket, prefix string }{
		{"s3://idx/catalogue/main", "idx", "catalogue/main"},
		{"s3://idx/catalogue/main/", "idx", "catalogue/main"},
		{"s3://idx", "idx", ""},
		{"https://idx/x", "", ""},
		{"s3:///x", "", ""},
		{"s3://idx/a/../b", "", ""},
	} {
		b, p, err := replica.ParseURL(c.in)
		if b != c.bucket || p != c.prefix || (err == nil) != (c.bucket != "") {
			t.Errorf("ParseURL(%q) = %q, %q, %v", c.in, b, p, err)
		}
	}
}

// TestFailedUploadKeepsThePublishedGeneration stops the store in the
// middle of an upload: the publish fails, and readers still find the
// generation published before, complete.
func TestFailedUploadKeepsThePublishedGeneration(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t)
	srv.Bucket("idx")
	proxy := s3test.NewProxy(t, srv.Addr())
	cfg := srv.Config("idx", "catalogue/main")
	cfg.Endpoint = proxy.Endpoint()
	st, err := replica.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	old := publish(t, st, genName(0))

	dir, docs := generation(t, genName(1))
	stalled := proxy.StallAfter(64 << 10)
	failed := make(chan error, 1)
	go func() {
		_, err := replica.Publish(ctx, st, dir, replica.Info{Docs: docs})
		failed <- err
	}()
	select {
	case <-stalled:
	case err := <-failed:
		t.Fatalf("the upload finished (%v) before the proxy stalled it", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the upload never reached the stall")
	}
	srv.Stop()
	proxy.Release()
	select {
	case err := <-failed:
		if err == nil {
			t.Fatal("publish succeeded with the store stopped half-way")
		}
		t.Logf("publish failed as it should: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("publish did not give up on a stopped store within 60s")
	}

	srv.Restart()
	latest, err := replica.Latest(ctx, st)
	if err != nil || latest.Generation != old.Generation {
		t.Fatalf("after the failed upload the newest generation is %v (%v), want %s", latest, err, old.Generation)
	}
	if _, err := replica.FetchManifest(ctx, st, genName(1)); !errors.Is(err, replica.ErrNoGeneration) {
		t.Errorf("the failed generation's manifest: %v, want ErrNoGeneration", err)
	}
	into := t.TempDir()
	if _, err := replica.Download(ctx, st, latest, into); err != nil {
		t.Fatalf("the published generation no longer downloads: %v", err)
	}
}

func connect(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, pgtest.MustDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

// record publishes m's generation in PostgreSQL, as 'careatlas index
// --publish' does after the upload.
func record(t *testing.T, pool *pgxpool.Pool, st *replica.Store, m *replica.Manifest) {
	t.Helper()
	if err := replica.Record(context.Background(), pool, st, m); err != nil {
		t.Fatal(err)
	}
}

// waitCurrent waits until dir's current generation is name.
func waitCurrent(t *testing.T, dir, name string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		cur, _ := search.Current(dir)
		if filepath.Base(cur) == name {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("current is %q after %v, want %s", cur, within, name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func runFollower(t *testing.T, f *replica.Follower) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("follower: %v", err)
		}
	})
}

func TestFollower(t *testing.T) {
	ctx := context.Background()
	t.Run("woken by NOTIFY", func(t *testing.T) {
		srv, st := newStore(t)
		pool := connect(t)
		dir := t.TempDir()
		// Polling once an hour: only the notification can explain a
		// prompt switch.
		f := replica.NewFollower(st, pool, dir, replica.FollowOptions{ID: "r1", Poll: time.Hour, Heartbeat: 50 * time.Millisecond})
		runFollower(t, f)
		for deadline := time.Now().Add(10 * time.Second); !f.Status().Listening; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the follower is not listening after 10s")
			}
		}
		for i := range 2 {
			m := publish(t, st, genName(i))
			record(t, pool, st, m)
			waitCurrent(t, dir, m.Generation, 10*time.Second)
		}
		// The status follows the switch of the link a moment later.
		s := f.Status()
		for deadline := time.Now().Add(10 * time.Second); s.Downloads < 2 && time.Now().Before(deadline); s = f.Status() {
			time.Sleep(10 * time.Millisecond)
		}
		if s.Serving != genName(1) || s.Latest != genName(1) || s.Downloads != 2 || s.Failures != 0 || s.Behind() ||
			s.Store != "s3://idx/catalogue/main" {
			t.Errorf("status %+v", s)
		}
		// The heartbeat says what the replica serves.
		var gen string
		for deadline := time.Now().Add(5 * time.Second); gen != genName(1); time.Sleep(20 * time.Millisecond) {
			pool.QueryRow(ctx, `SELECT coalesce(generation, '') FROM replicas WHERE id = 'r1'`).Scan(&gen)
			if time.Now().After(deadline) {
				t.Fatalf("the replicas row says %q, want %s", gen, genName(1))
			}
		}

		// A damaged generation is refused: the replica stays where it
		// was and says why.
		m := publish(t, st, genName(2))
		corrupt(t, srv, m)
		record(t, pool, st, m)
		for deadline := time.Now().Add(10 * time.Second); f.Status().Failures == 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no failure reported for a damaged generation")
			}
		}
		s = f.Status()
		if cur, _ := search.Current(dir); filepath.Base(cur) != genName(1) || s.Serving != genName(1) ||
			s.Latest != genName(2) || !s.Behind() || !strings.Contains(s.LastError, "SHA-256") {
			t.Errorf("after a damaged generation: current %s, status %+v", cur, s)
		}
	})

	t.Run("polling, when no notification comes", func(t *testing.T) {
		_, st := newStore(t)
		pool := connect(t)
		dir := t.TempDir()
		f := replica.NewFollower(st, pool, dir, replica.FollowOptions{Poll: 100 * time.Millisecond})
		runFollower(t, f)
		m := publish(t, st, genName(0))
		// The row without the NOTIFY, as if the notification was lost.
		b, _ := json.Marshal(m)
		if _, err := pool.Exec(ctx, `INSERT INTO generations (prefix, name, manifest) VALUES ($1, $2, $3)`,
			st.URL(), m.Generation, b); err != nil {
			t.Fatal(err)
		}
		waitCurrent(t, dir, m.Generation, 10*time.Second)
	})

	t.Run("the store alone, with no database", func(t *testing.T) {
		_, st := newStore(t)
		dir := t.TempDir()
		f := replica.NewFollower(st, nil, dir, replica.FollowOptions{Poll: 100 * time.Millisecond})
		runFollower(t, f)
		for i := range 2 {
			m := publish(t, st, genName(i))
			waitCurrent(t, dir, m.Generation, 10*time.Second)
		}
	})

	t.Run("an interrupted download is cleaned up and redone", func(t *testing.T) {
		_, st := newStore(t)
		dir := t.TempDir()
		m := publish(t, st, genName(0))
		// What a kill during a download leaves: a partial .building.
		partial := filepath.Join(dir, m.Generation+".building", "store")
		if err := os.MkdirAll(partial, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(partial, "half.zap"), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
		f := replica.NewFollower(st, nil, dir, replica.FollowOptions{Poll: 100 * time.Millisecond})
		runFollower(t, f)
		waitCurrent(t, dir, m.Generation, 10*time.Second)
		if _, err := os.Stat(filepath.Join(dir, m.Generation, "store", "half.zap")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a file of the interrupted download survived: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, m.Generation+".building")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the interrupted download's directory survived: %v", err)
		}
	})
}

// largest returns the largest file of m, an index segment.
func largest(m *replica.Manifest) replica.File {
	f := m.Files[0]
	for _, g := range m.Files {
		if g.Size > f.Size {
			f = g
		}
	}
	return f
}

// corrupt flips a byte in the largest file of m in the store, behind the
// replica code's back.
func corrupt(t *testing.T, srv *s3test.Server, m *replica.Manifest) {
	t.Helper()
	key := "catalogue/main/" + m.Generation + "/files/" + largest(m).Path
	body, err := os.ReadFile(filepath.Join(srv.Dir, "idx", key))
	if err != nil {
		t.Fatal(err)
	}
	body[len(body)/2] ^= 0x40
	put(t, srv.Client(), key, body)
}
