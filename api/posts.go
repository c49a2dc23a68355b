package api

import (
	"context"
	"hash/fnv"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/labstack/echo/v4"
)

// Analytics records events and reports them. Record calls return quickly:
// the events are written later, in batches.
type Analytics interface {
	RecordSearch(ctx context.Context, e posts.SearchEvent) error
	RecordPost(ctx context.Context, e posts.PostEvent) error
	RecordView(ctx context.Context, e posts.ViewEvent) error
	// Report returns a *search.Error with search.NotFound for an unknown
	// facility.
	Report(ctx context.Context, facility int64, from, to time.Time) (*posts.Report, error)
}

// Post-matching parameters, taken out before the search parameters are
// parsed.
const (
	sessionHeader   = "X-Session-ID"
	maxSessionBytes = 200
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
	if err := search.CheckText("session", p.session); err != nil {
		return p, nil, err
	}
	return p, rest, nil
}

// matchPosts finds the posts of the snapshot for a search, within the
// session's caps, and counts their impressions.
func (h *handlers) matchPosts(ctx context.Context, snap *live.Snapshot, req search.Request, about search.About, p postParams) []posts.Match {
	if !h.postsOn || snap.Posts.Len() == 0 || p.limit == 0 {
		return nil
	}
	now := time.Now()
	q := posts.QueryFor(req, about, snap.Rates(), h.rotation.Add(1)^sessionSeed(p.session))
	ms := snap.Posts.Match(q, now, p.limit, h.caps.Allowed(p.session, now))
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

// matchPostsHandler answers POST /v1/posts/match: the search parameters
// (in the query string, a form or a JSON object body), plus limit and
// session. What the text is about is read off a search of the treatments
// that returns no hits.
func (h *handlers) matchPostsHandler(c echo.Context) error {
	start := time.Now()
	params, err := bodyParams(c)
	if err != nil {
		return err
	}
	p, rest, err := takePostParams(params, c.Request().Header, "limit", posts.DefaultLimit)
	if err != nil {
		return err
	}
	snap, ctx, done, err := h.snapshot(c)
	if err != nil {
		return err
	}
	defer done()
	withDefaults(c, rest)
	req, err := search.ParseRequest(search.Params(rest), snap.Rates())
	if err != nil {
		return err
	}
	req, ok, err := restrict(c, req)
	if err != nil {
		return err
	}
	if !ok {
		return c.JSON(http.StatusOK, postsResponse{TookMS: ms64(time.Since(start)), Posts: []postHit{}})
	}
	probe := req.MustWhere(search.FilterType, search.TypeTreatment)
	probe.PerPage, probe.Facets = 0, nil
	began := time.Now()
	res, err := snap.Search(ctx, probe)
	if err != nil {
		return h.engineErr(ctx, kindPosts, err)
	}
	matched := h.matchPosts(ctx, snap, req, res.About, p)
	h.metrics.searched(kindPosts, time.Since(began), int64(len(matched)))
	return c.JSON(http.StatusOK, postsResponse{TookMS: ms64(time.Since(start)), Posts: postHits(matched)})
}

// click counts a click on a post: POST /v1/posts/:id/click.
func (h *handlers) click(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	snap, err := h.s.Acquire()
	if err != nil {
		return err
	}
	p, ok := snap.Posts.Get(id)
	snap.Release()
	if ok {
		if a := auth.FromContext(c); a != nil && !a.Allows(p.FacilityID, "", "", "") {
			ok = false // a key does not learn of posts it may not see
		}
	}
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
