package posts

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/careatlas/careatlas/search"
)

// Limits on one match.
const (
	DefaultLimit = 3
	MaxLimit     = 10
	// CandidateBudget bounds the posts one search checks exactly. Below it
	// every post a search's terms reach is checked; above it (a popular
	// treatment with thousands of posts) each list is read from a window
	// that moves with Query.Rotation, so the cost stays flat as posts grow
	// and every matching post still gets its turn.
	CandidateBudget = 512
)

// Index holds live and future published posts, with an inverted index from
// each subject value — a treatment, a category, a keyword's first term — to
// the posts naming it. A search reaches only the lists of its own subject
// values: the Whang et al. idea of indexing each conjunction under the
// values it needs, simplified to the one dimension every post must set.
// An Index is immutable once built; replace it whole to change the posts.
type Index struct {
	posts []Post
	// What the exact check reads, kept compact and apart from the posts so
	// that checking a candidate touches little memory: when it may be
	// shown, its price, which rules it sets, and its keywords as interned
	// term ids.
	hot       []hot
	keywords  [][][]uint32
	terms     map[string]uint32
	byID      map[int64]int32
	lists     map[string][]int32
	countries map[string]string
	rates     search.Rates
}

// hot is the part of a post every check reads: when it may be shown, in
// Unix nanoseconds [start, end), its price ceiling, and which rules it sets.
type hot struct {
	start, end int64
	priceMax   float64
	flags      uint8
}

// Flags of hot.
const (
	hasPatient = 1 << iota
	hasFacility
	hasLanguage
	hasPrice
	oneWordKeywords // every keyword is one term: reaching its list is a match
)

// How a candidate was reached: through the list of one of its treatments,
// categories, or the first term of one of its keywords. A list's key is the
// rule itself, so reaching a post through a treatment's or a category's list
// is that rule met, and only multi-word keywords need checking.
const (
	viaTreatment = 1 << iota
	viaCategory
	viaKeyword
	viaBits = 3
)

const forever = int64(1<<63 - 1)

// NewIndex indexes the posts that can still be shown at now: published and
// not yet ended. Posts with no subject (see Targeting) are left out.
// countries maps country codes to names, for reasons.
func NewIndex(ps []Post, countries map[string]string, now time.Time) *Index {
	ix := &Index{byID: map[int64]int32{}, lists: map[string][]int32{}, terms: map[string]uint32{}, countries: countries}
	for _, p := range ps {
		if !p.Published || !p.Targeting.HasSubject() || (p.EndsAt != nil && !now.Before(*p.EndsAt)) {
			continue
		}
		if _, dup := ix.byID[p.ID]; dup {
			continue
		}
		i := int32(len(ix.posts))
		ix.posts = append(ix.posts, p)
		ix.byID[p.ID] = i
		h := hot{start: p.StartsAt.UnixNano(), end: forever, flags: oneWordKeywords}
		if p.EndsAt != nil {
			h.end = p.EndsAt.UnixNano()
		}
		tg := &p.Targeting
		for _, f := range []struct {
			set  bool
			flag uint8
		}{{len(tg.PatientCountries) > 0, hasPatient}, {len(tg.FacilityCountries) > 0, hasFacility},
			{len(tg.Languages) > 0, hasLanguage}, {tg.PriceMaxUSD != nil, hasPrice}} {
			if f.set {
				h.flags |= f.flag
			}
		}
		if tg.PriceMaxUSD != nil {
			h.priceMax = *tg.PriceMaxUSD
		}
		var kws [][]uint32
		keys := map[string]bool{}
		for _, t := range p.Targeting.TreatmentIDs {
			keys[treatmentKey(t)] = true
		}
		for _, c := range p.Targeting.Categories {
			keys[categoryKey(c)] = true
		}
		for _, k := range p.Targeting.Keywords {
			terms := search.Analyze(p.Targeting.Lang, k)
			if len(terms) == 0 {
				continue
			}
			kws = append(kws, ix.intern(terms))
			keys[termKey(terms[0])] = true
			if len(terms) > 1 {
				h.flags &^= oneWordKeywords
			}
		}
		ix.hot = append(ix.hot, h)
		ix.keywords = append(ix.keywords, kws)
		for k := range keys {
			ix.lists[k] = append(ix.lists[k], i)
		}
	}
	return ix
}

// intern returns the ids of terms, giving new terms new ids.
func (ix *Index) intern(terms []string) []uint32 {
	ids := make([]uint32, len(terms))
	for i, t := range terms {
		id, ok := ix.terms[t]
		if !ok {
			id = uint32(len(ix.terms))
			ix.terms[t] = id
		}
		ids[i] = id
	}
	return ids
}

func treatmentKey(id int64) string { return "t:" + strconv.FormatInt(id, 10) }
func categoryKey(c string) string  { return "c:" + strings.ToLower(c) }
func termKey(t string) string      { return "k:" + t }

// WithRates gives the index the exchange rates that convert a search's price
// ceiling to dollars (see ToUSD); call it before the index is shared.
func (ix *Index) WithRates(r search.Rates) *Index {
	ix.rates = r
	return ix
}

// Rates are the exchange rates given by WithRates.
func (ix *Index) Rates() search.Rates {
	if ix == nil || ix.rates.Rates == nil {
		return search.Rates{Rates: map[string]float64{"USD": 1}}
	}
	return ix.rates
}

// ToUSD converts a search's price ceiling to dollars; ok is false when the
// currency has no rate. An empty currency is dollars.
func (ix *Index) ToUSD(amount float64, currency string) (float64, bool) {
	if currency == "" || currency == "USD" {
		return amount, true
	}
	if ix == nil {
		return 0, false
	}
	return ix.rates.ToUSD(amount, currency)
}

// Len is the number of posts indexed.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.posts)
}

// Get returns an indexed post by id.
func (ix *Index) Get(id int64) (*Post, bool) {
	if ix == nil {
		return nil, false
	}
	i, ok := ix.byID[id]
	if !ok {
		return nil, false
	}
	return &ix.posts[i], true
}

// Match returns up to limit posts that q matches at now, best first: the
// highest score, then an order among equal scores that changes with
// q.Rotation. At most one post per facility is returned, and allow (when
// not nil) may veto a post, for frequency caps.
func (ix *Index) Match(q Query, now time.Time, limit int, allow func(*Post) bool) []Match {
	if ix == nil || len(ix.posts) == 0 || limit <= 0 {
		return nil
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	cands := ix.candidates(&q, sc.cands[:0])
	sc.cands = cands
	var termIDs []uint32
	for _, t := range q.Terms {
		if id, ok := ix.terms[t]; ok {
			termIDs = append(termIDs, id)
		}
	}
	at := now.UnixNano()
	hits := sc.hits[:0]
	defer func() { sc.hits = hits }()
	for _, c := range cands {
		i, via := int32(c>>viaBits), uint8(c&(1<<viaBits-1))
		if h := &ix.hot[i]; at < h.start || at >= h.end {
			continue
		}
		s, ok := ix.check(i, via, &q, termIDs)
		if !ok {
			continue
		}
		p := &ix.posts[i]
		if len(q.Facilities) > 0 && !slices.Contains(q.Facilities, p.FacilityID) {
			continue
		}
		if allow != nil && !allow(p) {
			continue
		}
		hits = append(hits, scored{i, s, mix(uint64(p.ID) ^ q.Rotation)})
	}
	slices.SortFunc(hits, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.tie, b.tie)
	})
	var out []Match
	shown := map[int64]bool{}
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		p := &ix.posts[h.i]
		if shown[p.FacilityID] {
			continue
		}
		shown[p.FacilityID] = true
		out = append(out, Match{Post: p, Score: h.score, Reasons: ix.reasons(h.i, &q, termIDs)})
	}
	return out
}

// scored is a post that matched, its score and its place among equals.
type scored struct {
	i     int32
	score int
	tie   uint64
}

// scratch is one match's working memory, reused so that a search allocates
// little beyond its answer (and the collector has little to do, however
// many posts the index holds).
type scratch struct {
	cands []uint64
	hits  []scored
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// candidates returns the posts reachable from the query's subject values,
// each once, within CandidateBudget, as post<<viaBits | how it was reached.
func (ix *Index) candidates(q *Query, out []uint64) []uint64 {
	type list struct {
		posts []int32
		via   uint64
	}
	var lists []list
	total := 0
	add := func(key string, via uint64) {
		if l := ix.lists[key]; len(l) > 0 {
			lists = append(lists, list{l, via})
			total += len(l)
		}
	}
	for _, t := range q.TreatmentIDs {
		add(treatmentKey(t), viaTreatment)
	}
	for _, c := range q.Categories {
		add(categoryKey(c), viaCategory)
	}
	for _, t := range q.Terms {
		add(termKey(t), viaKeyword)
	}
	for _, l := range lists {
		if total <= CandidateBudget {
			for _, i := range l.posts {
				out = append(out, uint64(i)<<viaBits|l.via)
			}
			continue
		}
		// A share of the budget proportional to the list's length, read
		// from a window that starts where the rotation says.
		n := max(1, len(l.posts)*CandidateBudget/total)
		start := int(mix(q.Rotation^uint64(len(l.posts))) % uint64(len(l.posts)))
		for j := range n {
			out = append(out, uint64(l.posts[(start+j)%len(l.posts)])<<viaBits|l.via)
		}
	}
	slices.Sort(out)
	// Merge the entries of one post, keeping every way it was reached.
	merged := out[:0]
	for _, c := range out {
		if n := len(merged); n > 0 && merged[n-1]>>viaBits == c>>viaBits {
			merged[n-1] |= c
			continue
		}
		merged = append(merged, c)
	}
	return merged
}

// Scores of the dimensions a post satisfies: a post aimed precisely at a
// search ranks above one aimed broadly.
const (
	scoreTreatment = 4
	scoreKeyword   = 3
	scoreCategory  = 1
	scoreTargeted  = 2 // each of patient country, facility country, language, price
)

// check tests every rule of post i, reached as via says, against q and
// returns its score. It reads the post's targeting only for the rules its
// hot flags say it sets.
func (ix *Index) check(i int32, via uint8, q *Query, termIDs []uint32) (int, bool) {
	h := &ix.hot[i]
	score := 0
	if via&viaTreatment != 0 {
		score += scoreTreatment
	}
	if via&viaCategory != 0 {
		score += scoreCategory
	}
	if via&viaKeyword != 0 && (h.flags&oneWordKeywords != 0 || ix.keywordMatch(i, termIDs)) {
		score += scoreKeyword
	}
	if score == 0 {
		return 0, false
	}
	if h.flags&hasPrice != 0 && q.PriceMaxUSD != nil {
		if h.priceMax > *q.PriceMaxUSD {
			return 0, false
		}
		score += scoreTargeted
	}
	if h.flags&(hasPatient|hasFacility|hasLanguage) == 0 {
		return score, true
	}
	t := &ix.posts[i].Targeting
	if h.flags&hasPatient != 0 {
		if !slices.Contains(t.PatientCountries, q.PatientCountry) {
			return 0, false
		}
		score += scoreTargeted
	}
	if h.flags&hasFacility != 0 && len(q.FacilityCountries) > 0 {
		if !intersects(t.FacilityCountries, q.FacilityCountries) {
			return 0, false
		}
		score += scoreTargeted
	}
	if h.flags&hasLanguage != 0 && len(q.Languages) > 0 {
		if !intersects(t.Languages, q.Languages) {
			return 0, false
		}
		score += scoreTargeted
	}
	return score, true
}

// keywordMatch reports whether every term of one of post i's keywords is
// among the query's terms.
func (ix *Index) keywordMatch(i int32, terms []uint32) bool {
	for _, kw := range ix.keywords[i] {
		all := true
		for _, t := range kw {
			if !slices.Contains(terms, t) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func intersects[T comparable](a, b []T) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func intersectsFold(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

// mix is SplitMix64's finaliser: a cheap hash that spreads nearby values.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
