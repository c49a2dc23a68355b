package main

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// roundsOf makes n rounds of 3,000 latencies each, between 0.5 and 5 ms
// with a long tail, the same for the same seed.
func roundsOf(n int, seed uint64) [][]time.Duration {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([][]time.Duration, n)
	for r := range out {
		for range 3000 {
			ms := 0.5 + rng.ExpFloat64()
			out[r] = append(out[r], time.Duration(ms*float64(time.Millisecond)))
		}
	}
	return out
}

// scaled is rounds with the rounds named in which (all when nil) made
// f times slower.
func scaled(rounds [][]time.Duration, f float64, which ...int) [][]time.Duration {
	out := make([][]time.Duration, len(rounds))
	for r, s := range rounds {
		out[r] = slices.Clone(s)
		if which != nil && !slices.Contains(which, r) {
			continue
		}
		for i := range out[r] {
			out[r][i] = time.Duration(float64(out[r][i]) * f)
		}
	}
	return out
}

// TestPooledQuantileIsPercentile: the quantile found by counting round
// by round is the one percentile reads off the pooled latencies, a round
// picked twice counted twice.
func TestPooledQuantileIsPercentile(t *testing.T) {
	rounds := sortedRounds(roundsOf(5, 7))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		picks := make([]int, 1+rng.IntN(6))
		var pooled []time.Duration
		for i := range picks {
			picks[i] = rng.IntN(len(rounds))
			pooled = append(pooled, rounds[picks[i]]...)
		}
		for _, p := range []float64{0.01, 0.5, 0.99, 1} {
			if got, want := pooledQuantile(rounds, picks, p), percentile(pooled, p); got != want {
				t.Fatalf("rounds %v, p%g: %v ms, percentile of them pooled %v ms", picks, 100*p, got, want)
			}
		}
	}
}

func TestPooledChange(t *testing.T) {
	quiet := roundsOf(8, 11)
	for _, tc := range []struct {
		name    string
		loaded  [][]time.Duration
		change  float64 // at p50 and p99, within 0.2 points
		narrow  bool    // the interval is the change itself, within 0.2 points
		verdict string
	}{
		// The same searches on both sides: no change, in any resample.
		{"A/A", scaled(quiet, 1), 0, true, "yes"},
		// Every round 5% slower: 5% in any resample, within the target.
		{"5% slower", scaled(quiet, 1.05), 5, true, "yes"},
		{"30% slower", scaled(quiet, 1.3), 30, true, "no"},
		// Half the rounds 30% slower: which half a resample draws moves
		// the change on both sides of 10%.
		{"half the rounds slower", scaled(quiet, 1.3, 1, 3, 5, 7), math.NaN(), false, "undecided"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := pooledChangeOf(quiet, tc.loaded, bootstrapResamples)
			if got == nil {
				t.Fatal("no change for eight rounds")
			}
			for _, c := range []struct {
				at string
				ci changeInterval
			}{{"p50", got.P50}, {"p99", got.P99}} {
				if !(c.ci.Low <= c.ci.Change && c.ci.Change <= c.ci.High) {
					t.Errorf("%s: change %+.2f%% outside its interval %+.2f%% to %+.2f%%", c.at, c.ci.Change, c.ci.Low, c.ci.High)
				}
				if !math.IsNaN(tc.change) && math.Abs(c.ci.Change-tc.change) > 0.2 {
					t.Errorf("%s: change %+.2f%%, want %+.1f%%", c.at, c.ci.Change, tc.change)
				}
				if width := c.ci.High - c.ci.Low; tc.narrow != (width <= 0.2) {
					t.Errorf("%s: interval %+.2f%% to %+.2f%% (narrow: want %v)", c.at, c.ci.Low, c.ci.High, tc.narrow)
				}
			}
			if got.Within10Pct != tc.verdict {
				t.Errorf("within 10%%: %q, want %q (%s)", got.Within10Pct, tc.verdict, got)
			}
			if again := pooledChangeOf(quiet, tc.loaded, bootstrapResamples); !reflect.DeepEqual(again, got) {
				t.Errorf("the same latencies gave another interval: %s, then %s", got, again)
			}
		})
	}
	if got := pooledChangeOf(quiet[:1], quiet[:1], bootstrapResamples); got != nil {
		t.Errorf("one round, which no resample can vary, gave %s", got)
	}
}
