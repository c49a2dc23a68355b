package indexer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/careatlas/careatlas/search"
)

// TestBuildCleansUpAfterADeadBuild leaves what a build killed mid-write
// leaves (its .building directory, lock released by its death) and checks
// that the next build removes it, publishes, and leaves nothing else.
func TestBuildCleansUpAfterADeadBuild(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, err := Build(ctx, &FileSource{Dir: mini}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := search.NewGeneration(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dead, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	second, err := Build(ctx, &FileSource{Dir: mini}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the dead build's %s is still there", filepath.Base(dead))
	}
	gens, _ := filepath.Glob(filepath.Join(dir, "gen-*"))
	if len(gens) != 2 || !(gens[0] == first.Path && gens[1] == second.Path) {
		t.Errorf("generations %v; want the previous and the new one", gens)
	}
}

// TestBuildRefusesASecondBuild holds the lock as a running build would and
// checks that another build in the same directory fails at once, touching
// nothing.
func TestBuildRefusesASecondBuild(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockIndexDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	running, err := search.NewGeneration(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(running, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Build(context.Background(), &FileSource{Dir: mini}, dir, nil)
	if canCleanUp && !errors.Is(err, ErrBuildRunning) {
		t.Fatalf("a second build: %v, want ErrBuildRunning", err)
	}
	if _, err := os.Stat(running); err != nil {
		t.Errorf("the running build's directory: %v", err)
	}
}
