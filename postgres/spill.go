package postgres

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/careatlas/careatlas/search/posts"
)

// SpillFile is the name of the file, in EventOptions.SpillDir, that holds
// the events waiting for PostgreSQL to come back.
const SpillFile = "analytics-spill.jsonl"

// DefaultSpillMax bounds the spill file: 64 MiB, some 300,000 to 500,000
// events (120 to 200 bytes each as JSON), hours of a busy server's
// searches. Past it, events are dropped, counted and logged.
const DefaultSpillMax = 64 << 20

// spilled is one event as a line of the spill file.
type spilled struct {
	Search *posts.SearchEvent `json:"search,omitempty"`
	Post   *posts.PostEvent   `json:"post,omitempty"`
	View   *posts.ViewEvent   `json:"view,omitempty"`
}

// spill keeps events on disk while the database is away: appended a batch
// at a time, each batch synced, read back in batches when it returns. Only
// the writer's goroutine touches it.
type spill struct {
	path string
	max  int64
	size int64 // bytes in the file
	n    int64 // events in the file
}

// openSpill finds what an earlier process spilled and did not write (it
// died, or was shut down while the database was away), so that it is
// written now.
func openSpill(dir string, max int64) (*spill, error) {
	s := &spill{path: filepath.Join(dir, SpillFile), max: max}
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open analytics spill: %w", err)
	}
	defer f.Close()
	err = readSpill(f, func([]event) error { return nil }, func(n int, size int64) { s.n += int64(n); s.size = size })
	if err != nil {
		return nil, fmt.Errorf("read analytics spill %s: %w", s.path, err)
	}
	// A line torn by a crash is cut, so that appends start on a line.
	if size, err := fileSize(s.path); err == nil && size != s.size {
		if err := os.Truncate(s.path, s.size); err != nil {
			return nil, fmt.Errorf("cut the torn end of %s: %w", s.path, err)
		}
	}
	return s, nil
}

// add appends batch and returns how many events did not fit under the
// bound (those at its end).
func (s *spill) add(batch []event) (dropped int, err error) {
	var buf []byte
	kept := 0
	for _, e := range batch {
		line, err := json.Marshal(spilled{Search: e.search, Post: e.post, View: e.view})
		if err != nil {
			return len(batch) - kept, fmt.Errorf("encode event: %w", err)
		}
		if s.size+int64(len(buf)+len(line)+1) > s.max {
			break
		}
		buf = append(append(buf, line...), '\n')
		kept++
	}
	if kept == 0 {
		return len(batch), nil
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return len(batch), fmt.Errorf("spill analytics: %w", err)
	}
	_, err = f.Write(buf)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// Cut what was half written, or the next append would follow a
		// torn line.
		os.Truncate(s.path, s.size)
		return len(batch), fmt.Errorf("spill analytics: %w", err)
	}
	s.size += int64(len(buf))
	s.n += int64(kept)
	return len(batch) - kept, nil
}

// drain writes the spilled events with write, batchSize at a time. On
// success the file is removed; on a failure, what was written is cut from
// the file, so that nothing is written twice, and the error returned.
func (s *spill) drain(batchSize int, write func([]event) error) error {
	if s.n == 0 {
		return nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("read analytics spill: %w", err)
	}
	var done int64 // bytes of the lines written
	var doneN int64
	var batch []event
	var batchEnd int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := write(batch); err != nil {
			return err
		}
		done, doneN = batchEnd, doneN+int64(len(batch))
		batch = batch[:0]
		return nil
	}
	err = readSpill(f, func(es []event) error {
		batch = append(batch, es...)
		if len(batch) >= batchSize {
			return flush()
		}
		return nil
	}, func(_ int, offset int64) { batchEnd = offset })
	if err == nil {
		err = flush()
	}
	f.Close()
	if err == nil {
		s.size, s.n = 0, 0
		if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return fmt.Errorf("remove analytics spill: %w", rerr)
		}
		return nil
	}
	if done > 0 {
		if cerr := s.cut(done); cerr != nil {
			return errors.Join(err, cerr)
		}
		s.n -= doneN
	}
	return err
}

// cut removes the first n bytes of the file, by writing the rest to a new
// file and renaming it over the old one, so a crash leaves one or the other.
func (s *spill) cut(n int64) error {
	src, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("cut analytics spill: %w", err)
	}
	defer src.Close()
	if _, err := src.Seek(n, io.SeekStart); err != nil {
		return fmt.Errorf("cut analytics spill: %w", err)
	}
	tmp := s.path + ".tmp"
	dst, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("cut analytics spill: %w", err)
	}
	rest, err := io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cut analytics spill: %w", err)
	}
	s.size = rest
	return nil
}

// readSpill calls each with the events of every line, and then progress
// with how many it had and the offset just past it. A torn last line (the
// process died while appending) is ignored; any other bad line is an error.
func readSpill(r io.Reader, each func([]event) error, progress func(n int, offset int64)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var offset int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return nil // a last line without its newline was never finished
		}
		if err != nil {
			return err
		}
		offset += int64(len(line))
		var sp spilled
		if err := json.Unmarshal(line, &sp); err != nil {
			return fmt.Errorf("at byte %d: %w", offset-int64(len(line)), err)
		}
		e := event{search: sp.Search, post: sp.Post, view: sp.View}
		if e.search == nil && e.post == nil && e.view == nil {
			return fmt.Errorf("at byte %d: an empty event", offset-int64(len(line)))
		}
		progress(1, offset)
		if err := each([]event{e}); err != nil {
			return err
		}
	}
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
