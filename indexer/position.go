package indexer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PositionSource is a Source whose catalogue keeps changing after a build
// (PostgreSQL, with its change log). Build asks it where in its change log
// it stands before reading anything, and records that in the generation: a
// server that opens the generation replays the changes after it, so a
// change committed during the build is neither lost nor missed.
type PositionSource interface {
	// ChangePosition returns the log position (an opaque string to the
	// indexer) that every change the build may miss comes after.
	ChangePosition(ctx context.Context) (string, error)
}

// positionFile holds a generation's change log position.
const positionFile = "changes.position"

// ChangePosition returns the change log position the generation at path
// was built at, or "" when it was built from a source without a log (the
// catalogue files) or before the log existed: such a generation is the
// whole truth as it stands.
func ChangePosition(path string) (string, error) {
	b, err := os.ReadFile(filepath.Join(path, positionFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read change log position of %s: %w", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// changePosition asks src for its position, if it has one: first thing in
// a build, before any of the catalogue is read.
func changePosition(ctx context.Context, src Source) (string, error) {
	ps, ok := src.(PositionSource)
	if !ok {
		return "", nil
	}
	p, err := ps.ChangePosition(ctx)
	if err != nil {
		return "", fmt.Errorf("build index: %w", err)
	}
	return p, nil
}

// writePosition records pos in the generation being built.
func writePosition(path, pos string) error {
	if pos == "" {
		return nil
	}
	if err := os.WriteFile(filepath.Join(path, positionFile), []byte(pos+"\n"), 0o644); err != nil {
		return fmt.Errorf("record change log position: %w", err)
	}
	return nil
}
