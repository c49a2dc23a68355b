package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
)

// progressBar draws a build's progress on a terminal, redrawn at most ten
// times a second; elsewhere (a log file, CI) it logs a line every quarter.
type progressBar struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	label    string
	start    time.Time
	drawn    time.Time
	quarters int
}

func newProgressBar(w io.Writer, label string) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = isatty.IsTerminal(f.Fd())
	}
	return &progressBar{w: w, tty: tty, label: label, start: time.Now()}
}

// Update is an indexer.Progress.
func (p *progressBar) Update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := time.Since(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	if !p.tty {
		if total > 0 && done*4/total > p.quarters {
			p.quarters = done * 4 / total
			slog.Info(p.label, "done", done, "total", total, "docs_per_second", int(rate))
		}
		return
	}
	if time.Since(p.drawn) < 100*time.Millisecond && done < total {
		return
	}
	p.drawn = time.Now()
	const width = 30
	frac := 0.0
	if total > 0 {
		frac = min(1, float64(done)/float64(total))
	}
	filled := int(frac * width)
	eta := "--"
	if rate > 0 && total > done {
		eta = (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %d/%d docs  %.0f docs/s  ETA %s   ",
		p.label, strings.Repeat("█", filled), strings.Repeat("░", width-filled), frac*100, done, total, rate, eta)
}

// Finish ends the bar's line.
func (p *progressBar) Finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
