package api

import (
	"context"
	"hash/fnv"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/labstack/echo/v4"
)

// PostSource gives the posts being served: those of the open index
// generation. Posts may return nil when there are none.
type PostSource interface {
	Posts() *posts.Index
}

// Analytics records events and reports them. Record calls return quickly:
// the events are written later, in batches.
type Analytics interface {
	RecordSearch(ctx context.Context, e posts.SearchEvent) error
	RecordPost(ctx context.Context, e posts.PostEvent) error
	// Report returns a *search.Error with search.NotFound for an unknown
	// facility.
	Report(ctx context.Context, facility int64, from, to time.Time) (*posts.Report, error)
}

// Post-matching parameters, taken out before the search parameters are
// parsed.
const (
	sessionHeader   = "X-Session-ID"
	maxSessionBytes = 200
	// treatmentProbe is how many treatments the search text is looked up
	// against to learn what a search is about.
	treatmentProbe = 20
	// recordWait bounds how long a request waits for room in a full
	// analytics buffer before its event is given up (and counted).
	recordWait = time.Second
)

// postHit is a post as a search response shows it.
type postHit struct {
	Type       string   `json:"type"`
	ID         int64    `json:"id"`
	FacilityID int64    `json:"facility_id"`
	DoctorID   int64    `json:"doctor_id,omitempty"`
	Title      string   `json:"title"`
	Text       string   `json:"text"`
	Reasons    []string `json:"reasons"`
}

// postParams are what a client says about the posts it wants.
type postParams struct {
	limit   int
	session string
}

// takePostParams removes the post parameters (limitParam, session) from v
// and reads them with the X-Session-ID header.
func takePostParams(v url.Values, header http.Header, limitParam string, def int) (postParams, url.Values, error) {
	p := postParams{limit: def, session: header.Get(sessionHeader)}
	rest := url.Values{}
	for k, vs := range v {
		if k != limitParam && k != "session" {
			rest[k] = vs
		}
	}
	if vs := v[limitParam]; len(vs) > 0 {
		n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
		if len(vs) > 1 || err != nil || n < 0 || n > posts.MaxLimit || (n == 0 && limitParam == "limit") {
			lo := 0
			if limitParam == "limit" {
				lo = 1
			}
			return p, nil, invalid(limitParam, "must be a whole number from %d to %d, given once", lo, posts.MaxLimit)
		}
		p.limit = n
	}
	if vs := v["session"]; len(vs) > 0 {
		if len(vs) > 1 {
			return p, nil, invalid("session", "is given %d times; give it once", len(vs))
		}
		p.session = vs[0]
	}
	if len(p.session) > maxSessionBytes {
		return p, nil, invalid("session", "is longer than %d bytes", maxSessionBytes)
	}
	return p, rest, nil
}

// about is what a search is about, for post targeting and analytics.
type about struct {
	terms      []string
	treatments []int64
	categories []string
}

// searchAbout normalises the text and looks it up among treatments: the
// treatments it finds, and their categories with the category filters.
func (h *handlers) searchAbout(ctx context.Context, req search.Request) (about, error) {
	lang := strings.ToLower(strings.TrimSpace(req.Lang))
	if lang == "" {
		lang = search.LangEnglish
	}
	a := about{terms: search.Normalize(lang, req.Query), categories: slices.Clone(req.Categories)}
	if strings.TrimSpace(req.Query) == "" {
		return a, nil
	}
	res, err := h.s.Search(ctx, search.Request{Query: req.Query, Lang: req.Lang, Types: []string{search.TypeTreatment},
		PerPage: treatmentProbe, Plain: true})
	if err != nil {
		return a, err
	}
	for _, hit := range res.Hits {
		a.treatments = append(a.treatments, hit.ID)
		if hit.Category != "" && !slices.Contains(a.categories, hit.Category) {
			a.categories = append(a.categories, hit.Category)
		}
	}
	return a, nil
}

// matchPosts finds the posts for req, within the session's caps, and
// counts their impressions.
func (h *handlers) matchPosts(ctx context.Context, req search.Request, a about, p postParams) []posts.Match {
	ix := h.posts.Posts()
	if ix.Len() == 0 || p.limit == 0 {
		return nil
	}
	upperCodes(&req)
	now := time.Now()
	q := posts.Query{
		Text: strings.TrimSpace(req.Query), Terms: a.terms, TreatmentIDs: a.treatments, Categories: a.categories,
		PatientCountry: req.From, FacilityCountries: req.Countries, Languages: languages(req),
		PriceMax: req.PriceMax, Currency: req.Currency,
		Rotation: h.rotation.Add(1) ^ sessionSeed(p.session),
	}
	if req.PriceMax != nil {
		if usd, ok := ix.ToUSD(*req.PriceMax, req.Currency); ok {
			q.PriceMaxUSD = &usd
		}
	}
	ms := ix.Match(q, now, p.limit, h.caps.Allowed(p.session, now))
	h.caps.Record(p.session, ms, now)
	if h.analytics != nil {
		for _, m := range ms {
			h.record(ctx, func(ctx context.Context) error {
				return h.analytics.RecordPost(ctx, posts.PostEvent{At: now, PostID: m.Post.ID, FacilityID: m.Post.FacilityID, Kind: posts.View})
			})
		}
	}
	return ms
}

// upperCodes writes country and currency codes as the index does; the
// engine normalises its own copy of the request.
func upperCodes(req *search.Request) {
	req.From, req.Currency = strings.ToUpper(req.From), strings.ToUpper(req.Currency)
	req.Countries = slices.Clone(req.Countries)
	for i, c := range req.Countries {
		req.Countries[i] = strings.ToUpper(c)
	}
}

// languages are the languages a search asks for: its language filters and
// the language it is written in, when it says.
func languages(req search.Request) []string {
	out := slices.Clone(req.Languages)
	if l := strings.ToLower(strings.TrimSpace(req.Lang)); l != "" && !slices.Contains(out, l) {
		out = append(out, l)
	}
	return out
}

func sessionSeed(s string) uint64 {
	if s == "" {
		return 0
	}
	f := fnv.New64a()
	f.Write([]byte(s))
	return f.Sum64()
}

// record queues an analytics event, waiting a little for room when the
// buffer is full; a failure is logged (and counted by the writer), never
// shown to the patient.
func (h *handlers) record(ctx context.Context, send func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordWait)
	defer cancel()
	if err := send(ctx); err != nil {
		slog.Warn("analytics event not recorded", "err", err)
	}
}

func postHits(ms []posts.Match) []postHit {
	out := make([]postHit, 0, len(ms))
	for _, m := range ms {
		out = append(out, postHit{Type: "post", ID: m.Post.ID, FacilityID: m.Post.FacilityID, DoctorID: m.Post.DoctorID,
			Title: m.Post.Title, Text: m.Post.Body, Reasons: m.Reasons})
	}
	return out
}

// postsResponse is /v1/posts/match's body.
type postsResponse struct {
	TookMS float64   `json:"took_ms"`
	Posts  []postHit `json:"posts"`
}

// matchPostsHandler answers POST /v1/posts/match: the search parameters (in
// the query string or a form body), plus limit and session.
func (h *handlers) matchPostsHandler(c echo.Context) error {
	start := time.Now()
	form, err := c.FormParams()
	if err != nil {
		return invalid("body", "is not a form: %v", err)
	}
	p, rest, err := takePostParams(form, c.Request().Header, "limit", posts.DefaultLimit)
	if err != nil {
		return err
	}
	req, err := parseSearch(rest)
	if err != nil {
		return err
	}
	if err := req.Normalize(h.posts.Posts().Rates()); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.timeout)
	defer cancel()
	a, err := h.searchAbout(ctx, req)
	if err != nil {
		return err
	}
	matched := h.matchPosts(ctx, req, a, p)
	return c.JSON(http.StatusOK, postsResponse{TookMS: ms(time.Since(start)), Posts: postHits(matched)})
}

// click counts a click on a post: POST /v1/posts/:id/click.
func (h *handlers) click(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	p, ok := h.posts.Posts().Get(id)
	if !ok {
		return &search.Error{Code: search.NotFound, Message: sprintf("no post %d", id)}
	}
	if h.analytics == nil {
		return errAnalyticsOff
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), recordWait)
	defer cancel()
	if err := h.analytics.RecordPost(ctx, posts.PostEvent{At: time.Now(), PostID: p.ID, FacilityID: p.FacilityID, Kind: posts.Click}); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"status": "counted", "post_id": p.ID})
}

// searchEvent is what a search records: its terms and categories, the
// patient's country, and the facilities and posts it surfaced.
func searchEvent(req search.Request, a about, res *search.Result, ms []posts.Match) posts.SearchEvent {
	e := posts.SearchEvent{At: time.Now(), Keywords: a.terms, PatientCountry: strings.ToUpper(req.From), Categories: a.categories,
		Total: int(min(res.Total, 1<<31-1))}
	for _, hit := range res.Hits {
		id := hit.ID
		switch {
		case hit.Type == search.TypeFacility:
		case hit.Facility != nil:
			id = hit.Facility.ID
		default:
			continue
		}
		if !slices.Contains(e.FacilityIDs, id) {
			e.FacilityIDs = append(e.FacilityIDs, id)
		}
	}
	for _, m := range ms {
		e.PostIDs = append(e.PostIDs, m.Post.ID)
	}
	return e
}

// withPosts adds the matching posts to a search response and records the
// search, when posts or analytics are on. Neither may fail the search: a
// failure is logged and the results go out without posts.
func (h *handlers) withPosts(c echo.Context, req search.Request, res *search.Result, p postParams) []postHit {
	if !h.postsOn && h.analytics == nil {
		return []postHit{}
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.timeout)
	defer cancel()
	a, err := h.searchAbout(ctx, req)
	if err != nil {
		slog.Warn("posts for a search", "err", err)
		return []postHit{}
	}
	var ms []posts.Match
	if h.postsOn {
		ms = h.matchPosts(ctx, req, a, p)
	}
	if h.analytics != nil {
		h.record(ctx, func(ctx context.Context) error { return h.analytics.RecordSearch(ctx, searchEvent(req, a, res, ms)) })
	}
	return postHits(ms)
}
