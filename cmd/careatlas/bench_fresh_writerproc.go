package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// With --writers-process the writers of 'bench fresh' run in a child
// process of their own (the same binary, started with benchWriterEnv
// set), as an application that writes to the database runs apart from
// the search server: as goroutines in the server's process they share its
// Ps, its network poller and its garbage collector, and their CPU is
// counted as the server's. On the two vCPUs the bench was measured on a
// process of their own cost the searches more, not less (BENCHMARKS.md,
// sixteenth session): its threads compete with the server's as equals in
// the kernel, and its own runtime took more CPU than the goroutines did,
// so it is not the default. The probes, a change or two a second that the
// bench times to visibility, stay in the process.
// The child reads its setup, then one command at a time, as JSON lines
// on its standard input, and answers each on its standard output; it
// exits when its input closes (the bench ended, or died).

// benchWriterEnv, set in a careatlas process's environment, makes it the
// writer child of 'bench fresh' instead of running a command.
const benchWriterEnv = "CAREATLAS_BENCH_WRITER"

// writerSetup is what the child is told first: where to write, and what
// the bench sampled (newFreshWriter), so that it changes the prices of
// none of the offers the probes mark. The database URL goes on the pipe,
// not the command line, where other users' ps would show its password.
type writerSetup struct {
	DatabaseURL string        `json:"database_url"`
	RateEvery   time.Duration `json:"rate_every"`
	Offers      []int64       `json:"offers"`
	Facilities  [2]int64      `json:"facilities"`
	Treatments  [2]int64      `json:"treatments"`
	Currencies  []string      `json:"currencies"`
	NextID      int64         `json:"next_id"`
}

// writerCommand is one command: "start" writing Rate changes a second,
// "stop" and wait for the writers, or "count" the changes written.
type writerCommand struct {
	Op   string `json:"op"`
	Rate int    `json:"rate,omitempty"`
}

// writerReply answers a command: the changes written and exchange rates
// changed since the child started, and what went wrong ("": nothing).
type writerReply struct {
	Written     int64  `json:"written"`
	RateChanges int64  `json:"rate_changes"`
	Err         string `json:"error,omitempty"`
}

// benchWriterMain is the child: it returns the process's exit code.
func benchWriterMain(ctx context.Context, stdin io.Reader, stdout io.Writer) int {
	// An interrupt at a terminal reaches the whole process group: the
	// bench stops the writers, and closes the pipe, when it stops.
	signal.Ignore(os.Interrupt)
	dec, enc := json.NewDecoder(stdin), json.NewEncoder(stdout)
	var setup writerSetup
	if err := dec.Decode(&setup); err != nil {
		slog.Error("bench fresh writer: read the setup", "err", err)
		return 1
	}
	cfg, err := pgxpool.ParseConfig(setup.DatabaseURL)
	if err != nil {
		slog.Error("bench fresh writer: database url", "err", err)
		return 1
	}
	cfg.MaxConns = freshWriters
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		slog.Error("bench fresh writer: connect to database", "err", err)
		return 1
	}
	defer pool.Close()
	w := &freshWriter{pool: pool, rateEvery: setup.RateEvery, offers: setup.Offers, facilities: setup.Facilities,
		treatments: setup.Treatments, currencies: setup.Currencies, marked: map[*freshProbe]bool{}}
	w.nextID.Store(setup.NextID)
	// cur is the writers running (nil: none).
	type running struct {
		stop context.CancelFunc
		wait func() error
	}
	var cur *running
	halt := func() error {
		if cur == nil {
			return nil
		}
		cur.stop()
		err := cur.wait()
		cur = nil
		return err
	}
	defer halt()
	for {
		var c writerCommand
		if err := dec.Decode(&c); err != nil {
			if !errors.Is(err, io.EOF) {
				slog.Error("bench fresh writer: read a command", "err", err)
				return 1
			}
			return 0
		}
		var err error
		switch c.Op {
		case "start":
			if cur != nil {
				err = errors.New("already writing")
				break
			}
			wctx, stop := context.WithCancel(ctx)
			cur = &running{stop: stop, wait: w.start(wctx, c.Rate)}
		case "stop":
			err = halt()
		case "count":
		default:
			err = fmt.Errorf("unknown command %q", c.Op)
		}
		r := writerReply{Written: w.written.Load(), RateChanges: w.rateChanges.Load()}
		if err != nil {
			r.Err = err.Error()
		}
		if err := enc.Encode(r); err != nil {
			slog.Error("bench fresh writer: answer", "err", err)
			return 1
		}
	}
}

// writerProc is the parent's end of a writer child.
type writerProc struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	enc  *json.Encoder
	dec  *json.Decoder
	mu   sync.Mutex // one command at a time
	done chan error // the child's exit
}

// spawnWriters starts the writer child for w, writing to the database at
// dbURL. w's own writes (start) go through it from then on.
func (w *freshWriter) spawnWriters(ctx context.Context, dbURL string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench fresh: find this program to start the writers: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), benchWriterEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("bench fresh: writers' input: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("bench fresh: writers' output: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("bench fresh: start the writers' process: %w", err)
	}
	p := &writerProc{cmd: cmd, in: in, enc: json.NewEncoder(in), dec: json.NewDecoder(out), done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	w.proc = p
	setup := writerSetup{DatabaseURL: dbURL, RateEvery: w.rateEvery, Offers: w.offers, Facilities: w.facilities,
		Treatments: w.treatments, Currencies: w.currencies, NextID: w.nextID.Load()}
	if err := p.enc.Encode(setup); err != nil {
		return fmt.Errorf("bench fresh: set the writers up: %w", errors.Join(err, p.close()))
	}
	// A first count: the child is connected and answering.
	if _, err := p.do(writerCommand{Op: "count"}); err != nil {
		return errors.Join(err, p.close())
	}
	return nil
}

// do sends the child one command and reads its answer.
func (p *writerProc) do(c writerCommand) (writerReply, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var r writerReply
	if err := p.enc.Encode(c); err != nil {
		return r, fmt.Errorf("bench fresh: tell the writers to %s: %w", c.Op, err)
	}
	if err := p.dec.Decode(&r); err != nil {
		return r, fmt.Errorf("bench fresh: the writers' answer to %s (their log is above): %w", c.Op, err)
	}
	if r.Err != "" {
		return r, fmt.Errorf("bench fresh: the writers, told to %s: %s", c.Op, r.Err)
	}
	return r, nil
}

// start has the child write rate changes a second until ctx is done; the
// returned func waits for its writers to stop.
func (p *writerProc) start(ctx context.Context, rate int) func() error {
	if _, err := p.do(writerCommand{Op: "start", Rate: rate}); err != nil {
		return func() error { return err }
	}
	stopped := make(chan error, 1)
	go func() {
		<-ctx.Done()
		_, err := p.do(writerCommand{Op: "stop"})
		stopped <- err
	}()
	return func() error { return <-stopped }
}

// close ends the child: its input closes, it stops its writers and exits;
// one that has not within a minute is killed.
func (p *writerProc) close() error {
	p.in.Close()
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Errorf("bench fresh: the writers' process: %w", err)
		}
		return nil
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		return fmt.Errorf("bench fresh: the writers' process did not exit: killed, %w", <-p.done)
	}
}
