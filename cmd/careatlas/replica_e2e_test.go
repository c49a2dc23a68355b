package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/postgres/pgtest"
	"github.com/careatlas/careatlas/replica"
	"github.com/careatlas/careatlas/replica/s3test"
	"github.com/minio/minio-go/v7"
)

// TestReplicasBehindHAProxy runs the replica tier as it is deployed: one
// indexer publishing to an S3-compatible store, three stateless 'serve
// --generations' replicas following PostgreSQL, HAProxy in front
// health-checking /readyz, and clients searching through HAProxy the
// whole time. Every process is real and on loopback; the one contrivance
// is a TCP proxy between the third replica and the store, which stalls
// that replica's download so it can be killed in the middle of one.
func TestReplicasBehindHAProxy(t *testing.T) {
	start := time.Now()
	ctx := context.Background()
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Fatal("haproxy is not installed: run bash .ci/test to install it (Debian package haproxy)")
	}
	bin := buildBinary(t)
	db := pgtest.MustDB(t)
	store := s3test.Start(t)
	store.Bucket("careatlas")
	const storeURL = "s3://careatlas/catalogue"
	env := append(os.Environ(), store.Env()...)

	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("careatlas %v: %v\n%s%s", args, err, out.String(), errOut.String())
		}
		return out.String()
	}
	buildDir := t.TempDir()
	run("load", "--database-url", db, bundled)
	publish := func() string {
		t.Helper()
		out := run("index", "--database-url", db, "--index-dir", buildDir, "--publish", storeURL)
		cur, err := currentGen(buildDir)
		if err != nil || !strings.Contains(out, "published "+cur+" to "+storeURL) {
			t.Fatalf("index --publish said %q (current %s, %v)", out, cur, err)
		}
		return cur
	}
	gen1 := publish()
	t.Logf("%5.1fs first generation %s published", time.Since(start).Seconds(), gen1)

	// The third replica reaches the store through a proxy the test can stall.
	stall := s3test.NewProxy(t, store.Addr())
	replicas := make([]*replicaProc, 3)
	for i := range replicas {
		endpoint := store.Endpoint
		if i == 2 {
			endpoint = stall.Endpoint()
		}
		replicas[i] = &replicaProc{t: t, bin: bin, env: env, addr: freeAddr(t), dir: t.TempDir(),
			log: filepath.Join(t.TempDir(), "serve.log"),
			args: []string{"--database-url", db, "--generations", storeURL, "--s3-endpoint", endpoint,
				"--reload-every", "200ms"}}
		replicas[i].start()
	}
	for _, r := range replicas {
		r.waitServing(gen1, 60*time.Second)
	}
	front := startHAProxy(t, haproxy, replicas)
	t.Logf("%5.1fs three replicas serve %s behind HAProxy at %s", time.Since(start).Seconds(), gen1, front)

	clients := startClients(t, front)

	t.Run("a new generation reaches every replica within 30s, failing no request", func(t *testing.T) {
		before := clients.ok.Load()
		gen2 := publish()
		published := time.Now()
		for _, r := range replicas {
			r.waitServing(gen2, 30*time.Second-time.Since(published))
		}
		t.Logf("%5.1fs all replicas switched to %s %.1fs after the publish; %d searches meanwhile",
			time.Since(start).Seconds(), gen2, time.Since(published).Seconds(), clients.ok.Load()-before)
		clients.check(t)
	})

	// The next generations are copies of the indexer's newest under new
	// names, published through the same library calls as index --publish:
	// what they test is the replicas, and a third build would only cost time.
	st, err := replica.Open(replica.Config{URL: storeURL, Endpoint: store.Endpoint,
		AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := postgres.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	upload := func(name string) *replica.Manifest {
		t.Helper()
		cur, _ := currentGen(buildDir)
		dir := filepath.Join(t.TempDir(), name)
		if err := os.CopyFS(dir, os.DirFS(filepath.Join(buildDir, cur))); err != nil {
			t.Fatal(err)
		}
		built, err := replica.FetchManifest(ctx, st, cur)
		if err != nil {
			t.Fatal(err)
		}
		m, err := replica.Publish(ctx, st, dir, replica.Info{Docs: built.Docs})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	t.Run("a replica killed during its download recovers and serves the new generation", func(t *testing.T) {
		m := upload("gen-" + time.Now().UTC().Format("20060102T150405.000000000"))
		stalled := stall.StallAfter(256 << 10)
		if err := replica.Record(ctx, pool, st, m); err != nil {
			t.Fatal(err)
		}
		select {
		case <-stalled:
		case <-time.After(30 * time.Second):
			t.Fatal("the third replica's download never reached the stall")
		}
		building := filepath.Join(replicas[2].dir, m.Generation+".building")
		if _, err := os.Stat(building); err != nil {
			t.Fatalf("the stalled replica has no download under way: %v", err)
		}
		// The searches the killed replica was answering die with it:
		// HAProxy retries a request that found no replica, not a response
		// it had begun to forward. Those (one per client at most) are
		// counted apart; every other search must succeed.
		clients.tolerateCuts(2 * time.Second)
		replicas[2].kill()
		t.Logf("%5.1fs third replica killed mid-download", time.Since(start).Seconds())
		stall.Release()
		for _, r := range replicas[:2] {
			r.waitServing(m.Generation, 30*time.Second)
		}
		replicas[2].start()
		replicas[2].waitServing(m.Generation, 30*time.Second)
		if _, err := os.Stat(building); !os.IsNotExist(err) {
			t.Errorf("the interrupted download's directory is still there: %v", err)
		}
		t.Logf("%5.1fs third replica restarted and serves %s; %d searches cut by the kill",
			time.Since(start).Seconds(), m.Generation, clients.cut.Load())
		clients.check(t)
	})

	t.Run("a corrupted file in the store is refused and replicas keep the old generation", func(t *testing.T) {
		serving := replicas[0].serving()
		m := upload("gen-" + time.Now().UTC().Format("20060102T150405.000000000"))
		var big replica.File
		for _, f := range m.Files {
			if f.Size > big.Size {
				big = f
			}
		}
		key := "catalogue/" + m.Generation + "/files/" + big.Path
		body, err := os.ReadFile(filepath.Join(store.Dir, "careatlas", key))
		if err != nil {
			t.Fatal(err)
		}
		body[len(body)/3] ^= 1
		if _, err := store.Client().PutObject(ctx, "careatlas", key, bytes.NewReader(body), int64(len(body)),
			minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := replica.Record(ctx, pool, st, m); err != nil {
			t.Fatal(err)
		}
		for _, r := range replicas {
			r.waitLog("refused="+m.Generation, 30*time.Second)
		}
		time.Sleep(time.Second) // a switch, were one coming, would show by now
		for i, r := range replicas {
			if now := r.serving(); now != serving {
				t.Errorf("replica %d serves %s, want the old %s", i+1, now, serving)
			}
			if _, err := os.Stat(filepath.Join(r.dir, m.Generation)); !os.IsNotExist(err) {
				t.Errorf("replica %d kept a copy of the refused generation: %v", i+1, err)
			}
		}
		// The refusal shows in the metrics an operator alerts on, beside
		// the downloads that went well.
		for series, atLeast := range map[string]float64{
			"careatlas_replica_download_failures_total": 1,
			"careatlas_replica_downloads_total":         1,
			"careatlas_replica_downloaded_bytes_total":  1,
			"careatlas_replica_last_download_seconds":   1e-6,
		} {
			if v := replicas[0].metric(series); v < atLeast {
				t.Errorf("replica 1's %s = %v, want at least %v", series, v, atLeast)
			}
		}
		if !strings.Contains(replicas[0].logText(), "SHA-256") {
			t.Errorf("the refusal does not say it was the checksum:\n%s", replicas[0].logText())
		}
		clients.check(t)
	})

	t.Run("each replica's heartbeat says what it serves", func(t *testing.T) {
		serving := replicas[0].serving()
		// The killed replica's row stays, silent, until GC forgets it;
		// the three live ones report the generation they answer from.
		deadline := time.Now().Add(20 * time.Second)
		for {
			var n int
			err := pool.QueryRow(ctx, `SELECT count(*) FROM replicas WHERE prefix = $1 AND generation = $2
				AND heartbeat_at > now() - interval '15 seconds'`, storeURL, serving).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			if n == len(replicas) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d live replicas report serving %s, want %d", n, serving, len(replicas))
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	clients.stop()
	clients.check(t)
	t.Logf("%5.1fs done: %d searches through HAProxy, %d failed, %d cut by the kill",
		time.Since(start).Seconds(), clients.ok.Load(), clients.failed.Load(), clients.cut.Load())
}

// currentGen returns the name of the current generation of an index dir.
func currentGen(dir string) (string, error) { return os.Readlink(filepath.Join(dir, "current")) }

// buildBinary builds careatlas once for the test's subprocesses.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "careatlas")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// replicaProc is one 'careatlas serve --generations' process.
type replicaProc struct {
	t    *testing.T
	bin  string
	env  []string
	addr string
	dir  string
	log  string
	args []string

	cmd  *exec.Cmd
	done chan struct{}
}

func (r *replicaProc) start() {
	r.t.Helper()
	logf, err := os.OpenFile(r.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		r.t.Fatal(err)
	}
	defer logf.Close()
	r.cmd = exec.Command(r.bin, append([]string{"serve", "--addr", r.addr, "--index-dir", r.dir, "--keyless-rate", "off"}, r.args...)...)
	r.cmd.Env = r.env
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	done := make(chan struct{})
	r.done = done
	cmd := r.cmd
	go func() { cmd.Wait(); close(done) }()
	r.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
}

// kill ends the replica the hard way: no shutdown, no cleanup.
func (r *replicaProc) kill() {
	r.cmd.Process.Kill()
	<-r.done
}

// serving returns the generation /readyz names, "" when not ready.
func (r *replicaProc) serving() string {
	var body struct {
		Index struct{ Generation string }
	}
	if code, err := getJSON("http://"+r.addr+"/readyz", &body); err == nil && code == 200 {
		return body.Index.Generation
	}
	return ""
}

// metric reads one unlabelled series from the replica's /metrics.
func (r *replicaProc) metric(series string) float64 {
	r.t.Helper()
	return scrapeMetric(r.t, "http://"+r.addr, series)
}

// scrapeMetric reads one unlabelled series from the /metrics of the
// server at base.
func scrapeMetric(t *testing.T, base, series string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("scrape metrics: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("%s/metrics has no %s", base, series)
	return 0
}

func (r *replicaProc) waitServing(gen string, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for r.serving() != gen {
		if time.Now().After(deadline) {
			r.t.Fatalf("replica %s serves %q, not %s, after %v; its log:\n%s", r.addr, r.serving(), gen, within, r.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *replicaProc) logText() string {
	b, _ := os.ReadFile(r.log)
	return string(b)
}

func (r *replicaProc) logTail() string {
	lines := strings.Split(r.logText(), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

func (r *replicaProc) waitLog(s string, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(r.logText(), s) {
		if time.Now().After(deadline) {
			r.t.Fatalf("replica %s did not log %q within %v; its log:\n%s", r.addr, s, within, r.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startHAProxy runs HAProxy in front of the replicas, health-checking
// /readyz, and returns its base URL. A request that finds a replica gone
// is retried on another, as a production configuration would.
func startHAProxy(t *testing.T, bin string, replicas []*replicaProc) string {
	t.Helper()
	front := freeAddr(t)
	var servers strings.Builder
	for i, r := range replicas {
		fmt.Fprintf(&servers, "    server r%d %s check\n", i+1, r.addr)
	}
	cfg := fmt.Sprintf(`global
    maxconn 1000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1
    retry-on all-retryable-errors
frontend search
    bind %s
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz
    default-server inter 200ms fall 2 rise 2
%s`, front, servers.String())
	dir := t.TempDir()
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	logPath := filepath.Join(dir, "haproxy.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	base := "http://" + front
	deadline := time.Now().Add(15 * time.Second)
	for {
		var body struct {
			Index struct{ Generation string }
		}
		if code, err := getJSON(base+"/readyz", &body); err == nil && code == 200 {
			return base
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("HAProxy at %s does not answer after 15s:\n%s", front, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// searchClients search through HAProxy until stopped, counting answers
// and failures; the loops are bounded in time and count.
type searchClients struct {
	ok, failed atomic.Int64
	cut        atomic.Int64 // failed while a replica was being killed
	cutUntil   atomic.Int64 // unix nanoseconds
	mu         sync.Mutex
	firstErr   string
	done       chan struct{}
	wg         sync.WaitGroup
}

// tolerateCuts counts the failures of the next d apart, as cut by a kill.
func (c *searchClients) tolerateCuts(d time.Duration) {
	c.cutUntil.Store(time.Now().Add(d).UnixNano())
}

const (
	clientWorkers  = 3
	clientDeadline = 3 * time.Minute
	clientMax      = 200_000
)

func startClients(t *testing.T, base string) *searchClients {
	c := &searchClients{done: make(chan struct{})}
	queries := []url.Values{
		{"q": {"knee replacement"}, "type": {"offer"}, "sort": {"price_asc"}, "facets": {"country,price"}},
		{"q": {"heart attack"}},
		{"type": {"facility"}, "country": {"GB"}, "facets": {"city"}},
		{"q": {"nose job"}, "currency": {"EUR"}},
	}
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(clientDeadline)
	for w := range clientWorkers {
		c.wg.Go(func() {
			for i := w; i < clientMax && time.Now().Before(deadline); i += clientWorkers {
				select {
				case <-c.done:
					return
				default:
				}
				q := queries[i%len(queries)]
				if err := searchOnce(client, base, q); err != nil {
					if time.Now().UnixNano() < c.cutUntil.Load() {
						c.cut.Add(1)
						continue
					}
					c.failed.Add(1)
					c.mu.Lock()
					if c.firstErr == "" {
						c.firstErr = fmt.Sprintf("%v: %v", q, err)
					}
					c.mu.Unlock()
					continue
				}
				c.ok.Add(1)
				time.Sleep(5 * time.Millisecond) // leave the indexer and replicas some of the 2 cores
			}
		})
	}
	t.Cleanup(c.stop)
	return c
}

func searchOnce(client *http.Client, base string, q url.Values) error {
	resp, err := client.Get(base + "/v1/search?" + q.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var res searchResult
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return err
	}
	if res.Total == 0 {
		return fmt.Errorf("no hits")
	}
	return nil
}

func (c *searchClients) stop() {
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	c.wg.Wait()
}

func (c *searchClients) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.failed.Load(); n > 0 {
		t.Errorf("%d of %d searches through HAProxy failed; the first: %s", n, n+c.ok.Load(), c.firstErr)
	}
	if c.ok.Load() == 0 {
		t.Error("no search went through HAProxy")
	}
	if n := c.cut.Load(); n > clientWorkers {
		t.Errorf("%d searches failed around the kill; at most %d (one per client) were in flight on the killed replica", n, clientWorkers)
	}
}

func TestPublishFlags(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"index", "--publish", "https://bucket/x"}, "is not an s3://BUCKET/PREFIX URL"},
		{[]string{"index", "--publish", "s3://bucket/x", "--s3-endpoint", "127.0.0.1:9000"}, "is not an http(s)://HOST[:PORT] URL"},
		{[]string{"serve", "--generations", "s3://bucket/x", "--nope"}, "flag provided but not defined"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), c.args, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want a failure saying %q", c.args, code, errOut.String(), c.want)
		}
	}
}
