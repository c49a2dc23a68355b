package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
)

// 'careatlas adversarial' measures what hostile queries do to everyone
// else: the latency of ordinary searches with clients sending only them,
// then with the same clients sending a share (--mix, 20% by default) of
// adversarial ones — long, random, many words, deep pages, every facet —
// on the same server. The target is an ordinary p99 within 2× of
// its value without them.

// adversarialReport is what 'careatlas adversarial' measures; --json prints it.
type adversarialReport struct {
	Command   string            `json:"command"`
	Index     string            `json:"index"`
	Documents map[string]uint64 `json:"documents,omitempty"`
	CPUs      int               `json:"cpus"`
	LoadAvg   [2]string         `json:"load_average_before_after"`
	Clients   int               `json:"clients"`
	Mix       float64           `json:"mix"`
	Budget    string            `json:"search_budget"`
	Without   latencyStats      `json:"ordinary_without"`
	With      latencyStats      `json:"ordinary_with"`
	Hostile   latencyStats      `json:"adversarial"`
	Statuses  map[string]int    `json:"adversarial_statuses"`
	// Shapes are the adversarial latencies by shape of query.
	Shapes map[string]latencyStats `json:"adversarial_by_shape"`
	// Ratio is the ordinary p99 with the mix over the p99 without.
	Ratio float64 `json:"p99_ratio"`
}

// latencyStats are the latencies of one kind of request in one run.
type latencyStats struct {
	Requests int     `json:"requests"`
	Failed   int     `json:"failed"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
}

func adversarialCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("adversarial", "adversarial [--index-dir DIR | --url URL] [--clients 8] [--duration 10s] [--mix 0.2] [--json]", stderr)
	dir := fs.String("index-dir", "", "serve the index in this directory (built from --catalog when it holds none; default: a temporary one)")
	catalog := fs.String("catalog", defaultCatalog, "catalogue to build the index from when --index-dir holds none"+catalogUsage)
	target := fs.String("url", "", "measure the server at this base URL instead of serving an index")
	clients := fs.Int("clients", 8, "concurrent clients, each sending one request after another")
	duration := fs.Duration("duration", 10*time.Second, "length of each of the two runs")
	mix := fs.Float64("mix", 0.2, "share of adversarial requests in the second run")
	budget := fs.Duration("search-budget", api.DefaultSearchBudget, "the served index's search budget (not with --url)")
	seed := fs.Uint64("seed", 1, "seed of the adversarial queries")
	asJSON := fs.Bool("json", false, "print one JSON object with every figure")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *clients < 1 || *duration <= 0 || *mix <= 0 || *mix >= 1 {
		return fmt.Errorf("--clients and --duration must be positive and --mix between 0 and 1")
	}
	rep := &adversarialReport{Command: "careatlas adversarial " + strings.Join(args, " "), CPUs: runtime.NumCPU(),
		Clients: *clients, Mix: *mix, Budget: budget.String(), Statuses: map[string]int{}}
	base := *target
	if base == "" {
		lv, stop, err := adversarialServer(ctx, *dir, *catalog, *budget, stderr)
		if err != nil {
			return err
		}
		defer stop()
		if snap, err := lv.Acquire(); err == nil {
			rep.Index, rep.Documents = snap.Generation(), snap.Index.DocsByType()
			snap.Release()
		}
		var closeHTTP func()
		if base, closeHTTP, err = listenLoopback(lv, *budget); err != nil {
			return err
		}
		defer closeHTTP() // before the index closes
	} else {
		rep.Index, rep.Budget = base, "the server's"
	}
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}}
	// Warm up: the first searches open files and fill caches.
	if _, err := runMix(ctx, hc, base, *clients, min(2*time.Second, *duration), 0, *seed); err != nil {
		return err
	}
	rep.LoadAvg[0] = loadAverage()
	without, err := runMix(ctx, hc, base, *clients, *duration, 0, *seed)
	if err != nil {
		return err
	}
	with, err := runMix(ctx, hc, base, *clients, *duration, *mix, *seed)
	if err != nil {
		return err
	}
	rep.LoadAvg[1] = loadAverage()
	rep.Without, rep.With, rep.Hostile = without.ordinary.stats(), with.ordinary.stats(), with.hostile.stats()
	rep.Statuses, rep.Shapes = with.statuses, map[string]latencyStats{}
	for shape, l := range with.shapes {
		rep.Shapes[shape] = l.stats()
	}
	if rep.Without.P99 > 0 {
		rep.Ratio = rep.With.P99 / rep.Without.P99
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "%s\nindex %s %v, %d CPUs, load average %s → %s, %d clients, budget %s\n", rep.Command, rep.Index,
		rep.Documents, rep.CPUs, rep.LoadAvg[0], rep.LoadAvg[1], rep.Clients, rep.Budget)
	fmt.Fprintf(stdout, "%-28s %8s %6s %8s %8s %8s %8s\n", "", "requests", "failed", "p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, row := range []struct {
		name string
		s    latencyStats
	}{{"ordinary, alone", rep.Without}, {fmt.Sprintf("ordinary, with %.0f%% hostile", 100*rep.Mix), rep.With},
		{"adversarial", rep.Hostile}} {
		fmt.Fprintf(stdout, "%-28s %8d %6d %8.1f %8.1f %8.1f %8.1f\n", row.name, row.s.Requests, row.s.Failed, row.s.P50, row.s.P95, row.s.P99, row.s.Max)
	}
	for _, shape := range slices.Sorted(maps.Keys(rep.Shapes)) {
		st := rep.Shapes[shape]
		fmt.Fprintf(stdout, "  %-26s %8d %6d %8.1f %8.1f %8.1f %8.1f\n", shape, st.Requests, st.Failed, st.P50, st.P95, st.P99, st.Max)
	}
	fmt.Fprintf(stdout, "adversarial answers by status: %v\nordinary p99 with / without: %.2f× (target ≤ 2×)\n", rep.Statuses, rep.Ratio)
	return nil
}

// adversarialServer opens the index in dir, building one from catalog
// first when it holds none.
func adversarialServer(ctx context.Context, dir, catalog string, budget time.Duration, stderr io.Writer) (*live.Live, func(), error) {
	cleanup := func() {}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "careatlas-adversarial-")
		if err != nil {
			return nil, nil, err
		}
		dir, cleanup = tmp, func() { os.RemoveAll(tmp) }
	}
	lv, err := live.New(dir)
	if err == nil && !lv.Ready() {
		lv.Close()
		if err = build(ctx, &indexer.FileSource{Dir: catalog}, dir, io.Discard, stderr); err == nil {
			lv, err = live.New(dir)
		}
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if edges, err := indexer.FileSynonyms(catalog); err == nil {
		lv.SetSynonyms(search.NewSynonyms(edges), "")
	}
	return lv, func() { lv.Close(); cleanup() }, nil
}

// listenLoopback serves lv's API, with the search budget given, on a
// loopback port, and returns its base URL and how to stop it.
func listenLoopback(lv *live.Live, budget time.Duration) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	srv := httpServer(api.New(lv, api.Options{SearchBudget: budget, NoPosts: true,
		Auth: auth.Config{PublicSearch: true, AnonymousRate: auth.Rate{PerMinute: -1}}}))
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// mixResult is one run: the latencies of each kind and the adversarial
// answers by status.
type mixResult struct {
	ordinary, hostile latencies
	shapes            map[string]*latencies
	statuses          map[string]int
}

type latencies struct {
	ds     []time.Duration
	failed int
}

func (l latencies) stats() latencyStats {
	s := latencyStats{Requests: len(l.ds), Failed: l.failed}
	if len(l.ds) == 0 {
		return s
	}
	slices.Sort(l.ds)
	s.P50, s.P95, s.P99 = percentile(l.ds, 0.50), percentile(l.ds, 0.95), percentile(l.ds, 0.99)
	s.Max = float64(l.ds[len(l.ds)-1].Microseconds()) / 1000
	return s
}

// runMix runs clients for d, each sending an adversarial request with
// probability mix and an ordinary one otherwise, one after another.
func runMix(ctx context.Context, hc *http.Client, base string, clients int, d time.Duration, mix float64, seed uint64) (mixResult, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	res := mixResult{statuses: map[string]int{}, shapes: map[string]*latencies{}}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(c)))
			shapes := c // each client sends the shapes in turn
			for i := c; ctx.Err() == nil; i++ {
				hostile := rng.Float64() < mix
				var q url.Values
				var shape string
				if hostile {
					shape, q = adversarialQuery(rng, shapes)
					shapes++
				} else {
					q = ordinaryQueries[i%len(ordinaryQueries)]
				}
				start := time.Now()
				status, err := getStatus(ctx, hc, base+"/v1/search?"+q.Encode())
				took := time.Since(start)
				if ctx.Err() != nil {
					return // cut off by the end of the run: not a measurement
				}
				mu.Lock()
				switch {
				case hostile:
					res.statuses[strconv.Itoa(status)]++
					res.hostile.ds = append(res.hostile.ds, took)
					if res.shapes[shape] == nil {
						res.shapes[shape] = &latencies{}
					}
					res.shapes[shape].ds = append(res.shapes[shape].ds, took)
					if err != nil {
						res.hostile.failed++
						res.shapes[shape].failed++
					}
				case err != nil || status != http.StatusOK:
					res.ordinary.failed++
				default:
					res.ordinary.ds = append(res.ordinary.ds, took)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(res.ordinary.ds) == 0 {
		return res, fmt.Errorf("no ordinary search answered in %v (%d failed)", d, res.ordinary.failed)
	}
	return res, nil
}

func getStatus(ctx context.Context, hc *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// ordinaryQueries are what patients send: a treatment in their words,
// often with a country, a type, a sort and a facet or two. Each finds
// offers in the demo catalogue and in the generated benchmark ones.
var ordinaryQueries = []url.Values{
	{"q": {"knee replacement"}, "type": {"offer"}, "sort": {"price_asc"}, "facets": {"country,price"}},
	{"q": {"hip replacement"}, "country": {"US"}},
	{"q": {"nose job"}, "facets": {"country"}},
	{"q": {"ivf"}, "type": {"offer"}, "currency": {"EUR"}},
	{"q": {"dental implant"}, "sort": {"price_asc"}},
	{"q": {"cataract surgery"}, "type": {"facility"}},
	{"q": {"liposuction"}, "country": {"TR"}, "facets": {"city"}},
	{"q": {"heart attack"}},
	{"type": {"facility"}, "country": {"GB"}, "facets": {"city"}},
	{"q": {"rhinoplasty"}, "currency": {"EUR"}, "sort": {"price_desc"}},
}

// adversarialQuery is one hostile search, of shape n (of five, in turn),
// with the shape's name.
func adversarialQuery(rng *rand.Rand, n int) (string, url.Values) {
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	words := func(n, minLen, maxLen int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = word(minLen + rng.IntN(maxLen-minLen+1))
		}
		return strings.Join(ws, " ")
	}
	switch n % 5 {
	case 0: // long: the longest query allowed, of long unknown words
		q := words(40, 8, 14)
		return "long", url.Values{"q": {q[:min(len(q), search.MaxQueryLength)]}}
	case 1: // random bytes of text: letters, digits, punctuation, accents
		const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 -'.,éüçşğıİ"
		rs := []rune(alphabet)
		b := make([]rune, 100+rng.IntN(200))
		for i := range b {
			b[i] = rs[rng.IntN(len(rs))]
		}
		return "random", url.Values{"q": {string(b)}}
	case 2: // many distinct unknown words, each typo-corrected if it could be
		return "many words", url.Values{"q": {words(60, 4, 7)}}
	case 3: // the deepest page allowed of a broad search
		return "deep page", url.Values{"q": {"surgery"}, "per_page": {strconv.Itoa(search.MaxPerPage)},
			"page": {strconv.Itoa(search.MaxResultWindow / search.MaxPerPage)}, "sort": {"price_asc"}}
	default: // every facet, at their largest, over everything
		return "every facet", url.Values{"facets": {strings.Join(search.FacetNames(), ",")}, "facet_size": {strconv.Itoa(search.MaxFacetSize)},
			"per_page": {strconv.Itoa(search.MaxPerPage)}}
	}
}

// loadAverage is the first three fields of /proc/loadavg, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
