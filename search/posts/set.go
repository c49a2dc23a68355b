package posts

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Set is what an index generation stores of the posts: every post, and the
// countries' names, by code, for the reasons a post gives. The exchange
// rates are not repeated here: a generation keeps them once, in its index.
type Set struct {
	Countries map[string]string `json:"countries"`
	Posts     []Post            `json:"posts"`
}

// setFile is the file, inside a generation's directory, holding its posts.
const setFile = "careatlas_posts.json"

// ReadSet returns the posts stored in the generation at dir; a generation
// built before posts existed has none.
func ReadSet(dir string) (Set, error) {
	var set Set
	b, err := os.ReadFile(filepath.Join(dir, setFile))
	if errors.Is(err, os.ErrNotExist) {
		return set, nil
	}
	if err != nil {
		return set, fmt.Errorf("read posts of %s: %w", dir, err)
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return set, fmt.Errorf("read posts of %s: %w", dir, err)
	}
	return set, nil
}

// WriteSet stores set in the generation being built at dir.
func WriteSet(dir string, set Set) error {
	b, err := json.Marshal(set)
	if err != nil {
		return fmt.Errorf("encode posts: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, setFile), b, 0o644); err != nil {
		return fmt.Errorf("write posts: %w", err)
	}
	return nil
}
