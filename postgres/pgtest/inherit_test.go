package pgtest

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// envChild makes the test binary, run again by
// TestServerDoesNotHoldInheritedPipes, act as a fuzzing worker: start a
// cluster with an inherited pipe open as fd 3, print the cluster's
// directory, and die without stopping it.
const envChild = "PGTEST_INHERIT_CHILD"

func TestServerDoesNotHoldInheritedPipes(t *testing.T) {
	if os.Getenv(envChild) != "" {
		c, err := startCluster()
		if err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(2)
		}
		os.Stdout.WriteString(c.dir + "\n")
		os.Exit(0) // as a killed worker does: the cluster is left running
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerDoesNotHoldInheritedPipes$")
	cmd.Env = append(os.Environ(), envChild+"=1")
	cmd.ExtraFiles = []*os.File{w} // fd 3 in the child, as the fuzz coordinator's pipes are
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	line, _ := bufio.NewReader(out).ReadString('\n')
	cmd.Wait()
	dir := strings.TrimSpace(line)
	if !strings.HasPrefix(dir, os.TempDir()) {
		t.Fatalf("the child started no cluster: %q", line)
	}
	leaked := &cluster{dir: dir}
	leaked.initdb, leaked.pgctl, _ = findBinaries()
	leaked.asPG = os.Geteuid() == 0
	defer leaked.stop()

	// The child is gone; its server is not. The pipe must still close.
	eof := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, r); eof <- err }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	select {
	case err := <-eof:
		if err != nil {
			t.Fatalf("reading the pipe: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the PostgreSQL server the child started holds the child's inherited pipe open: " +
			"a fuzz coordinator waiting on it would hang")
	}
}
