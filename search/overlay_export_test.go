package search

import (
	"fmt"
	"maps"
	"slices"
)

// SetOffersTopShortcut turns matcher.runOffersTop on or off, for a test
// that compares it with the full walk; the returned func restores it.
func SetOffersTopShortcut(on bool) (restore func()) {
	old := offersTopShortcut
	offersTopShortcut = on
	return func() { offersTopShortcut = old }
}

// SetSortedWalks makes sorted searches walk their sort's order always
// (true) or never, for a test that compares the two; the returned func
// restores the default, which walks it when that is cheaper.
func SetSortedWalks(always bool) (restore func()) {
	old := sortedWalks
	sortedWalks = sortedNever
	if always {
		sortedWalks = sortedAlways
	}
	return func() { sortedWalks = old }
}

// Dump lists each segment's records, dead ones marked, for a failing test.
func (o *Overlay) Dump() string {
	out := ""
	for i, s := range o.segs {
		out += fmt.Sprintf("seg %d:", i)
		for _, k := range slices.Sorted(maps.Keys(s.docs)) {
			mark := ""
			if s.dead(s.docs[k]) {
				mark = "(dead)"
			}
			out += " " + k + mark
		}
		out += "\n"
	}
	return out
}
