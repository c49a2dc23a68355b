package posts

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/careatlas/careatlas/search"
)

var (
	now       = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	yesterday = now.Add(-24 * time.Hour)
	tomorrow  = now.Add(24 * time.Hour)
	countries = map[string]string{"TR": "Turkey", "DE": "Germany", "GB": "United Kingdom", "IN": "India"}
)

func f(v float64) *float64 { return &v }

func query(text string) Query {
	return Query{Text: text, Terms: search.Analyze("en", text)}
}

func TestTargeting(t *testing.T) {
	post := func(tg Targeting) Post {
		return Post{ID: 1, FacilityID: 10, Title: "t", Published: true, StartsAt: yesterday, Targeting: tg}
	}
	knee := Targeting{TreatmentIDs: []int64{470}}
	tests := []struct {
		name    string
		post    Post
		q       Query
		match   bool
		reasons []string
	}{
		{"treatment found by the text", post(knee), Query{Text: "knee replacement", TreatmentIDs: []int64{469, 470}}, true,
			[]string{"you searched knee replacement"}},
		{"other treatment", post(knee), Query{Text: "hip", TreatmentIDs: []int64{471}}, false, nil},
		{"category of the search", post(Targeting{Categories: []string{"Orthopaedics"}}),
			Query{Categories: []string{"orthopaedics"}}, true, []string{"orthopaedics"}},
		{"other category", post(Targeting{Categories: []string{"Orthopaedics"}}), Query{Categories: []string{"Dental"}}, false, nil},
		{"keyword stemmed like search", post(Targeting{Keywords: []string{"knee replacements"}}), query("replacing the knee"), true,
			[]string{"you searched replacing the knee"}},
		{"keyword needs every term", post(Targeting{Keywords: []string{"knee replacement"}}), query("knee pain"), false, nil},
		{"keyword in Spanish", post(Targeting{Keywords: []string{"prótesis de rodilla"}, Lang: "es"}),
			Query{Text: "protesis rodilla", Terms: search.Analyze("es", "protesis rodilla")}, true, nil},
		{"patient country", post(Targeting{TreatmentIDs: []int64{470}, PatientCountries: []string{"DE", "GB"}}),
			Query{Text: "knee", TreatmentIDs: []int64{470}, PatientCountry: "DE"}, true,
			[]string{"you searched knee", "patients from Germany"}},
		{"patient from elsewhere", post(Targeting{TreatmentIDs: []int64{470}, PatientCountries: []string{"DE"}}),
			Query{TreatmentIDs: []int64{470}, PatientCountry: "US"}, false, nil},
		{"patient country unknown", post(Targeting{TreatmentIDs: []int64{470}, PatientCountries: []string{"DE"}}),
			Query{TreatmentIDs: []int64{470}}, false, nil},
		{"facility country filter", post(Targeting{TreatmentIDs: []int64{470}, FacilityCountries: []string{"TR"}}),
			Query{Text: "knee", TreatmentIDs: []int64{470}, FacilityCountries: []string{"IN", "TR"}}, true,
			[]string{"you searched knee", "Turkey"}},
		{"other facility country", post(Targeting{TreatmentIDs: []int64{470}, FacilityCountries: []string{"TR"}}),
			Query{TreatmentIDs: []int64{470}, FacilityCountries: []string{"IN"}}, false, nil},
		{"no country filter", post(Targeting{TreatmentIDs: []int64{470}, FacilityCountries: []string{"TR"}}),
			Query{Text: "knee", TreatmentIDs: []int64{470}}, true, []string{"you searched knee"}},
		{"language", post(Targeting{TreatmentIDs: []int64{470}, Languages: []string{"de"}}),
			Query{Text: "knee", TreatmentIDs: []int64{470}, Languages: []string{"de"}}, true,
			[]string{"you searched knee", "in German"}},
		{"other language", post(Targeting{TreatmentIDs: []int64{470}, Languages: []string{"de"}}),
			Query{TreatmentIDs: []int64{470}, Languages: []string{"fr"}}, false, nil},
		{"within the budget", post(Targeting{TreatmentIDs: []int64{470}, PriceMaxUSD: f(7000)}),
			Query{Text: "knee replacement", TreatmentIDs: []int64{470}, PriceMax: f(8000), PriceMaxUSD: f(9300), Currency: "EUR"}, true,
			[]string{"you searched knee replacement", "under €8,000"}},
		{"over the budget", post(Targeting{TreatmentIDs: []int64{470}, PriceMaxUSD: f(7000)}),
			Query{TreatmentIDs: []int64{470}, PriceMax: f(5000), PriceMaxUSD: f(5000)}, false, nil},
		{"no budget", post(Targeting{TreatmentIDs: []int64{470}, PriceMaxUSD: f(7000)}),
			Query{Text: "knee", TreatmentIDs: []int64{470}}, true, []string{"you searched knee"}},
		{"no subject never matches", post(Targeting{PatientCountries: []string{"DE"}}),
			Query{TreatmentIDs: []int64{470}, PatientCountry: "DE"}, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := NewIndex([]Post{tc.post}, countries, now)
			got := ix.Match(tc.q, now, 3, nil)
			if (len(got) == 1) != tc.match {
				t.Fatalf("matched %d posts, want match=%v", len(got), tc.match)
			}
			if tc.match && tc.reasons != nil && !slices.Equal(got[0].Reasons, tc.reasons) {
				t.Errorf("reasons %q, want %q", got[0].Reasons, tc.reasons)
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	base := Post{FacilityID: 1, Published: true, StartsAt: yesterday, Targeting: Targeting{TreatmentIDs: []int64{1}}}
	at := func(id int64, edit func(*Post)) Post {
		p := base
		p.ID = id
		p.FacilityID = id
		edit(&p)
		return p
	}
	ps := []Post{
		at(1, func(p *Post) {}),
		at(2, func(p *Post) { p.EndsAt = &tomorrow }),
		at(3, func(p *Post) { p.EndsAt = &yesterday }),                                    // expired
		at(4, func(p *Post) { p.StartsAt = tomorrow }),                                    // future
		at(5, func(p *Post) { p.Published = false }),                                      // draft
		at(6, func(p *Post) { e := now; p.EndsAt = &e }),                                  // ends now: over
		at(7, func(p *Post) { p.StartsAt = now }),                                         // starts now: on
		at(8, func(p *Post) { e := now.Add(time.Hour); p.StartsAt = now; p.EndsAt = &e }), // a one-hour post
	}
	ix := NewIndex(ps, nil, yesterday.Add(-time.Hour))
	var ids []int64
	for _, m := range ix.Match(Query{TreatmentIDs: []int64{1}}, now, MaxLimit, nil) {
		ids = append(ids, m.Post.ID)
	}
	slices.Sort(ids)
	if want := []int64{1, 2, 7, 8}; !slices.Equal(ids, want) {
		t.Errorf("live posts %v, want %v", ids, want)
	}
	if _, ok := ix.Get(5); ok {
		t.Errorf("an unpublished post was indexed")
	}
	if got := NewIndex(ps, nil, now).Len(); got != 5 {
		t.Errorf("indexed %d posts at now, want 5 (expired, ended and drafts left out)", got)
	}
	if got := ix.Match(Query{TreatmentIDs: []int64{1}}, tomorrow.Add(time.Hour), MaxLimit, nil); len(got) != 3 {
		t.Errorf("after tomorrow: %d posts, want 3 (1, 4 now started, 7; 2 and 8 have ended)", len(got))
	}
}

// TestRotation: equal posts from different providers share the top place.
func TestRotation(t *testing.T) {
	var ps []Post
	for id := int64(1); id <= 5; id++ {
		ps = append(ps, Post{ID: id, FacilityID: 100 + id, Published: true, StartsAt: yesterday,
			Targeting: Targeting{TreatmentIDs: []int64{470}}})
	}
	// A better-targeted post always wins over them.
	ix := NewIndex(ps, nil, now)
	wins := map[int64]int{}
	const searches = 500
	for r := range uint64(searches) {
		got := ix.Match(Query{TreatmentIDs: []int64{470}, Rotation: r}, now, 1, nil)
		wins[got[0].Post.FacilityID]++
	}
	for id := int64(101); id <= 105; id++ {
		if wins[id] < searches/10 {
			t.Errorf("facility %d won %d of %d searches; wins %v", id, wins[id], searches, wins)
		}
	}
	best := Post{ID: 9, FacilityID: 9, Published: true, StartsAt: yesterday,
		Targeting: Targeting{TreatmentIDs: []int64{470}, PatientCountries: []string{"DE"}}}
	ix = NewIndex(append(ps, best), nil, now)
	for r := range uint64(50) {
		if got := ix.Match(Query{TreatmentIDs: []int64{470}, PatientCountry: "DE", Rotation: r}, now, 1, nil); got[0].Post.ID != 9 {
			t.Fatalf("rotation %d: post %d first, want the better-targeted 9", r, got[0].Post.ID)
		}
	}
}

func TestOnePostPerFacility(t *testing.T) {
	ps := []Post{
		{ID: 1, FacilityID: 1, Published: true, StartsAt: yesterday, Targeting: Targeting{TreatmentIDs: []int64{1}}},
		{ID: 2, FacilityID: 1, Published: true, StartsAt: yesterday, Targeting: Targeting{TreatmentIDs: []int64{1}}},
		{ID: 3, FacilityID: 2, Published: true, StartsAt: yesterday, Targeting: Targeting{TreatmentIDs: []int64{1}}},
	}
	got := NewIndex(ps, nil, now).Match(Query{TreatmentIDs: []int64{1}}, now, 3, nil)
	if len(got) != 2 || got[0].Post.FacilityID == got[1].Post.FacilityID {
		t.Errorf("got %d posts %+v, want one from each facility", len(got), got)
	}
}

func TestCaps(t *testing.T) {
	ps := []Post{{ID: 1, FacilityID: 1, Published: true, StartsAt: yesterday, Targeting: Targeting{TreatmentIDs: []int64{1}}}}
	ix := NewIndex(ps, nil, now)
	caps := NewCaps(2, 3, time.Minute)
	q := Query{TreatmentIDs: []int64{1}}
	shown := func(session string, at time.Time) int {
		ms := ix.Match(q, at, 3, caps.Allowed(session, at))
		caps.Record(session, ms, at)
		return len(ms)
	}
	for i, want := range []int{1, 1, 0, 0} {
		if got := shown("alice", now); got != want {
			t.Errorf("search %d of the session: %d posts, want %d", i+1, got, want)
		}
	}
	if shown("bob", now) != 1 || shown("", now) != 1 || shown("", now) != 1 || shown("", now) != 1 {
		t.Errorf("another session, or none, is not capped by alice's")
	}
	if shown("alice", now.Add(2*time.Minute)) != 1 {
		t.Errorf("the cap outlived the session's time to live")
	}
	for i := range 10 {
		shown(fmt.Sprint("s", i), now.Add(2*time.Minute))
	}
	if caps.Len() > 3 {
		t.Errorf("caps remember %d sessions; the bound is 3", caps.Len())
	}
}

// TestCapsTake: a cap of one lets each id through once per session, until
// the session has been idle for its time to live; no session, no cap.
func TestCapsTake(t *testing.T) {
	caps := NewCaps(1, 3, time.Minute)
	tests := []struct {
		session string
		id      int64
		at      time.Duration
		want    bool
	}{
		{"alice", 11, 0, true},
		{"alice", 11, time.Second, false},
		{"alice", 12, 2 * time.Second, true},
		{"bob", 11, 3 * time.Second, true},
		{"", 11, 4 * time.Second, true},
		{"", 11, 5 * time.Second, true},
		{"alice", 11, 50 * time.Second, false}, // still active: the second search kept it alive
		{"alice", 11, 2 * time.Minute, true},   // idle for longer than the TTL
	}
	for _, tc := range tests {
		if got := caps.Take(tc.session, tc.id, now.Add(tc.at)); got != tc.want {
			t.Errorf("Take(%q, %d) at +%v = %v, want %v", tc.session, tc.id, tc.at, got, tc.want)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	for _, c := range []struct {
		amount float64
		cur    string
		want   string
	}{{8000, "EUR", "€8,000"}, {1234567.5, "", "$1,234,567.50"}, {950, "AED", "950 AED"}, {0.05, "GBP", "£0.05"}} {
		if got := formatMoney(c.amount, c.cur); got != c.want {
			t.Errorf("formatMoney(%v, %q) = %q, want %q", c.amount, c.cur, got, c.want)
		}
	}
}
