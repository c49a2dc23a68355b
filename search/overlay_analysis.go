package search

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// A segment keeps each record's document as it analysed it, so that a
// merge re-indexes the record without mapping and analysing it again:
// analysis was half of a merge's work, and merges were most of the
// follower's. The documents are analysed here, by the goroutines the
// caller asks for (Apply: every core, since a batch waits for it; a merge:
// one, so that a merge in the background leaves the other core to the
// searches), and handed to Bleve with fields whose Analyze does nothing.

// analyzed is one record's document, mapped and analysed.
type analyzed struct {
	r      *Record // what it was made from: restar makes a copy when the stars change
	join   bool    // only the join fields (joinDocument): an owner
	usd    float64 // the dollar price it holds (offerUSD), at the rates it was made with
	usdOK  bool
	fields []document.Field // one per field name, analysed
}

// reusable says whether a holds r's document, as it is to be indexed now:
// the same record, the same kind of document, the same dollar price.
func (a *analyzed) reusable(r *Record, join bool, rates Rates) bool {
	if a == nil || a.r != r || a.join != join {
		return false
	}
	usd, ok := offerUSD(r, rates)
	return ok == a.usdOK && usd == a.usd
}

// document is a new Bleve document of a's fields, for one batch: Bleve
// adds its own _id field to each.
func (a *analyzed) document(key string) *document.Document {
	d := document.NewDocument(key)
	d.Fields = make([]document.Field, len(a.fields), len(a.fields)+1)
	copy(d.Fields, a.fields)
	return d
}

// analyze maps and analyses r's document (joinDocument when join).
func analyze(m mapping.IndexMapping, key string, r *Record, join bool, rates Rates) (*analyzed, error) {
	var data map[string]any
	if join {
		data = joinDocument(r, rates)
	} else {
		var err error
		if data, err = indexDocument(r, rates); err != nil {
			return nil, err
		}
	}
	d := document.NewDocument(key)
	if err := m.MapDocument(d, data); err != nil {
		return nil, fmt.Errorf("map %s: %w", key, err)
	}
	if d.HasComposite() {
		return nil, fmt.Errorf("map %s: the mapping made a composite field", key)
	}
	a := &analyzed{r: r, join: join}
	a.usd, a.usdOK = offerUSD(r, rates)
	// Fields of one name (the values of an array) are indexed as one:
	// Bleve's segment builder merges them into the first one's term
	// frequencies, in place, which a document indexed twice must not
	// see. So they are merged here, into new maps, once.
	byName := map[string]int{}
	for _, f := range d.Fields {
		if !f.Options().IsIndexed() {
			// Stored only (the source): Bleve never analyses it and
			// reads only its value.
			a.fields = append(a.fields, f)
			continue
		}
		if f.Options().IsStored() || f.Options().IncludeDocValues() {
			return nil, fmt.Errorf("map %s: field %s is indexed and stored: its value would be lost", key, f.Name())
		}
		f.Analyze()
		i, ok := byName[f.Name()]
		if !ok {
			byName[f.Name()] = len(a.fields)
			a.fields = append(a.fields, &frozenField{name: f.Name(), opts: f.Options(), typ: f.EncodedFieldType(),
				length: f.AnalyzedLength(), freqs: f.AnalyzedTokenFrequencies(), plain: f.NumPlainTextBytes()})
			continue
		}
		ff := a.fields[i].(*frozenField)
		if !ff.merged {
			own := index.TokenFrequencies{}
			own.MergeAll(ff.name, ff.freqs)
			ff.freqs, ff.merged = own, true
		}
		ff.freqs.MergeAll(ff.name, f.AnalyzedTokenFrequencies())
		ff.length += f.AnalyzedLength()
		ff.plain += f.NumPlainTextBytes()
	}
	return a, nil
}

// analyzeAll returns the documents of records (by the same index), reusing
// prior's where they still hold (nil: none), analysed by workers
// goroutines.
func analyzeAll(m mapping.IndexMapping, records []*Record, owner func(key string) bool, rates Rates,
	prior func(key string) *analyzed, workers int) ([]*analyzed, error) {
	out := make([]*analyzed, len(records))
	todo := make([]int, 0, len(records))
	for i, r := range records {
		key := DocID(r.Type, r.ID)
		join := owner != nil && owner(key)
		if prior != nil {
			if a := prior(key); a.reusable(r, join, rates) {
				out[i] = a
				continue
			}
		}
		todo = append(todo, i)
	}
	workers = max(1, min(workers, runtime.GOMAXPROCS(0), len(todo)/16))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for j := w; j < len(todo); j += workers {
				i := todo[j]
				r := records[i]
				key := DocID(r.Type, r.ID)
				a, err := analyze(m, key, r, owner != nil && owner(key), rates)
				if err != nil {
					errs[w] = err
					return
				}
				out[i] = a
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// frozenField is an analysed field that Bleve may index any number of
// times: Analyze keeps what it holds.
type frozenField struct {
	name   string
	opts   index.FieldIndexingOptions
	typ    byte
	length int
	freqs  index.TokenFrequencies
	plain  uint64
	merged bool // freqs is its own map (analyze)
}

func (f *frozenField) Name() string                                     { return f.name }
func (f *frozenField) ArrayPositions() []uint64                         { return nil }
func (f *frozenField) Options() index.FieldIndexingOptions              { return f.opts }
func (f *frozenField) Analyze()                                         {}
func (f *frozenField) Value() []byte                                    { return nil } // indexed, never stored (NewMapping)
func (f *frozenField) NumPlainTextBytes() uint64                        { return f.plain }
func (f *frozenField) EncodedFieldType() byte                           { return f.typ }
func (f *frozenField) AnalyzedLength() int                              { return f.length }
func (f *frozenField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }
func (f *frozenField) Size() int                                        { return 64 + len(f.name) + f.freqs.Size() }
