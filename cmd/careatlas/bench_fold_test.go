package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/careatlas/careatlas/postgres/pgtest"
)

// TestBenchFold runs bench fold on the mini catalogue: a fold's build
// runs beside the searches, paused and resumed in turns, until it ends;
// every round searched both blocks, and the build finished and left
// nothing behind.
func TestBenchFold(t *testing.T) {
	db := pgtest.MustDB(t)
	dir := t.TempDir()
	cli(t, "load", "--database-url", db, miniCatalogue)
	cli(t, "index", "--database-url", db, "--index-dir", dir)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the build's directory goes
	var out, errOut bytes.Buffer
	args := []string{"bench", "fold", "--database-url", db, "--index-dir", dir, "--json",
		"--rounds", "40", "--block", "150ms", "--search-rate", "60", "--clients", "2"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("careatlas %v: exit %d\n%s", args, code, errOut.String())
	}
	var rep foldReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if !rep.Finished || !strings.HasPrefix(rep.Built, "indexed 18 documents") {
		t.Errorf("the build did not finish within 40 rounds, or built something else: %+v", rep)
	}
	if rep.Rounds < 1 || rep.Rounds >= 40 || len(rep.P50Change) != rep.Rounds || len(rep.P99Change) != rep.Rounds {
		t.Errorf("rounds: %d, changes %v %v; want the rounds up to the build's end", rep.Rounds, rep.P50Change, rep.P99Change)
	}
	if rep.Quiet.N == 0 || rep.Building.N == 0 || rep.Quiet.P50 <= 0 || rep.Building.P50 <= 0 {
		t.Errorf("searches: paused %+v, running %+v", rep.Quiet, rep.Building)
	}
	if rep.QuietCPU.Process <= 0 || rep.BuildingCPU.Process <= 0 {
		t.Errorf("the server's CPU in the blocks: paused %+v, running %+v", rep.QuietCPU, rep.BuildingCPU)
	}
	if rep.BuildRunning <= 0 || rep.BuildCPU <= 0 || !rep.Idle || rep.Nice != defaultBackgroundNice ||
		rep.Procs != max(1, runtime.NumCPU()-1) || rep.Documents != 18 {
		t.Errorf("build: %+v", rep)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "careatlas-bench-fold-*")); len(left) != 0 {
		t.Errorf("the build's directory was left: %v", left)
	}
	if served, _ := os.ReadDir(dir); len(served) != 3 { // current, the generation, build.lock
		t.Errorf("the served index directory holds %d entries, want the generation, current and the lock", len(served))
	}
}
