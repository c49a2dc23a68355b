// Package s3test gives tests a real S3-compatible store on loopback, never
// a fake: the Versity S3 Gateway serving a temporary directory. What the
// replica code must survive (a store that stops mid-upload, an object
// changed behind its back) only shows against a real server.
//
// The gateway is a separate binary that 'bash .ci/test' builds once into
// the tool cache; a test that cannot find it fails and says so.
package s3test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/replica"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Credentials the gateway is started with; they never leave loopback.
const (
	AccessKey = "careatlas-test"
	SecretKey = "careatlas-test-secret"
)

// Server is a running gateway.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	Dir      string // the directory it serves; buckets are its subdirectories

	tb   testing.TB
	addr string
	log  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Binary returns the path of the versitygw binary: on PATH, else in
// $CAREATLAS_CACHE/bin, else in the default cache .ci/test builds into.
func Binary() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	var dirs []string
	if c := os.Getenv("CAREATLAS_CACHE"); c != "" {
		dirs = append(dirs, c)
	}
	if c := os.Getenv("XDG_CACHE_HOME"); c != "" {
		dirs = append(dirs, filepath.Join(c, "careatlas"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".cache", "careatlas"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "bin", "versitygw")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New("versitygw (the Versity S3 Gateway) is not on PATH nor in the tool cache " +
		"($CAREATLAS_CACHE/bin or ~/.cache/careatlas/bin): run bash .ci/test to install it")
}

// Start starts a gateway on a free loopback port serving a new temporary
// directory, and stops it when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tb: tb, Dir: filepath.Join(tb.TempDir(), "s3")}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	s.log = filepath.Join(tb.TempDir(), "versitygw.log")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.addr = l.Addr().String()
	l.Close()
	s.Endpoint = "http://" + s.addr
	s.start()
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) start() {
	s.tb.Helper()
	bin, err := Binary()
	if err != nil {
		s.tb.Fatal(err)
	}
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.tb.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "--access", AccessKey, "--secret", SecretKey, "--port", s.addr, "--quiet", "posix", s.Dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("start versitygw: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			b, _ := os.ReadFile(s.log)
			s.tb.Fatalf("versitygw exited at start:\n%s", b)
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
			b, _ := os.ReadFile(s.log)
			s.tb.Fatalf("versitygw did not listen on %s within 15s:\n%s", s.addr, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the gateway, as a crash or a network partition would stop a
// store: abruptly. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-done
}

// Restart starts a stopped gateway again on the same address and
// directory: the objects written before are still there.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	s.start()
}

// Config returns the replica configuration for s3://bucket/prefix on this
// server. One retry only, so a test that stops the store fails fast.
func (s *Server) Config(bucket, prefix string) replica.Config {
	u := "s3://" + bucket
	if prefix != "" {
		u += "/" + prefix
	}
	return replica.Config{URL: u, Endpoint: s.Endpoint, AccessKey: AccessKey, SecretKey: SecretKey,
		Region: "us-east-1", Retries: 1}
}

// Env returns the environment a careatlas process needs to reach this
// server: the credentials and the endpoint, as operators set them.
func (s *Server) Env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + AccessKey, "AWS_SECRET_ACCESS_KEY=" + SecretKey,
		"AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=" + s.Endpoint}
}

// Client returns a plain S3 client of this server, for what tests do
// behind the replica code's back: create buckets, damage objects.
func (s *Server) Client() *minio.Client {
	c, err := minio.New(s.addr, &minio.Options{
		Creds: credentials.NewStaticV4(AccessKey, SecretKey, ""), Region: "us-east-1",
		BucketLookup: minio.BucketLookupPath, MaxRetries: 1,
	})
	if err != nil {
		s.tb.Fatal(err)
	}
	return c
}

// Bucket creates a bucket, failing the test if it cannot.
func (s *Server) Bucket(name string) {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Client().MakeBucket(ctx, name, minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		s.tb.Fatalf("create bucket %s: %v", name, err)
	}
}

// Addr is the server's HOST:PORT.
func (s *Server) Addr() string { return s.addr }
