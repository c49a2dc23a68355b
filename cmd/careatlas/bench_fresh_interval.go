package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// pooledChange is the change of the searches under writes over those
// without, pooled over every round's blocks, in percent, with a 95%
// interval: what the "within 10%" is judged by, and how sure a
// run of so many rounds can be of it. One run's figure scatters by
// several points from run to run on these VMs (an A/A run, --control,
// shows by how much), so a run whose figure lies under 10% is not yet
// one that shows the target met, nor one just over it one that shows it
// missed: the interval says which a run can tell.
type pooledChange struct {
	P50 changeInterval `json:"p50"`
	P99 changeInterval `json:"p99"`
	// Resamples is how many resamples of the rounds the intervals are of.
	Resamples int `json:"resamples"`
	// Within10Pct is the verdict on the target at p50 and p99:
	// "yes" when both intervals lie under 10%, "no" when either lies
	// over it, "undecided" when an interval holds 10% (more rounds
	// narrow it).
	Within10Pct string `json:"within_10pct"`
}

// changeInterval is a change in percent and its 95% interval.
type changeInterval struct {
	Change float64 `json:"change_pct"`
	Low    float64 `json:"ci95_low_pct"`
	High   float64 `json:"ci95_high_pct"`
}

// bootstrapResamples is how many resamples of the rounds pooledChangeOf
// draws: 2,000 put a 95% interval's ends within a few tenths of a point
// of where more would.
const bootstrapResamples = 2000

// pooledChangeOf returns the change of loaded's pooled p50 and p99 over
// quiet's, where quiet[r] and loaded[r] are round r's latencies without
// and under writes, with 95% intervals from a bootstrap over the rounds:
// each resample draws as many rounds as were run, with replacement, and
// pools both blocks of each round drawn, so a round's two blocks stay
// paired (they share the VM's speed of that minute, which is why they
// take turns) and the interval holds both the searches' own scatter and
// the rounds'. The draws are seeded: the same latencies give the same
// interval. nil with fewer than two rounds, which no resample can vary.
func pooledChangeOf(quiet, loaded [][]time.Duration, resamples int) *pooledChange {
	n := len(quiet)
	if n < 2 || len(loaded) != n {
		return nil
	}
	q, l := sortedRounds(quiet), sortedRounds(loaded)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	changes := func(picks []int) (p50, p99 float64) {
		return change(pooledQuantile(l, picks, 0.50), pooledQuantile(q, picks, 0.50)),
			change(pooledQuantile(l, picks, 0.99), pooledQuantile(q, picks, 0.99))
	}
	out := &pooledChange{Resamples: resamples}
	out.P50.Change, out.P99.Change = changes(all)
	rng := rand.New(rand.NewPCG(12, 2026))
	p50s, p99s := make([]float64, resamples), make([]float64, resamples)
	picks := make([]int, n)
	for b := range resamples {
		for i := range picks {
			picks[i] = rng.IntN(n)
		}
		p50s[b], p99s[b] = changes(picks)
	}
	out.P50.Low, out.P50.High = percentRange(p50s)
	out.P99.Low, out.P99.High = percentRange(p99s)
	switch {
	case out.P50.Low > 10 || out.P99.Low > 10:
		out.Within10Pct = "no"
	case out.P50.High < 10 && out.P99.High < 10:
		out.Within10Pct = "yes"
	default:
		out.Within10Pct = "undecided"
	}
	return out
}

// sortedRounds returns sorted copies of each round's latencies.
func sortedRounds(rounds [][]time.Duration) [][]time.Duration {
	out := make([][]time.Duration, len(rounds))
	for i, r := range rounds {
		out[i] = slices.Clone(r)
		slices.Sort(out[i])
	}
	return out
}

// pooledQuantile is the p quantile, in milliseconds, of the latencies of
// the rounds picks names (a round picked twice counts twice), each of
// rounds sorted, as percentile reads it off the pooled latencies sorted:
// the nearest rank. It is found by the value, not by pooling: the least
// latency v that at least that rank of the pooled latencies are at or
// under, counted round by round by binary search.
func pooledQuantile(rounds [][]time.Duration, picks []int, p float64) float64 {
	total := 0
	lo, hi := time.Duration(1<<62), time.Duration(0)
	for _, r := range picks {
		s := rounds[r]
		if len(s) == 0 {
			continue
		}
		total += len(s)
		lo, hi = min(lo, s[0]), max(hi, s[len(s)-1])
	}
	if total == 0 {
		return 0
	}
	rank := max(1, min(total, int(p*float64(total)+0.5)))
	atOrUnder := func(v time.Duration) int {
		c := 0
		for _, r := range picks {
			s := rounds[r]
			c += sort.Search(len(s), func(i int) bool { return s[i] > v })
		}
		return c
	}
	for lo < hi { // the least v in [lo, hi] with atOrUnder(v) >= rank
		mid := lo + (hi-lo)/2
		if atOrUnder(mid) >= rank {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return float64(lo.Microseconds()) / 1000
}

// percentRange is the 2.5th and 97.5th percentiles of xs (sorted in
// place).
func percentRange(xs []float64) (low, high float64) {
	slices.Sort(xs)
	at := func(p float64) float64 {
		return xs[max(0, min(len(xs)-1, int(p*float64(len(xs)))))]
	}
	return at(0.025), at(0.975)
}

// String is the change at p50 and p99 with their intervals, as the
// report prints it.
func (c *pooledChange) String() string {
	return fmt.Sprintf("p50 %+.1f%% (95%%: %+.1f%% to %+.1f%%), p99 %+.1f%% (95%%: %+.1f%% to %+.1f%%), %d resamples of the rounds",
		c.P50.Change, c.P50.Low, c.P50.High, c.P99.Change, c.P99.Low, c.P99.High, c.Resamples)
}
