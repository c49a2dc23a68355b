package search

import (
	"context"
	"fmt"
	"reflect"
)

// CheckUnderstood reports how many queries ix keeps understood
// (understandings), and an error if one is not what understanding it
// afresh gives: a search changed what every search of it shares.
func CheckUnderstood(ix *Index) (n int, err error) {
	ix.understood.each(func(k understandKey, e understandEntry) {
		n++
		if err != nil {
			return
		}
		fresh, ferr := ix.understandAfresh(context.Background(), k.q, k.lang, e.syn)
		if ferr != nil {
			err = ferr
			return
		}
		got, want := []any{e.u.groups, e.u.expansions, e.u.words, e.u.langs}, []any{fresh.groups, fresh.expansions, fresh.words, fresh.langs}
		if !reflect.DeepEqual(got, want) {
			err = fmt.Errorf("%q (lang %q) kept as\n%+v\nunderstood afresh as\n%+v", k.q, k.lang, got, want)
			return
		}
		for i, exact := range []bool{false, true} {
			if !reflect.DeepEqual(e.u.terms[i], fresh.buildTermSet(exact)) {
				err = fmt.Errorf("%q (lang %q): its kept terms (exact %v) are not its own", k.q, k.lang, exact)
				return
			}
		}
	})
	return n, err
}

// DropUnderstood forgets the queries ix keeps understood.
func DropUnderstood(ix *Index) { ix.understood.drop() }

// CheckPageRecords reports how many records ix keeps for its pages
// (pageRecord), and an error if one is not its document's record decoded
// afresh: a search changed what every page showing it shares.
func CheckPageRecords(ix *Index) (n int, err error) {
	ix.records.each(func(doc uint32, kept *Record) {
		n++
		if err != nil {
			return
		}
		src, serr := ix.source(doc)
		if serr != nil {
			err = serr
			return
		}
		var fresh Record
		if err = decodeRecord(src, &fresh); err == nil && !reflect.DeepEqual(*kept, fresh) {
			err = fmt.Errorf("document %d kept as\n%+v\ndecoded afresh as\n%+v", doc, *kept, fresh)
		}
	})
	return n, err
}

// DropPageRecords forgets the records ix keeps for its pages.
func DropPageRecords(ix *Index) { ix.records.drop() }

// CheckOverlayPageRecords is CheckPageRecords on the overlay's base and
// on each of its segments: how many records they keep in all.
func CheckOverlayPageRecords(o *Overlay) (n int, err error) {
	for _, ix := range o.indexes() {
		k, err := CheckPageRecords(ix)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
