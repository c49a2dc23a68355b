package main

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search/live"
)

// TestFoldBuildCommand checks the command a fold runs: below the searches
// unless --background-nice is 0, on every core but one, and with the
// database URL, which holds the password, in its environment only.
func TestFoldBuildCommand(t *testing.T) {
	const url = "postgres://careatlas:s3cret@db.internal/catalogue"
	procs := "GOMAXPROCS=" + strconv.Itoa(max(1, runtime.NumCPU()-1))
	for _, tc := range []struct {
		nice     int
		wantArgs []string
		wantEnv  []string
		notEnv   string
	}{
		{10, []string{"index", "--index-dir", "/idx", "--nice", "10", "--idle"}, []string{procs}, ""},
		{19, []string{"index", "--index-dir", "/idx", "--nice", "19", "--idle"}, []string{procs}, ""},
		{0, []string{"index", "--index-dir", "/idx"}, nil, "GOMAXPROCS="},
	} {
		cmd, err := indexCommand(context.Background(), "/idx", url, foldBuild(tc.nice))
		if err != nil {
			t.Fatal(err)
		}
		if got := cmd.Args[1:]; !slices.Equal(got, tc.wantArgs) {
			t.Errorf("nice %d: args %q, want %q", tc.nice, got, tc.wantArgs)
		}
		for _, a := range cmd.Args {
			if strings.Contains(a, "s3cret") {
				t.Errorf("nice %d: the password is on the command line: %q", tc.nice, cmd.Args)
			}
		}
		for _, want := range append(tc.wantEnv, "DATABASE_URL="+url, foldEnv+"=1") {
			if !slices.Contains(cmd.Env, want) {
				t.Errorf("nice %d: the environment lacks %s", tc.nice, want)
			}
		}
		if tc.notEnv != "" && slices.ContainsFunc(cmd.Env[len(cmd.Env)-2:], func(e string) bool { return strings.HasPrefix(e, tc.notEnv) }) {
			t.Errorf("nice %d: the environment sets %s", tc.nice, tc.notEnv)
		}
	}
}

// TestFoldDue checks when a fold starts: on a rebuild, whatever the
// overlay; not sooner than nextAt; not while the last fold's generation
// is not served yet, until foldSwapWait has passed.
func TestFoldDue(t *testing.T) {
	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: miniCatalogue}, dir, nil); err != nil {
		t.Fatal(err)
	}
	lv, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lv.Close()
	now := time.Now()
	for _, tc := range []struct {
		name      string
		after     uint64
		rebuild   string
		nextAt    time.Time
		waitOn    string
		waitUntil time.Time
		want      string
	}{
		{name: "nothing changed", after: 1},
		{name: "a rebuild is needed", after: 1000, rebuild: "a bulk load replaced a table", want: "a bulk load replaced a table"},
		{name: "too soon after the last", after: 1000, rebuild: "x", nextAt: now.Add(time.Minute)},
		{name: "the last fold's generation not served yet", after: 1000, rebuild: "x",
			waitOn: lv.Path(), waitUntil: now.Add(time.Minute)},
		{name: "waited long enough for it", after: 1000, rebuild: "x",
			waitOn: lv.Path(), waitUntil: now.Add(-time.Second), want: "x"},
		{name: "another generation served since", after: 1000, rebuild: "x",
			waitOn: "/elsewhere/gen-1", waitUntil: now.Add(time.Minute), want: "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &folder{after: tc.after, live: lv, rebuild: func() string { return tc.rebuild },
				nextAt: tc.nextAt, waitOn: tc.waitOn, waitUntil: tc.waitUntil}
			if got := f.due(now); got != tc.want {
				t.Errorf("due: %q, want %q", got, tc.want)
			}
		})
	}
}
