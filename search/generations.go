package search

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// An index directory holds generations of the index side by side, and a
// symbolic link, "current", naming the live one:
//
//	index/
//	  current -> gen-20261123T101500.123456789
//	  gen-20261123T101500.123456789/
//	  gen-20261123T094000.987654321/   the previous one, kept for readers
//	  gen-20261123T103000.000000001.building/   a build under way
//
// A build writes a new generation beside the live one and then replaces the
// link with rename(2), which is atomic: a reader opens either the old
// generation or the new one, never a half-written one.
const (
	currentLink   = "current"
	genPrefix     = "gen-"
	buildingSufix = ".building"
)

// NewGeneration returns the path a new build should write to. It is created
// by the builder and becomes visible only through Publish.
func NewGeneration(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create index directory: %w", err)
	}
	name := genPrefix + time.Now().UTC().Format("20060102T150405.000000000") + buildingSufix
	return filepath.Join(dir, name), nil
}

// Publish makes the generation built at building the live one, and removes
// generations older than the one it replaces. It returns the published path.
// A failed publish (a full disk cannot hold the new link) deletes the
// generation, which never became live, and leaves the live one as it was.
func Publish(dir, building string) (string, error) {
	final := strings.TrimSuffix(building, buildingSufix)
	if err := os.Rename(building, final); err != nil {
		os.RemoveAll(building)
		return "", fmt.Errorf("publish index: %w", err)
	}
	tmp := filepath.Join(dir, currentLink+".tmp")
	os.Remove(tmp)
	if err := os.Symlink(filepath.Base(final), tmp); err != nil {
		os.RemoveAll(final)
		return "", fmt.Errorf("publish index: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentLink)); err != nil {
		os.Remove(tmp)
		os.RemoveAll(final)
		return "", fmt.Errorf("publish index: %w", err)
	}
	syncDir(dir)
	prune(dir, filepath.Base(final))
	return final, nil
}

// Current returns the path of the live generation, or ErrNoIndex.
func Current(dir string) (string, error) {
	target, err := os.Readlink(filepath.Join(dir, currentLink))
	if errors.Is(err, os.ErrNotExist) {
		return "", ErrNoIndex
	}
	if err != nil {
		return "", fmt.Errorf("read current index: %w", err)
	}
	return filepath.Join(dir, target), nil
}

// prune keeps the live generation and the one before it (a server may still
// be answering from it until it notices the switch), removes older ones, and
// removes builds that were abandoned more than an hour ago.
func prune(dir, live string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var gens []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case !strings.HasPrefix(name, genPrefix) || name == live:
		case strings.HasSuffix(name, buildingSufix):
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
				os.RemoveAll(filepath.Join(dir, name))
			}
		default:
			gens = append(gens, name)
		}
	}
	slices.Sort(gens)
	for i := 0; i < len(gens)-1; i++ {
		os.RemoveAll(filepath.Join(dir, gens[i]))
	}
}

// RemoveAbandoned removes what builds that died left in dir: every
// generation still being built, and every finished one newer than the live
// generation (a build killed between renaming its directory and switching
// the link), or every one when none is live. Only a caller that knows no
// build is running in dir may call it: the indexer holds its build lock.
// The live generation and those older than it are not touched. It returns
// the names it removed.
func RemoveAbandoned(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("remove abandoned builds: %w", err)
	}
	live := ""
	if path, err := Current(dir); err == nil {
		live = filepath.Base(path)
	} else if !errors.Is(err, ErrNoIndex) {
		return nil, fmt.Errorf("remove abandoned builds: %w", err)
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, genPrefix) || name == live {
			continue
		}
		// Names sort by build time, so a finished generation named after
		// the live one was published by no one.
		if strings.HasSuffix(name, buildingSufix) || name > live {
			if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
				return removed, fmt.Errorf("remove abandoned build: %w", err)
			}
			removed = append(removed, name)
		}
	}
	return removed, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
