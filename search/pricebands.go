package search

import (
	"math"
	"strconv"
)

// usdBound converts a price bound in currency to USD, by the same division
// that converted the stored prices, so a price equal to a bound stays in.
func usdBound(v *float64, currency string, rates Rates) *float64 {
	if v == nil {
		return nil
	}
	usd := *v
	if currency != "" {
		usd, _ = rates.ToUSD(*v, currency)
	}
	return &usd
}

// priceBands are the edges of the price facet in USD; in another currency
// they are converted and rounded to two significant digits, so a patient
// paying in lira sees round lira.
var priceBands = []float64{1000, 2500, 5000, 10000, 25000, 50000}

type band struct {
	name     string
	min, max *float64 // in the request's currency
}

func bandsFor(currency string, rates Rates) []band {
	edges := make([]float64, len(priceBands))
	for i, usd := range priceBands {
		edges[i] = usd
		if currency != "" {
			v, _ := rates.FromUSD(usd, currency)
			edges[i] = roundSignificant(v, 2)
		}
	}
	out := make([]band, 0, len(edges)+1)
	var lo *float64
	for i := range edges {
		hi := &edges[i]
		name := "0-" + fmtAmount(*hi)
		if lo != nil {
			name = fmtAmount(*lo) + "-" + fmtAmount(*hi)
		}
		out = append(out, band{name: name, min: lo, max: hi})
		lo = hi
	}
	return append(out, band{name: fmtAmount(*lo) + "+", min: lo})
}

func roundSignificant(v float64, digits int) float64 {
	if v <= 0 {
		return v
	}
	p := math.Pow(10, math.Floor(math.Log10(v))-float64(digits-1))
	return math.Round(v/p) * p
}

func fmtAmount(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
