package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/postgres"
)

const keysUsage = `Usage:
  careatlas keys create --kind search|provider|admin --name NAME [scope flags] [--expires DURATION|DATE]
  careatlas keys list   [--json]
  careatlas keys revoke ID
  careatlas keys derive PARENT|- [scope flags] [--expires DURATION|DATE]

Scope flags (repeat a flag, or separate values with commas, for several):
  --facility ID     search keys: always filter to these facilities; provider keys: the facilities whose analytics they read
  --country CC      always filter to these countries
  --category NAME   always filter to these categories (repeat the flag; names are not split on commas)
  --type TYPE       always filter to these types (offer, facility, doctor, treatment)
  --origin URL      browser origins allowed to use the key (https://clinic.example, https://*.clinic.example)
  --rate N/min      the key's own rate limit (N, N/s, N/min or N/h); --burst N its bucket size
  --lang L, --currency C, --from CC   defaults a request may override

create prints the new key's secret on stdout, once: it is not stored and cannot be shown again.
derive needs no database: it mints, from a search key, a key that narrows it (see the README).
Revocation takes effect within 5 seconds on every running server.
`

// keysCmd runs 'careatlas keys SUBCOMMAND'.
func keysCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, keysUsage)
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"create": keysCreate, "list": keysList, "revoke": keysRevoke, "derive": keysDerive,
	}[args[0]]
	if sub == nil {
		fmt.Fprintf(stderr, "careatlas keys: unknown subcommand %q\n\n%s", args[0], keysUsage)
		return errUsage
	}
	return sub(ctx, args[1:], stdout, stderr)
}

// listFlag is a flag that may be repeated and takes comma-separated values.
type listFlag struct {
	values []string
	split  bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

func (l *listFlag) Set(s string) error {
	parts := []string{s}
	if l.split {
		parts = strings.Split(s, ",")
	}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			l.values = append(l.values, p)
		}
	}
	return nil
}

// scopeFlags are the flags that make a Scope, shared by create and derive.
type scopeFlags struct {
	facilities, countries, categories, types, origins listFlag
	rate, lang, currency, from, expires               string
	burst                                             int
}

func addScopeFlags(fs *flag.FlagSet) *scopeFlags {
	f := &scopeFlags{facilities: listFlag{split: true}, countries: listFlag{split: true},
		types: listFlag{split: true}, origins: listFlag{split: true}}
	fs.Var(&f.facilities, "facility", "facility `ID` (repeatable)")
	fs.Var(&f.countries, "country", "country code `CC` (repeatable)")
	fs.Var(&f.categories, "category", "category `NAME` (repeatable)")
	fs.Var(&f.types, "type", "`TYPE`: offer, facility, doctor, treatment (repeatable)")
	fs.Var(&f.origins, "origin", "allowed browser origin `URL` (repeatable)")
	fs.StringVar(&f.rate, "rate", "", "rate limit, `N/min` (or N, N/s, N/h)")
	fs.IntVar(&f.burst, "burst", 0, "bucket size `N` of the rate limit (default: 10 seconds' worth)")
	fs.StringVar(&f.lang, "lang", "", "default language `L`")
	fs.StringVar(&f.currency, "currency", "", "default currency `C`")
	fs.StringVar(&f.from, "from", "", "default patient country `CC`")
	fs.StringVar(&f.expires, "expires", "", "expiry: a `DURATION` (90m, 12h, 30d) or a DATE (2027-01-01, RFC 3339)")
	return f
}

func (f *scopeFlags) scope() (auth.Scope, error) {
	s := auth.Scope{
		Filters:  auth.Filters{Countries: f.countries.values, Categories: f.categories.values, Types: f.types.values},
		Defaults: auth.Defaults{Lang: f.lang, Currency: f.currency, From: f.from},
		Origins:  f.origins.values, Burst: f.burst,
	}
	for _, v := range f.facilities.values {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s, fmt.Errorf("--facility %q: not an id", v)
		}
		s.FacilityIDs = append(s.FacilityIDs, id)
	}
	if f.rate != "" {
		n, err := parseRate(f.rate)
		if err != nil {
			return s, err
		}
		s.RatePerMinute = n
	}
	return s, nil
}

// parseRate reads N, N/s, N/min or N/h as requests a minute.
func parseRate(s string) (int, error) {
	num, unit, _ := strings.Cut(s, "/")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	per := map[string]float64{"": 1, "min": 1, "m": 1, "s": 60, "sec": 60, "h": 1.0 / 60, "hour": 1.0 / 60}
	mult, ok := per[strings.TrimSpace(unit)]
	if err != nil || n <= 0 || !ok || float64(n)*mult < 1 {
		return 0, fmt.Errorf("--rate %q: want requests a minute as N/min (or N/s, N/h), at least 1/min", s)
	}
	return int(float64(n) * mult), nil
}

// parseExpiry reads a duration from now (Go's, plus d for days) or a date.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return now.AddDate(0, 0, n).UTC(), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d).UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil && t.After(now) {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil && t.After(now) {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("--expires %q: want a duration (90m, 12h, 30d) or a future date (2027-01-01 or RFC 3339)", s)
}

// withPositional moves a leading positional argument behind the flags, as
// 'keys derive PARENT --facility 12' puts it first and the flag package
// stops at the first non-flag.
func withPositional(args []string) []string {
	if len(args) > 0 && (args[0] == "-" || !strings.HasPrefix(args[0], "-")) {
		return append(append(args[1:len(args):len(args)], "--"), args[0])
	}
	return args
}

// keyStore connects and applies the schema, so that keys can be made on a
// database nothing has been loaded into yet.
func keyStore(ctx context.Context, url string) (postgres.Keys, func(), error) {
	pool, err := postgres.Connect(ctx, url)
	if err != nil {
		return postgres.Keys{}, nil, err
	}
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		pool.Close()
		return postgres.Keys{}, nil, err
	}
	return postgres.Keys{Pool: pool}, pool.Close, nil
}

func keysCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys create", "keys create --kind search|provider|admin --name NAME [scope flags] [--expires DURATION|DATE]", stderr)
	dbURL := databaseFlag(fs)
	kind := fs.String("kind", "", "`KIND` of key: search, provider or admin")
	name := fs.String("name", "", "`NAME` saying whose key it is")
	sf := addScopeFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *kind == "" || strings.TrimSpace(*name) == "" {
		fs.Usage()
		return errUsage
	}
	scope, err := sf.scope()
	if err != nil {
		return err
	}
	now := time.Now()
	expires, err := parseExpiry(sf.expires, now)
	if err != nil {
		return err
	}
	k, secret, err := auth.NewKey(auth.Kind(*kind), strings.TrimSpace(*name), scope, expires, now)
	if err != nil {
		return err
	}
	store, closeDB, err := keyStore(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := store.CreateKey(ctx, k); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "created %s key %s %q%s\nits secret follows, shown this once; store it now:\n",
		k.Kind, k.ID, k.Name, describe(k))
	fmt.Fprintln(stdout, secret.Reveal())
	return nil
}

// describe summarises a key's scope and expiry on one line.
func describe(k *auth.Key) string {
	var parts []string
	add := func(label string, v []string) {
		if len(v) > 0 {
			parts = append(parts, label+" "+strings.Join(v, ","))
		}
	}
	var ids []string
	for _, id := range k.Scope.FacilityIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	add("facilities", ids)
	add("countries", k.Scope.Countries)
	add("categories", k.Scope.Categories)
	add("types", k.Scope.Types)
	add("origins", k.Scope.Origins)
	for label, v := range map[string]string{"lang": k.Scope.Lang, "currency": k.Scope.Currency, "from": k.Scope.From} {
		if v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	if k.Scope.RatePerMinute > 0 {
		parts = append(parts, fmt.Sprintf("rate %d/min", k.Scope.RatePerMinute))
	}
	if !k.ExpiresAt.IsZero() {
		parts = append(parts, "expires "+k.ExpiresAt.Format(time.RFC3339))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func keysList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys list", "keys list [--json]", stderr)
	dbURL := databaseFlag(fs)
	asJSON := fs.Bool("json", false, "print the keys as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	store, closeDB, err := keyStore(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeDB()
	keys, err := store.ListKeys(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if keys == nil {
			keys = []*auth.Key{}
		}
		return enc.Encode(map[string]any{"keys": keys})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tNAME\tCREATED\tSTATE\tSCOPE")
	now := time.Now()
	for _, k := range keys {
		state := "active"
		if err := k.Usable(now); err != nil {
			state = strings.TrimPrefix(strings.TrimPrefix(err.Message, "this API key "), "was ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Kind, k.Name, k.CreatedAt.Format(time.DateOnly),
			state, strings.Trim(describe(k), " ()"))
	}
	return tw.Flush()
}

func keysRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys revoke", "keys revoke ID", stderr)
	dbURL := databaseFlag(fs)
	if err := parse(fs, withPositional(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	id := fs.Arg(0)
	if !auth.ValidID(id) {
		return fmt.Errorf("%q is not a key id (12 hex characters, as 'keys list' shows)", id)
	}
	store, closeDB, err := keyStore(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeDB()
	k, err := store.RevokeKey(ctx, id, time.Now())
	if errors.Is(err, auth.ErrKeyNotFound) {
		return fmt.Errorf("no key has id %s", id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %s key %s %q at %s; running servers refuse it within 5 seconds\n",
		k.Kind, k.ID, k.Name, k.RevokedAt.Format(time.RFC3339))
	return nil
}

func keysDerive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys derive", "keys derive PARENT|- [scope flags] [--expires DURATION|DATE]", stderr)
	sf := addScopeFlags(fs)
	if err := parse(fs, withPositional(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	parent := fs.Arg(0)
	if parent == "-" { // keeps the parent out of shell history and ps
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read the parent key from stdin: %w", err)
		}
		parent = strings.TrimSpace(line)
	}
	scope, err := sf.scope()
	if err != nil {
		return err
	}
	expires, err := parseExpiry(sf.expires, time.Now())
	if err != nil {
		return err
	}
	d, err := auth.Derive(parent, auth.Derivation{Scope: scope, ExpiresAt: expires})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, d.Reveal())
	return nil
}
