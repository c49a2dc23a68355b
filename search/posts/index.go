package posts

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
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
	CandidateBudget = 1024
)

// Index holds live and future published posts, with an inverted index from
// each subject value — a treatment, a category, a keyword's first term — to
// the posts naming it. A search reaches only the lists of its own subject
// values: the Whang et al. idea of indexing each conjunction under the
// values it needs, simplified to the one dimension every post must set.
// An Index is immutable once built; replace it whole to change the posts.
type Index struct {
	posts []Post
	// What the exact check reads first, kept compact and apart from the
	// posts so that rejecting a candidate touches little memory: when it
	// may be shown, and its keywords as interned term ids.
	windows   []window
	keywords  [][][]uint32
	terms     map[string]uint32
	byID      map[int64]int32
	lists     map[string][]int32
	countries map[string]string
	rates     search.Rates
}

// window is when a post may be shown, in Unix nanoseconds: [start, end).
type window struct{ start, end int64 }

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
		w := window{start: p.StartsAt.UnixNano(), end: forever}
		if p.EndsAt != nil {
			w.end = p.EndsAt.UnixNano()
		}
		ix.windows = append(ix.windows, w)
		var kws [][]uint32
		keys := map[string]bool{}
		for _, t := range p.Targeting.TreatmentIDs {
			keys[treatmentKey(t)] = true
		}
		for _, c := range p.Targeting.Categories {
			keys[categoryKey(c)] = true
		}
		for _, k := range p.Targeting.Keywords {
			terms := search.Normalize(p.Targeting.Lang, k)
			if len(terms) == 0 {
				continue
			}
			kws = append(kws, ix.intern(terms))
			keys[termKey(terms[0])] = true
		}
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
	cands := ix.candidates(&q)
	var termIDs []uint32
	for _, t := range q.Terms {
		if id, ok := ix.terms[t]; ok {
			termIDs = append(termIDs, id)
		}
	}
	at := now.UnixNano()
	type scored struct {
		i     int32
		score int
		tie   uint64
	}
	var hits []scored
	for _, i := range cands {
		if w := ix.windows[i]; at < w.start || at >= w.end {
			continue
		}
		s, ok := ix.check(i, &q, termIDs)
		p := &ix.posts[i]
		if !ok || (allow != nil && !allow(p)) {
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

// candidates returns the posts reachable from the query's subject values,
// each once, within CandidateBudget.
func (ix *Index) candidates(q *Query) []int32 {
	var lists [][]int32
	total := 0
	add := func(key string) {
		if l := ix.lists[key]; len(l) > 0 {
			lists = append(lists, l)
			total += len(l)
		}
	}
	for _, t := range q.TreatmentIDs {
		add(treatmentKey(t))
	}
	for _, c := range q.Categories {
		add(categoryKey(c))
	}
	for _, t := range q.Terms {
		add(termKey(t))
	}
	out := make([]int32, 0, min(total, CandidateBudget))
	for _, l := range lists {
		if total <= CandidateBudget {
			out = append(out, l...)
			continue
		}
		// A share of the budget proportional to the list's length, read
		// from a window that starts where the rotation says.
		n := max(1, len(l)*CandidateBudget/total)
		start := int(mix(q.Rotation^uint64(len(l))) % uint64(len(l)))
		for j := range n {
			out = append(out, l[(start+j)%len(l)])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Scores of the dimensions a post satisfies: a post aimed precisely at a
// search ranks above one aimed broadly.
const (
	scoreTreatment = 4
	scoreKeyword   = 3
	scoreCategory  = 1
	scoreTargeted  = 2 // each of patient country, facility country, language, price
)

// check tests every rule of post i against q and returns its score.
func (ix *Index) check(i int32, q *Query, termIDs []uint32) (int, bool) {
	t := &ix.posts[i].Targeting
	score := 0
	if intersects(t.TreatmentIDs, q.TreatmentIDs) {
		score += scoreTreatment
	}
	if ix.keywordMatch(i, termIDs) {
		score += scoreKeyword
	}
	if intersectsFold(t.Categories, q.Categories) {
		score += scoreCategory
	}
	if score == 0 {
		return 0, false
	}
	if len(t.PatientCountries) > 0 {
		if !slices.Contains(t.PatientCountries, q.PatientCountry) {
			return 0, false
		}
		score += scoreTargeted
	}
	if len(t.FacilityCountries) > 0 && len(q.FacilityCountries) > 0 {
		if !intersects(t.FacilityCountries, q.FacilityCountries) {
			return 0, false
		}
		score += scoreTargeted
	}
	if len(t.Languages) > 0 && len(q.Languages) > 0 {
		if !intersects(t.Languages, q.Languages) {
			return 0, false
		}
		score += scoreTargeted
	}
	if t.PriceMaxUSD != nil && q.PriceMaxUSD != nil {
		if *t.PriceMaxUSD > *q.PriceMaxUSD {
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
