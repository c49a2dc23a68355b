// Command careatlas runs CareAtlas: it migrates and loads the catalogue into
// PostgreSQL, builds the search index, and serves the search API.
//
//	careatlas serve                 serve search (demo catalogue when no database is configured)
//	careatlas migrate               apply the database schema
//	careatlas load [PATH]           load a catalogue directory into PostgreSQL
//	careatlas index                 rebuild the search index from PostgreSQL
//	careatlas gen                   write a large generated catalogue into PostgreSQL
//	careatlas bench                 measure CareAtlas against PostgreSQL full-text search
//	careatlas adversarial           measure ordinary searches' latency beside hostile ones
//	careatlas keys …                create, list, revoke and derive API keys
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

const usage = `CareAtlas: treatment and provider search.

Usage:
  careatlas serve   [--addr :8080] [--index-dir DIR] [--database-url URL] [--catalog DIR] [--admin-key KEY] [--fold-after N]
                    [--generations s3://BUCKET/PREFIX [--s3-endpoint URL]]
  careatlas migrate [--database-url URL]
  careatlas load    [--database-url URL] [PATH]     (no PATH: the built-in demo catalogue)
  careatlas index   [--database-url URL] [--index-dir DIR] [--nice N] [--idle] [--publish s3://BUCKET/PREFIX [--s3-endpoint URL]]
  careatlas gen     [--database-url URL] [--offers N] [--seed S]
  careatlas bench   [--database-url URL] [--offers N] [--json]
  careatlas bench fresh --index-dir DIR [--database-url URL] [--rate 100] [--json]   (freshness under writes)
  careatlas bench overlay --index-dir DIR [--changes 16000] [--json]   (what changes on top cost a search)
  careatlas bench fold --index-dir DIR [--database-url URL] [--json]   (what a fold's build costs the searches beside it)
  careatlas adversarial [--index-dir DIR | --url URL] [--clients 8] [--duration 10s] [--mix 0.2] [--json]
  careatlas keys    create|list|revoke|derive …   (careatlas keys --help)

--database-url falls back to $DATABASE_URL, --admin-key to $CAREATLAS_ADMIN_KEY, --s3-endpoint to
$AWS_ENDPOINT_URL; object-store credentials come from $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY. Run 'careatlas COMMAND --help' for a command's flags.
`

// Defaults shared by the commands. The default catalogue, "", is the demo
// catalogue built into the binary (indexer.Catalogue), so that the commands
// work from any directory and after 'go install'; a path overrides it.
const (
	defaultIndexDir = "data/index"
	defaultCatalog  = ""
)

// catalogUsage describes a --catalog or --base flag, whose empty default
// the flag package would not show.
const catalogUsage = " (default: the demo catalogue built into the binary)"

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()})))
	if os.Getenv(benchWriterEnv) != "" {
		os.Exit(benchWriterMain(context.Background(), os.Stdin, os.Stdout))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if path := os.Getenv("CAREATLAS_CPUPROFILE"); path != "" {
		stopProfile := startCPUProfile(path)
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stopProfile()
		os.Exit(code)
	}
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// startCPUProfile profiles the whole command into path, for finding where
// a build or a benchmark spends its time (go tool pprof).
func startCPUProfile(path string) func() {
	f, err := os.Create(path)
	if err != nil {
		slog.Error("cpu profile", "err", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		slog.Error("cpu profile", "err", err)
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("CAREATLAS_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	commands := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"serve":       serveCmd,
		"migrate":     migrateCmd,
		"load":        loadCmd,
		"index":       indexCmd,
		"gen":         genCmd,
		"bench":       benchCmd,
		"adversarial": adversarialCmd,
		"keys":        keysCmd,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "careatlas: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := cmd(ctx, args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintf(stderr, "careatlas %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// newFlags returns a flag set that prints its usage to stderr and reports a
// bad flag as errUsage.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: careatlas %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

func databaseFlag(fs *flag.FlagSet) *string {
	return fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (default $DATABASE_URL)")
}
