package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrUnknownFacility is returned for a report on a facility not in the
// catalogue; it is a search.Error, so the API answers 404.
var ErrUnknownFacility error = &search.Error{Code: search.NotFound, Param: "id", Message: "no such facility"}

// Analytics is the analytics the API uses: a EventWriter to record events and
// Reports to read them.
type Analytics struct {
	*EventWriter
	Reports
}

// reportRows bounds the keywords and unmet searches a report lists.
const reportRows = 20

// Reports answers providers' questions from the events EventWriter recorded.
type Reports struct {
	Pool *pgxpool.Pool
}

// Report returns facility's analytics for [from, to).
func (r Reports) Report(ctx context.Context, facility int64, from, to time.Time) (*posts.Report, error) {
	rep := &posts.Report{FacilityID: facility, From: from, To: to,
		Posts: []posts.PostStats{}, Keywords: []posts.TermCount{}, Unmet: []posts.UnmetQuery{},
		PageViews: posts.PageViews{PerDay: []posts.DayCount{}, Keywords: []posts.TermCount{}, Countries: []posts.CountryCount{}}}
	var exists bool
	if err := r.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM facilities WHERE id = $1)`, facility).Scan(&exists); err != nil {
		return nil, fmt.Errorf("report on facility %d: %w", facility, err)
	}
	if !exists {
		return nil, ErrUnknownFacility
	}
	if err := r.Pool.QueryRow(ctx, `SELECT count(*) FROM search_events
		WHERE facility_ids @> ARRAY[$1::bigint] AND at >= $2 AND at < $3`, facility, from, to).Scan(&rep.Surfaced); err != nil {
		return nil, fmt.Errorf("report on facility %d: surfaced: %w", facility, err)
	}

	// Every post of the facility, and any that had events and has since
	// left the catalogue.
	rows, err := r.Pool.Query(ctx, `WITH e AS (
			SELECT post_id, count(*) FILTER (WHERE kind = 'view') AS views,
				count(*) FILTER (WHERE kind = 'click') AS clicks
			FROM post_events WHERE facility_id = $1 AND at >= $2 AND at < $3 GROUP BY post_id)
		SELECT coalesce(p.id, e.post_id), coalesce(p.title, ''), coalesce(e.views, 0), coalesce(e.clicks, 0)
		FROM (SELECT id, title FROM posts WHERE facility_id = $1) p
		FULL JOIN e ON e.post_id = p.id ORDER BY 1`, facility, from, to)
	if err != nil {
		return nil, fmt.Errorf("report on facility %d: posts: %w", facility, err)
	}
	var ps posts.PostStats
	if _, err := pgx.ForEachRow(rows, []any{&ps.ID, &ps.Title, &ps.Views, &ps.Clicks}, func() error {
		rep.Posts = append(rep.Posts, ps)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("report on facility %d: posts: %w", facility, err)
	}

	rows, err = r.Pool.Query(ctx, `SELECT k, count(*) FROM search_events, unnest(keywords) k
		WHERE facility_ids @> ARRAY[$1::bigint] AND at >= $2 AND at < $3
		GROUP BY k ORDER BY 2 DESC, 1 LIMIT $4`, facility, from, to, reportRows)
	if err != nil {
		return nil, fmt.Errorf("report on facility %d: keywords: %w", facility, err)
	}
	var tc posts.TermCount
	if _, err := pgx.ForEachRow(rows, []any{&tc.Keyword, &tc.Count}, func() error {
		rep.Keywords = append(rep.Keywords, tc)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("report on facility %d: keywords: %w", facility, err)
	}

	// Searches about the facility's categories that found nothing: demand it
	// might meet.
	rows, err = r.Pool.Query(ctx, `WITH cats AS (
			SELECT array_agg(DISTINCT t.category) AS c FROM offers o JOIN treatments t ON t.id = o.treatment_id
			WHERE o.facility_id = $1)
		SELECT array_to_string(keywords, ' '), categories, count(*) FROM search_events, cats
		WHERE total = 0 AND categories && cats.c AND at >= $2 AND at < $3
		GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT $4`, facility, from, to, reportRows)
	if err != nil {
		return nil, fmt.Errorf("report on facility %d: unmet searches: %w", facility, err)
	}
	var u posts.UnmetQuery
	if _, err := pgx.ForEachRow(rows, []any{&u.Keywords, &u.Categories, &u.Count}, func() error {
		rep.Unmet = append(rep.Unmet, u)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("report on facility %d: unmet searches: %w", facility, err)
	}
	if err := r.pageViews(ctx, facility, from, to, &rep.PageViews); err != nil {
		return nil, fmt.Errorf("report on facility %d: page views: %w", facility, err)
	}
	return rep, nil
}

// pageViews counts the views of the facility's page in [from, to): on
// every UTC day the period touches (zero included, so a chart needs no
// gaps filled; the API bounds a period to 366 days), and by the search
// terms and patients' countries that led to them.
func (r Reports) pageViews(ctx context.Context, facility int64, from, to time.Time, pv *posts.PageViews) error {
	rows, err := r.Pool.Query(ctx, `WITH v AS (
			SELECT (at AT TIME ZONE 'UTC')::date AS day FROM facility_views
			WHERE facility_id = $1 AND at >= $2 AND at < $3)
		SELECT to_char(d, 'YYYY-MM-DD'), count(v.day)
		FROM generate_series(($2::timestamptz AT TIME ZONE 'UTC')::date,
			(($3::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC')::date, interval '1 day') d
		LEFT JOIN v ON v.day = d::date
		GROUP BY d ORDER BY d`, facility, from, to)
	if err != nil {
		return fmt.Errorf("per day: %w", err)
	}
	var dc posts.DayCount
	if _, err := pgx.ForEachRow(rows, []any{&dc.Date, &dc.Count}, func() error {
		pv.PerDay = append(pv.PerDay, dc)
		pv.Total += dc.Count
		return nil
	}); err != nil {
		return fmt.Errorf("per day: %w", err)
	}
	rows, err = r.Pool.Query(ctx, `SELECT k, count(*) FROM facility_views, unnest(keywords) k
		WHERE facility_id = $1 AND at >= $2 AND at < $3
		GROUP BY k ORDER BY 2 DESC, 1 LIMIT $4`, facility, from, to, reportRows)
	if err != nil {
		return fmt.Errorf("keywords: %w", err)
	}
	var tc posts.TermCount
	if _, err := pgx.ForEachRow(rows, []any{&tc.Keyword, &tc.Count}, func() error {
		pv.Keywords = append(pv.Keywords, tc)
		return nil
	}); err != nil {
		return fmt.Errorf("keywords: %w", err)
	}
	rows, err = r.Pool.Query(ctx, `SELECT patient_country, count(*) FROM facility_views
		WHERE facility_id = $1 AND at >= $2 AND at < $3 AND patient_country IS NOT NULL
		GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $4`, facility, from, to, reportRows)
	if err != nil {
		return fmt.Errorf("countries: %w", err)
	}
	var cc posts.CountryCount
	if _, err := pgx.ForEachRow(rows, []any{&cc.Country, &cc.Count}, func() error {
		pv.Countries = append(pv.Countries, cc)
		return nil
	}); err != nil {
		return fmt.Errorf("countries: %w", err)
	}
	return nil
}
