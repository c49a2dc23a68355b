package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// ratesKey is where an index keeps the exchange rates it was built with, so
// that prices are converted with the same rates that price_usd was.
var ratesKey = []byte("careatlas.rates")

// maxInFlight is how many batches Bleve may be writing at once. Building a
// segment from a batch is single-threaded after analysis; with two in
// flight, two segments are built side by side while the caller fills the
// next batch.
const maxInFlight = 2

// batchSize is how many documents go into one Bleve batch: big enough to
// amortise segment creation and merging, small enough to bound memory.
const batchSize = 10000

// Builder writes a new index. Nothing reads it until it is closed and
// published. While Bleve indexes one batch, the caller fills the next: the
// source (PostgreSQL) and the analysis overlap instead of taking turns.
type Builder struct {
	path    string
	idx     bleve.Index
	batch   *bleve.Batch
	rates   Rates
	count   int
	pending []chan error // the batches being written, oldest first
	vocab   *vocabCounter
}

// NewBuilder creates an empty index at path, which must not exist yet.
func NewBuilder(path string, rates Rates) (*Builder, error) {
	// Not unsafe_batch: with it, scorch's Close drops segments that were
	// not yet persisted (seen with v2.6.3), and the index comes out empty.
	idx, err := bleve.NewUsing(path, NewMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", path, err)
	}
	return &Builder{path: path, idx: idx, batch: idx.NewBatch(), rates: rates, vocab: newVocabCounter()}, nil
}

// Add queues a record for indexing.
func (b *Builder) Add(r *Record) error {
	doc, err := indexDocument(r, b.rates)
	if err != nil {
		return fmt.Errorf("index %s %d: %w", r.Type, r.ID, err)
	}
	if err := b.batch.Index(DocID(r.Type, r.ID), doc); err != nil {
		return fmt.Errorf("index %s %d: %w", r.Type, r.ID, err)
	}
	b.vocab.addRecord(r)
	b.count++
	if b.batch.Size() >= batchSize {
		return b.flush()
	}
	return nil
}

// Count is how many records were added.
func (b *Builder) Count() int { return b.count }

// flush starts writing the current batch, first waiting for the oldest in
// flight when maxInFlight are already being written.
func (b *Builder) flush() error {
	if b.batch.Size() == 0 {
		return nil
	}
	if len(b.pending) == maxInFlight {
		if err := b.waitOldest(); err != nil {
			return err
		}
	}
	batch := b.batch
	b.batch = b.idx.NewBatch()
	done := make(chan error, 1)
	b.pending = append(b.pending, done)
	go func() { done <- b.idx.Batch(batch) }()
	return nil
}

// waitOldest waits for the oldest batch in flight.
func (b *Builder) waitOldest() error {
	err := <-b.pending[0]
	b.pending = b.pending[1:]
	if err != nil {
		return fmt.Errorf("write batch to %s: %w", b.path, err)
	}
	return nil
}

// wait waits for every batch in flight.
func (b *Builder) wait() error {
	var first error
	for len(b.pending) > 0 {
		if err := b.waitOldest(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Close writes what is queued and the rates, merges the index into one
// segment, and closes it. One segment makes every query one pass over one
// posting list per term instead of one per segment, and a served index is
// read-only, so it never fragments again.
func (b *Builder) Close(ctx context.Context) error {
	if err := b.flush(); err != nil {
		b.idx.Close()
		return err
	}
	if err := b.wait(); err != nil {
		b.idx.Close()
		return err
	}
	if err := b.forceMerge(ctx); err != nil {
		b.idx.Close()
		return err
	}
	vocab, err := b.vocab.marshal()
	if err != nil {
		b.idx.Close()
		return fmt.Errorf("encode vocabulary: %w", err)
	}
	rates, err := json.Marshal(b.rates)
	if err != nil {
		b.idx.Close()
		return fmt.Errorf("encode rates: %w", err)
	}
	for _, kv := range []struct {
		key   []byte
		value []byte
	}{{ratesKey, rates}, {vocabKey, vocab}} {
		if err := b.idx.SetInternal(kv.key, kv.value); err != nil {
			b.idx.Close()
			return fmt.Errorf("store %s in %s: %w", kv.key, b.path, err)
		}
	}
	if err := b.idx.Close(); err != nil {
		return fmt.Errorf("close index %s: %w", b.path, err)
	}
	return writeColumns(b.path)
}

func (b *Builder) forceMerge(ctx context.Context) error {
	adv, err := b.idx.Advanced()
	if err != nil {
		return fmt.Errorf("merge index %s: %w", b.path, err)
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	if err := sc.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
		return fmt.Errorf("merge index %s: %w", b.path, err)
	}
	return nil
}

// Abort closes the index and deletes it.
func (b *Builder) Abort() {
	b.wait()
	b.idx.Close()
	os.RemoveAll(b.path)
}

// Index is one opened, read-only index.
type Index struct {
	path    string
	idx     bleve.Index
	reader  index.IndexReader // one snapshot, held while open: it never changes
	zap     *segmentReader    // reader's segments, for the records of hits and postings; nil: read through reader
	mapping mapping.IndexMapping
	cols    *columns
	rates   Rates
	vocab   *vocabulary // nil in an index built without one
	// placeSet is the places the index knows (intent.go), made on first
	// use; nil in a delta, whose query words the generation reads.
	placeSet *places
	// typical is the typical prices price sorts read (typical.go).
	typical *typicalPrices
	// treatments are the generation's treatment records as searches
	// decoded them (treatment); nil in a segment, which keeps its records.
	treatments *treatmentCache
	// understood keeps the queries the generation understood, shared by
	// its views; nil in a segment, which understands none.
	understood *understandings
	// records keeps the records the index's pages showed, by document
	// (pageRecord), shared by its views.
	records *kept[uint32, *Record]
	// mem is reader, in an overlay's segment (memsegment.go); nil in a
	// generation, which idx holds.
	mem *memSegment
	// spans holds each treatment's offers by price, for an overlay's
	// recounts (overlay_counts.go); nil in a segment.
	spans *offerSpans
	// searches counts the searches run on the index (what /metrics
	// reports, and how a test sees that a request searched once).
	searches atomic.Uint64
	// sidesKept and sidesSearched count the overlays' segments that
	// searches on the generation reached, by whether the segment had the
	// search's side kept (sideCache) or searched itself.
	sidesKept, sidesSearched atomic.Uint64
}

// Searches is how many searches have run on the index.
func (ix *Index) Searches() uint64 { return ix.searches.Load() }

// SegmentSides is how many times the searches on the generation found a
// segment of the changes on top of it with their side kept, and how many
// times they searched one.
func (ix *Index) SegmentSides() (kept, searched uint64) {
	return ix.sidesKept.Load(), ix.sidesSearched.Load()
}

// Open opens the index at path read-only: a serving process never writes,
// so it never competes with the indexer or merges segments under a reader.
// Its columns come from the generation's columns file when it has one.
func Open(path string) (*Index, error) { return openWith(path, true) }

// openWith opens the index at path; with stored, its columns are read from
// its columns file when there is one, else built from the postings.
func openWith(path string, stored bool) (*Index, error) {
	idx, err := bleve.OpenUsing(path, map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	ix := &Index{path: path, idx: idx, mapping: idx.Mapping(), placeSet: &places{}, typical: newTypicalPrices(),
		spans: &offerSpans{}, treatments: &treatmentCache{}, understood: newKept[understandKey, understandEntry](maxUnderstoodBytes),
		records: newKept[uint32, *Record](maxPageRecordBytes)}
	fail := func(what string, err error) (*Index, error) {
		if ix.reader != nil {
			ix.reader.Close()
		}
		idx.Close()
		return nil, fmt.Errorf("open index %s: %s: %w", path, what, err)
	}
	adv, err := idx.Advanced()
	if err != nil {
		return fail("advanced", err)
	}
	if ix.reader, err = adv.Reader(); err != nil {
		return fail("reader", err)
	}
	ix.zap = newSegmentReader(ix.reader)
	var have bool
	if stored {
		if ix.cols, have, err = readColumns(path); err != nil {
			return fail("columns", err)
		}
	}
	if !have {
		if ix.cols, err = loadColumns(context.Background(), ix.reader); err != nil {
			return fail("columns", err)
		}
	}
	ix.cols.split()
	raw, err := idx.GetInternal(ratesKey)
	if err != nil {
		return fail("read rates", err)
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &ix.rates); err != nil {
			return fail("decode rates", err)
		}
	}
	if raw, err = idx.GetInternal(vocabKey); err != nil {
		return fail("read vocabulary", err)
	}
	if raw != nil {
		if ix.vocab, err = loadVocabulary(raw); err != nil {
			return fail("decode vocabulary", err)
		}
	}
	// The places and typical prices a query's words and price sorts read
	// are made now, so that no search pays for them.
	ix.places()
	ix.typicalUSD()
	return ix, nil
}

// Path is where the index lives on disk.
func (ix *Index) Path() string { return ix.path }

// Rates are the exchange rates the index was built with.
func (ix *Index) Rates() Rates { return ix.rates }

// DocCount is the number of documents in the index.
func (ix *Index) DocCount() (uint64, error) { return ix.reader.DocCount() }

// Close closes the index.
func (ix *Index) Close() error {
	ix.reader.Close()
	if ix.idx == nil { // a segment: nothing else is open
		return nil
	}
	return ix.idx.Close()
}

// Get returns the record of type typ with the given id.
func (ix *Index) Get(ctx context.Context, typ string, id int64) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	doc, err := ix.reader.Document(DocID(typ, id))
	if err != nil {
		return nil, fmt.Errorf("get %s %d: %w", typ, id, err)
	}
	if doc == nil {
		return nil, &Error{Code: NotFound, Message: fmt.Sprintf("no %s with id %d", typ, id)}
	}
	src := sourceOf(doc)
	if src == nil {
		return nil, fmt.Errorf("get %s %d: document has no source", typ, id)
	}
	var r Record
	if err := decodeRecord(src, &r); err != nil {
		return nil, fmt.Errorf("get %s %d: decode: %w", typ, id, err)
	}
	return &r, nil
}

// ErrNoIndex is returned while no index has been published yet.
var ErrNoIndex = errors.New("no index is open yet")
