package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/careatlas/careatlas/postgres/pgtest"
)

// childEnv, set in a child's environment, makes the test binary run
// careatlas's main (see TestMain).
const childEnv = "CAREATLAS_TEST_MAIN"

// child starts 'careatlas args…' as a separate process and sends the build
// phases it logs ("reading", "writing", …) on the returned channel, which
// is closed when its stderr ends. The whole stderr is kept in log.
func child(t *testing.T, args ...string) (cmd *exec.Cmd, phases <-chan string, log *syncBuffer) {
	t.Helper()
	cmd = exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1", "CAREATLAS_LOG_LEVEL=debug")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := make(chan string, 16)
	log = &syncBuffer{}
	phaseRE := regexp.MustCompile(`msg="build phase" phase=(\w+)`)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.Write(append(sc.Bytes(), '\n'))
			if m := phaseRE.FindSubmatch(sc.Bytes()); m != nil {
				out <- string(m[1])
			}
		}
	}()
	return cmd, out, log
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// manifest lists every file of a generation with its size and modification
// time: if a fault leaves it equal, the generation was not touched.
func manifest(t *testing.T, gen string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(gen, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %d\n", strings.TrimPrefix(path, gen), info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// servedGen returns the generation the current link names.
func servedGen(t *testing.T, dir string) string {
	t.Helper()
	target, err := os.Readlink(filepath.Join(dir, "current"))
	if err != nil {
		t.Fatal(err)
	}
	return target
}

// searchLoad runs clients searching base until stop is called, and
// returns how many requests succeeded and failed, with the first failure.
// loadBudget is the search budget of a server under searchLoad while a
// build runs beside it: these tests ask whether it keeps serving the
// generation it has, and a build on both of a CI machine's cores has
// held a search past the default half second (one "heart attack" of
// 4,250, answered 503 over_budget as designed; TestOverBudget tests the
// budget itself).
const loadBudget = "10s"

func searchLoad(base string, clients int) (stop func() (ok, failed int64, first string)) {
	queries := []url.Values{
		{"q": {"knee replacement"}, "type": {"offer"}, "sort": {"price_asc"}, "facets": {"country,price"}},
		{"q": {"heart attack"}},
		{"q": {"nose job"}, "facets": {"country"}},
	} // each finds something in the demo catalogue and in testdata/mini
	var okN, failedN atomic.Int64
	var firstErr atomic.Value
	done := make(chan struct{})
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				q := queries[i%len(queries)]
				var res searchResult
				code, err := getJSON(base+"/v1/search?"+q.Encode(), &res)
				if err != nil || code != 200 || res.Total == 0 {
					failedN.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%v: %d %v total %d", q, code, err, res.Total))
					continue
				}
				okN.Add(1)
				time.Sleep(2 * time.Millisecond) // leave the build some CPU
			}
		}()
	}
	return func() (int64, int64, string) {
		close(done)
		wg.Wait()
		first, _ := firstErr.Load().(string)
		return okN.Load(), failedN.Load(), first
	}
}

// TestIndexKilledAtEachPhase kills 'careatlas index' with SIGKILL at a
// random moment in each phase of a build (reading PostgreSQL, writing
// segments, merging them, publishing) while a server answers searches
// from the published generation. After every kill the served generation
// (the link and every file of its directory) is as it was and no search
// failed; then the next 'index' removes what the dead builds left and
// publishes, and the server switches to it.
func TestIndexKilledAtEachPhase(t *testing.T) {
	db := pgtest.MustDB(t)
	dir := t.TempDir()
	// Big enough for two segments and a real merge, small enough to build
	// five times in a test.
	cli(t, "gen", "--database-url", db, "--offers", "12000")
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	served := servedGen(t, dir)
	before := manifest(t, filepath.Join(dir, served))

	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--search-budget", loadBudget)
	if got := waitReady(t, base, 30*time.Second); filepath.Base(got) != served {
		t.Fatalf("serving %s, want %s", got, served)
	}
	stopLoad := searchLoad(base, 2)

	// Each phase is killed at a random moment of its start (reading lasts
	// tens of milliseconds, publishing about one).
	// Each build removes what the one killed before it left.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	killedIn := map[string]int{}
	for _, phase := range []string{"reading", "writing", "merging", "publishing"} {
		maxDelay := map[string]time.Duration{"reading": 20 * time.Millisecond, "writing": 800 * time.Millisecond,
			"merging": 300 * time.Millisecond, "publishing": 500 * time.Microsecond}[phase]
		delay := time.Duration(rng.Int64N(int64(maxDelay)))
		cmd, phases, log := child(t, "index", "--database-url", db, "--index-dir", dir)
		for p := range phases {
			if p == phase {
				break
			}
		}
		time.Sleep(delay)
		cmd.Process.Kill() // SIGKILL
		err := cmd.Wait()
		last := phase
		for p := range phases { // what it logged before it died
			last = p
		}
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if err == nil || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Logf("aimed at %s: the build finished before the kill (%v)", phase, err)
			if phase != "publishing" {
				t.Fatalf("%s: the build was not killed: %v\n%s", phase, err, log.String())
			}
			served = servedGen(t, dir)
			before = manifest(t, filepath.Join(dir, served))
			continue
		}
		killedIn[last]++
		building, _ := filepath.Glob(filepath.Join(dir, "gen-*.building"))
		if (last == "writing" || last == "merging") && len(building) != 1 {
			t.Errorf("killed while %s: %d .building directories, want the dead build's", last, len(building))
		}
		if now := servedGen(t, dir); now != served {
			// A kill after the link switched leaves the new generation
			// live, whole; the old one stays for readers.
			t.Logf("aimed at %s, %v in: killed after the switch to %s", phase, delay, now)
			if manifest(t, filepath.Join(dir, served)) != before {
				t.Errorf("%s: the previously served generation changed", phase)
			}
			served = now
			before = manifest(t, filepath.Join(dir, served))
			continue
		}
		if after := manifest(t, filepath.Join(dir, served)); after != before {
			t.Errorf("killed while %s: the served generation changed:\nbefore:\n%s\nafter:\n%s", last, before, after)
		}
		t.Logf("aimed at %s, %v in: killed while %s, leaving %d .building", phase, delay, last, len(building))
	}

	// The next build cleans up and publishes; the server follows.
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	entries, _ := os.ReadDir(dir)
	var gens []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "gen-") {
			gens = append(gens, e.Name())
		}
	}
	now := servedGen(t, dir)
	if building, _ := filepath.Glob(filepath.Join(dir, "gen-*.building")); len(building) != 0 {
		t.Errorf("after a good build, %v are left", building)
	}
	if now == served || len(gens) != 2 || gens[1] != now {
		t.Errorf("after a good build: current %s, generations %v; want the new one and the one served before", now, gens)
	}
	deadline := time.Now().Add(10 * time.Second)
	for filepath.Base(waitReady(t, base, time.Second)) != now {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not switch to %s", now)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ok, failed, first := stopLoad()
	if failed > 0 || ok == 0 {
		t.Errorf("%d of %d searches failed during the kills; first: %s", failed, ok+failed, first)
	}
	t.Logf("%d searches served during the kills (by phase at death: %v) and the rebuild, %d failed", ok, killedIn, failed)
}

// TestIndexOnFullDisk builds on a filesystem too small for the new
// generation: the build fails saying the disk is full, leaves nothing
// behind, and the server keeps answering from the generation it serves.
// Given room, the next build succeeds. It mounts a tmpfs, so it needs
// root (CAP_SYS_ADMIN), as the test containers have.
func TestIndexOnFullDisk(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	dir := filepath.Join(t.TempDir(), "index")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("this test mounts a small tmpfs to fill it, which needs root: mount: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})

	// A small catalogue fits; the demo one (about 25 MB of index) does not.
	cli(t, "load", "--database-url", db, "../../testdata/mini")
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	served := servedGen(t, dir)
	before := manifest(t, filepath.Join(dir, served))
	base := startServe(t, "--index-dir", dir, "--database-url", db, "--reload-every", "100ms", "--search-budget", loadBudget)
	waitReady(t, base, 30*time.Second)
	stopLoad := searchLoad(base, 2)

	cli(t, "load", "--database-url", db)
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"index", "--database-url", db, "--index-dir", dir}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "no space left on device") {
		t.Errorf("index on a full disk: exit %d, %q; want exit 1 saying no space is left", code, errOut.String())
	}
	t.Logf("careatlas index on a full disk said: %s", strings.TrimSpace(errOut.String()))
	if now := servedGen(t, dir); now != served {
		t.Errorf("current is %s, was %s", now, served)
	}
	if after := manifest(t, filepath.Join(dir, served)); after != before {
		t.Errorf("the served generation changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	gens, _ := filepath.Glob(filepath.Join(dir, "gen-*"))
	if len(gens) != 1 {
		t.Errorf("the failed build left %v", gens)
	}
	time.Sleep(300 * time.Millisecond) // searches after the failure, too
	ok, failed, first := stopLoad()
	if failed > 0 || ok == 0 {
		t.Errorf("%d of %d searches failed while the disk was full; first: %s", failed, ok+failed, first)
	}
	t.Logf("%d searches served while the build filled the disk, %d failed", ok, failed)

	if out, err := exec.Command("mount", "-o", "remount,size=200m", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v: %s", err, out)
	}
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	if servedGen(t, dir) == served {
		t.Error("with room again, the build did not publish")
	}
}
