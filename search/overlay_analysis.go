package search

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// A segment keeps each record's document as it analysed it, so that a
// merge re-indexes the record without mapping and analysing it again:
// analysis was half of a merge's work, and merges were most of the
// follower's. The documents are analysed here, by the goroutines the
// caller asks for (Apply: every core for a backlog's batch, which the
// follower waits for, one for a steady stream's; a merge: one, so that a
// merge in the background leaves the other core to the searches), and a
// segment's postings are made from them (newMemSegment).

// analyzed is one record's document, mapped and analysed, kept compact: a
// segment holds one per record for its life, and a map of term
// frequencies per field made the garbage collector scan a dozen objects
// per field. Its fields' terms are one string, so a document is a few
// objects.
type analyzed struct {
	r     *Record // what it was made from: restar makes a copy when the stars change
	join  bool    // only the join fields (joinDocument): an owner
	usd   float64 // the dollar price it holds (offerUSD), at the rates it was made with
	usdOK bool
	// source is the record JSON, the only field stored and not indexed
	// (fieldSource), kept as its bytes: the field Bleve's mapping made of
	// it was two more objects per document for every collection to mark.
	source     []byte
	sourceOpts index.FieldIndexingOptions
	fields     []analyzedField // indexed fields, one per name
	terms      string          // every indexed field's terms, one after another
	counts     []uint32        // for each term, where it ends in terms and how often it occurs
}

// analyzedField is one indexed field of an analyzed document: its terms
// are counts[from:to] (in pairs).
type analyzedField struct {
	name     string
	length   int
	from, to int
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

// recounted returns a's document for r when r is a's treatment recounted
// (Overlay.Recount: a copy with only its offer count and price span
// changed, neither of which is indexed) with the same trust: the same
// terms in every field, and r's own stored source. Nil otherwise. A
// treatment is recounted whenever an offer of its comes or goes (a
// quarter of bench fresh's writes), and analysing it again, its names
// in every language and their prefixes for suggestions, was most of
// what analysing a batch cost.
func (a *analyzed) recounted(r *Record, join bool) (*analyzed, error) {
	if a == nil || a.join != join || r.Type != TypeTreatment || a.r.Type != TypeTreatment || a.r == r {
		return nil, nil
	}
	was, now := *a.r, *r
	was.OfferCount, was.PriceSpan = now.OfferCount, now.PriceSpan
	if !reflect.DeepEqual(was, now) || trustOf(a.r).Trust != trustOf(r).Trust {
		return nil, nil
	}
	c := *a
	c.r = r
	if !join {
		source, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("recounted %s %d: %w", r.Type, r.ID, err)
		}
		c.source = source
	}
	return &c, nil
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
	// Fields of one name (the values of an array) are indexed as one
	// field, as Bleve's segment builder indexes them: their term
	// frequencies add, and so do their lengths. A text field's tokens
	// are counted here, off its analyser, rather than by its Analyze:
	// that builds a map of a term frequency and a location per token
	// (term vectors, which the keyword fields' mapping asks for and
	// nothing reads: openPostings, understand, suggestions), a third of
	// what the follower allocated analysing a batch. The terms of every
	// field are gathered in one list (kept from document to document),
	// sorted by field and term, and each term's counts summed.
	type gathered struct {
		name   string
		length int
	}
	var fields []gathered                              // in the order first met
	gatheredTerms := fromPool[termCount](&termPool, 0) // every field's terms, by field
	defer func() {
		clear(gatheredTerms) // they point into the analysed document's tokens
		toPool(&termPool, gatheredTerms[:0])
	}()
	for _, f := range d.Fields {
		if !f.Options().IsIndexed() {
			if f.Name() != fieldSource || a.source != nil {
				return nil, fmt.Errorf("map %s: field %s is only stored: a document kept analysed stores only its source", key, f.Name())
			}
			a.source, a.sourceOpts = f.Value(), f.Options()
			continue
		}
		if f.Options().IsStored() || f.Options().IncludeDocValues() {
			return nil, fmt.Errorf("map %s: field %s is stored or has doc values: a document kept analysed holds only term counts", key, f.Name())
		}
		i := slices.IndexFunc(fields, func(g gathered) bool { return g.name == f.Name() }) // a dozen fields
		if i < 0 {
			i = len(fields)
			fields = append(fields, gathered{name: f.Name()})
		}
		g := &fields[i]
		if tf, ok := f.(*document.TextField); ok {
			// What TextField.Analyze counts: a token per term (or the
			// whole value, with no analyser), each once unless the field
			// skips frequencies.
			freq := uint32(1)
			if f.Options().SkipFreqNorm() {
				freq = 0
			}
			if an := tf.Analyzer(); an != nil {
				if texts.whole(an) {
					g.length++
					gatheredTerms = append(gatheredTerms, termCount{i, tf.Value(), freq})
					continue
				}
				if t, ok := texts.terms(an, tf.Value()); ok {
					g.length += t.n
					t.each(func(term []byte) { gatheredTerms = append(gatheredTerms, termCount{i, term, freq}) })
					continue
				}
				tokens := an.Analyze(tf.Value())
				g.length += len(tokens)
				for _, tok := range tokens {
					gatheredTerms = append(gatheredTerms, termCount{i, tok.Term, freq})
				}
			} else {
				g.length++
				gatheredTerms = append(gatheredTerms, termCount{i, tf.Value(), freq})
			}
			continue
		}
		f.Analyze()
		g.length += f.AnalyzedLength()
		for term, tf := range f.AnalyzedTokenFrequencies() {
			gatheredTerms = append(gatheredTerms, termCount{i, []byte(term), uint32(tf.Frequency())})
		}
	}
	all := sumTerms(gatheredTerms) // by field, then term
	size := 0
	for _, t := range all {
		size += len(t.term)
	}
	terms := make([]byte, 0, size)
	a.counts = make([]uint32, 0, 2*len(all))
	a.fields = make([]analyzedField, len(fields))
	for i, g := range fields {
		a.fields[i] = analyzedField{name: g.name, length: g.length}
	}
	for k, t := range all {
		if k == 0 || all[k-1].field != t.field {
			a.fields[t.field].from = len(a.counts)
		}
		terms = append(terms, t.term...)
		a.counts = append(a.counts, uint32(len(terms)), t.n)
		a.fields[t.field].to = len(a.counts)
	}
	a.terms = string(terms)
	return a, nil
}

// texts keeps what the analysers made of the text values the follower
// analyses: the same values come batch after batch (a city's and a
// country's names on every facility there, a treatment's names in every
// language on each copy of it a segment joins through, a doctor on each
// of their offers), and Bleve's analysers allocate each token's term
// anew, through every filter: a seventh of what following the change
// log allocated (bench fresh --allocprofile, BENCHMARKS.md).
var texts = &textCache{}

// textCache is a bounded cache of analysed text values, by analyser:
// emptied when it holds maxCachedTexts, so the values that recur are
// soon back and the rest go. A value longer than maxCachedText (a
// description, a post) is analysed each time.
type textCache struct {
	mu   sync.Mutex
	m    map[analysis.Analyzer]map[string]textTerms
	n    int
	hits atomic.Uint64
}

const (
	maxCachedTexts = 1 << 14
	maxCachedText  = 200
)

// textTerms is what an analyser made of a value: n tokens' terms, each
// after its length (a uvarint), in one slice the cache shares read-only.
type textTerms struct {
	n    int
	data []byte
}

// each calls fn with each token's term in order: read-only, and cut to
// its length (an append copies).
func (t textTerms) each(fn func(term []byte)) {
	for b := t.data; len(b) > 0; {
		l, k := binary.Uvarint(b)
		end := k + int(l)
		fn(b[k:end:end])
		b = b[end:]
	}
}

// whole reports whether an makes a value its one term, as Bleve's keyword
// analyser does (one token, no filters): the ids, places, ratings and
// prices of every document. Such a value is its own term, neither
// analysed nor kept: an offer's prices are new with every change, and
// kept they filled the cache in a minute or two of writes, emptying it
// of the names that recur. Without a cache (nil), nothing is taken for
// granted.
func (c *textCache) whole(an analysis.Analyzer) bool {
	if c == nil {
		return false
	}
	d, ok := an.(*analysis.DefaultAnalyzer)
	if !ok || len(d.CharFilters) > 0 || len(d.TokenFilters) > 0 {
		return false
	}
	_, single := d.Tokenizer.(*single.SingleTokenTokenizer)
	return single
}

// terms returns the terms an analyses value into, from the cache or
// analysed now and kept; false when the value is not kept (too long, an
// analyser that cannot be a map key, or no cache), for the caller to
// analyse.
func (c *textCache) terms(an analysis.Analyzer, value []byte) (textTerms, bool) {
	if c == nil || len(value) > maxCachedText || reflect.TypeOf(an).Kind() != reflect.Pointer {
		return textTerms{}, false
	}
	c.mu.Lock()
	t, ok := c.m[an][string(value)]
	c.mu.Unlock()
	if ok {
		c.hits.Add(1)
		return t, true
	}
	tokens := an.Analyze(value)
	size := 0
	for _, tok := range tokens {
		size += uvarintLen(len(tok.Term)) + len(tok.Term)
	}
	t = textTerms{n: len(tokens), data: make([]byte, 0, size)}
	for _, tok := range tokens {
		t.data = binary.AppendUvarint(t.data, uint64(len(tok.Term)))
		t.data = append(t.data, tok.Term...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.n >= maxCachedTexts {
		c.m, c.n = map[analysis.Analyzer]map[string]textTerms{}, 0
	}
	byValue := c.m[an]
	if byValue == nil {
		byValue = map[string]textTerms{}
		c.m[an] = byValue
	}
	if _, ok := byValue[string(value)]; !ok {
		byValue[string(value)] = t
		c.n++
	}
	return t, true
}

// uvarintLen is how many bytes binary.AppendUvarint writes for n.
func uvarintLen(n int) int {
	k := 1
	for ; n >= 0x80; n >>= 7 {
		k++
	}
	return k
}

// termPool keeps the lists analyze gathers a document's terms in: a
// batch's documents are analysed one after another, and the list grown
// afresh for each was most of what analyze allocated itself.
var termPool sync.Pool

// termCount is a term of field (its index in the document's fields) and
// how often it occurs there.
type termCount struct {
	field int
	term  []byte
	n     uint32
}

// sumTerms sorts terms by field and term and sums the counts of each
// term of a field, in place.
func sumTerms(terms []termCount) []termCount {
	slices.SortFunc(terms, func(a, b termCount) int {
		if a.field != b.field {
			return a.field - b.field
		}
		return bytes.Compare(a.term, b.term)
	})
	out := terms[:0]
	for _, t := range terms {
		if k := len(out) - 1; k >= 0 && out[k].field == t.field && bytes.Equal(out[k].term, t.term) {
			out[k].n += t.n
			continue
		}
		out = append(out, t)
	}
	return out
}

// analyzeAll returns the documents of records under keys, their DocIDs
// (by the same index), reusing prior's where they still hold (nil: none),
// analysed by workers goroutines.
func analyzeAll(m mapping.IndexMapping, keys []string, records []*Record, owner func(key string) bool, rates Rates,
	prior func(key string, join bool) *analyzed, workers int) ([]*analyzed, error) {
	kept := make([]*analyzed, len(records))
	todo := make([]int, 0, len(records))
	for i, r := range records {
		key := keys[i]
		join := owner != nil && owner(key)
		if prior != nil {
			a := prior(key, join)
			if a.reusable(r, join, rates) {
				kept[i] = a
				continue
			}
			c, err := a.recounted(r, join)
			if err != nil {
				return nil, err
			}
			if c != nil {
				kept[i] = c
				continue
			}
		}
		todo = append(todo, i)
	}
	workers = max(1, min(workers, runtime.GOMAXPROCS(0), len(todo)/16))
	errs := make([]error, workers)
	work := func(w int) {
		for j := w; j < len(todo); j += workers {
			i := todo[j]
			key := keys[i]
			a, err := analyze(m, key, records[i], owner != nil && owner(key), rates)
			if err != nil {
				errs[w] = err
				return
			}
			kept[i] = a
		}
	}
	if workers == 1 {
		// On the caller's goroutine, and so at its priority: a batch or a
		// merge in the background stays there.
		work(0)
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() { work(w) })
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return kept, nil
}
