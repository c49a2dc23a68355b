package search

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRemoveAbandoned lays out what builds killed at each step leave, and
// checks that only that goes: the live generation and the older ones kept
// for readers stay.
func TestRemoveAbandoned(t *testing.T) {
	for _, c := range []struct {
		name        string
		current     string   // "" for no link
		dirs        []string // generation directories present
		wantRemoved []string
	}{
		{"killed while writing", "gen-2", []string{"gen-1", "gen-2", "gen-3.building"}, []string{"gen-3.building"}},
		{"killed after renaming, before the link", "gen-2", []string{"gen-1", "gen-2", "gen-3"}, []string{"gen-3"}},
		{"several dead builds", "gen-2", []string{"gen-2", "gen-3.building", "gen-4", "gen-5.building"},
			[]string{"gen-3.building", "gen-4", "gen-5.building"}},
		{"killed during the first build", "", []string{"gen-1.building"}, []string{"gen-1.building"}},
		{"first build killed after renaming", "", []string{"gen-1"}, []string{"gen-1"}},
		{"nothing abandoned", "gen-2", []string{"gen-1", "gen-2"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range c.dirs {
				if err := os.MkdirAll(filepath.Join(dir, d, "store"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if c.current != "" {
				if err := os.Symlink(c.current, filepath.Join(dir, currentLink)); err != nil {
					t.Fatal(err)
				}
			}
			removed, err := RemoveAbandoned(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(removed, c.wantRemoved) {
				t.Errorf("removed %v, want %v", removed, c.wantRemoved)
			}
			for _, d := range c.dirs {
				_, err := os.Stat(filepath.Join(dir, d))
				if gone := os.IsNotExist(err); gone != slices.Contains(c.wantRemoved, d) {
					t.Errorf("%s: gone %v", d, gone)
				}
			}
			if c.current != "" {
				if cur, err := Current(dir); err != nil || filepath.Base(cur) != c.current {
					t.Errorf("current is %q (%v), want %s", cur, err, c.current)
				}
			}
		})
	}
	if removed, err := RemoveAbandoned(filepath.Join(t.TempDir(), "none")); err != nil || removed != nil {
		t.Errorf("a missing directory: removed %v, %v", removed, err)
	}
}

// TestPublishFailureLeavesLiveAlone makes the link impossible to write and
// checks that the new generation is deleted and the live one still served.
func TestPublishFailureLeavesLiveAlone(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"gen-1", "gen-2.building"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("gen-1", filepath.Join(dir, currentLink)); err != nil {
		t.Fatal(err)
	}
	// A directory where the temporary link goes makes Symlink fail, as a
	// full disk would.
	if err := os.MkdirAll(filepath.Join(dir, currentLink+".tmp", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(dir, filepath.Join(dir, "gen-2.building")); err == nil {
		t.Fatal("publish succeeded")
	}
	if cur, err := Current(dir); err != nil || filepath.Base(cur) != "gen-1" {
		t.Errorf("current is %q (%v), want gen-1", cur, err)
	}
	for _, d := range []string{"gen-2", "gen-2.building"} {
		if _, err := os.Stat(filepath.Join(dir, d)); !os.IsNotExist(err) {
			t.Errorf("%s is still there after the failed publish", d)
		}
	}
}
