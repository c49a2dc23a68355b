package live_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/catalog"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
	"github.com/careatlas/careatlas/search/posts"
)

// catalogueReader reads records from a catalogue directory, as
// postgres.Source.RecordsByID reads them from the database.
func catalogueReader(t *testing.T, dir string) live.RecordReader {
	return func(ctx context.Context, rates search.Rates, typ string, ids []int64, yield func(int64, *search.Record) error) error {
		byID := map[int64]*search.Record{}
		err := (&indexer.FileSource{Dir: dir}).Records(ctx, rates, func(r *search.Record) error {
			if r.Type == typ {
				byID[r.ID] = r
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := yield(id, byID[id]); err != nil {
				return err
			}
		}
		return nil
	}
}

func offerIDs(t *testing.T, s *live.Snapshot) []int64 {
	t.Helper()
	res, err := s.Search(context.Background(), search.Request{PerPage: 100, Sort: search.SortPriceAsc}.
		MustWhere(search.FilterType, search.TypeOffer))
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

// TestApplyPublishesANewSnapshot applies a deletion and a new post on top
// of a generation: snapshots acquired after see them, one acquired before
// keeps what it had, as does the generation alone (AcquireGeneration),
// a batch for a generation no longer served is refused,
// and a new generation starts with no overlay.
func TestApplyPublishesANewSnapshot(t *testing.T) {
	ctx := context.Background()
	l, dir := liveOnMini(t)
	before, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer before.Release()
	all := offerIDs(t, before)
	gen := l.Path()

	set, err := posts.ReadSet(gen)
	if err != nil {
		t.Fatal(err)
	}
	set.Posts = set.Posts[:1]
	ch := live.Changes{Position: "7/1", Records: map[string]*search.Record{search.DocID(search.TypeOffer, 1001): nil}, Posts: &set}
	if err := l.Apply(ctx, gen, ch, catalogueReader(t, mini)); err != nil {
		t.Fatal(err)
	}
	after, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer after.Release()
	want := slices.DeleteFunc(slices.Clone(all), func(id int64) bool { return id == 1001 })
	if got := offerIDs(t, after); !slices.Equal(got, want) {
		t.Errorf("after deleting offer 1001: offers %v, want %v", got, want)
	}
	if got := offerIDs(t, before); !slices.Equal(got, all) {
		t.Errorf("a snapshot acquired before: offers %v, want %v", got, all)
	}
	generation, err := l.AcquireGeneration()
	if err != nil {
		t.Fatal(err)
	}
	defer generation.Release()
	if got := offerIDs(t, generation); !slices.Equal(got, all) || generation.Posts.Len() == 1 {
		t.Errorf("the generation alone, acquired after: offers %v and %d posts, want every offer %v and the built posts",
			got, generation.Posts.Len(), all)
	}
	if after.Posts.Len() != 1 || before.Posts.Len() == 1 {
		t.Errorf("posts: %d after, %d before; want 1 after only", after.Posts.Len(), before.Posts.Len())
	}
	if _, err := after.Get(ctx, search.TypeOffer, 1001); err == nil {
		t.Error("Get found the deleted offer")
	}
	if f := l.Freshness(); f.Position != "7/1" || f.Deleted == 0 {
		t.Errorf("freshness %+v, want position 7/1 and deleted documents", f)
	}

	if _, err := indexer.Build(ctx, &indexer.FileSource{Dir: mini}, dir, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reload(); err != nil {
		t.Fatal(err)
	}
	if err := l.Apply(ctx, gen, ch, catalogueReader(t, mini)); !errors.Is(err, live.ErrStale) {
		t.Errorf("a batch for the old generation: %v, want ErrStale", err)
	}
	fresh, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Release()
	if got := offerIDs(t, fresh); !slices.Equal(got, all) {
		t.Errorf("a new generation: offers %v, want every offer %v", got, all)
	}
	if f := l.Freshness(); f.Position != "" {
		t.Errorf("a new generation's freshness %+v, want none applied", f)
	}
}

// TestMergesWaitForTheBacklog: batches that say more changes wait behind
// them (a follower catching up) start no merge, so they get the CPU,
// until the overlay holds more than twice the segments the policy allows;
// the batch that ends the backlog starts the merges the policy wants.
func TestMergesWaitForTheBacklog(t *testing.T) {
	ctx := context.Background()
	l, _ := liveOnMini(t)
	gen := l.Path()
	read := catalogueReader(t, mini)
	// Each batch adds one offer: segments of one level, four of which
	// the policy merges.
	next := int64(1101)
	apply := func(backlog bool) {
		t.Helper()
		offer := &search.Record{Type: search.TypeOffer, ID: next, Name: "Rhinoplasty",
			Treatment: &search.TreatmentRef{ID: 2, Name: "Rhinoplasty"}, Facility: &search.FacilityRef{ID: 12}}
		ch := live.Changes{Position: fmt.Sprintf("7/%d", next), Records: map[string]*search.Record{search.DocID(search.TypeOffer, next): offer},
			Backlog: backlog}
		next++
		if err := l.Apply(ctx, gen, ch, read); err != nil {
			t.Fatal(err)
		}
	}
	settle := func() int {
		for l.Merging() {
			time.Sleep(10 * time.Millisecond)
		}
		return l.Freshness().Segments
	}
	limit := 2 * search.MaxSegments
	for i := range limit {
		apply(true)
		if l.Merging() {
			t.Fatalf("batch %d of a backlog started a merge", i)
		}
	}
	if got := l.Freshness().Segments; got != limit {
		t.Fatalf("%d segments after %d batches of a backlog, want as many (none merged)", got, limit)
	}
	apply(true)
	if got := settle(); got > limit {
		t.Errorf("%d segments after %d batches of a backlog, want at most %d", got, limit+1, limit)
	}
	apply(false)
	if got := settle(); got >= 4 {
		t.Errorf("%d segments once the backlog is applied, want them merged", got)
	}
}

// TestObserveReportsBatchesAndMerges checks that an observer is told of
// each batch applied, with its records, of each merge the batches start,
// with the records it indexed, and of the work reported to it (a batch
// read); and of nothing once it is removed.
func TestObserveReportsBatchesAndMerges(t *testing.T) {
	ctx := context.Background()
	l, _ := liveOnMini(t)
	gen, read := l.Path(), catalogueReader(t, mini)
	var mu sync.Mutex
	var seen []live.Work
	l.Observe(func(w live.Work) {
		mu.Lock()
		seen = append(seen, w)
		mu.Unlock()
	})
	readAt := time.Now()
	// The follower reports its reads of a batch.
	l.Report(live.Work{Kind: live.WorkRead, Start: readAt, End: readAt.Add(time.Millisecond), Records: 3})
	const batches = 8 // two levels' worth of segments of one offer each: merges start
	for i := range int64(batches) {
		id := 1201 + i
		offer := &search.Record{Type: search.TypeOffer, ID: id, Name: "Rhinoplasty",
			Treatment: &search.TreatmentRef{ID: 2, Name: "Rhinoplasty"}, Facility: &search.FacilityRef{ID: 12}}
		ch := live.Changes{Position: fmt.Sprintf("8/%d", id), Records: map[string]*search.Record{search.DocID(search.TypeOffer, id): offer}}
		if err := l.Apply(ctx, gen, ch, read); err != nil {
			t.Fatal(err)
		}
		for l.Merging() {
			time.Sleep(10 * time.Millisecond)
		}
	}
	mu.Lock()
	applies, merges, reads, publishes := 0, 0, 0, 0
	for _, w := range seen {
		if w.End.Before(w.Start) || w.Start.IsZero() {
			t.Errorf("%s work ends before it starts: %+v", w.Kind, w)
		}
		switch w.Kind {
		case live.WorkApply:
			applies++
			if w.Records != 1 {
				t.Errorf("a batch of one offer reported %d records", w.Records)
			}
		case live.WorkMerge:
			merges++
			if w.Records < 2 {
				t.Errorf("a merge reported %d records, want the segments' records", w.Records)
			}
		case live.WorkRead:
			reads++
			if w.Records != 3 || !w.Start.Equal(readAt) {
				t.Errorf("the batch read reported as %+v", w)
			}
		case live.WorkPublish:
			publishes++
			if !w.End.Equal(w.Start) {
				t.Errorf("a publish reported as a span: %+v", w)
			}
		default:
			t.Errorf("work of unknown kind %q", w.Kind)
		}
	}
	mu.Unlock()
	if applies != batches || merges == 0 || reads != 1 || publishes != applies+merges {
		t.Errorf("observed %d batches, %d merges, %d reads and %d overlays published; want %d batches, a merge, the read reported, "+
			"and an overlay published for each batch and merge", applies, merges, reads, publishes, batches)
	}
	l.Observe(nil)
	id := int64(1301)
	ch := live.Changes{Position: "8/1301", Records: map[string]*search.Record{search.DocID(search.TypeOffer, id): {Type: search.TypeOffer, ID: id,
		Name: "Rhinoplasty", Treatment: &search.TreatmentRef{ID: 2, Name: "Rhinoplasty"}, Facility: &search.FacilityRef{ID: 12}}}}
	if err := l.Apply(ctx, gen, ch, read); err != nil {
		t.Fatal(err)
	}
	for l.Merging() {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != applies+merges+reads+publishes {
		t.Errorf("%d spans of work observed after the observer was removed", len(seen)-applies-merges-reads-publishes)
	}
}

// liveOnMini builds the mini catalogue into a fresh index directory and
// opens it; both are gone when the test ends.
func liveOnMini(t *testing.T) (*live.Live, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := indexer.Build(context.Background(), &indexer.FileSource{Dir: mini}, dir, nil); err != nil {
		t.Fatal(err)
	}
	l, err := live.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dir
}

// TestApplyPatchesRecordsFromTheirRow: an offer or facility changed in its
// own row is made from the record the overlay holds (Changes.Patched), the
// rest of it kept; one the patch cannot make, or that the overlay does not
// hold, is read whole; one in Records is taken from there.
func TestApplyPatchesRecordsFromTheirRow(t *testing.T) {
	ctx := context.Background()
	l, _ := liveOnMini(t)
	gen := l.Path()
	before, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	was, err := before.Get(ctx, search.TypeOffer, 1000)
	before.Release()
	if err != nil {
		t.Fatal(err)
	}
	price := 1.0
	row := catalog.Offer{ID: 1000, FacilityID: was.Facility.ID, TreatmentID: was.Treatment.ID, Price: &price,
		Currency: "USD", Includes: "hotel", Source: "clinic list"}
	held := map[int64]*search.Record{}
	patch := func(id int64, ok bool) func(*search.Record) *search.Record {
		return func(r *search.Record) *search.Record {
			held[id] = r
			if !ok {
				return nil
			}
			return indexer.PatchOffer(r, row)
		}
	}
	var read []int64
	reviews := 4321
	reader := catalogueReader(t, mini)
	ch := live.Changes{Position: "8/1",
		Records: map[string]*search.Record{search.DocID(search.TypeOffer, 1002): nil},
		Patched: map[string]func(*search.Record) *search.Record{
			"offer:1000": patch(1000, true), "offer:1001": patch(1001, false), "offer:1002": patch(1002, true),
			"offer:99999": patch(99999, true),
			"facility:10": func(r *search.Record) *search.Record {
				f := *r
				f.ReviewCount = &reviews
				return &f
			}},
	}
	err = l.Apply(ctx, gen, ch, func(ctx context.Context, rates search.Rates, typ string, ids []int64,
		yield func(int64, *search.Record) error) error {
		if typ == search.TypeOffer {
			read = append(read, ids...)
		}
		return reader(ctx, rates, typ, ids, yield)
	})
	if err != nil {
		t.Fatal(err)
	}
	if h := held[1000]; h == nil || h.ID != 1000 || h.Price == nil || h.Price.Amount != was.Price.Amount {
		t.Errorf("offer 1000 was patched from %+v, want the generation's record", h)
	}
	if _, called := held[1002]; called {
		t.Error("offer 1002, deleted in Records, was patched")
	}
	if h, called := held[99999]; !called || h != nil {
		t.Errorf("offer 99999, held nowhere, was patched from %+v (called: %v)", h, called)
	}
	if !slices.Contains(read, 1001) || !slices.Contains(read, 99999) || slices.Contains(read, 1000) {
		t.Errorf("offers read whole %v, want 1001 and 99999 (unpatched), not 1000", read)
	}
	after, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer after.Release()
	got, err := after.Get(ctx, search.TypeOffer, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := *was
	want.Price, want.Includes, want.PriceSource = &search.Money{Amount: 1, Currency: "USD"}, "hotel", "clinic list"
	shown := *want.Facility // and its facility's new review count
	shown.ReviewCount = &reviews
	want.Facility = &shown
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("offer 1000 patched:\n%+v\nwant\n%+v", got, &want)
	}
	if f, err := after.Get(ctx, search.TypeFacility, 10); err != nil || f.ReviewCount == nil || *f.ReviewCount != reviews ||
		len(f.Treatments) == 0 {
		t.Errorf("facility 10 patched with %d reviews: %+v, %v", reviews, f, err)
	}
	if ids := offerIDs(t, after); len(ids) == 0 || ids[0] != 1000 || slices.Contains(ids, 1002) {
		t.Errorf("by price: %v, want 1000 (now 1 USD) first and 1002 gone", ids)
	}
}
