package search

import (
	"context"
	"fmt"
	"reflect"
)

// CheckUnderstood reports how many queries ix keeps understood
// (understandings), and an error if one is not what understanding it
// afresh gives: a search changed what every search of it shares.
func CheckUnderstood(ix *Index) (int, error) {
	c := ix.understood
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := 0
	for _, m := range []map[understandKey]understandEntry{c.cur, c.prev} {
		for k, e := range m {
			n++
			fresh, err := ix.understandAfresh(context.Background(), k.q, k.lang, e.syn)
			if err != nil {
				return n, err
			}
			got, want := []any{e.u.groups, e.u.expansions, e.u.words, e.u.langs}, []any{fresh.groups, fresh.expansions, fresh.words, fresh.langs}
			if !reflect.DeepEqual(got, want) {
				return n, fmt.Errorf("%q (lang %q) kept as\n%+v\nunderstood afresh as\n%+v", k.q, k.lang, got, want)
			}
			for i, exact := range []bool{false, true} {
				if !reflect.DeepEqual(e.u.terms[i], fresh.buildTermSet(exact)) {
					return n, fmt.Errorf("%q (lang %q): its kept terms (exact %v) are not its own", k.q, k.lang, exact)
				}
			}
		}
	}
	return n, nil
}

// DropUnderstood forgets the queries ix keeps understood.
func DropUnderstood(ix *Index) {
	c := ix.understood
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur, c.prev = nil, nil
}
