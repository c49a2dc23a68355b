package main

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
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
