package indexer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blevesearch/bleve/v2/util"
)

// liveOnly deletes from a closed, unpublished generation what its index no
// longer uses: the snapshots in scorch's root.bolt older than the latest,
// and every segment file the latest does not name. Scorch removes obsolete
// segments in the background and may not have finished when the builder
// closes (the force merge into one segment makes every earlier segment
// obsolete at the very end); a served generation is read-only, so nothing
// would ever remove them, and every generation kept for readers would carry
// them. It returns the names of the segment files it removed.
//
// It relies on scorch's layout (store/root.bolt and store/*.zap) and reads
// root.bolt through bleve's own accessors and keys, as scorch does.
func liveOnly(gen string) ([]string, error) {
	store := filepath.Join(gen, "store")
	db, err := util.OpenBolt(filepath.Join(store, "root.bolt"), 0o600, nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", store, err)
	}
	live := map[string]bool{}
	err = db.Update(func(tx *util.BoltTxImpl) error {
		snapshots := tx.Bucket(util.BoltSnapshotsBucket)
		if snapshots == nil {
			return fmt.Errorf("no snapshots in root.bolt")
		}
		// Keys are epochs encoded to sort as numbers, so the last snapshot
		// (a bucket with a metadata bucket) is the one scorch opens.
		var latest []byte
		var older [][]byte
		c := snapshots.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if v != nil { // a value, not a bucket
				continue
			}
			b := snapshots.GetBucket(k)
			if b == nil || b.GetBucket(util.BoltMetaDataKey) == nil {
				continue // not a snapshot (the vector trainer's bucket, say)
			}
			if latest == nil {
				latest = k
			} else {
				older = append(older, k)
			}
		}
		if latest == nil {
			return fmt.Errorf("no snapshot in root.bolt")
		}
		snap := snapshots.GetBucket(latest)
		sc := snap.Cursor()
		for k, v := sc.First(); k != nil; k, v = sc.Next() {
			if v != nil || k[0] == util.BoltInternalKey[0] {
				continue
			}
			seg := snap.GetBucket(k)
			if seg == nil {
				continue
			}
			path, err := seg.Get(util.BoltPathKey, nil)
			if err != nil {
				return fmt.Errorf("read segment path: %w", err)
			}
			if path != nil {
				live[string(path)] = true
			}
		}
		for _, k := range older {
			if err := snapshots.DeleteBucket(k); err != nil {
				return fmt.Errorf("delete an old snapshot: %w", err)
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("keep the live segments of %s: %w", gen, err)
	}
	entries, err := os.ReadDir(store)
	if err != nil {
		return nil, fmt.Errorf("keep the live segments of %s: %w", gen, err)
	}
	var removed []string
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".zap") && !live[name] {
			if err := os.Remove(filepath.Join(store, name)); err != nil {
				return removed, fmt.Errorf("remove obsolete segment: %w", err)
			}
			removed = append(removed, name)
		}
	}
	return removed, nil
}
